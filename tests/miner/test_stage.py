"""The mining stage on real git repositories: rows, cleaning, incremental runs, options, API."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from miner.api import file_revisions_frame, mine, transactions_frame
from miner.db import open_database
from miner.models import FileRevision, Repository, Transaction
from miner.source_errors import SourceFailed
from miner.sources import read_file_version
from miner.stage import OptionsChanged
from tests.miner.conftest import C_V2_COMMENT, HistoryRepo, fast_import_history, init_repo
from tests.miner.test_stage_resume import dump


@pytest.fixture(scope="module")
def mined(history_repo: HistoryRepo, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The history repository mined once into a database (read-only for tests)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('mined') / 'study.sqlite'}"
    mine(history_repo.path, url)
    return url


def transaction(url: str, key: str) -> Transaction:
    session = Session(open_database(url))
    return session.scalars(select(Transaction).where(Transaction.key == key)).one()


def file_row(url: str, key: str, path: str) -> FileRevision:
    return next(f for f in transaction(url, key).files if f.path == path)


def test_every_commit_becomes_one_transaction(history_repo, mined) -> None:
    with Session(open_database(mined)) as session:
        keys = set(session.scalars(select(Transaction.key)))
        repository = session.scalars(select(Repository)).one()
        assert repository.kind == "git" and repository.location == str(history_repo.path)
        assert repository.last_seen == history_repo.repo.git("rev-parse", "HEAD")
    assert keys == set(history_repo.repo.git("rev-list", "HEAD").split())


def test_comment_and_layout_change_is_functionally_equivalent(history_repo, mined) -> None:
    key = history_repo.commits["comment"]
    row = file_row(mined, key, "src/add.c")
    assert row.language == "c" and row.functionally_equivalent
    assert row.lines_added == 2 and row.lines_deleted == 1
    assert row.cleaned_diff == "" and row.clean_lines_added == 0
    assert transaction(mined, key).functionally_equivalent


def test_real_change_has_cleaned_diff_and_changed_lines(history_repo, mined) -> None:
    key = history_repo.commits["copy"]
    row = file_row(mined, key, "src/add.c")
    assert not row.functionally_equivalent
    assert (row.clean_lines_added, row.clean_lines_deleted) == (1, 1)
    assert (row.old_changed_lines, row.new_changed_lines) == ("4", "4")
    assert "+    return a + b + 1;" in row.raw_diff
    copy = file_row(mined, key, "src/add_copy.c")
    assert copy.change_kind == "copied" and copy.old_path == "src/add.c"
    assert not transaction(mined, key).functionally_equivalent


def test_other_files_keep_gits_diff_and_totals_add_up(history_repo, mined) -> None:
    txn = transaction(mined, history_repo.commits["initial"])
    readme = next(f for f in txn.files if f.path == "README")
    assert readme.language is None and readme.cleaned_diff is None
    assert readme.raw_diff == "--- /dev/null\n+++ b/README\n@@ -0,0 +1 @@\n+hello\n"
    assert readme.new_changed_lines == "1"
    assert txn.n_files == 3 and txn.lines_added == sum(f.lines_added for f in txn.files) == 8
    assert txn.author_tz == 330 and txn.grouping == "git"


def test_merge_binary_submodule_and_raw_bytes_rows(history_repo, mined) -> None:
    commits = history_repo.commits
    merge = transaction(mined, commits["merge"])
    assert merge.is_merge and merge.n_files == 0 and len(merge.parents.split()) == 2
    binary = file_row(mined, commits["binary"], "img/logo.bin")
    assert binary.is_binary and binary.raw_diff is None and binary.lines_added == 0
    assert file_row(mined, commits["submodule"], "sub").is_submodule
    latin = transaction(mined, commits["latin1"])
    assert latin.message_raw == b"r\xe9sum\xe9 of the week"
    assert latin.files[0].path_raw == b"docs/caf\xe9.txt"


def test_read_file_version_reads_stored_rows_back(history_repo, mined) -> None:
    row = file_row(mined, history_repo.commits["copy"], "src/add.c")
    repository = row.transaction.repository
    assert read_file_version(repository, row, "old") == C_V2_COMMENT
    expected = subprocess.run(
        ["git", "-C", str(history_repo.path), "show", f"{row.transaction.key}:src/add.c"],
        capture_output=True,
        check=True,
    ).stdout
    assert read_file_version(repository, row, "new") == expected


def test_frames_for_notebooks(history_repo, mined) -> None:
    transactions = transactions_frame(mined)
    files = file_revisions_frame(mined)
    assert len(transactions) == int(history_repo.repo.git("rev-list", "--count", "HEAD"))
    assert {"key", "author", "commit_time", "is_merge", "repository"} <= set(transactions.columns)
    assert "raw_diff" not in files.columns and "transaction_key" in files.columns
    assert files["lines_added"].sum() == transactions["lines_added"].sum()
    assert "raw_diff" in file_revisions_frame(mined, diffs=True).columns


def test_second_run_imports_only_what_is_new(history_repo, tmp_path, db_url) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(history_repo.path, copy, symlinks=True)
    first = mine(copy, db_url)
    assert mine(copy, db_url).transactions == 0
    (copy / "src" / "new.c").write_text("int x;\n")
    subprocess.run(["git", "-C", str(copy), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(copy), "commit", "-qm", "new"], check=True)
    again = mine(copy, db_url)
    assert (again.transactions, again.file_revisions) == (1, 1)
    with Session(open_database(db_url)) as session:
        total = session.scalar(select(func.count()).select_from(Transaction))
    assert total == first.transactions + 1


def test_other_options_on_a_mined_repository_are_refused(history_repo, db_url) -> None:
    mine(history_repo.path, db_url, paths=("src/",))
    with pytest.raises(OptionsChanged, match="mined into this database before with other options"):
        mine(history_repo.path, db_url)


def test_too_large_versions_are_flagged_not_diffed(history_repo, db_url) -> None:
    mine(history_repo.path, db_url, max_file_bytes=40)
    row = file_row(db_url, history_repo.commits["comment"], "src/add.c")
    assert row.is_too_large and row.raw_diff is None and not row.functionally_equivalent


def test_summary_line(tmp_path, db_url) -> None:
    repo = fast_import_history(tmp_path / "r", 12)
    stats = mine(repo.path, db_url)
    assert (stats.transactions, stats.file_revisions) == (12, 12)
    assert stats.summary().startswith("12 transactions, 12 file revisions in ")
    assert stats.summary().endswith(" transactions/s)")


def test_path_filter_in_the_database(history_repo, db_url) -> None:
    mine(history_repo.path, db_url, paths=("src/",))
    with Session(open_database(db_url)) as session:
        paths = set(session.scalars(select(FileRevision.path)))
    assert paths == {"src/add.c", "src/add_copy.c", "src/feature.c"}


def test_history_root_is_mined_under_its_resolved_path(history_repo, tmp_path, db_url) -> None:
    link = tmp_path / "link"
    link.symlink_to(history_repo.path)
    assert mine(Path(link), db_url).location == str(history_repo.path.resolve())


def test_worker_processes_give_the_same_database(history_repo, tmp_path) -> None:
    one, two = tmp_path / "one.sqlite", tmp_path / "two.sqlite"
    mine(history_repo.path, f"sqlite:///{one}")
    stats = mine(history_repo.path, f"sqlite:///{two}", jobs=2)
    assert stats.transactions == int(history_repo.repo.git("rev-list", "--count", "HEAD"))
    assert dump(two) == dump(one)


def test_a_first_run_that_fails_leaves_no_repository_behind(tmp_path, db_url) -> None:
    repo = init_repo(tmp_path / "broken")
    repo.write("a.txt", "hello\n")
    repo.commit("one")
    blob = repo.git("rev-parse", "HEAD:a.txt")
    (repo.path / ".git" / "objects" / blob[:2] / blob[2:]).unlink()
    with pytest.raises(SourceFailed, match="git log failed in .*broken"):
        mine(repo.path, db_url)
    with Session(open_database(db_url)) as session:
        assert session.scalar(select(func.count()).select_from(Repository)) == 0


def test_versions_evicted_after_being_read_ahead_are_read_again(
    long_repo, tmp_path, monkeypatch
) -> None:
    """The read-ahead skips versions it handed over lately; if the cache has dropped one by
    the time it is needed, the cleaning reads it itself and the database is the same."""
    from miner import stage
    from miner.diffing import CleaningCache
    from miner.git_source import GitSource

    roomy, cramped = tmp_path / "roomy.sqlite", tmp_path / "cramped.sqlite"
    mine(long_repo.path, f"sqlite:///{roomy}")
    single_reads: list[str] = []
    read_version = GitSource.read_version

    def counted(self, change, side):  # noqa: ANN001, ANN202
        single_reads.append(side)
        return read_version(self, change, side)

    monkeypatch.setattr(GitSource, "read_version", counted)
    monkeypatch.setattr(CleaningCache.__init__, "__defaults__", (1, 256 << 20, None))
    monkeypatch.setattr(stage.run, "__defaults__", (None, 3, 1))  # batches of 3 transactions
    mine(long_repo.path, f"sqlite:///{cramped}")
    assert single_reads  # the eviction path was taken
    assert dump(cramped) == dump(roomy)


def test_versions_built_from_git_patches_give_the_same_database(
    history_repo: HistoryRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """New sides built from the old side and git's patch instead of read: the same rows."""
    from miner.diffing import CleaningCache

    built, read = tmp_path / "built.sqlite", tmp_path / "read.sqlite"
    mine(history_repo.path, f"sqlite:///{built}")
    monkeypatch.setattr(CleaningCache, "edit", lambda *args, **kwargs: None)
    mine(history_repo.path, f"sqlite:///{read}")
    assert dump(built) == dump(read)


def test_a_history_mined_from_its_start_reads_no_blob(long_repo, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    """Every version of an ASCII history is built from git's patches (added files included)."""
    from miner.git_source import GitSource

    asked: list[object] = []
    read_versions, read_version = GitSource.read_versions, GitSource.read_version

    def many(self, wanted):  # noqa: ANN001, ANN202
        asked.extend(wanted)
        return read_versions(self, wanted)

    def one(self, change, side):  # noqa: ANN001, ANN202
        asked.append(side)
        return read_version(self, change, side)

    monkeypatch.setattr(GitSource, "read_versions", many)
    monkeypatch.setattr(GitSource, "read_version", one)
    url = f"sqlite:///{tmp_path / 'study.sqlite'}"
    mine(long_repo.path, url)
    assert asked == []
    with Session(open_database(url)) as session:
        assert session.scalar(select(func.count()).select_from(FileRevision)) == 150


def test_versions_of_every_encoding_built_from_patches_match_the_blobs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """UTF-8, Latin-1, CRLF, form feeds, a missing last newline: building versions from
    git's patches gives the database reading every blob gives."""
    from miner.diffing import CleaningCache

    repo = init_repo(tmp_path / "encodings")
    texts = {
        "utf8.c": ["int a; /* café */\n", "int b; /* crème */\n", "int c;\n"],
        "latin1.c": [b"int a; /* caf\xe9 */\n", b"int b;\n", b"int c; /* \xe8 */\n"],
        "to_utf8.c": ["int a;\n", "int a; /* naïve */\n", "int a;\n"],
        "crlf.c": ["int a;\r\n", "int a;\r\nint b;\r\n", "int b;\r\n"],
        "feed.c": ["int a;\n\x0c\nint b;\n", "int a;\n\x0c\nint c;\n", "int c;\x0c\n"],
        "no_newline.c": ["int a;", "int a;\nint b;", "int b;\n"],
    }
    for step in range(3):
        for name, versions in texts.items():
            body = versions[step]
            repo.write(name, body if isinstance(body, bytes) else body.encode())
        repo.commit(f"step {step}")
    built, read = tmp_path / "built.sqlite", tmp_path / "read.sqlite"
    edits: list[object] = []
    edit = CleaningCache.edit

    def counted(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        result = edit(self, *args, **kwargs)
        edits.append(result is not None)
        return result

    monkeypatch.setattr(CleaningCache, "edit", counted)
    mine(repo.path, f"sqlite:///{built}")
    assert edits.count(False) == 3 and edits.count(True) == 13  # all but the Latin-1 file's
    monkeypatch.setattr(CleaningCache, "edit", lambda *args, **kwargs: None)
    mine(repo.path, f"sqlite:///{read}")
    assert dump(built) == dump(read)
