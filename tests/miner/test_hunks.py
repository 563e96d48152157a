"""Tests of reading a unified diff's hunks back into matching blocks, on real ``git diff``."""

from __future__ import annotations

import random
import re
import subprocess
from pathlib import Path

import pytest

from miner.diffing import diff_file
from miner.hunks import apply_hunks, blocks_from_hunks
from miner.line_diff import opcodes_of, split_lines, unified_text
from tests.miner.conftest import git_diff_hunks


def _git_hunks(tmp_path: Path, old: bytes, new: bytes) -> str:
    return git_diff_hunks(tmp_path, old, new).decode()


def _text(rng: random.Random, count: int) -> list[str]:
    return [
        rng.choice(["{\n", "}\n", "x = 1;\n", "\n", f"f({rng.randrange(50)});\n"])
        for _ in range(count)
    ]


def _random_sides(seed: int, size: int, old_may_lack_newline: bool) -> tuple[bytes, bytes]:
    """Return a random text and an edit of it (a few hunks; either may lack its last newline)."""
    rng = random.Random(seed)
    old_lines = _text(rng, rng.randint(0, size))
    new_lines = list(old_lines)
    for _ in range(rng.randint(1, 5)):
        at = rng.randint(0, len(new_lines))
        new_lines[at : at + rng.randint(0, 4)] = _text(rng, rng.randint(0, 4))
    if seed % 3 == 0 and new_lines:
        new_lines[-1] = new_lines[-1].rstrip("\n")
    if old_may_lack_newline and seed % 4 == 1 and old_lines:
        old_lines[-1] = old_lines[-1].rstrip("\n")
    return "".join(old_lines).encode(), "".join(new_lines).encode()


@pytest.mark.parametrize("seed", range(10))
def test_git_hunks_become_valid_blocks(tmp_path: Path, seed: int) -> None:
    old, new = _random_sides(seed, 80, old_may_lack_newline=False)
    hunks = _git_hunks(tmp_path, old, new)
    blocks = blocks_from_hunks(hunks, split_lines(old.decode()), split_lines(new.decode()))
    if old == new:
        assert hunks == ""
        return
    assert blocks is not None
    with_git = diff_file(old, new, "f.c", "c", raw_hunks=hunks)
    numstat = subprocess.run(
        ["git", "diff", "--no-index", "--numstat", "old", "new"],
        cwd=tmp_path,
        capture_output=True,
        check=False,
    ).stdout.split()
    assert (with_git.lines_added, with_git.lines_deleted) == (int(numstat[0]), int(numstat[1]))
    assert with_git.raw_diff == "--- a/f.c\n+++ b/f.c\n" + hunks  # git's own text is kept
    without_function_context = re.sub(r"(?m)^(@@ [^@]* @@).*$", r"\1", hunks)
    old_side, new_side = split_lines(old.decode()), split_lines(new.decode())
    rewritten = unified_text(old_side, new_side, opcodes_of(blocks))
    assert rewritten == without_function_context  # and it is what git's blocks give
    ours = diff_file(old, new, "f.c", "c")
    assert with_git.functionally_equivalent == ours.functionally_equivalent


@pytest.mark.parametrize("seed", range(12))
def test_git_hunks_applied_to_the_old_side_give_the_new_side(tmp_path: Path, seed: int) -> None:
    old, new = _random_sides(seed, 60, old_may_lack_newline=True)
    hunks = _git_hunks(tmp_path, old, new)
    if old == new:
        return
    old_side, new_side = split_lines(old.decode()), split_lines(new.decode())
    applied = apply_hunks(hunks, old_side)
    assert applied is not None
    lines, blocks = applied
    assert lines == new_side
    assert blocks == blocks_from_hunks(hunks, old_side, new_side)
    unchanged = [lines[j + k] is old_side[i + k] for i, j, size in blocks for k in range(size)]
    assert all(unchanged)  # the old side's own line objects, not copies


def test_a_whole_added_file_is_its_added_lines() -> None:
    assert apply_hunks("@@ -0,0 +1,2 @@\n+a\n+b\n", []) == (["a\n", "b\n"], [(0, 2, 0)])


@pytest.mark.parametrize(
    "hunks",
    [
        "@@ -1 +1 @@\n-a\n+b\n",  # the old line is not "a"
        "@@ -1,2 +1,2 @@\n x\n-q\n+z\n",  # a deleted line that is not there
        "@@ -1,2 +1,3 @@\n x\n-y\n+z\n",  # wrong count for the new side
        "@@ -2 +1 @@\n-y\n+z\n",  # the new side's start does not follow from the old's
        "not a hunk\n",
        "@@ -5 +5 @@\n-q\n+r\n",  # beyond the text
        "@@ -1 +1 @@\n?x\n",  # not a diff line
    ],
)
def test_hunks_that_do_not_apply_give_none(hunks: str) -> None:
    assert apply_hunks(hunks, ["x\n", "y\n"]) is None


@pytest.mark.parametrize(
    "hunks",
    [
        "@@ -1 +1 @@\n-a\n+b\n",  # the old line is not "a"
        "@@ -1,2 +1,2 @@\n x\n-y\n+z\n",  # wrong counts for the sides
        "not a hunk\n",
        "@@ -5 +5 @@\n-q\n+r\n",  # beyond the text
        "",  # the sides differ but the patch says nothing
    ],
)
def test_hunks_that_do_not_fit_give_none(hunks: str) -> None:
    assert blocks_from_hunks(hunks, ["x\n", "y\n"], ["x\n", "Y\n"]) is None


def test_no_newline_marker() -> None:
    hunks = "@@ -1,2 +1,2 @@\n x\n-y\n\\ No newline at end of file\n+y\n"
    assert blocks_from_hunks(hunks, ["x\n", "y"], ["x\n", "y\n"]) == [(0, 0, 1), (2, 2, 0)]


@pytest.mark.parametrize(
    ("hunks", "new"),
    [
        ("@@ -1,0 +2,2 @@\n+a\n+b\n@@ -2 +4 @@\n-y\n+z\n", ["x\n", "a\n", "b\n", "z\n"]),
        ("@@ -0,0 +1,2 @@\n+a\n+b\n\\ No newline at end of file\n", ["a\n", "b"]),
    ],
)
def test_hunks_of_added_lines_only(hunks: str, new: list[str]) -> None:
    old = ["x\n", "y\n"] if "-y" in hunks else []
    applied = apply_hunks(hunks, old)
    assert applied is not None and applied[0] == new
    assert applied[1] == blocks_from_hunks(hunks, old, new)
    assert apply_hunks(hunks.replace("+b\n", "+b\n+c\n", 1), old) is None  # one line too many
