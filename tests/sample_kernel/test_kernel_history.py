"""The kernel's history as a git repository: one commit per change, source spliced from updates."""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from dsukit import cli
from sample_kernel.catalogue import HISTORY, change
from sample_kernel.history import HistoryError, apply_change, versions, write_history


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
    ).stdout


def test_history_repository_has_one_commit_per_change(tmp_path: Path) -> None:
    repo = tmp_path / "history"
    commits = write_history(repo)
    assert len(commits) == len(HISTORY) + 1
    subjects = _git(repo, "log", "--reverse", "--format=%s").splitlines()
    assert subjects[1:] == [change(name).summary for name in HISTORY]
    changed = _git(repo, "show", "--stat", "--format=", commits[1])
    assert "kernel/fcm.py" in changed and "process.py" not in changed
    assert _git(repo, "status", "--porcelain") == ""


@pytest.mark.parametrize(
    ("name", "file", "added", "removed"),
    [
        ("fcm_sync_priority", "fcm.py", "self.forced_queue", "self.queue.append"),
        ("signal_delivery_fix", "process.py", "range(1, NSIG)", "range(2, NSIG)"),
        ("pmroot_frame_size", "pm.py", "def getFrame(self, size: int)", "ROOT_GET]()"),
        ("page_fault_accounting", "exception_path.py", "FAULTS_BY_PROCESS[process]", None),
        ("trace_point_renumbering", "tracing.py", "PAGE_FAULT_MAJOR = 1", "FRAME_ALLOC = 1"),
    ],
)
def test_each_version_carries_its_change(
    name: str, file: str, added: str, removed: str | None
) -> None:
    by_name = {version.name: version for version in versions()}
    before = versions()[HISTORY.index(name)].files[file]
    after = by_name[name].files[file]
    assert added in after and added not in before
    if removed is not None:
        assert removed in before and removed not in after


def test_a_new_virtual_method_lands_in_its_vtable_slot() -> None:
    pm_source = {v.name: v for v in versions()}["pm_reclaim_method"].files["pm.py"]
    pm_class = next(
        n for n in ast.parse(pm_source).body if isinstance(n, ast.ClassDef) and n.name == "PM"
    )
    methods = [n.name for n in pm_class.body if isinstance(n, ast.FunctionDef)]
    assert methods == ["getFrame", "freeFrame", "reclaim", "framesInUse"]
    assert all(
        any(isinstance(d, ast.Name) and d.id == "virtual" for d in n.decorator_list)
        for n in pm_class.body
        if isinstance(n, ast.FunctionDef)
    )


def test_every_version_compiles() -> None:
    for version in versions():
        for file, text in version.files.items():
            compile(text, f"{version.name}/{file}", "exec")


def test_an_update_matching_no_kernel_code_changes_nothing() -> None:
    files = {"pm.py": "class PM:\n    pass\n"}
    assert apply_change(files, "def unrelated():\n    return 1\n") == files


def test_history_refuses_a_directory_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "x").write_text("x")
    with pytest.raises(HistoryError, match="not empty"):
        write_history(tmp_path)
    result = CliRunner().invoke(cli, ["replay", "--history", str(tmp_path)])
    assert result.exit_code != 0 and "not empty" in result.output
