"""Tests of file diffs: raw and cleaned diffs, changed original lines, flags, ranges, the cache."""

from __future__ import annotations

import random
import subprocess
from collections.abc import Callable
from difflib import SequenceMatcher
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from miner.diffing import (
    BadRanges,
    CleaningCache,
    diff_file,
    format_ranges,
    parse_ranges,
)
from miner.line_diff import changed_counts, common_prefix, common_suffix, line_opcodes, split_lines
from tests.miner.conftest import git_diff_hunks

OLD_C = b"""#include <sys/param.h>

/* Add one. */
int
add_one(int a)
{
\treturn a + 1;
}

int
twice(int a)
{
\treturn 2 * a;
}
"""


def test_comment_and_layout_change_is_functionally_equivalent() -> None:
    new = OLD_C.replace(b"/* Add one. */", b"// Adds one.").replace(
        b"int\nadd_one(int a)\n{", b"int add_one(int a) {"
    )
    result = diff_file(OLD_C, new, "sys/kern/x.c", "c")
    assert result.raw_diff and result.lines_added == 2 and result.lines_deleted == 4
    assert result.cleaned_diff == ""
    assert (result.clean_lines_added, result.clean_lines_deleted) == (0, 0)
    assert result.functionally_equivalent
    assert result.old_changed_lines == () and result.new_changed_lines == ()


def test_real_change_maps_back_to_every_original_line_of_the_statement() -> None:
    new = OLD_C.replace(b"\treturn 2 * a;", b"\treturn 2 *\n\t    a + 1;")
    result = diff_file(OLD_C, new, "x.c", "c")
    assert not result.functionally_equivalent
    assert (result.clean_lines_added, result.clean_lines_deleted) == (1, 1)
    assert result.old_changed_lines == (13,)
    assert result.new_changed_lines == (13, 14)
    assert "-return 2 * a ;\n+return 2 * a + 1 ;\n" in (result.cleaned_diff or "")


def test_uncleaned_files_take_changed_lines_from_the_raw_diff() -> None:
    old = b"a\nb\nc\nd\n"
    new = b"a\nB\nc\nd\ne\n"
    result = diff_file(old, new, "README", None)
    assert result.cleaned_diff is None and result.clean_lines_added is None
    assert (result.lines_added, result.lines_deleted) == (2, 1)
    assert result.old_changed_lines == (2,) and result.new_changed_lines == (2, 5)
    assert not result.functionally_equivalent


def test_added_and_deleted_files() -> None:
    added = diff_file(None, OLD_C, "x.c", "c")
    assert added.raw_diff.startswith("--- /dev/null\n+++ b/x.c\n@@ -0,0 +1,14 @@\n")
    assert (added.lines_added, added.lines_deleted) == (14, 0)
    assert added.new_changed_lines == (1, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14)
    deleted = diff_file(OLD_C, None, "x.c", "c")
    assert deleted.raw_diff.startswith("--- a/x.c\n+++ /dev/null\n@@ -1,14 +0,0 @@\n")
    assert deleted.clean_lines_deleted == 7 and deleted.new_changed_lines == ()


def test_identical_sides_give_empty_diffs() -> None:
    result = diff_file(OLD_C, OLD_C, "x.c", "c")
    assert result.raw_diff == "" and result.cleaned_diff == ""
    assert not result.functionally_equivalent


def test_binary_sides_are_flagged_not_diffed() -> None:
    result = diff_file(b"\x7fELF\0\0\1", b"\x7fELF\0\0\2", "a.out", None)
    assert result.is_binary and result.raw_diff is None and result.cleaned_diff is None
    assert diff_file(b"text\n", b"te\0xt\n", "x.c", "c").is_binary


def test_too_large_sides_are_flagged_not_diffed() -> None:
    result = diff_file(b"a\n" * 100, b"b\n" * 100, "x.c", "c", max_bytes=150)
    assert result.is_too_large and not result.is_binary
    assert result.raw_diff is None and result.cleaned_diff is None


def test_non_utf8_bytes_never_crash() -> None:
    old = b"/* caf\xe9 */\nint x = 1;\n"
    new = b'/* caf\xc3\xa9 */\nint x = 1;\nchar *s = "\xff\xfe";\n'
    result = diff_file(old, new, "x.c", "c")
    assert result.clean_lines_added == 1 and result.new_changed_lines == (3,)
    assert "caf\u00e9" in result.raw_diff


def test_missing_final_newline_is_a_change_and_marked() -> None:
    result = diff_file(b"a\nb\n", b"a\nb", "f.txt", None)
    assert result.raw_diff.endswith("+b\n\\ No newline at end of file\n")
    assert (result.lines_added, result.lines_deleted) == (1, 1)


def _random_text(rng: random.Random, lines: int) -> bytes:
    words = ["{", "}", "x = 1;", "return y;", "", "if (a)", "/* c */", "f(a, b);"]
    return "".join(rng.choice(words) + "\n" for _ in range(lines)).encode()


@pytest.mark.parametrize("seed", range(8))
def test_raw_diff_applies_with_git_apply(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    old = _random_text(rng, rng.randint(0, 60))
    lines = old.splitlines(keepends=True)
    for _ in range(rng.randint(1, 6)):
        at = rng.randint(0, len(lines))
        lines[at : at + rng.randint(0, 3)] = [_random_text(rng, rng.randint(0, 3))]
    new = b"".join(lines)
    if new == old:
        new += b"tail\n"
    (tmp_path / "f.c").write_bytes(old)
    patch = diff_file(old, new, "f.c", "c").raw_diff
    subprocess.run(["git", "apply", "-"], cwd=tmp_path, input=patch.encode(), check=True)
    assert (tmp_path / "f.c").read_bytes() == new


@pytest.mark.parametrize(
    ("lines", "text"),
    [([], ""), ([7], "7"), ([3, 4, 5, 9], "3-5,9"), ([9, 3, 5, 4, 4], "3-5,9"), ([1, 3], "1,3")],
)
def test_format_ranges(lines: list[int], text: str) -> None:
    assert format_ranges(lines) == text


@given(st.sets(st.integers(min_value=1, max_value=500)))
def test_ranges_round_trip(lines: set[int]) -> None:
    assert parse_ranges(format_ranges(lines)) == sorted(lines)


@pytest.mark.parametrize("text", ["3-x", "5-3", "a", "1,,-2"])
def test_parse_ranges_refuses_bad_text(text: str) -> None:
    with pytest.raises(BadRanges):
        parse_ranges(text)


def test_cache_cleans_each_version_once() -> None:
    versions = [OLD_C, OLD_C + b"int z;\n", OLD_C + b"int z = 2;\n", OLD_C + b"int z = 3;\n"]
    cache = CleaningCache(max_versions=2)
    results = [
        cache.diff(str(i), versions[i], str(i + 1), versions[i + 1], "x.c", "c")
        for i in range(len(versions) - 1)
    ]
    assert (cache.hits, cache.misses) == (2, 4)
    assert results == [
        diff_file(versions[i], versions[i + 1], "x.c", "c") for i in range(len(versions) - 1)
    ]
    assert [r.new_changed_lines for r in results] == [(15,), (15,), (15,)]


def _edited(rng: random.Random, lines: list[str], edits: int) -> list[str]:
    result = list(lines)
    for _ in range(edits):
        at = rng.randrange(len(result) + 1)
        kind = rng.choice(["insert", "delete", "replace", "move"])
        if kind == "insert":
            result[at:at] = [f"new {rng.random()}\n", "}\n"]
        elif kind == "delete":
            del result[at : at + rng.randint(1, 20)]
        elif kind == "replace":
            result[at : at + 3] = [f"changed {rng.random()}\n"]
        else:
            block = result[at : at + 10]
            del result[at : at + 10]
            there = rng.randrange(len(result) + 1)
            result[there:there] = block
    return result


@pytest.mark.parametrize("seed", range(6))
def test_large_diffs_are_valid_and_minimal_enough(seed: int) -> None:
    rng = random.Random(seed)
    old = [rng.choice([f"line {i}\n", "}\n", "\n", "\treturn 0;\n"]) for i in range(1200)]
    new = _edited(rng, old, 10)
    opcodes = line_opcodes(old, new)
    rebuilt: list[str] = []
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            assert old[i1:i2] == new[j1:j2]
        rebuilt.extend(new[j1:j2])
    assert rebuilt == new
    assert [(op[1], op[3]) for op in opcodes[:1]] == [(0, 0)]
    assert (opcodes[-1][2], opcodes[-1][4]) == (len(old), len(new))
    ours = sum(changed_counts(opcodes))
    reference = sum(changed_counts(SequenceMatcher(None, old, new, autojunk=False).get_opcodes()))
    assert ours <= reference * 1.2 + 10


@given(
    st.lists(st.sampled_from("ab"), max_size=150),
    st.lists(st.sampled_from("ab"), max_size=150),
    st.integers(min_value=0, max_value=5),
)
def test_common_prefix_and_suffix_match_a_plain_scan(a: list[str], b: list[str], cut: int) -> None:
    shared = ["x"] * 70
    a, b = shared + a + shared, shared + b[cut:] + shared
    shorter = min(len(a), len(b))
    pairs = zip(a, b, strict=False)
    plain_prefix = next((k for k, (x, y) in enumerate(pairs) if x != y), shorter)
    assert common_prefix(a, b) == plain_prefix
    reversed_pairs = zip(reversed(a), reversed(b), strict=False)
    plain_suffix = next((k for k, (x, y) in enumerate(reversed_pairs) if x != y), shorter)
    limit = min(len(a), len(b)) - plain_prefix
    assert common_suffix(a, b, limit) == min(plain_suffix, limit)
    assert common_prefix(a, b, 3, 3, 10) == min(plain_prefix - 3, 10)


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("", []),
        ("a", ["a"]),
        ("a\n", ["a\n"]),
        ("a\nb", ["a\n", "b"]),
        ("a\r\nb\n", ["a\r\n", "b\n"]),
        ("a\x0cb\n\u2028c", ["a\x0cb\n", "\u2028c"]),
        ("\n\n", ["\n", "\n"]),
    ],
)
def test_split_lines_splits_at_newlines_only(text: str, lines: list[str]) -> None:
    assert split_lines(text) == lines


def test_cache_reads_a_side_only_when_it_is_not_cached() -> None:
    reads: list[str] = []

    def reader(key: str, data: bytes) -> Callable[[], bytes]:
        return lambda: reads.append(key) or data

    cache = CleaningCache()
    first = cache.diff("1", reader("1", OLD_C), "2", reader("2", OLD_C + b"int z;\n"), "x.c", "c")
    second = cache.diff("2", reader("2", b"unused"), "3", reader("3", OLD_C), "x.c", "c")
    assert reads == ["1", "2", "3"]
    assert first.new_changed_lines == (15,) and second.old_changed_lines == (15,)


def test_cache_memory_budget_evicts_oldest_versions() -> None:
    cache = CleaningCache(max_memory=16 * 3 * len(OLD_C) + 1000)
    for index in range(6):
        cache.diff(str(index), OLD_C, str(index + 1), OLD_C + b"int z;\n" * index, "x.c", "c")
    assert cache.misses == 7 and len(cache) <= 3
    cache.diff("0", OLD_C, "6", OLD_C, "x.c", "c")
    assert cache.misses == 8


def _patch(tmp_path: Path, old: bytes, new: bytes) -> str:
    """Return git's hunks of ``old`` to ``new``, decoded as the git source decodes them."""
    from miner.cleaning import decode_source

    return decode_source(git_diff_hunks(tmp_path, old, new))


def _blob_ids(*versions: bytes) -> list[str]:
    from miner.git_objects import blob_id

    return [blob_id(data, "0" * 40) for data in versions]


@pytest.mark.parametrize(
    ("old", "new", "edited"),
    [
        (OLD_C, OLD_C.replace(b"2 * a", b"a << 1") + b"int z;\n", True),  # ASCII
        (OLD_C + "/* é */\n".encode(), OLD_C + "/* è */\nint z;\n".encode(), True),  # UTF-8
        (OLD_C + b"/* \xe9 */\n", OLD_C + b"/* \xe9 */\nint z;\n", False),  # Latin-1 old side
        (OLD_C, OLD_C + b"/* \xe9 */\n", False),  # a Latin-1 patch: the blob id does not match
    ],
)
def test_new_side_is_built_from_the_patch_not_read(
    tmp_path: Path, old: bytes, new: bytes, edited: bool
) -> None:
    from miner.git_objects import blob_id

    reads: list[str] = []
    old_id, new_id = _blob_ids(old, new)
    cache = CleaningCache(content_key=blob_id)
    hunks = _patch(tmp_path, old, new)
    cache.version(old_id, old)
    result = cache.diff(
        old_id, old, new_id, lambda: reads.append(new_id) or new, "x.c", "c", raw_hunks=hunks
    )
    assert result == diff_file(old, new, "x.c", "c", raw_hunks=hunks)
    assert (reads == [], cache.edited) == ((True, 1) if edited else (False, 0))
    follow_up = cache.diff(new_id, b"unused", "3", OLD_C, "x.c", "c")  # the new side is cached
    assert follow_up == diff_file(new, OLD_C, "x.c", "c")


def test_non_ascii_patch_is_read_without_a_content_key(tmp_path: Path) -> None:
    old, new = OLD_C + "/* é */\n".encode(), OLD_C + "/* è */\n".encode()
    old_id, new_id = _blob_ids(old, new)
    cache = CleaningCache()
    cache.version(old_id, old)
    reads: list[str] = []
    hunks = _patch(tmp_path, old, new)
    read_new = lambda: reads.append(new_id) or new  # noqa: E731
    cache.diff(old_id, old, new_id, read_new, "x.c", "c", raw_hunks=hunks)
    assert reads == [new_id] and cache.edited == 0


def test_added_file_is_built_from_its_patch(tmp_path: Path) -> None:
    hunks = _patch(tmp_path, b"", OLD_C)
    (new_id,) = _blob_ids(OLD_C)
    cache = CleaningCache()
    unread = lambda: pytest.fail("the new side was read")  # noqa: E731
    result = cache.diff(None, None, new_id, unread, "x.c", "c", raw_hunks=hunks)
    assert result == diff_file(None, OLD_C, "x.c", "c", raw_hunks=hunks) and cache.edited == 1


def test_cache_keeps_each_file_s_latest_version_before_superseded_ones() -> None:
    """Three files changed in turn fit a cache of three: the old side of each change goes
    first, so the versions still to be diffed against stay (a plain LRU would read each)."""
    cache = CleaningCache(max_versions=3)
    reads: list[str] = []

    def version(name: str, number: int) -> tuple[str, Callable[[], bytes]]:
        key = f"{name}{number}"
        return key, lambda: reads.append(key) or OLD_C + f"int {name} = {number};\n".encode()

    for number in range(4):
        for name in "abc":
            old_key, old = version(name, number)
            new_key, new = version(name, number + 1)
            cache.diff(old_key, old, new_key, new, f"{name}.c", "c")
    assert sorted(reads) == sorted(f"{name}{number}" for name in "abc" for number in range(5))


@pytest.mark.parametrize(
    ("old", "new", "edited"),
    [
        (OLD_C + "/* é */\n".encode(), OLD_C + "/* è */\nint z;\n".encode(), True),
        (OLD_C, OLD_C + "int é;\n".encode(), True),
        (OLD_C + "/* é */\n".encode(), OLD_C + b"int z;\n", True),  # back to ASCII
        (OLD_C, OLD_C + b"/* \xe9 */\n", False),  # Latin-1 hunks: read, there is no key
    ],
)
def test_hunks_known_to_be_utf8_need_no_content_key(
    tmp_path: Path, old: bytes, new: bytes, edited: bool
) -> None:
    """The source says how it decoded the hunks: UTF-8 ones apply exactly, without hashing."""
    from miner.cleaning import decode_source_as

    hunks, encoding = decode_source_as(git_diff_hunks(tmp_path, old, new))
    cache = CleaningCache()
    cache.version("old", old)
    reads: list[str] = []
    read_new = lambda: reads.append("new") or new  # noqa: E731
    result = cache.diff(
        "old", old, "new", read_new, "x.c", "c", raw_hunks=hunks, hunks_encoding=encoding
    )
    assert result == diff_file(old, new, "x.c", "c", raw_hunks=hunks)
    assert (cache.edited, reads) == ((1, []) if edited else (0, ["new"]))
    assert cache.version("new", b"unused").size == len(new)
