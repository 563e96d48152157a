"""Python class bases reach the unit registry through the contexts stage's class interfaces
alone (no second parse of the sources): bases named through their module (``runtime.Updatable``),
nested classes, and a file in syntax newer than the running Python (PEP 695 ``type`` and class
type parameters, which :mod:`ast` under Python 3.11 rejects as a whole file)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from sqlalchemy.orm import Session

from classify.config import parse_config
from classify.loading import TextCache, build_registry
from classify.rules import is_unit_class
from contexts import stage as contexts_stage
from miner.api import mine
from miner.db import open_database

RUNTIME = "class Updatable:\n    def update(self):\n        pass\n"
PM = (
    "import runtime\n\n\nclass PM(runtime.Updatable):\n"
    "    def getFrame(self):\n        return 0\n\n    class Stats:\n        pass\n"
)
MODERN = (
    "type Frame = int\n\n\nclass Leaf[T](pm.PM):\n    def f(self) -> Frame:\n        return 0\n"
)
STUDY = {"population": {"paths": ["kernel/"]}, "units": {"bases": ["Updatable"]}}


def _commit(repo: Path, files: dict[str, str], message: str) -> None:
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    subprocess.run(["git", "add", "."], cwd=repo, check=True)
    subprocess.run(["git", "commit", "-q", "-m", message], cwd=repo, check=True)


def test_python_bases_come_from_class_interfaces(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True)
    _commit(repo, {"runtime.py": RUNTIME, "kernel/pm.py": PM}, "runtime and page manager")
    _commit(repo, {"kernel/modern.py": MODERN}, "a leaf in new syntax")
    _commit(repo, {"kernel/modern.py": MODERN.replace("return 0", "return 1")}, "leaf fix")
    engine = open_database(f"sqlite:///{tmp_path / 'study.sqlite'}")
    mine(repo, engine)
    config = parse_config(STUDY)
    with Session(engine) as session:
        contexts_stage.run(session, progress=False)
        registry = build_registry(session, config, TextCache(session))
    assert registry.ancestors("Leaf") == {"pm.PM", "runtime.Updatable"}
    assert registry.ancestors("PM.Stats") == frozenset()
    assert is_unit_class("Leaf", config, registry) == "Leaf derives from runtime.Updatable"
    assert is_unit_class("PM.Stats", config, registry) is None
