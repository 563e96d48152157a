"""Tests of the CVS source on repositories built with the real ``cvs``, and on the pathologies."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest

from miner.cvs_source import CvsSource, UnreadableRevision
from miner.options import MineOptions
from miner.records import TransactionRecord
from miner.source_errors import NotARepository
from tests.conftest import SHARED_DATA
from tests.miner.cvs_fixtures import CvsRepository, rcs_history

PATHOLOGIES = SHARED_DATA / "cvs" / "pathologies"


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> CvsRepository:
    """Import, multi-file commit, binary file, removal and re-add, a branch, keywords."""
    repo = CvsRepository.create(
        tmp_path_factory.mktemp("cvs"),
        files={"a.c": b"/* $Id$ */\nint a;\n", "b.c": b"int b;\n", "dir/c.h": b"#define C 1\n"},
    )
    repo.write("a.c", b"/* $Id$ */\nint a = 1;\n")
    repo.write("b.c", b"int b = 2;\n")
    repo.commit("set a and b")
    repo.write("img.bin", b"\x89PNG\x00\x01\x02\n")
    repo.add("img.bin", binary=True)
    repo.commit("add an image")
    repo.remove("b.c")
    repo.commit("remove b")
    repo.write("b.c", b"int b = 3;\n")
    repo.add("b.c")
    repo.commit("bring b back")
    repo.cvs("tag", "-b", "STABLE")
    repo.cvs("update", "-r", "STABLE")
    repo.write("a.c", repo.work.joinpath("a.c").read_bytes() + b"int on_branch;\n")
    repo.commit("fix on the branch")
    return repo


@pytest.fixture(scope="module")
def records(repository: CvsRepository) -> list[TransactionRecord]:
    return list(CvsSource(repository.location).scan(frozenset()).records)


def _files(record: TransactionRecord) -> dict[str, tuple[str, str | None, str | None]]:
    return {f.path: (f.change_kind, f.old_version, f.new_version) for f in record.files}


def test_every_commit_is_one_commitid_transaction_in_order(
    records: list[TransactionRecord],
) -> None:
    assert [r.message for r in records] == [
        "initial import",
        "set a and b",
        "add an image",
        "remove b",
        "bring b back",
        "fix on the branch",
    ]
    assert all(r.grouping == "commitid" and r.key == r.commitid for r in records)
    assert [r.commit_time for r in records] == sorted(r.commit_time for r in records)


def test_an_import_is_one_change_per_file_on_the_vendor_branch(
    records: list[TransactionRecord],
) -> None:
    imported = records[0]
    assert imported.branch == "VENDOR"
    assert _files(imported) == {
        "a.c": ("added", None, "1.1.1.1"),
        "b.c": ("added", None, "1.1.1.1"),
        "dir/c.h": ("added", None, "1.1.1.1"),
    }


def test_change_kinds_versions_and_attic(records: list[TransactionRecord]) -> None:
    assert _files(records[1]) == {
        "a.c": ("modified", "1.1", "1.2"),
        "b.c": ("modified", "1.1", "1.2"),
    }
    assert _files(records[3]) == {"b.c": ("deleted", "1.2", None)}
    assert _files(records[4]) == {"b.c": ("added", None, "1.4")}
    assert records[3].files[0].rcs_file in ("b.c,v", "Attic/b.c,v")


def test_binary_files_are_flagged(records: list[TransactionRecord]) -> None:
    (image,) = records[2].files
    assert (image.path, image.change_kind, image.is_binary) == ("img.bin", "added", True)
    assert not any(f.is_binary for r in records[:2] for f in r.files)


def test_branch_commits_carry_the_branch_name(records: list[TransactionRecord]) -> None:
    branch = records[5]
    assert branch.branch == "STABLE"
    assert _files(branch) == {"a.c": ("modified", "1.2", "1.2.2.1")}
    assert all(r.branch is None for r in records[1:5])


def test_read_version_collapses_keywords_and_keeps_binary_bytes(
    repository: CvsRepository, records: list[TransactionRecord]
) -> None:
    source = CvsSource(repository.location)
    change = next(f for f in records[1].files if f.path == "a.c")
    assert source.read_version(change, "old") == b"/* $Id$ */\nint a;\n"
    new = source.read_version(change, "new")
    assert new == b"/* $Id$ */\nint a = 1;\n"  # the stored text carried "$Id: a.c,v 1.1.1.1 ..."
    branch_change = records[5].files[0]
    assert source.read_version(branch_change, "new") == new + b"int on_branch;\n"
    assert source.read_version(records[2].files[0], "new") == b"\x89PNG\x00\x01\x02\n"
    deleted = records[3].files[0]
    assert source.read_version(deleted, "new") is None
    assert source.read_version(deleted, "old") == b"int b = 2;\n"


def test_keys_are_stable_across_scans(repository: CvsRepository, records: list) -> None:
    again = list(CvsSource(repository.location).scan(frozenset(r.key for r in records)).records)
    assert [r.key for r in again] == [r.key for r in records]


def test_count_tells_how_many_new_transactions_the_next_scan_yields(
    repository: CvsRepository, records: list[TransactionRecord]
) -> None:
    source = CvsSource(repository.location)
    assert source.count(frozenset()) == len(records)
    assert [r.key for r in source.scan(frozenset()).records] == [r.key for r in records]
    scan = source.scan(frozenset())  # as the stage does: scan, then count, then iterate
    assert source.count(frozenset()) == len(records)
    assert [r.key for r in scan.records] == [r.key for r in records]
    assert source.count(frozenset(r.key for r in records[:2])) == len(records) - 2


def test_filters_keep_only_wanted_paths_and_times(
    repository: CvsRepository, records: list[TransactionRecord]
) -> None:
    only_dir = list(CvsSource(repository.location, MineOptions(paths=("dir/",))).scan().records)
    assert [_files(r) for r in only_dir] == [{"dir/c.h": ("added", None, "1.1.1.1")}]
    since = records[-1].first_time
    late = list(CvsSource(repository.location, MineOptions(since=since)).scan().records)
    assert "fix on the branch" in [r.message for r in late]
    assert [r.message for r in late] == [r.message for r in records if r.first_time >= since]
    assert "initial import" not in [r.message for r in late]


def test_bad_files_are_skipped_with_a_sentence_and_never_stop_the_others(
    tmp_path: Path, repository: CvsRepository
) -> None:
    location = tmp_path / "copy"
    location.mkdir()
    for path in repository.location.rglob("*,v"):
        target = location / path.relative_to(repository.location)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    (location / "junk.c,v").write_bytes(b"\x00\x01 not rcs at all")
    whole = (location / "a.c,v").read_bytes()
    (location / "cut.c,v").write_bytes(whole[: len(whole) // 2])
    (location / "gone.c,v").symlink_to(location / "nowhere")
    scan = CvsSource(location).scan(frozenset())
    messages = [r.message for r in scan.records]
    assert "set a and b" in messages and "fix on the branch" in messages
    reasons = {s.path: s.reason for s in scan.skipped}
    assert set(reasons) == {"junk.c,v", "cut.c,v", "gone.c,v"}
    assert "junk.c,v was skipped: not an RCS file" in reasons["junk.c,v"]
    assert "at byte" in reasons["cut.c,v"]
    assert "No such file" in reasons["gone.c,v"]


def test_the_first_local_commit_follows_the_newest_import_before_it(tmp_path: Path) -> None:
    repo = CvsRepository.create(tmp_path, files={"v.c": b"vendor 1\n"})
    repo.vendor_import({"v.c": b"vendor 2\n"}, "vendor release 2", release="R2")
    repo.cvs("update")
    repo.write("v.c", b"vendor 2\nlocal\n")
    repo.commit("local change")
    repo.vendor_import({"v.c": b"vendor 3\n"}, "vendor release 3", release="R3")
    source = CvsSource(repo.location)
    records = list(source.scan(frozenset()).records)
    assert [(r.message, r.branch, _files(r)) for r in records] == [
        ("initial import", "VENDOR", {"v.c": ("added", None, "1.1.1.1")}),
        ("vendor release 2", "VENDOR", {"v.c": ("modified", "1.1.1.1", "1.1.1.2")}),
        ("local change", None, {"v.c": ("modified", "1.1.1.2", "1.2")}),
        ("vendor release 3", "VENDOR", {"v.c": ("modified", "1.1.1.2", "1.1.1.3")}),
    ]
    assert source.read_version(records[2].files[0], "old") == b"vendor 2\n"


def test_a_directory_without_rcs_files_is_not_a_repository(tmp_path: Path) -> None:
    with pytest.raises(NotARepository, match="holds no ,v files"):
        CvsSource(tmp_path)


def test_an_unreadable_revision_reads_as_none_and_is_logged(
    repository: CvsRepository, records: list, caplog: pytest.LogCaptureFixture
) -> None:
    change = records[1].files[0]
    bogus = type(change)(**{**change.__dict__, "new_version": "1.99"})
    source = CvsSource(repository.location)
    assert source.read_version(bogus, "new") is None
    assert "revision 1.99 does not exist" in caplog.text
    with pytest.raises(UnreadableRevision, match="1.99"):
        source.text(change.rcs_file, "1.99")


@pytest.mark.skipif(not PATHOLOGIES.exists(), reason="needs ../shared/data/cvs/pathologies")
def test_every_pathology_repository_scans_and_reads_every_revision() -> None:
    """cvs2svn's ~90 pathological repositories: import what is sound, name what is not."""
    repositories = sorted(PATHOLOGIES.iterdir())
    assert len(repositories) >= 85
    changes = 0
    skipped = {}
    for location in repositories:
        source = CvsSource(location)
        scan = source.scan(frozenset())
        for record in scan.records:
            assert record.files
            for change in record.files:
                for side in ("old", "new"):
                    text = source.read_version(change, side)
                    assert (text is None) == (getattr(change, f"{side}_version") is None)
                changes += 1
        skipped.update({f"{location.name}/{s.path}": s.reason for s in scan.skipped})
    assert changes > 500
    assert "second delta text of revision 1.1" in skipped["repeated-deltatext-cvsrepos/file.txt,v"]
    assert all(reason.endswith(".") and ",v" in reason for reason in skipped.values())


def test_a_file_name_that_is_not_utf8_is_escaped_and_still_read(tmp_path: Path) -> None:
    name = os.fsdecode(b"caf\xe9.c")
    rcs_history(tmp_path / "m", name, [(b"x\n", datetime(2001, 1, 1), "ann", "add")])
    source = CvsSource(tmp_path / "m")
    (record,) = source.scan(frozenset()).records
    (change,) = record.files
    assert (change.path, change.path_raw, change.rcs_file) == (
        "caf\\xe9.c",
        b"caf\xe9.c",
        "caf\\xe9.c,v",
    )
    assert source.read_version(change, "new") == b"x\n"


def test_revisions_built_from_a_corrupt_delta_are_left_out_and_named(tmp_path: Path) -> None:
    module = tmp_path / "m"
    path = rcs_history(
        module,
        "f.c",
        [
            (b"one\n", datetime(2001, 1, 1), "ann", "first"),
            (b"one\ntwo\n", datetime(2001, 1, 2), "ann", "second"),
            (b"one\ntwo\nthree\n", datetime(2001, 1, 3), "ann", "third"),
        ],
    )
    data = path.read_bytes()
    damaged = data.replace(b"@d3 1\n@", b"@d7 1\n@")  # 1.2's reverse delta from 1.3
    assert damaged != data
    path.chmod(0o644)
    path.write_bytes(damaged)
    source = CvsSource(module)
    scan = source.scan(frozenset())
    records = list(scan.records)
    assert [(r.message, _files(r)) for r in records] == [("third", {"f.c": ("added", None, "1.3")})]
    (skipped,) = scan.skipped
    offset = damaged.index(b"@d7 1")
    assert skipped.reason == (
        f"In f.c,v, revisions 1.2, 1.1 were left out because the delta text of revision 1.2 "
        f"(byte {offset}) is corrupt: 'd7 1' falls outside the 3 source lines."
    )


def test_a_commit_with_a_message_per_directory_keeps_every_message(tmp_path: Path) -> None:
    repo = CvsRepository.create(tmp_path, files={"a.c": b"a\n", "sub/b.c": b"b\n"})
    repo.write("a.c", b"a2\n")
    repo.write("sub/b.c", b"b2\n")
    repo.commit_per_directory()
    *_, record = CvsSource(repo.location).scan(frozenset()).records
    assert record.grouping == "commitid" and len(record.files) == 2
    assert record.message == "change in .\n\nchange in sub"


@pytest.mark.skipif(not PATHOLOGIES.exists(), reason="needs ../shared/data/cvs/pathologies")
def test_the_dead_placeholder_of_an_add_on_a_branch_is_no_change() -> None:
    records = CvsSource(PATHOLOGIES / "add-on-branch-cvsrepos").scan(frozenset()).records
    on_branch1 = [_files(r) for r in records if r.branch == "BRANCH1"]
    assert on_branch1 == [{"proj/b.txt": ("added", None, "1.1.2.2")}]
