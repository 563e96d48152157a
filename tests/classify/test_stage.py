"""The classify stage on a real SQLite study database with miner and contexts rows inserted
directly, and file texts stored as real blobs in a real git repository (read back through
``miner.sources``): verdicts, incremental re-runs after configuration changes, the table, the CLI.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from classify import stage
from classify.api import automatic_table, verdicts_frame
from classify.config import load_config
from classify.models import VerdictRow
from contexts.models import (
    ChangedLine,
    ClassInterface,
    ContextChange,
    ContextsDone,
    InterfaceChange,
)
from dsukit import cli
from miner.db import open_database
from miner.models import FileRevision, Repository, Transaction

CONFIG = """
[study]
cutoff = 2003-01-01
[population]
paths = ["os/kernel/", "sys/"]
[units]
bases = ["Obj"]
markers = ["DEFINE_FACTORY_BEGIN"]
c_tables = ["fileops"]
"""

FCM_H = b"class FCMFile : public FCMCommon {\npublic:\n  virtual SysStatus getFrame(uval a);\n};\n"
DISPATCHER_H = (
    b"class Dispatcher {\n  DEFINE_FACTORY_BEGIN(Factory)\n  DEFINE_FACTORY_END(Factory)\n"
    b"  void run();\n};\n"
)
VFS_OLD = (
    b"#include <sys/file.h>\nstatic int table[2] = { 1, 2 };\nint vn_read(int f)\n{\n"
    b"  return f;\n}\nstruct fileops vnops = { vn_read };\n"
)
VFS_NEW = VFS_OLD.replace(b"{ 1, 2 }", b"{ 1, 3 }").replace(b"return f;", b"return f + 1;")
INIT_C = b"static int __init setup(void)\n{\n  return 0;\n}\n"


@dataclass
class File:
    path: str
    old: bytes | None = None
    new: bytes | None = None
    language: str | None = "cpp"
    equivalent: bool = False
    done: bool = True
    global_lines: tuple[tuple[str, int], ...] = ()
    dead_lines: tuple[tuple[str, int], ...] = ()
    cleaned_diff: str = "@@ -1 +1 @@\n-a;\n+b;\n"


@dataclass
class Txn:
    key: str
    year: int
    message: str
    files: list[File]
    contexts: list[tuple[str, str, str, str]] = field(default_factory=list)
    classes: list[tuple[str, str, list[str]]] = field(default_factory=list)
    interfaces: list[tuple[str, str, str, bool]] = field(default_factory=list)


def _blob(repo: Path, data: bytes | None) -> str | None:
    if data is None:
        return None
    result = subprocess.run(
        ["git", "-C", str(repo), "hash-object", "-w", "--stdin"],
        input=data,
        capture_output=True,
        check=True,
    )
    return result.stdout.decode().strip()


def _insert(session: Session, repository: Repository, repo: Path, spec: Txn) -> None:
    when = datetime(spec.year, 6, 1)
    txn = Transaction(
        repository=repository,
        key=spec.key,
        author="a",
        author_time=when,
        commit_time=when,
        first_time=when,
        message=spec.message,
        grouping="git",
    )
    session.add(txn)
    session.flush()
    for f in spec.files:
        kind = "added" if f.old is None else "modified"
        row = FileRevision(
            transaction_id=txn.id,
            path=f.path,
            change_kind=kind,
            language=f.language,
            old_version=_blob(repo, f.old),
            new_version=_blob(repo, f.new),
            cleaned_diff=None if f.equivalent else f.cleaned_diff,
            functionally_equivalent=f.equivalent,
        )
        session.add(row)
        session.flush()
        if f.done:
            session.add(
                ContextsDone(
                    file_revision_id=row.id,
                    transaction_id=txn.id,
                    status="parsed" if f.language else "not-code",
                )
            )
        for side, line in f.dead_lines:
            session.add(
                ChangedLine(
                    file_revision_id=row.id,
                    side=side,
                    line=line,
                    context_kind="global",
                    context_name="<global>",
                    not_code=True,
                )
            )
        for side, line in f.global_lines:
            session.add(
                ChangedLine(
                    file_revision_id=row.id,
                    side=side,
                    line=line,
                    context_kind="global",
                    context_name="<global>",
                )
            )
    for path, kind, name, change in spec.contexts:
        session.add(
            ContextChange(
                transaction_id=txn.id,
                path=path,
                context_kind=kind,
                context_name=name,
                change=change,
                lines_added=1,
            )
        )
    for path, name, bases in spec.classes:
        session.add(
            ClassInterface(
                transaction_id=txn.id,
                side="new",
                path=path,
                name=name,
                kind="class",
                detail=json.dumps({"bases": bases}),
            )
        )
    for path, scope, kind, adaptable in spec.interfaces:
        session.add(
            InterfaceChange(
                transaction_id=txn.id,
                path=path,
                scope=scope,
                member="getFrame",
                kind=kind,
                adaptor_expressible=adaptable,
            )
        )


HISTORY = [
    Txn(
        "t1",
        2002,
        "Add the FCM and dispatcher classes",
        [
            File("os/kernel/mem/FCMFile.H", None, FCM_H),
            File("os/kernel/proc/Dispatcher.H", None, DISPATCHER_H),
            File("os/kernel/mem/FCMCommon.H", None, b"class FCMCommon : public Obj { };\n"),
        ],
        contexts=[
            ("os/kernel/mem/FCMFile.H", "class", "FCMFile", "added"),
            ("os/kernel/proc/Dispatcher.H", "class", "Dispatcher", "added"),
            ("os/kernel/mem/FCMCommon.H", "class", "FCMCommon", "added"),
        ],
        classes=[
            ("os/kernel/mem/FCMFile.H", "FCMFile", ["FCMCommon"]),
            ("os/kernel/proc/Dispatcher.H", "Dispatcher", []),
            ("os/kernel/mem/FCMCommon.H", "FCMCommon", ["Obj"]),
        ],
    ),
    Txn(
        "t2",
        2004,
        "Fix a race in getFrame",
        [File("os/kernel/mem/FCMFile.C", b"a", b"b")],
        contexts=[("os/kernel/mem/FCMFile.C", "function", "FCMFile::getFrame", "modified")],
    ),
    Txn(
        "t3",
        2004,
        "Speed up the dispatcher",
        [File("os/kernel/proc/Dispatcher.C", b"a", b"b")],
        contexts=[("os/kernel/proc/Dispatcher.C", "function", "Dispatcher::run", "modified")],
    ),
    Txn(
        "t4",
        2004,
        "Fix vn_read and the table",
        [File("sys/kern/vfs.c", VFS_OLD, VFS_NEW, "c", global_lines=(("old", 2), ("new", 2)))],
        contexts=[
            ("sys/kern/vfs.c", "function", "vn_read", "modified"),
            ("sys/kern/vfs.c", "global", "<global>", "modified"),
        ],
    ),
    Txn(
        "t5",
        2004,
        "Implement boot-time setup",
        [File("sys/kern/init.c", None, INIT_C, "c")],
        contexts=[("sys/kern/init.c", "function", "setup", "added")],
    ),
    Txn(
        "t6",
        2004,
        "Fix ls",
        [File("usr/bin/ls.c", b"a", b"b", "c")],
        contexts=[("usr/bin/ls.c", "function", "main", "modified")],
    ),
    Txn(
        "t7",
        2004,
        "Add a parameter",
        [File("os/kernel/mem/FCMFile.C", b"b", b"c", done=False)],
        contexts=[("os/kernel/mem/FCMFile.C", "function", "FCMFile::getFrame", "modified")],
        interfaces=[("os/kernel/mem/FCMFile.H", "FCMFile", "parameter-added", True)],
    ),
    Txn("t8", 2004, "Reindent", [File("os/kernel/mem/FCMFile.C", b"c", b"c ", equivalent=True)]),
    Txn(
        "t9",
        2004,
        "Tweak dead code",
        [File("sys/kern/old.c", b"a", b"b", "c", dead_lines=(("new", 3),))],
    ),
]


@pytest.fixture
def study(tmp_path: Path) -> tuple[Engine, Path]:
    """A study database whose rows tell the history above, and its configuration file."""
    repo = tmp_path / "repo"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(
        ["git", "-C", str(repo), "commit", "-q", "--allow-empty", "-m", "root"], check=True
    )
    engine = open_database(f"sqlite:///{tmp_path / 'study.sqlite'}")
    with Session(engine) as session, session.begin():
        repository = Repository(kind="git", location=str(repo), options="{}")
        session.add(repository)
        for spec in HISTORY:
            _insert(session, repository, repo, spec)
    config = tmp_path / "dsukit.toml"
    config.write_text(CONFIG)
    return engine, config


def _run(engine: Engine, config_path: Path) -> stage.ClassifyStats:
    with Session(engine) as session:
        return stage.run(session, load_config(config_path))


def _verdicts(engine: Engine) -> dict[str, VerdictRow]:
    with Session(engine) as session:
        rows = session.execute(
            select(Transaction.key, VerdictRow).join(
                VerdictRow, VerdictRow.transaction_id == Transaction.id
            )
        )
        return {key: row for key, row in rows}


def test_verdicts_with_reasons(study: tuple[Engine, Path]) -> None:
    engine, config = study
    stats = _run(engine, config)
    assert (stats.transactions, stats.classified, stats.waiting) == (9, 8, 1)
    v = _verdicts(engine)
    assert set(v) == {"t1", "t2", "t3", "t4", "t5", "t6", "t8", "t9"}
    assert (v["t2"].measure1, v["t2"].measure2, v["t2"].measure3, v["t2"].kind) == (
        True,
        True,
        True,
        "plain",
    )
    assert "derives from Obj" in v["t2"].measure1_reason
    assert (
        v["t3"].measure1 and "DEFINE_FACTORY_BEGIN" in v["t3"].measure1_reason
    )  # marker read from the blob
    # vn_read is reached through the fileops table read from the blob; the table is static data.
    assert (v["t4"].measure2, v["t4"].kind, v["t4"].kind_rule) == (
        False,
        "not-updatable",
        "static-data",
    )
    assert "vn_read" in json.loads(v["t4"].reasons)[0]["text"]
    assert (v["t5"].measure1, v["t5"].measure2, v["t5"].kind) == (False, True, "plain")  # __init
    assert v["t5"].purpose == "new-feature" and v["t5"].shape == "adds"
    assert (v["t6"].in_population, v["t6"].population_rule) == (False, "outside-population")
    assert (v["t8"].in_population, v["t8"].purpose) == (False, "whitespace-comment")
    assert (v["t9"].in_population, v["t9"].population_rule) == (False, "functionally-equivalent")
    assert v["t1"].measure3 is None and "before the cutoff" in v["t1"].measure3_reason
    assert (v["t2"].purpose, v["t3"].purpose) == ("bug-fix", "performance")


def test_rerun_is_incremental_and_says_what_changed(study: tuple[Engine, Path]) -> None:
    engine, config = study
    _run(engine, config)
    again = _run(engine, config)
    assert (again.classified, again.recomputed, again.updated, again.unchanged, again.changed) == (
        0,
        0,
        0,
        8,
        (),
    )
    # The contexts stage catches up with t7: only it is classified.
    with Session(engine) as session, session.begin():
        txn = session.scalar(select(Transaction).where(Transaction.key == "t7"))
        session.add(
            ContextsDone(file_revision_id=txn.files[0].id, transaction_id=txn.id, status="parsed")
        )
    caught_up = _run(engine, config)
    assert (caught_up.classified, caught_up.waiting, caught_up.unchanged) == (1, 0, 8)
    assert _verdicts(engine)["t7"].kind == "adaptor"
    # A new cutoff touches only measure 3.
    config.write_text(CONFIG.replace("2003-01-01", "2005-01-01"))
    moved = _run(engine, config)
    assert (moved.recomputed, moved.updated, moved.changed) == (0, 9, ("date cutoff",))
    assert _verdicts(engine)["t2"].measure3 is None
    # New purpose keywords touch only the purpose.
    config.write_text(config.read_text() + "[purpose.keywords]\nperformance = ['race']\n")
    purposes = _run(engine, config)
    assert (purposes.recomputed, purposes.updated, purposes.changed) == (
        0,
        9,
        ("purpose settings (or dsukit's purpose rules)",),
    )
    assert _verdicts(engine)["t2"].purpose == "performance"
    # New units recompute everything.
    config.write_text(
        config.read_text().replace('bases = ["Obj"]', 'bases = ["Obj"]\nclasses = ["main"]')
    )
    units = _run(engine, config)
    assert (units.recomputed, units.changed) == (9, ("rules settings (or dsukit's rules)",))
    assert "rules settings" in units.summary()


def test_frame_and_table(study: tuple[Engine, Path]) -> None:
    engine, config = study
    _run(engine, config)
    frame = verdicts_frame(engine)
    assert list(frame["key"]) == ["t1", "t2", "t3", "t4", "t5", "t6", "t8", "t9"]
    table = automatic_table(engine)
    # Population t1..t5: measure 1 holds for t1 (declarations of units), t2, t3; measure 2 adds
    # t5; measure 3 looks at t2..t5 (after 2003-01-01).
    assert table.population == 5
    assert [(row.count, row.n) for row in table.rows[:6]] == [
        (3, 5),
        (4, 5),
        (3, 4),
        (4, 5),
        (0, 5),
        (1, 5),
    ]
    assert table.headline == "60% / 80% / 75%"
    assert "measures 1 / 2 / 3: 60% / 80% / 75%" in table.to_text()
    assert json.loads(table.to_json())["rows"][0]["count"] == 3
    assert table.to_csv().splitlines()[0] == "label,count,n,share,low,high"


def test_cli_prints_the_table_and_names_bad_config(
    study: tuple[Engine, Path], tmp_path: Path
) -> None:
    engine, config = study
    db = str(tmp_path / "study.sqlite")
    result = CliRunner().invoke(cli, ["classify", "--db", db, "--format", "json"])
    assert result.exit_code == 0, result.output
    assert '"headline": "60% / 80% / 75%"' in result.output
    assert "8 classified" in result.output and str(config) in result.output
    csv_result = CliRunner().invoke(
        cli, ["classify", "--db", db, "--format", "csv", "--interval", "clopper-pearson"]
    )
    assert csv_result.exit_code == 0 and "8 unchanged" in csv_result.output
    bad = tmp_path / "bad.toml"
    bad.write_text("[units]\nbase = ['Obj']\n")
    failed = CliRunner().invoke(cli, ["classify", "--db", db, "--config", str(bad)])
    assert failed.exit_code == 1
    assert "key 'units.base' is not a known setting" in failed.output


@pytest.mark.parametrize(
    ("detail", "bases"),
    [
        ('{"bases": ["Obj", "ns::Base"]}', ("Obj", "ns::Base")),
        ('{"bases": [{"name": "FCMCommon<CacheSync>", "access": "public"}]}', ("FCMCommon",)),
        ('{"prototype": "int f(void)"}', ()),
        ("not json", ()),
    ],
)
def test_bases_of_detail(detail: str, bases: tuple[str, ...]) -> None:
    from classify.loading import bases_of_detail

    assert bases_of_detail(detail) == bases


def test_explain_one_verdict(study: tuple[Engine, Path], tmp_path: Path) -> None:
    engine, config = study
    db = str(tmp_path / "study.sqlite")
    result = CliRunner().invoke(cli, ["classify", "--db", db, "--explain", "t4"])
    assert result.exit_code == 0, result.output
    assert "predicted: not-updatable (static-data): It changes static data" in result.output
    assert "[c-unit] It modifies vn_read (vn_read is reached through a function-pointer table)" in (
        result.output
    )
    assert "measure 3: no" in result.output
    missing = CliRunner().invoke(cli, ["classify", "--db", db, "--explain", "zz"])
    assert missing.exit_code == 1
    assert "no classified transaction has a key starting with 'zz'" in missing.output
    ambiguous = CliRunner().invoke(cli, ["classify", "--db", db, "--explain", "t"])
    assert "more than one transaction" in ambiguous.output
