"""Re-cleaning an edited C file from its previous version gives exactly what cleaning it afresh
gives, on random edits of real MirOS BSD sources and of hand-written tricky C."""

from __future__ import annotations

import random
import shutil
import subprocess
from bisect import bisect_left, bisect_right
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from miner.c_incremental import ShiftedNumbers
from miner.cleaning import CleanedText, clean, clean_edited
from miner.diffing import cleaned_blocks
from miner.line_diff import changed_counts, line_opcodes, matching_blocks, opcodes_of, split_lines
from tests.conftest import SHARED_DATA

KERN = SHARED_DATA / "cvs" / "mirbsd" / "src" / "kern"
REAL_FILES = ["z/deflate.c,v", "z/zutil.h,v", "c/strlfun.c,v"]

TRICKY_C = """\
/* $Id: t.c,v 1.1 $ */
#include <a.h>
#define M(x) do { \\
\tf(x); \\
} while (0)
static const char *s = "a /* not */ b";
struct t {
\tint a, b;
};
int tab[] = {
\t1, 2,
\t3,
};
#ifdef X
int f(int a) {
#else
int f(int a, int b) {
#endif
\tfor (i = 0; i < n; i++) {
\t\tif (a)
\t\t\tcontinue; // skip
\t}
\treturn a; /* multi
\tline */
}
"""

EDIT_SNIPPETS = [
    "/*",
    "*/",
    "{",
    "}",
    "(",
    ";",
    '"',
    "'",
    "\\",
    "#if 0",
    "#endif",
    "//",
    "int x = 1;",
    "} else {",
    "#define Y(a) \\",
    'R"x(',
    ')x"',
    "",
]


def _edit(rng: random.Random, lines: list[str]) -> list[str]:
    result = list(lines)
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(result) + 1)
        choice = rng.random()
        snippet = rng.choice(EDIT_SNIPPETS)
        if choice < 0.4:
            result[at:at] = [snippet + "\n"]
        elif choice < 0.6:
            del result[at : at + rng.randint(1, 5)]
        elif choice < 0.9 and at < len(result):
            line = result[at]
            cut = rng.randrange(len(line))
            result[at] = line[:cut] + snippet + line[cut:]
        else:
            block = result[at : at + rng.randint(1, 8)]
            result[rng.randrange(len(result) + 1) :] += block
    return result


def _check(old_text: str, new_text: str, language: str) -> None:
    old_lines, new_lines = split_lines(old_text), split_lines(new_text)
    blocks = matching_blocks(old_lines, new_lines)
    previous = clean(old_text, language)
    edited = clean_edited(previous, new_text, new_lines, blocks, language)
    fresh = clean(new_text, language)
    unjoined = clean_edited(previous, None, new_lines, blocks, language)  # text from the lines
    assert (unjoined.lines, unjoined.origins, unjoined.ends) == (
        fresh.lines,
        fresh.origins,
        fresh.ends,
    )
    assert (edited.lines, edited.origins, edited.ends) == (fresh.lines, fresh.origins, fresh.ends)
    assert edited.layout is not None and fresh.layout is not None
    assert edited.layout.sync_lines == fresh.layout.sync_lines
    assert edited.layout.sync_stacks == fresh.layout.sync_stacks
    assert edited.layout.sync_counts == fresh.layout.sync_counts
    _check_blocks(previous, edited)


def _check_blocks(old: CleanedText, new: CleanedText) -> None:
    """The cleaned diff's blocks taken from the re-cleaning's segments are a valid diff."""
    blocks = cleaned_blocks(old, new)
    assert blocks[-1] == (len(old.lines), len(new.lines), 0)
    i = j = 0
    for block_i, block_j, size in blocks:
        assert block_i >= i and block_j >= j
        assert old.lines[block_i : block_i + size] == new.lines[block_j : block_j + size]
        i, j = block_i + size, block_j + size
    reference = sum(changed_counts(line_opcodes(old.lines, new.lines)))
    assert sum(changed_counts(opcodes_of(blocks))) <= reference + 20


@pytest.mark.parametrize("seed", range(150))
def test_incremental_equals_fresh_on_tricky_c(seed: int) -> None:
    rng = random.Random(seed)
    lines = split_lines(TRICKY_C)
    old = "".join(_edit(rng, lines))
    _check(old, "".join(_edit(rng, split_lines(old))), rng.choice(["c", "cpp"]))


@pytest.fixture(scope="module")
def real_texts() -> list[str]:
    if shutil.which("co") is None or not KERN.is_dir():
        pytest.skip("needs rcs and ../shared/data")
    texts = []
    for name in REAL_FILES:
        command = ["co", "-q", "-p", str(KERN / name)]
        result = subprocess.run(command, capture_output=True, check=True)
        texts.append(result.stdout.decode("latin-1"))
    return texts


@pytest.mark.parametrize("seed", range(40))
def test_incremental_equals_fresh_on_real_files(real_texts: list[str], seed: int) -> None:
    rng = random.Random(seed)
    text = real_texts[seed % len(real_texts)]
    lines = split_lines(text)
    edited = _edit(rng, lines)
    _check(text, "".join(edited), "c")
    _check("".join(edited), "".join(_edit(rng, edited)), "c")


@pytest.mark.parametrize("seed", range(12))
def test_chains_of_incremental_versions_stay_exact(real_texts: list[str], seed: int) -> None:
    rng = random.Random(1000 + seed)
    text = real_texts[seed % len(real_texts)]
    lines = split_lines(text)
    cleaned = clean(text, "c")
    for _ in range(6):
        new_lines = _edit(rng, lines)
        new_text = "".join(new_lines)
        blocks = matching_blocks(lines, new_lines)
        previous, cleaned = cleaned, clean_edited(cleaned, new_text, new_lines, blocks, "c")
        fresh = clean(new_text, "c")
        assert cleaned == fresh
        _check_blocks(previous, cleaned)
        assert cleaned.layout is not None and fresh.layout is not None
        assert cleaned.layout.sync_counts == fresh.layout.sync_counts
        lines = new_lines


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 1200), st.integers(0, 1200), st.integers(-50, 50)), max_size=12
    ),
    st.integers(0, 3),
)
def test_shifted_numbers_behave_as_the_list_they_stand_for(
    cuts: list[tuple[int, int, int]], generations: int
) -> None:
    """Pieces copied from pieces, shifted, long and short: the same as plain lists would be."""
    source = sorted(random.Random(generations).sample(range(5000), 1200))
    numbers: Sequence[int] = source
    expected = source
    for _ in range(generations + 1):
        made, plain = ShiftedNumbers(), []
        for lo, hi, shift in cuts or [(0, len(expected), 0)]:
            lo, hi = min(lo, len(expected)), min(hi, len(expected))
            made.add(numbers, lo, hi, shift)
            plain += [value + shift for value in expected[lo:hi]]
        numbers, expected = made, plain
        assert len(made) == len(plain) and list(made) == plain and made == plain
        assert made == tuple(plain) and tuple(plain) == made and hash(made) == hash(tuple(plain))
        for index in (0, len(plain) // 3, len(plain) - 1, -1):
            if plain:
                assert made[index] == plain[index]
        assert made[2:40:3] == plain[2:40:3]
        if plain == sorted(plain):
            for value in (-10, plain[0] if plain else 0, 2500, plain[-1] if plain else 0, 9999):
                assert made.bisect_left(value) == bisect_left(plain, value)
                assert made.bisect_right(value) == bisect_right(plain, value)
    with pytest.raises(IndexError):
        ShiftedNumbers()[0]


@pytest.mark.parametrize(
    ("old_text", "new_text", "language"),
    [
        ('auto s = R"x(a\n}\n)x";\nint f();\n', 'auto s = R"x(a\n}\n)x";\nint g();\n', "cpp"),
        ("int f();\n", 'auto s = R"(a\n{\n)";\nint f();\n', "cpp"),  # the edit brings one
        ("def f():\n    return 1  # one\n", "def f():\n    return 2\n", "python"),
    ],
)
def test_versions_cleaned_whole_are_joined_from_their_lines(
    old_text: str, new_text: str, language: str
) -> None:
    """Raw strings and Python are cleaned whole: without the text, it is joined from the lines."""
    new_lines = split_lines(new_text)
    blocks = matching_blocks(split_lines(old_text), new_lines)
    edited = clean_edited(clean(old_text, language), None, new_lines, blocks, language)
    assert edited == clean(new_text, language)
