"""Re-clean a new version of a C or C++ file from the layout of the version before it.

Walking a history, a file's next version is its previous one with a few hunks changed, and
most of a kernel file is the same each time. Cleaning every version afresh costs time in
proportion to the file; this costs time in proportion to the hunks. It alternates two moves
over the raw diff's matching blocks (runs of lines the same in both versions):

- *copy*: from a sync point (see :class:`miner.c_layout.CLayout`) the two layouts share,
  take the previous layout's lines, line numbers shifted, up to its last sync point inside
  the same matching block;
- *lay out*: from there, with the brackets open there, lay out the new text afresh, on a
  window that ends a little into the next matching block (widened until it suffices), and
  stop at the first sync point there that the previous layout shares (the same line of the
  same text, with the same brackets open). Then copy again.

The result is exactly what :func:`miner.c_layout.layout_c` gives for the whole new text (a
property test checks it on random edits of real files). The caller must not use it when the
new text may hold a C++ raw string (:func:`miner.c_tokens.has_raw_string`): one may hide line
breaks that look like sync points.
"""

from __future__ import annotations

import weakref
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from miner.c_layout import CLayout, Emitter, LayoutEdit, Segment
from miner.c_tokens import tokenize_runs

FIRST_WINDOW = 10
"""Lines into the next matching block that the first attempt to lay out a hunk covers."""

MIN_SPAN = 6
"""Shorter runs of equal lines inside a changed region are re-laid out, not copied: the raw
diff often aligns a lone ``}`` or ``c = 0;`` where the cleaned lines align otherwise."""


@dataclass(frozen=True)
class _Span:
    """A matching block: new lines ``first..last`` are old lines ``first - shift..``."""

    first: int
    last: int
    shift: int


class _SharedSyncPoint:
    """The convergence check of one lay-out move (see :class:`miner.c_layout.ConvergenceCheck`)."""

    def __init__(
        self, previous: CLayout, spans: list[_Span], from_span: int, until_line: int
    ) -> None:
        self.previous = previous
        self.spans = spans
        self.firsts = [span.first for span in spans]
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
    old_total = max((i + size for i, _, size in blocks), default=0)
    spans = [
        _Span(j + 1, j + size, j - i)
        for i, j, size in blocks
        if size >= MIN_SPAN or (size and (i == j == 0 or i + size == old_total))
    ]
    result = CLayout()
    segments: list[Segment] = []
    at: tuple[int, int] | None = None
    if spans and spans[0].first == 1 and spans[0].shift == 0:
        first = _sync_index(previous, 1)
        if first is not None and not previous.sync_stacks[first]:
            at = (0, first)
            result.sync_lines.append(1)
            result.sync_stacks.append(())
            result.sync_counts.append(0)
    resume, stack, old_count = 1, (), 0
    while True:
        if at is not None:
            if _copy_to_end(previous, spans, at, (old_total, len(lines)), result, segments):
                break
            resume, stack, old_count = _copy_span(previous, spans[at[0]], at[1], result, segments)
        new_count = len(result.lines)
        at = _lay_out(previous, lines, spans, resume, stack, result)
        old_end = len(previous.lines) if at is None else previous.sync_counts[at[1]]
        _add_fresh(segments, (old_count, old_end, new_count, len(result.lines), False))
        if at is None:
            break
    result.edit = LayoutEdit(weakref.ref(previous), tuple(segments))
    return result


def _add_fresh(segments: list[Segment], segment: Segment) -> None:
    """Add a laid-out segment, joined to the one before if nothing was copied in between."""
    if segments and not segments[-1][4] and segments[-1][1] == segment[0]:
        segments[-1] = (segments[-1][0], segment[1], segments[-1][2], segment[3], False)
    else:
        segments.append(segment)


def _lay_out(
    previous: CLayout,
    lines: Sequence[str],
    spans: list[_Span],
    resume: int,
    stack: tuple[str, ...],
    result: CLayout,
) -> tuple[int, int] | None:
    """Lay out new lines from ``resume`` until a shared sync point (returned) or the end."""
    from_span = bisect_right([span.first for span in spans], resume)
    window = FIRST_WINDOW
    while True:
        start = spans[from_span].first if from_span < len(spans) else len(lines)
        end = min(len(lines), start + window)
        check = _SharedSyncPoint(previous, spans, from_span, end)
        part = Emitter(resume, stack, check).run(tokenize_runs("".join(lines[resume - 1 : end])))
        if check.found is not None or end == len(lines):
            break
        window *= 4
    _append_part(result, part)
    return check.found


def _append_part(result: CLayout, part: CLayout) -> None:
    base = len(result.lines)
    skip = 1 if result.sync_lines and part.sync_lines[:1] == result.sync_lines[-1:] else 0
    result.lines += part.lines
    result.origins += part.origins
    result.ends += part.ends
    result.sync_lines += part.sync_lines[skip:]
    result.sync_stacks += part.sync_stacks[skip:]
    result.sync_counts += [base + count for count in part.sync_counts[skip:]]


def _copy_span(
    previous: CLayout, span: _Span, sync: int, result: CLayout, segments: list[Segment]
) -> tuple[int, tuple[str, ...], int]:
    """Copy the previous layout from sync point ``sync`` to its last one inside ``span``.

    Return the new line, the brackets open and the previous layout's line count there.
    """
    last = bisect_right(previous.sync_lines, span.last - span.shift) - 1
    stop = previous.sync_counts[last]
    _copy(previous, sync, stop, last + 1, span.shift, result, segments)
    return previous.sync_lines[last] + span.shift, previous.sync_stacks[last], stop


def _copy_to_end(
    previous: CLayout,
    spans: list[_Span],
    at: tuple[int, int],
    totals: tuple[int, int],
    result: CLayout,
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
    result: CLayout,
    segments: list[Segment],
) -> None:
    """Copy cleaned lines from sync point ``sync`` up to ``stop_line`` and sync points after
    ``sync`` up to ``stop_sync``, shifting original line numbers by ``shift``."""
    start = previous.sync_counts[sync]
    count_shift = len(result.lines) - start
    if stop_line > start:
        segments.append(
            (start, stop_line, len(result.lines), len(result.lines) + stop_line - start, True)
        )
    result.lines += previous.lines[start:stop_line]
    result.origins += _shifted(previous.origins[start:stop_line], shift)
    result.ends += _shifted(previous.ends[start:stop_line], shift)
    result.sync_lines += _shifted(previous.sync_lines[sync + 1 : stop_sync], shift)
    result.sync_stacks += previous.sync_stacks[sync + 1 : stop_sync]
    result.sync_counts += _shifted(previous.sync_counts[sync + 1 : stop_sync], count_shift)


def _shifted(numbers: list[int], shift: int) -> list[int]:
    return list(map(shift.__add__, numbers)) if shift else numbers


def _sync_index(layout: CLayout, line: int) -> int | None:
    index = bisect_left(layout.sync_lines, line)
    if index < len(layout.sync_lines) and layout.sync_lines[index] == line:
        return index
    return None
