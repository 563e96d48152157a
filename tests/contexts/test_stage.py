"""The contexts stage on a real git repository mined by the real miner, via `dsukit contexts`."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from contexts.models import (
    ChangedLine,
    ClassInterface,
    ContextChange,
    ContextsDone,
    InterfaceChange,
)
from dsukit import cli
from miner.api import mine
from miner.db import open_database
from miner.models import FileRevision, Transaction

COMMON_H = """\
class FCMCommon {
__xpublic:
    virtual SysStatus attach(uval a);
    virtual SysStatus detach();
};
"""
FILE_H = """\
#include "FCMCommon.H"
class FCMFile : public FCMCommon {
__xpublic:
    virtual SysStatus getFrame(uval addr, __in uval size);
    virtual SysStatus putFrame(uval addr);
protected:
    uval count;
    DEFINE_REFS(FCMFile);
};
"""
FILE_C = """\
#include "FCMFile.H"

SysStatus
FCMFile::getFrame(uval addr, uval size)
{
    count++;
    return addr + size;
}

SysStatus
FCMFile::putFrame(uval addr)
{
    return 0;
}

static int
helper(int x)
{
#if 0
    x = x * 2;
#endif
    return x;
}
"""


def _git(repo: Path, *args: str, when: int = 0) -> None:
    dates = {
        "GIT_AUTHOR_DATE": f"@{1_100_000_000 + when} +0000",
        "GIT_COMMITTER_DATE": f"@{1_100_000_000 + when} +0000",
    }
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, **dates}
    subprocess.run(["git", "-C", str(repo), *args], env=env, check=True, capture_output=True)


def _commit(repo: Path, files: dict[str, str], message: str, when: int) -> None:
    for name, text in files.items():
        (repo / name).write_text(text)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", message, when=when)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository with a K42-style class and three changes to it."""
    path = tmp_path / "k42"
    path.mkdir()
    _git(path, "init", "-q", "-b", "main")
    _commit(
        path,
        {"FCMCommon.H": COMMON_H, "FCMFile.H": FILE_H, "FCMFile.C": FILE_C, "tool.py": "x = 1\n"},
        "import",
        60,
    )
    new_h = FILE_H.replace(
        "    virtual SysStatus putFrame",
        "    virtual SysStatus sync();\n    virtual SysStatus putFrame",
    )
    new_h = new_h.replace("    uval count;", "    uval count;\n    uval dirty;")
    new_c = FILE_C.replace("    count++;\n", "    count += 2;\n    dirty = 1;\n")
    new_c = new_c.replace("SysStatus\nFCMFile::putFrame(uval addr)\n{\n    return 0;\n}\n", "")
    new_c += "\nSysStatus\nFCMFile::sync()\n{\n    dirty = 0;\n    return 0;\n}\n"
    _commit(path, {"FCMFile.H": new_h, "FCMFile.C": new_c}, "add sync, drop putFrame body", 120)
    _commit(
        path,
        {"FCMFile.C": new_c.replace("    x = x * 2;", "    x = x * 3;")},
        "dead code only",
        180,
    )
    return path


def _run(db_url: str) -> str:
    result = CliRunner().invoke(
        cli, ["contexts", "--db", db_url, "--header-language", "cpp", "--no-progress"]
    )
    assert result.exit_code == 0, result.output
    return result.output


def _transaction(session: Session, message: str) -> Transaction:
    return session.scalars(select(Transaction).where(Transaction.message.startswith(message))).one()


def test_stage_writes_contexts_and_interface_changes(repo: Path, db_url: str) -> None:
    mine(repo, db=db_url, header_language="cpp")
    output = _run(db_url)
    assert output.startswith("contexts: 3 transactions, 7 file revisions")
    with Session(open_database(db_url)) as session:
        assert session.scalar(select(func.count()).select_from(ContextsDone)) == session.scalar(
            select(func.count()).select_from(FileRevision)
        )
        change = _transaction(session, "add sync")
        contexts = {
            (c.path, c.context_name): (c.change, c.lines_added, c.lines_deleted)
            for c in session.scalars(
                select(ContextChange).where(ContextChange.transaction_id == change.id)
            )
        }
        change_kind, added, deleted = contexts[("FCMFile.C", "FCMFile::getFrame")]
        assert change_kind == "modified" and added >= 2 and deleted >= 1  # the miner's diff decides
        assert contexts[("FCMFile.C", "FCMFile::putFrame")][0] == "deleted"
        assert contexts[("FCMFile.C", "FCMFile::sync")][0] == "added"
        assert contexts[("FCMFile.H", "FCMFile")] == ("modified", 2, 0)
        kinds = {
            (i.scope, i.member, i.kind, i.new_slot, i.adaptor_expressible)
            for i in session.scalars(
                select(InterfaceChange).where(InterfaceChange.transaction_id == change.id)
            )
        }
        assert kinds == {
            ("FCMFile", "sync", "virtual-added-shifting", 3, True),
            ("FCMFile", "dirty", "data-member-added", None, True),
        }
        interfaces = session.scalars(
            select(ClassInterface).where(
                ClassInterface.transaction_id == change.id, ClassInterface.name == "FCMFile"
            )
        ).all()
        assert {row.side for row in interfaces} == {"old", "new"}
        detail = json.loads(next(row.detail for row in interfaces if row.side == "new"))
        assert detail["bases"] == ["FCMCommon"]
        assert [slot["name"] for slot in detail["vtable"]] == ["getFrame", "sync", "putFrame"]


def test_dead_code_changes_are_not_code(repo: Path, db_url: str) -> None:
    mine(repo, db=db_url, header_language="cpp")
    _run(db_url)
    with Session(open_database(db_url)) as session:
        dead = _transaction(session, "dead code")
        lines = session.scalars(
            select(ChangedLine).join(FileRevision).where(FileRevision.transaction_id == dead.id)
        ).all()
        assert lines and all(line.not_code and line.context_name == "<global>" for line in lines)
        assert not session.scalars(
            select(ContextChange).where(ContextChange.transaction_id == dead.id)
        ).all()


def test_rerun_does_only_what_is_new(repo: Path, db_url: str) -> None:
    mine(repo, db=db_url, header_language="cpp")
    _run(db_url)
    assert _run(db_url).startswith("contexts: 0 transactions")
    _commit(repo, {"tool.py": "def f():\n    return 2\n"}, "python", 240)
    mine(repo, db=db_url, header_language="cpp")
    assert _run(db_url).startswith("contexts: 1 transactions, 1 file revisions (1 parsed)")
    with Session(open_database(db_url)) as session:
        names = session.scalars(
            select(ChangedLine.context_name).where(ChangedLine.side == "new")
        ).all()
        assert "f" in names


def test_bad_settings_file_is_one_clear_error(tmp_path: Path, db_url: str) -> None:
    bad = tmp_path / "prepass.toml"
    bad.write_text("'(unclosed' = ''\n")
    result = CliRunner().invoke(cli, ["contexts", "--db", db_url, "--prepass", str(bad)])
    assert result.exit_code != 0
    assert str(bad) in result.output and "regular expression" in result.output


def test_each_version_is_read_and_parsed_once(repo: Path, db_url: str) -> None:
    from contexts.stage import run
    from miner.sources import read_file_version

    mine(repo, db=db_url, header_language="cpp")
    read = read_file_version
    seen: list[tuple[str, str]] = []

    def counting_reader(repository, file_revision, side):  # noqa: ANN001, ANN202
        seen.append((file_revision.path, getattr(file_revision, f"{side}_version")))
        return read(repository, file_revision, side)

    with Session(open_database(db_url)) as session:
        stats = run(session, reader=counting_reader, progress=False)
    assert stats.transactions == 3
    # FCMFile.C changes twice: the second change's old side is the first one's new side.
    assert seen.count(seen[-1]) == 1 and len(seen) == len(set(seen))
    assert sum(1 for path, _ in seen if path == "FCMFile.C") == 3
