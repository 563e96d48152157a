"""Re-clean a new version of a C or C++ file from the layout of the version before it.

Walking a history, a file's next version is its previous one with a few hunks changed, and
most of a kernel file is the same each time. Cleaning every version afresh costs time in
proportion to the file; this costs time in proportion to the hunks. It alternates two moves
over the raw diff's matching blocks (runs of lines the same in both versions):

- *copy*: from a sync point (see :class:`miner.c_layout.CLayout`) the two layouts share,
  take the previous layout's lines, line numbers shifted, up to its last sync point inside
  the same matching block;
- *lay out*: from there, with the brackets open there, lay out the new text afresh, on a
  window that ends a little into the next matching block, and stop at the first sync point
  there that the previous layout shares (the same line of the same text, with the same
  brackets open). If the window ends first, keep what was laid out up to its last sync point
  and go on from there with a wider window. Then copy again.

Copying costs little per line: cleaned lines are shared strings, and line numbers are kept as
:class:`ShiftedNumbers`, slices of the previous layout's lists with a shift, so
a long run of lines moved by an edit is one piece, not one new number per line.

The result is exactly what :func:`miner.c_layout.layout_c` gives for the whole new text (a
property test checks it on random edits of real files). The caller must not use it when the
new text may hold a C++ raw string (:func:`miner.c_tokens.has_raw_string`): one may hide line
breaks that look like sync points.
"""

from __future__ import annotations

import weakref
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple, overload

from miner.c_layout import CLayout, Emitter, LayoutEdit, Segment
from miner.c_tokens import tokenize_runs

FIRST_WINDOW = 2
"""Lines into the next matching block that the first window laid out for a hunk covers (most
hunks' layouts meet the earlier one's again at the block's first line)."""

MIN_SPAN = 6
"""Shorter runs of equal lines inside a changed region are re-laid out, not copied: the raw
diff often aligns a lone ``}`` or ``c = 0;`` where the cleaned lines align otherwise."""


Piece = tuple[list[int], int, int, int]
"""``(values, lo, hi, shift)``: the numbers ``values[lo:hi]``, each plus ``shift``."""

SHARE_FROM = 256
"""Shorter slices are copied (shifted) into a list of the sequence's own, not shared."""


class ShiftedNumbers(Sequence[int]):
    """A read-only sequence of ints made of shifted slices of lists (a piece table).

    A re-cleaned layout keeps its earlier version's line numbers this way: copying a run of
    lines that an edit moved costs one piece, not one new int per line. Slices shorter than
    :data:`SHARE_FROM` are copied into a list of the sequence's own, which the next short
    ones extend, so n numbers take at most 2n / SHARE_FROM + 1 pieces, whatever number of
    edits made them. A list a piece refers to is never changed once another sequence shares it.
    """

    __slots__ = ("_pieces", "_starts", "_length", "_firsts", "_own")

    def __init__(self) -> None:
        self._pieces: list[Piece] = []
        self._starts: list[int] = []
        self._length = 0
        self._firsts: list[int] | None = None
        self._own: list[int] | None = None
        """The list of the last piece while it is this sequence's own (short slices)."""

    def add(self, numbers: Sequence[int], lo: int, hi: int, shift: int = 0) -> None:
        """Append ``numbers[lo:hi]`` (a list or another :class:`ShiftedNumbers`) plus ``shift``.

        Only while the sequence is being made: it is read-only once handed out.
        """
        if hi <= lo:
            return
        self._firsts = None
        if isinstance(numbers, ShiftedNumbers):
            starts, pieces = numbers._starts, numbers._pieces
            index = bisect_right(starts, lo) - 1
            while index < len(pieces) and starts[index] < hi:
                values, first, last, piece_shift = pieces[index]
                start = starts[index]
                begin = first + lo - start if lo > start else first
                stop = first + hi - start if hi - start < last - first else last
                self._add(values, begin, stop, piece_shift + shift)
                index += 1
        else:
            self._add(numbers if isinstance(numbers, list) else list(numbers), lo, hi, shift)

    def _add(self, values: list[int], lo: int, hi: int, shift: int) -> None:
        if hi - lo >= SHARE_FROM:
            self._own = None
            self._starts.append(self._length)
            self._pieces.append((values, lo, hi, shift))
        else:
            own = self._own
            if own is None:
                own = self._own = []
                self._starts.append(self._length)
                self._pieces.append((own, 0, 0, 0))
            own += [value + shift for value in values[lo:hi]] if shift else values[lo:hi]
            self._pieces[-1] = (own, 0, len(own), 0)
        self._length += hi - lo

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, index: int) -> int: ...

    @overload
    def __getitem__(self, index: slice) -> list[int]: ...

    def __getitem__(self, index: int | slice) -> int | list[int]:
        if isinstance(index, slice):
            return list(self)[index]
        if index < 0:
            index += self._length
        if not 0 <= index < self._length:
            raise IndexError("ShiftedNumbers index out of range")
        piece = bisect_right(self._starts, index) - 1
        values, lo, _, shift = self._pieces[piece]
        return values[lo + index - self._starts[piece]] + shift

    def __iter__(self) -> Iterator[int]:
        for piece in self._pieces:
            yield from _shifted_slice(*piece)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ShiftedNumbers | list | tuple):
            return NotImplemented
        return len(self) == len(other) and list(self) == list(other)

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"ShiftedNumbers({list(self)!r})"

    def bisect_left(self, value: int) -> int:
        """Return how many numbers are below ``value`` (the numbers must be ascending)."""
        return self._bisect(value, bisect_left)

    def bisect_right(self, value: int) -> int:
        """Return how many numbers are at most ``value`` (the numbers must be ascending)."""
        return self._bisect(value, bisect_right)

    def _bisect(self, value: int, search: Callable[..., int]) -> int:
        pieces, firsts = self._pieces, self._firsts
        if firsts is None:
            firsts = self._firsts = [values[lo] + shift for values, lo, _, shift in pieces]
        index = search(firsts, value) - 1
        if index < 0:
            return 0
        values, lo, hi, shift = pieces[index]
        return self._starts[index] + search(values, value - shift, lo, hi) - lo


def _shifted_slice(values: list[int], lo: int, hi: int, shift: int) -> list[int]:
    if shift:
        return [value + shift for value in values[lo:hi]]
    return values[lo:hi]


def bisect_numbers(numbers: Sequence[int], value: int, right: bool = False) -> int:
    """Return :func:`bisect.bisect_left` (or ``_right``) of ascending ``numbers``."""
    if isinstance(numbers, ShiftedNumbers):
        return numbers.bisect_right(value) if right else numbers.bisect_left(value)
    return bisect_right(numbers, value) if right else bisect_left(numbers, value)


class _Span(NamedTuple):
    """A matching block: new lines ``first..last`` are old lines ``first - shift..``."""

    first: int
    last: int
    shift: int


@dataclass
class _Building:
    """A layout being re-cleaned: lines and stacks as lists, line numbers as shared pieces."""

    lines: list[str] = field(default_factory=list)
    origins: ShiftedNumbers = field(default_factory=ShiftedNumbers)
    ends: ShiftedNumbers = field(default_factory=ShiftedNumbers)
    sync_lines: ShiftedNumbers = field(default_factory=ShiftedNumbers)
    sync_stacks: list[tuple[str, ...]] = field(default_factory=list)
    sync_counts: ShiftedNumbers = field(default_factory=ShiftedNumbers)

    def layout(self, edit: LayoutEdit) -> CLayout:
        """Return the finished layout."""
        return CLayout(
            self.lines,
            self.origins,
            self.ends,
            self.sync_lines,
            self.sync_stacks,
            self.sync_counts,
            edit,
        )


class _SharedSyncPoint:
    """The convergence check of one lay-out move (see :class:`miner.c_layout.ConvergenceCheck`)."""

    def __init__(
        self,
        previous: CLayout,
        spans: list[_Span],
        firsts: list[int],
        from_span: int,
        until_line: int,
    ) -> None:
        self.previous = previous
        self.spans = spans
        self.firsts = firsts
        """The first line of each span."""
        self.from_span = from_span
        self.from_line = spans[from_span].first if from_span < len(spans) else 1 << 62
        self.until_line = until_line
        self.found: tuple[int, int] | None = None
        """``(span index, index of the previous layout's sync point)`` once matched."""

    def match(self, line: int, stack: tuple[str, ...]) -> bool:
        """Tell whether the previous layout has a sync point at ``line`` with ``stack`` open."""
        index = bisect_right(self.firsts, line) - 1
        if index < self.from_span or line > self.spans[index].last:
            return False
        sync = _sync_index(self.previous, line - self.spans[index].shift)
        if sync is None or self.previous.sync_stacks[sync] != stack:
            return False
        self.found = (index, sync)
        return True


def relayout_c(
    previous: CLayout, lines: Sequence[str], blocks: Sequence[tuple[int, int, int]]
) -> CLayout:
    """Return the layout of ``lines`` (the new version, with line ends) from ``previous``'s.

    :param blocks: the matching blocks ``(i, j, size)`` of the previous version's lines and
        ``lines`` (0-based, ascending, as :func:`miner.line_diff.matching_blocks` gives them).
    """
    old_total = blocks[-1][0] + blocks[-1][2] if blocks else 0  # ascending: the last ends last
    spans = [
        _Span(j + 1, j + size, j - i)
        for i, j, size in blocks
        if size >= MIN_SPAN or (size and (i == j == 0 or i + size == old_total))
    ]
    firsts = [span.first for span in spans]
    result = _Building()
    segments: list[Segment] = []
    at: tuple[int, int] | None = None
    if spans and spans[0].first == 1 and spans[0].shift == 0:
        first = _sync_index(previous, 1)
        if first is not None and not previous.sync_stacks[first]:
            at = (0, first)
            result.sync_lines.add([1], 0, 1)
            result.sync_stacks.append(())
            result.sync_counts.add([0], 0, 1)
    resume, stack, old_count = 1, (), 0
    while True:
        if at is not None:
            if _copy_to_end(previous, spans, at, (old_total, len(lines)), result, segments):
                break
            resume, stack, old_count = _copy_span(previous, spans[at[0]], at[1], result, segments)
        new_count = len(result.lines)
        at = _lay_out(previous, lines, (spans, firsts), (resume, stack), result)
        old_end = len(previous.lines) if at is None else previous.sync_counts[at[1]]
        _add_fresh(segments, (old_count, old_end, new_count, len(result.lines), False))
        if at is None:
            break
    return result.layout(LayoutEdit(weakref.ref(previous), tuple(segments)))


def _add_fresh(segments: list[Segment], segment: Segment) -> None:
    """Add a laid-out segment, joined to the one before if nothing was copied in between."""
    if segments and not segments[-1][4] and segments[-1][1] == segment[0]:
        segments[-1] = (segments[-1][0], segment[1], segments[-1][2], segment[3], False)
    else:
        segments.append(segment)


def _lay_out(
    previous: CLayout,
    lines: Sequence[str],
    spans_and_firsts: tuple[list[_Span], list[int]],
    resume_and_stack: tuple[int, tuple[str, ...]],
    result: _Building,
) -> tuple[int, int] | None:
    """Lay out new lines from a sync point (its line, brackets open) until one the previous
    layout shares (returned) or the end.

    The text is tokenized in windows: when one ends before such a point, what was laid out up
    to its last sync point is kept and the next, wider window starts there.
    """
    spans, firsts = spans_and_firsts
    resume, stack = resume_and_stack
    from_span = bisect_right(firsts, resume)
    start = spans[from_span].first if from_span < len(spans) else len(lines)
    window = FIRST_WINDOW
    while True:
        end = min(len(lines), start + window)
        check = _SharedSyncPoint(previous, spans, firsts, from_span, end)
        part = Emitter(resume, stack, check).run(tokenize_runs("".join(lines[resume - 1 : end])))
        if check.found is not None or end == len(lines):
            _append_part(result, part)
            return check.found
        # The window's last line break may start a directive beyond it: keep what precedes.
        kept = bisect_right(part.sync_lines, end)
        _append_part(result, _truncated(part, kept))
        resume, stack = part.sync_lines[kept - 1], part.sync_stacks[kept - 1]
        window *= 4


def _truncated(part: CLayout, syncs: int) -> CLayout:
    """Return ``part`` up to its sync point ``syncs - 1`` (that one included)."""
    count = part.sync_counts[syncs - 1]
    return CLayout(
        part.lines[:count],
        part.origins[:count],
        part.ends[:count],
        part.sync_lines[:syncs],
        part.sync_stacks[:syncs],
        part.sync_counts[:syncs],
    )


def _append_part(result: _Building, part: CLayout) -> None:
    base, count = len(result.lines), len(part.sync_lines)
    sync_lines = result.sync_lines
    skip = 1 if count and sync_lines and part.sync_lines[0] == sync_lines[-1] else 0
    result.lines += part.lines
    result.origins.add(part.origins, 0, len(part.origins))
    result.ends.add(part.ends, 0, len(part.ends))
    sync_lines.add(part.sync_lines, skip, count)
    result.sync_stacks += part.sync_stacks[skip:]
    result.sync_counts.add(part.sync_counts, skip, count, base)


def _copy_span(
    previous: CLayout, span: _Span, sync: int, result: _Building, segments: list[Segment]
) -> tuple[int, tuple[str, ...], int]:
    """Copy the previous layout from sync point ``sync`` to its last one inside ``span``.

    Return the new line, the brackets open and the previous layout's line count there.
    """
    last = bisect_numbers(previous.sync_lines, span.last - span.shift, right=True) - 1
    stop = previous.sync_counts[last]
    _copy(previous, sync, stop, last + 1, span.shift, result, segments)
    return previous.sync_lines[last] + span.shift, previous.sync_stacks[last], stop


def _copy_to_end(
    previous: CLayout,
    spans: list[_Span],
    at: tuple[int, int],
    totals: tuple[int, int],
    result: _Building,
    segments: list[Segment],
) -> bool:
    """Copy the rest of the previous layout if ``at`` lies in a block that ends both texts.

    :param totals: the line counts of the previous and the new version.
    """
    span = spans[at[0]]
    if span.last != totals[1] or span.last - span.shift != totals[0]:
        return False
    stop = len(previous.lines)
    _copy(previous, at[1], stop, len(previous.sync_lines), span.shift, result, segments)
    return True


def _copy(
    previous: CLayout,
    sync: int,
    stop_line: int,
    stop_sync: int,
    shift: int,
    result: _Building,
    segments: list[Segment],
) -> None:
    """Copy cleaned lines from sync point ``sync`` up to ``stop_line`` and sync points after
    ``sync`` up to ``stop_sync``, shifting original line numbers by ``shift``."""
    start = previous.sync_counts[sync]
    count = len(result.lines)
    if stop_line > start:
        segments.append((start, stop_line, count, count + stop_line - start, True))
    result.lines += previous.lines[start:stop_line]
    result.origins.add(previous.origins, start, stop_line, shift)
    result.ends.add(previous.ends, start, stop_line, shift)
    result.sync_lines.add(previous.sync_lines, sync + 1, stop_sync, shift)
    result.sync_stacks += previous.sync_stacks[sync + 1 : stop_sync]
    result.sync_counts.add(previous.sync_counts, sync + 1, stop_sync, count - start)


def _sync_index(layout: CLayout, line: int) -> int | None:
    index = bisect_numbers(layout.sync_lines, line)
    if index < len(layout.sync_lines) and layout.sync_lines[index] == line:
        return index
    return None
