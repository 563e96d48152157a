"""``dsukit mine`` on the command line: summary line, filters, one sentence per bad input."""

from __future__ import annotations

import re
import subprocess
from datetime import datetime

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from dsukit import cli
from miner.db import open_database
from miner.models import FileRevision, Transaction
from tests.miner.conftest import init_repo
from tests.miner.cvs_fixtures import CvsRepository, rcs_history

SUMMARY = re.compile(
    r"^(\d+) transactions, (\d+) file revisions in [\d.]+ s \([\d.]+ transactions/s\)$"
)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["mine", *args])
    return result.exit_code, result.stdout, result.stderr


def test_mine_prints_one_summary_line_and_second_run_finds_nothing(history_repo, db_url) -> None:
    code, out, _ = run(str(history_repo.path), "--db", db_url)
    assert code == 0, out
    match = SUMMARY.match(out.strip().splitlines()[-1])
    assert match and int(match[1]) == int(history_repo.repo.git("rev-list", "--count", "HEAD"))
    code, out, _ = run(str(history_repo.path), "--db", db_url, "--jobs", "2")
    assert out.strip().startswith("0 transactions, 0 file revisions")


def test_db_from_environment(history_repo, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("DSUKIT_DB", str(tmp_path / "env.sqlite"))
    assert run(str(history_repo.path))[0] == 0
    assert (tmp_path / "env.sqlite").exists()


def test_branch_path_since_until_options(history_repo, db_url) -> None:
    code, out, _ = run(
        str(history_repo.path), "--db", db_url, "--branch", "feature", "--path", "src/",
        "--since", "2004-01-01", "--until", "2030-01-01 00:00:00",
    )  # fmt: skip
    assert code == 0, out
    with Session(open_database(db_url)) as session:
        keys = set(session.scalars(select(Transaction.key)))
        paths = set(session.scalars(select(FileRevision.path)))
    commits = history_repo.commits
    assert keys == {commits["initial"], commits["comment"], commits["feature"]}
    assert paths == {"src/add.c", "src/feature.c"}


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: tmp, "{path} is neither a git repository nor a CVS repository"),
        (lambda tmp: tmp / "missing", "{path} does not exist"),
        (lambda tmp: init_repo(tmp / "empty").path, "{path} is an empty git repository"),
    ],
    ids=["plain directory", "missing", "empty repository"],
)
def test_bad_input_is_one_clear_sentence(tmp_path, db_url, make, message) -> None:
    path = make(tmp_path)
    code, _, err = run(str(path), "--db", db_url)
    assert code == 1
    assert err.startswith("Error: " + message.format(path=path))
    assert err.count("\n") == 1, "one line, no traceback"


def test_shallow_clone_and_unknown_branch(history_repo, tmp_path, db_url) -> None:
    clone = tmp_path / "shallow"
    url = f"file://{history_repo.path}"
    subprocess.run(["git", "clone", "-q", "--depth", "1", url, str(clone)], check=True)
    code, _, err = run(str(clone), "--db", db_url)
    assert code == 1 and f"{clone} is a shallow clone" in err
    code, _, err = run(str(history_repo.path), "--db", db_url, "--branch", "nope")
    assert code == 1 and "has no branch, tag or commit named 'nope'" in err


def test_bad_option_values(history_repo, db_url) -> None:
    code, _, err = run(str(history_repo.path), "--db", db_url, "--window", "0")
    assert code == 2 and "window must be positive" in err
    code, _, err = run(str(history_repo.path), "--db", db_url, "--since", "yesterday")
    assert code == 2 and "--since" in err


def test_changed_options_are_refused_by_name(history_repo, db_url) -> None:
    assert run(str(history_repo.path), "--db", db_url, "--path", "src/")[0] == 0
    code, _, err = run(str(history_repo.path), "--db", db_url)
    assert code == 1 and "mined into this database before with other options" in err


def test_cvs_repository_with_a_bad_file_lists_it_as_skipped(tmp_path, db_url) -> None:
    module = tmp_path / "cvsroot" / "mod"
    rcs_history(module, "a.c", [(b"int a;\n", datetime(2005, 6, 1), "ann", "start")])
    (module / "broken.c,v").write_bytes(b"\x00\x01 not an RCS file")
    code, out, err = run(str(module), "--db", db_url)
    assert code == 0, err
    assert out.strip().endswith("; 1 inputs skipped")
    assert "skipped broken.c,v: broken.c,v was skipped" in err


def test_check_grouping_reports_on_commitid_groups(tmp_path) -> None:
    cvs = CvsRepository.create(tmp_path, files={"a.c": b"int a;\n", "b.c": b"int b;\n"})
    cvs.write("a.c", b"int a = 1;\n")
    cvs.write("b.c", b"int b = 1;\n")
    cvs.commit("both files")
    code, out, err = run(str(cvs.location), "--check-grouping")
    assert code == 0, err
    assert "commitid groups" in out and "recovered exactly" in out


def test_check_grouping_needs_a_cvs_repository(history_repo) -> None:
    code, _, err = run(str(history_repo.path), "--check-grouping")
    assert code == 1 and "--check-grouping needs a CVS repository" in err


def test_default_jobs_are_the_usable_cores_at_most_eight(monkeypatch: pytest.MonkeyPatch) -> None:
    from miner import stage_workers

    monkeypatch.setattr(stage_workers, "usable_cores", lambda: 64)
    assert stage_workers.default_jobs() == 8
    monkeypatch.setattr(stage_workers, "usable_cores", lambda: 2)
    assert stage_workers.default_jobs() == 2
