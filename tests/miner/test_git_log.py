"""The ``git log --raw -p -z`` parser on literal samples of its input."""

from __future__ import annotations

from datetime import datetime

import pytest

from miner.git_log import (
    changed_line_numbers,
    index_patches,
    parse_commit,
    parse_date,
    parse_raw_records,
    split_commits,
)

OLD, NEW = "1" * 40, "2" * 40
ZERO = "0" * 40
MARKER = b"dsukit-m"
COMMIT = (
    b"c" * 40 + b"\0" + b"a" * 40 + b" " + b"b" * 40 + b"\0Ann\0ann@x\0"
    b"1700000000 +0130\0Cy\0cy@x\x001700000060 -0800\0subject\n\nbody\n\0\n"
    b":100644 100644 " + OLD.encode() + b" " + NEW.encode() + b" R090\0old name.c\0new name.c\0"
    b":000000 100644 " + ZERO.encode() + b" " + NEW.encode() + b" A\0caf\xe9\0\0"
    b"diff --git a/old name.c b/new name.c\nsimilarity index 90%\nrename from old name.c\n"
    b"rename to new name.c\nindex " + OLD.encode() + b".." + NEW.encode() + b" 100644\n"
    b"--- a/old name.c\n+++ b/new name.c\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n"
    b"diff --git a/caf\xe9 b/caf\xe9\nnew file mode 100644\nindex " + ZERO.encode() + b".."
    + NEW.encode() + b"\nBinary files /dev/null and b/caf\xe9 differ\n"
)  # fmt: skip


def test_commit_header_raw_records_and_patches() -> None:
    commit = parse_commit(COMMIT)
    assert commit.oid == "c" * 40 and commit.parents == ("a" * 40, "b" * 40)
    assert commit.message == b"subject\n\nbody\n"
    (rename, rename_patch), (added, added_patch) = commit.changes
    assert (rename.status, rename.old_path, rename.path) == ("R090", b"old name.c", b"new name.c")
    assert (rename.old_oid, rename.new_oid) == (OLD, NEW)
    assert rename_patch is not None and rename_patch.hunks == b"@@ -1,2 +1,2 @@\n a\n-b\n+c\n"
    assert (rename_patch.lines_added, rename_patch.lines_deleted) == (1, 1)
    assert (added.old_oid, added.path) == (None, b"caf\xe9")
    assert added_patch is not None and added_patch.is_binary


def test_merge_without_diff_has_no_changes() -> None:
    merge = b"m" * 40 + b"\0p q\0A\0a@x\x001 +0000\0C\0c@x\x001 +0000\0Merge\n\0"
    commit = parse_commit(merge)
    assert commit.parents == ("p", "q") and commit.changes == ()


@pytest.mark.parametrize("chunk_size", [1, 3, 7, 64, 1 << 20])
def test_commits_split_the_same_whatever_the_chunks(chunk_size: int) -> None:
    stream = b"".join(b"\0" + MARKER + b"\0" + body for body in (b"one\0x", b"two", b"three\n"))
    chunks = [stream[i : i + chunk_size] for i in range(0, len(stream), chunk_size)]
    assert list(split_commits(chunks, MARKER)) == [b"one\0x", b"two", b"three\n"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"0 +0000", (datetime(1970, 1, 1), 0)),
        (b"1700000000 +0130", (datetime(2023, 11, 14, 22, 13, 20), 90)),
        (b"1700000000 -0800", (datetime(2023, 11, 14, 22, 13, 20), -480)),
        (b"1700000000 -0030", (datetime(2023, 11, 14, 22, 13, 20), -30)),
    ],
)
def test_parse_date(raw: bytes, expected: tuple[datetime, int]) -> None:
    assert parse_date(raw) == expected


@pytest.mark.parametrize(
    ("hunks", "deleted", "added"),
    [
        ("@@ -0,0 +1,2 @@\n+a\n+b\n", [], [1, 2]),
        ("@@ -3,3 +3,3 @@\n a\n-b\n+B\n c\n", [4], [4]),
        ("@@ -1,2 +0,0 @@\n-a\n-b\n", [1, 2], []),
        ("@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+a\n", [1], [1]),
        ("@@ -1,2 +1,3 @@\n a\n+x\n b\n@@ -10 +11,2 @@\n-y\n+z\n+w\n", [10], [2, 11, 12]),
    ],
)
def test_changed_line_numbers(hunks: str, deleted: list[int], added: list[int]) -> None:
    assert changed_line_numbers(hunks) == (deleted, added)


def test_raw_records_copy_and_what_follows() -> None:
    data = b":100644 100644 " + OLD.encode() + b" " + NEW.encode() + b" C075\0a\0b\0\0diff --git x"
    (copy,), rest = parse_raw_records(data)
    assert (copy.status, copy.old_path, copy.path) == ("C075", b"a", b"b")
    assert rest == b"diff --git x"


def test_patch_without_index_line_is_not_matched() -> None:
    text = b"diff --git a/x b/y\nsimilarity index 100%\nrename from x\nrename to y\n"
    assert index_patches(text) == {}
