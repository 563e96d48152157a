"""Line diffs: edit operations between two lists of lines, and unified diff text of them.

Two versions of a source file are nearly always the same apart from a few hunks. Plain
``difflib.SequenceMatcher`` costs time in proportion to the whole file and to how often its
lines repeat (the many ``}`` and blank lines of C), and its "popular lines are junk" heuristic
misaligns such lines. :func:`matching_blocks` instead trims the common prefix and suffix,
anchors the rest on lines that occur once on each side (as ``git diff --patience`` does), and
leaves only small gaps between anchors to ``SequenceMatcher`` (without the junk heuristic).
:func:`unified_text` writes the operations as a unified diff with three lines of context and
``@@`` hunk headers, as ``diff -u`` and ``git diff`` do.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Sequence
from difflib import SequenceMatcher

Opcode = tuple[str, int, int, int, int]
"""``(tag, i1, i2, j1, j2)`` as ``SequenceMatcher.get_opcodes`` gives it; 0-based, half-open."""

Block = tuple[int, int, int]
"""``(i, j, size)``: ``a[i:i + size] == b[j:j + size]``."""

NO_NEWLINE = "\\ No newline at end of file\n"


_OTHER_LINE_BREAKS = "\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
"""What ``str.splitlines`` also breaks at; ``git`` and ``diff`` do not."""


def split_lines(text: str) -> list[str]:
    """Split ``text`` at ``\\n`` only, keeping the line ends (the last line may lack one)."""
    if not any(character in text for character in _OTHER_LINE_BREAKS):
        return text.splitlines(keepends=True)
    if not text:
        return []
    parts = text.split("\n")
    last = parts.pop()
    lines = [part + "\n" for part in parts]
    if last:
        lines.append(last)
    return lines


_CHUNK = 32


def common_prefix(
    a: Sequence[str], b: Sequence[str], alo: int = 0, blo: int = 0, limit: int | None = None
) -> int:
    """Return how many items ``a`` from ``alo`` and ``b`` from ``blo`` share, at most ``limit``."""
    if limit is None:
        limit = min(len(a) - alo, len(b) - blo)
    count = 0
    while count + _CHUNK <= limit and (
        a[alo + count : alo + count + _CHUNK] == b[blo + count : blo + count + _CHUNK]
    ):
        count += _CHUNK
    while count < limit and a[alo + count] == b[blo + count]:
        count += 1
    return count


def common_suffix(
    a: Sequence[str], b: Sequence[str], limit: int, ahi: int | None = None, bhi: int | None = None
) -> int:
    """Return how many items ``a`` before ``ahi`` and ``b`` before ``bhi`` (default: their
    ends) share at their end, at most ``limit``."""
    i = len(a) if ahi is None else ahi
    j = len(b) if bhi is None else bhi
    count = 0
    while count + _CHUNK <= limit and (
        a[i - count - _CHUNK : i - count] == b[j - count - _CHUNK : j - count]
    ):
        count += _CHUNK
    while count < limit and a[i - count - 1] == b[j - count - 1]:
        count += 1
    return count


def line_opcodes(a: Sequence[str], b: Sequence[str]) -> list[Opcode]:
    """Return the edit operations turning ``a`` into ``b`` (equal blocks included)."""
    return opcodes_of(matching_blocks(a, b))


def opcodes_of(blocks: list[Block]) -> list[Opcode]:
    """Return the edit operations between the matching ``blocks`` (equal blocks included)."""
    opcodes: list[Opcode] = []
    i = j = 0
    for block_i, block_j, size in blocks:
        if i < block_i or j < block_j:
            if i < block_i and j < block_j:
                tag = "replace"
            else:
                tag = "delete" if i < block_i else "insert"
            opcodes.append((tag, i, block_i, j, block_j))
        if size:
            opcodes.append(("equal", block_i, block_i + size, block_j, block_j + size))
        i, j = block_i + size, block_j + size
    return opcodes


def matching_blocks(a: Sequence[str], b: Sequence[str]) -> list[Block]:
    """Return ``(i, j, size)`` runs of equal lines in order, ending with ``(len(a), len(b), 0)``.

    Like ``git diff --patience``: lines that occur once on each side anchor the alignment
    (their longest increasing run), and the gaps between anchors are aligned recursively;
    ``difflib`` finishes small gaps and those without such lines.
    """
    differ = _Differ(a, b)
    differ.match(0, len(a), 0, len(b))
    return merged_blocks(differ.blocks, len(a), len(b))


def merged_blocks(blocks: Iterable[Block], a_length: int, b_length: int) -> list[Block]:
    """Join adjacent ``blocks`` (in order), drop empty ones, and end with the sentinel."""
    merged: list[Block] = []
    for i, j, size in blocks:
        if merged and merged[-1][0] + merged[-1][2] == i and merged[-1][1] + merged[-1][2] == j:
            merged[-1] = (merged[-1][0], merged[-1][1], merged[-1][2] + size)
        elif size:
            merged.append((i, j, size))
    merged.append((a_length, b_length, 0))
    return merged


_SMALL_REGION = 20_000
"""Gaps with fewer line pairs than this go straight to ``difflib``."""


_RUN = 8
"""A split point has this many equal lines before it and after it (itself included)."""

_PROBES = tuple(d for step in range(64) for d in ((step, -step) if step else (0,)))
"""Offsets from a gap's middle where a split point is looked for."""


class _Differ:
    """One diff's state: the sides and the blocks found so far."""

    def __init__(self, a: Sequence[str], b: Sequence[str]) -> None:
        self.a, self.b = a, b
        self.blocks: list[Block] = []

    def match(self, alo: int, ahi: int, blo: int, bhi: int) -> None:
        """Append the matching blocks of ``a[alo:ahi]`` and ``b[blo:bhi]``."""
        a, b, blocks = self.a, self.b, self.blocks
        prefix = common_prefix(a, b, alo, blo, min(ahi - alo, bhi - blo))
        if prefix:
            blocks.append((alo, blo, prefix))
            alo, blo = alo + prefix, blo + prefix
        suffix = common_suffix(a, b, min(ahi - alo, bhi - blo), ahi, bhi)
        ahi, bhi = ahi - suffix, bhi - suffix
        if alo < ahi and blo < bhi:
            if (ahi - alo) * (bhi - blo) < _SMALL_REGION:
                self._difflib(alo, ahi, blo, bhi)
            else:
                self._split(alo, ahi, blo, bhi)
        if suffix:
            blocks.append((ahi, bhi, suffix))

    def _split(self, alo: int, ahi: int, blo: int, bhi: int) -> None:
        split = self._split_point(alo, ahi, blo, bhi)
        if split is not None:
            i, j = split
            self.match(alo, i, blo, j)
            self.blocks.append((i, j, 1))
            self.match(i + 1, ahi, j + 1, bhi)
            return
        anchors = _anchors(self.a, self.b, alo, ahi, blo, bhi)
        if not anchors:
            self._difflib(alo, ahi, blo, bhi)
            return
        for i, j in anchors:
            self.match(alo, i, blo, j)
            self.blocks.append((i, j, 1))
            alo, blo = i + 1, j + 1
        self.match(alo, ahi, blo, bhi)

    def _split_point(self, alo: int, ahi: int, blo: int, bhi: int) -> tuple[int, int] | None:
        """Find, near the middle of ``a``'s gap, a line that occurs once in each gap, inside a
        long run of equal lines: the two sides surely align there (a cheap patience anchor)."""
        a, b = self.a, self.b
        middle = (alo + ahi) // 2
        for offset in _PROBES:
            i = middle + offset
            if not alo + _RUN <= i < ahi - _RUN:
                continue
            line = a[i]
            j = _only_index(b, line, blo + _RUN, bhi - _RUN)
            if (
                j is not None
                and a[i - _RUN : i + _RUN] == b[j - _RUN : j + _RUN]
                and _only_index(a, line, alo, ahi) == i
                and _only_index(b, line, blo, bhi) == j
            ):
                return i, j
        return None

    def _difflib(self, alo: int, ahi: int, blo: int, bhi: int) -> None:
        matcher = SequenceMatcher(None, self.a[alo:ahi], self.b[blo:bhi], autojunk=False)
        self.blocks.extend((alo + i, blo + j, n) for i, j, n in matcher.get_matching_blocks() if n)


def _only_index(items: Sequence[str], item: str, lo: int, hi: int) -> int | None:
    """Return where ``item`` occurs in ``items[lo:hi]`` if it occurs there exactly once."""
    try:
        index = items.index(item, lo, hi)
    except ValueError:
        return None
    try:
        items.index(item, index + 1, hi)
    except ValueError:
        return index
    return None


def _anchors(
    a: Sequence[str], b: Sequence[str], alo: int, ahi: int, blo: int, bhi: int
) -> list[tuple[int, int]]:
    """Return the longest increasing run of pairs of lines unique on both sides."""
    a_counts = Counter(a[alo:ahi])
    b_counts = Counter(b[blo:bhi])
    b_unique = {line: j for j, line in enumerate(b[blo:bhi], blo) if b_counts[line] == 1}
    pairs = [
        (i, b_unique[line])
        for i, line in enumerate(a[alo:ahi], alo)
        if a_counts[line] == 1 and line in b_unique
    ]
    return _longest_increasing(pairs)


def _longest_increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Return the longest run of ``pairs`` (sorted by first item) increasing in the second."""
    tails: list[int] = []
    tail_index: list[int] = []
    previous: list[int] = []
    for index, (_, j) in enumerate(pairs):
        position = bisect_left(tails, j)
        previous.append(tail_index[position - 1] if position else -1)
        if position == len(tails):
            tails.append(j)
            tail_index.append(index)
        else:
            tails[position] = j
            tail_index[position] = index
    run: list[tuple[int, int]] = []
    index = tail_index[-1] if tail_index else -1
    while index >= 0:
        run.append(pairs[index])
        index = previous[index]
    run.reverse()
    return run


def changed_counts(opcodes: list[Opcode]) -> tuple[int, int]:
    """Return ``(added, deleted)`` line counts of ``opcodes``."""
    added = deleted = 0
    for tag, i1, i2, j1, j2 in opcodes:
        if tag != "equal":
            added += j2 - j1
            deleted += i2 - i1
    return added, deleted


def hunks(opcodes: list[Opcode], context: int = 3) -> list[list[Opcode]]:
    """Group ``opcodes`` into hunks with at most ``context`` equal lines around each change."""
    result: list[list[Opcode]] = []
    group: list[Opcode] = []
    last = len(opcodes) - 1
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag != "equal":
            if not group and index and opcodes[index - 1][0] == "equal":
                _, before_i1, before_i2, _, before_j2 = opcodes[index - 1]
                lead = min(context, before_i2 - before_i1)
                group.append(("equal", before_i2 - lead, before_i2, before_j2 - lead, before_j2))
            group.append((tag, i1, i2, j1, j2))
        elif group and (i2 - i1 > 2 * context or index == last):
            tail = min(context, i2 - i1)
            group.append(("equal", i1, i1 + tail, j1, j1 + tail))
            result.append(group)
            group = []
        elif group:
            group.append((tag, i1, i2, j1, j2))
    if group:
        result.append(group)
    return result


def unified_text(
    a: Sequence[str],
    b: Sequence[str],
    opcodes: list[Opcode],
    labels: tuple[str, str] | None = None,
    context: int = 3,
    keep_ends: bool = True,
) -> str:
    """Write ``opcodes`` between ``a`` and ``b`` as unified diff text ("" when nothing changed).

    :param keep_ends: the lines keep their ``\\n`` (raw text: a last line without one is
        marked as ``diff`` marks it); else they have none (cleaned lines).

    :param labels: the ``---`` and ``+++`` names; no file header when ``None``.
    """
    out: list[str] = []
    for group in hunks(opcodes, context):
        if not out and labels is not None:
            out.append(f"--- {labels[0]}\n+++ {labels[1]}\n")
        first, last = group[0], group[-1]
        old_range = _hunk_range(first[1], last[2])
        new_range = _hunk_range(first[3], last[4])
        out.append(f"@@ -{old_range} +{new_range} @@\n")
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                _write(out, " ", a, i1, i2, keep_ends)
                continue
            _write(out, "-", a, i1, i2, keep_ends)
            _write(out, "+", b, j1, j2, keep_ends)
    return "".join(out)


def _hunk_range(start: int, stop: int) -> str:
    length = stop - start
    if length == 1:
        return str(start + 1)
    return f"{start + 1 if length else start},{length}"


def _write(
    out: list[str], sign: str, lines: Sequence[str], start: int, stop: int, keep_ends: bool
) -> None:
    if not keep_ends:
        out.extend(f"{sign}{lines[index]}\n" for index in range(start, stop))
        return
    for index in range(start, stop):
        line = lines[index]
        out.append(sign + line if line.endswith("\n") else sign + line + "\n" + NO_NEWLINE)
