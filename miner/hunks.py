"""Read the hunks of a unified diff back into matching blocks of the two sides' lines.

A git source already has git's patch of every file (from ``git log -p``, which diffs in C);
turning its hunks into :data:`miner.line_diff.Block` values lets the miner skip its own raw
line diff. The hunks are checked against the two sides as they are read: every context and
deleted line must be the old side's, every added line the new side's, and the lines between
hunks must line up. Anything else (a patch of other versions, text decoded differently, a
truncated patch) gives ``None``, and the caller diffs the sides itself.

:func:`apply_hunks` goes one step further: from the old side's lines and the hunks it builds
the new side (the old side's own line objects where they are unchanged) with the same blocks,
so that a version git has already diffed need not be read again. The caller checks the result
against the new side's blob id (see :meth:`miner.diffing.CleaningCache.diff`).

The input is hunks only, from the first ``@@`` on, as git prints them::

    @@ -3,4 +3,5 @@ int f(void)
     a
    -b
    +B
    +c
     d
    \\ No newline at end of file
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from miner.line_diff import Block, merged_blocks, split_lines

_HEADER_RE = re.compile(r"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_NO_NEWLINE = "\\"


def _header(line: str) -> tuple[int, int, int, int] | None:
    """Read a hunk header: where the hunk starts on each side (0-based) and its line counts."""
    header = _HEADER_RE.match(line)
    if header is None:
        return None
    old_start, old_count, new_start, new_count = (
        int(value) if value is not None else 1 for value in header.groups()
    )
    start_i = old_start - 1 if old_count else old_start
    start_j = new_start - 1 if new_count else new_start
    return start_i, old_count, start_j, new_count


def blocks_from_hunks(hunks: str, old: Sequence[str], new: Sequence[str]) -> list[Block] | None:
    """Return the matching blocks the unified diff ``hunks`` of ``old`` and ``new`` describes.

    :param old: the old side's lines, with their line ends (likewise ``new``).
    :return: the blocks, ending with the sentinel ``(len(old), len(new), 0)``; ``None`` when
        the hunks do not fit the two sides.
    """
    lines = split_lines(hunks)
    blocks: list[Block] = []
    i = j = 0
    index = 0
    while index < len(lines):
        header = _header(lines[index])
        if header is None:
            return None
        start_i, old_count, start_j, new_count = header
        if not _equal_run(old, new, (i, start_i), (j, start_j), blocks):
            return None
        end = _read_hunk(lines, index + 1, old, new, (start_i, start_j), blocks)
        if end is None or (end[1] - start_i, end[2] - start_j) != (old_count, new_count):
            return None
        index, i, j = end
    if not _equal_run(old, new, (i, len(old)), (j, len(new)), blocks):
        return None
    return merged_blocks(blocks, len(old), len(new))


def apply_hunks(hunks: str, old: Sequence[str]) -> tuple[list[str], list[Block]] | None:
    """Return the new side the unified diff ``hunks`` makes of ``old``, with the matching blocks.

    :param old: the old side's lines, with their line ends.
    :return: the new side's lines and the blocks (as :func:`blocks_from_hunks` gives them);
        ``None`` when the hunks do not fit ``old``.
    """
    lines = split_lines(hunks)
    new: list[str] = []
    blocks: list[Block] = []
    i = index = 0
    while index < len(lines):
        header = _header(lines[index])
        if header is None:
            return None
        start_i, old_count, start_j, new_count = header
        if not i <= start_i <= len(old) or start_j != len(new) + start_i - i:
            return None
        blocks.append((i, len(new), start_i - i))
        new += old[i:start_i]
        if not old_count and _only_added(lines, index + 1, new_count):  # a whole new file, say
            new += [line[1:] for line in lines[index + 1 : index + 1 + new_count]]
            index, i = index + 1 + new_count, start_i
            continue
        end = _apply_hunk(lines, index + 1, old, start_i, new, blocks)
        if end is None or (end[1] - start_i, len(new) - start_j) != (old_count, new_count):
            return None
        index, i = end
    blocks.append((i, len(new), len(old) - i))
    new += old[i:]
    return new, merged_blocks(blocks, len(old), len(new))


def _only_added(lines: list[str], index: int, count: int) -> bool:
    """Whether the hunk body at ``index`` is ``count`` added lines and nothing else (no
    "no newline" marker after them)."""
    after = index + count
    return (
        after <= len(lines)
        and (after == len(lines) or lines[after].startswith("@@"))
        and all(line[:1] == "+" for line in lines[index:after])
    )


def _apply_hunk(
    lines: list[str], index: int, old: Sequence[str], i: int, new: list[str], blocks: list[Block]
) -> tuple[int, int] | None:
    """Apply one hunk's body at old line ``i``, appending to ``new`` and ``blocks``.

    Return the index of the line after the hunk and the old side's position there, or
    ``None`` if the hunk does not fit.
    """
    while index < len(lines) and not lines[index].startswith("@@"):
        line = lines[index]
        text = line[1:]
        if index + 1 < len(lines) and lines[index + 1].startswith(_NO_NEWLINE):
            text = text[:-1] if text.endswith("\n") else text
            index += 1
        sign = line[:1]
        if sign == "+":
            new.append(text)
        elif sign not in (" ", "-") or i >= len(old) or old[i] != text:
            return None
        elif sign == " ":
            blocks.append((i, len(new), 1))
            new.append(old[i])
            i += 1
        else:
            i += 1
        index += 1
    return index, i


def _equal_run(
    old: Sequence[str],
    new: Sequence[str],
    old_range: tuple[int, int],
    new_range: tuple[int, int],
    blocks: list[Block],
) -> bool:
    """Add the run of lines between hunks to ``blocks`` if it is the same on both sides."""
    (i, stop_i), (j, stop_j) = old_range, new_range
    if stop_i < i or stop_i - i != stop_j - j or old[i:stop_i] != new[j:stop_j]:
        return False
    blocks.append((i, j, stop_i - i))
    return True


def _read_hunk(
    lines: list[str],
    index: int,
    old: Sequence[str],
    new: Sequence[str],
    start: tuple[int, int],
    blocks: list[Block],
) -> tuple[int, int, int] | None:
    """Check one hunk's body against the sides, adding its context lines to ``blocks``.

    Return the index of the line after the hunk and the positions on both sides there, or
    ``None`` if the hunk does not fit.
    """
    i, j = start
    while index < len(lines) and not lines[index].startswith("@@"):
        line = lines[index]
        text = line[1:]
        if index + 1 < len(lines) and lines[index + 1].startswith(_NO_NEWLINE):
            text = text[:-1] if text.endswith("\n") else text
            index += 1
        sign = line[:1]
        if sign == " ":
            if i >= len(old) or j >= len(new) or old[i] != text or new[j] != text:
                return None
            blocks.append((i, j, 1))
            i, j = i + 1, j + 1
        elif sign == "-":
            if i >= len(old) or old[i] != text:
                return None
            i += 1
        elif sign == "+":
            if j >= len(new) or new[j] != text:
                return None
            j += 1
        else:
            return None
        index += 1
    return index, i, j
