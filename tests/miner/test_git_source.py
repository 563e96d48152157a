"""The git source on real repositories: every kind of change, filters, known commits, bad input."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

import pytest

from miner.git_source import GitSource
from miner.options import MineOptions
from miner.records import TransactionRecord
from miner.source_errors import (
    EmptyRepository,
    NotARepository,
    ShallowRepository,
    UnknownRef,
    UnreadableSource,
)
from tests.conftest import PROJECT_ROOT
from tests.miner.conftest import (
    BINARY,
    C_V1,
    C_V2_COMMENT,
    LATIN1_MESSAGE,
    LATIN1_PATH,
    HistoryRepo,
    init_repo,
)


def records(
    path: Path, known: frozenset[str] = frozenset(), **options: object
) -> list[TransactionRecord]:
    source = GitSource(path, MineOptions(**options))  # type: ignore[arg-type]
    try:
        return list(source.scan(known).records)
    finally:
        source.close()


def by_key(history_repo: HistoryRepo) -> dict[str, TransactionRecord]:
    return {record.key: record for record in records(history_repo.path)}


def test_every_commit_reachable_from_head_once_parents_before_children(history_repo) -> None:
    found = records(history_repo.path)
    expected = history_repo.repo.git("rev-list", "HEAD").split()
    assert sorted(r.key for r in found) == sorted(expected)
    position = {record.key: index for index, record in enumerate(found)}
    for record in found:
        assert all(position[parent] < position[record.key] for parent in record.parents)


def test_authors_committers_dates_and_time_zones(history_repo) -> None:
    found = by_key(history_repo)
    initial = found[history_repo.commits["initial"]]
    assert (initial.author, initial.author_email) == ("Ann Author", "ann@example.org")
    assert (initial.committer, initial.committer_email) == ("Carl Committer", "carl@example.org")
    assert initial.author_time == datetime(2004, 11, 9, 11, 34, 20)
    assert (initial.author_tz, initial.commit_tz) == (330, 0)
    assert found[history_repo.commits["comment"]].author_tz == -480
    assert initial.message == "Initial import\n\nThree files."
    assert initial.grouping == "git" and initial.parents == ()
    assert found[history_repo.commits["feature"]].author == "Bob Branch"


def test_merge_is_flagged_with_both_parents_and_no_file_changes(history_repo) -> None:
    merge = by_key(history_repo)[history_repo.commits["merge"]]
    assert merge.is_merge
    assert merge.parents == (history_repo.commits["readme"], history_repo.commits["feature"])
    assert merge.files == ()


def single_change(history_repo: HistoryRepo, step: str, path: str):
    record = by_key(history_repo)[history_repo.commits[step]]
    return next(change for change in record.files if change.path == path)


@pytest.mark.parametrize(
    ("step", "path", "kind", "old_path"),
    [
        ("initial", "src/add.c", "added", None),
        ("comment", "src/add.c", "modified", None),
        ("rename", "docs/manual.txt", "renamed", "docs/guide.txt"),
        ("copy", "src/add_copy.c", "copied", "src/add.c"),
        ("delete", "README", "deleted", None),
        ("binary", "img/logo.bin", "added", None),
    ],
)
def test_change_kinds(history_repo, step: str, path: str, kind: str, old_path: str | None) -> None:
    change = single_change(history_repo, step, path)
    assert (change.change_kind, change.old_path) == (kind, old_path)


def test_multi_file_commit_lists_every_file_with_raw_diff(history_repo) -> None:
    initial = by_key(history_repo)[history_repo.commits["initial"]]
    assert sorted(change.path for change in initial.files) == [
        "README",
        "docs/guide.txt",
        "src/add.c",
    ]
    guide = next(change for change in initial.files if change.path == "docs/guide.txt")
    assert guide.raw_diff == "@@ -0,0 +1,3 @@\n+one\n+two\n+three\n"
    assert guide.old_version is None and guide.new_version is not None


def test_deletion_has_no_new_side_and_old_side_reads_back(history_repo) -> None:
    change = single_change(history_repo, "delete", "README")
    source = GitSource(history_repo.path)
    assert change.new_version is None
    assert source.read_version(change, "new") is None
    assert source.read_version(change, "old") == b"hello\nworld\n"
    source.close()


def test_versions_read_back_byte_for_byte(history_repo) -> None:
    change = single_change(history_repo, "comment", "src/add.c")
    source = GitSource(history_repo.path)
    assert source.read_version(change, "old") == C_V1
    assert source.read_version(change, "new") == C_V2_COMMENT
    binary = single_change(history_repo, "binary", "img/logo.bin")
    assert binary.is_binary and source.read_version(binary, "new") == BINARY
    source.close()


def test_submodule_is_flagged_and_never_read(history_repo) -> None:
    change = single_change(history_repo, "submodule", "sub")
    assert change.is_submodule and change.change_kind == "added"
    assert change.new_version == history_repo.commits["sub_first"]
    assert GitSource(history_repo.path).read_version(change, "new") is None


def test_non_utf8_path_message_and_content_keep_their_bytes(history_repo) -> None:
    record = by_key(history_repo)[history_repo.commits["latin1"]]
    assert record.message_raw == LATIN1_MESSAGE.rstrip(b"\n")
    assert record.message == "r\\xe9sum\\xe9 of the week"
    (change,) = record.files
    assert change.path_raw == LATIN1_PATH and change.path == "docs/caf\\xe9.txt"
    assert GitSource(history_repo.path).read_version(change, "new") == b"caf\xe9 cr\xe8me\n"
    assert change.raw_diff == "@@ -0,0 +1 @@\n+café crème\n"


def test_message_in_a_declared_encoding_is_converted_to_utf8(history_repo) -> None:
    record = by_key(history_repo)[history_repo.commits["declared_latin1"]]
    assert record.message == "résumé of the week" and record.message_raw is None


def test_known_commits_are_left_out_by_git(history_repo) -> None:
    everything = records(history_repo.path)
    known = frozenset(record.key for record in everything[:5])
    rest = records(history_repo.path, known)
    assert [r.key for r in rest] == [r.key for r in everything[5:]]
    assert GitSource(history_repo.path).count(known) == len(everything) - 5


def test_known_commits_no_longer_in_the_repository_are_ignored(history_repo) -> None:
    gone = frozenset({"1234567890" * 4})
    assert len(records(history_repo.path, gone)) == len(records(history_repo.path))


def test_branch_filter_mines_only_that_branchs_history(history_repo) -> None:
    found = {r.key for r in records(history_repo.path, refs=("feature",))}
    commits = history_repo.commits
    assert found == {commits["initial"], commits["comment"], commits["feature"]}


def test_path_prefix_filter_keeps_only_those_files(history_repo) -> None:
    found = records(history_repo.path, paths=("docs/",))
    paths = {change.path for record in found for change in record.files}
    assert paths == {"docs/guide.txt", "docs/manual.txt", "docs/caf\\xe9.txt", "docs/notes.txt"}
    assert history_repo.commits["binary"] not in {r.key for r in found}


def test_since_and_until_filter_by_commit_time(history_repo) -> None:
    everything = records(history_repo.path)
    since, until = everything[2].commit_time, everything[4].commit_time
    found = records(history_repo.path, since=since, until=until)
    assert [r.key for r in found] == [r.key for r in everything if since <= r.commit_time <= until]
    assert 2 <= len(found) < len(everything)


def test_not_a_repository(tmp_path) -> None:
    with pytest.raises(NotARepository, match=f"{tmp_path} is not a git repository"):
        GitSource(tmp_path)


def test_missing_path(tmp_path) -> None:
    with pytest.raises(UnreadableSource, match="does not exist"):
        GitSource(tmp_path / "nowhere")


def test_empty_repository(tmp_path) -> None:
    init_repo(tmp_path / "empty")
    with pytest.raises(EmptyRepository, match="empty git repository"):
        GitSource(tmp_path / "empty")


def test_unknown_ref(history_repo) -> None:
    with pytest.raises(UnknownRef, match="no branch, tag or commit named 'nope'"):
        GitSource(history_repo.path, MineOptions(refs=("nope",)))


def test_subdirectory_names_the_top_level(history_repo) -> None:
    with pytest.raises(NotARepository, match=f"inside the git repository {history_repo.path}"):
        GitSource(history_repo.path / "src")


def test_shallow_clone_is_refused(history_repo, tmp_path) -> None:
    clone = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "2", f"file://{history_repo.path}", str(clone)],
        check=True,
    )
    with pytest.raises(ShallowRepository, match="shallow clone.*git fetch --unshallow"):
        GitSource(clone)


UNREADABLE_CHECK = """
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from miner.git_source import GitSource
from miner.source_errors import UnreadableSource
try:
    GitSource(Path(sys.argv[1]))
except UnreadableSource as error:
    print(error)
"""


@pytest.mark.skipif(os.geteuid() == 0 and not shutil.which("setpriv"), reason="needs setpriv")
def test_unreadable_directory(history_repo) -> None:
    base = Path(tempfile.mkdtemp(prefix="dsukit-locked-"))
    try:
        base.chmod(0o755)
        locked = base / "locked"
        shutil.copytree(history_repo.path, locked, symlinks=True)
        locked.chmod(0o700 if os.geteuid() == 0 else 0)  # root: checked as user nobody below
        drop = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        command = [sys.executable, "-c", UNREADABLE_CHECK, str(locked), str(PROJECT_ROOT)]
        result = subprocess.run(
            [*drop, *command] if os.geteuid() == 0 else command, capture_output=True, text=True
        )
        assert result.stdout.strip() == f"{locked} cannot be read: permission denied", result.stderr
    finally:
        (base / "locked").chmod(0o755)
        shutil.rmtree(base)


def test_bare_repository_is_mined_like_a_work_tree(history_repo, tmp_path) -> None:
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(history_repo.path), str(bare)], check=True)
    assert [r.key for r in records(bare)] == [r.key for r in records(history_repo.path)]
