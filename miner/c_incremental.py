"""Re-clean a new version of a C or C++ file from the layout of the version before it.

Walking a history, a file's next version is its previous one with a few hunks changed, and
most of a kernel file is the same each time. Cleaning every version afresh costs time in
proportion to the file; this costs time in proportion to the change:

1. resume at the last sync point (see :class:`miner.c_layout.CLayout`) of the previous layout
   inside the unchanged prefix: everything before it is the previous layout's;
2. lay out the new text from there, with the brackets open there, on a window that ends a
   little past the start of the unchanged suffix;
3. stop at the first sync point in the unchanged suffix that the previous layout shares (the
   same line of the same text, the same brackets open): everything after it is the previous
   layout's, with line numbers shifted. If there is none in the window, lay out the whole rest.

The result is exactly what :func:`miner.c_layout.layout_c` gives for the whole new text (a
property test checks it on random edits of real files). The caller must not use it when the
new text may hold a C++ raw string (:func:`miner.c_tokens.has_raw_string`): one may hide line
breaks that look like sync points.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

from miner.c_layout import CLayout, Convergence, Emitter
from miner.c_tokens import tokenize_c

WINDOW_PAST_SUFFIX = 40
"""Lines past the start of the unchanged suffix that the first attempt lays out."""


def relayout_c(
    previous: CLayout,
    previous_line_count: int,
    lines: Sequence[str],
    prefix: int,
    suffix: int,
) -> CLayout:
    """Return the layout of ``lines`` (the new version, with line ends) from ``previous``'s.

    :param previous_line_count: how many lines the previous version had.
    :param prefix: how many leading lines the two versions share.
    :param suffix: how many trailing lines they share (``prefix + suffix`` at most the
        shorter version's line count).
    """
    index = bisect_right(previous.sync_lines, prefix) - 1
    if index >= 0:
        resume, stack, count = (
            previous.sync_lines[index],
            previous.sync_stacks[index],
            previous.sync_counts[index],
        )
    else:
        resume, stack, count = 1, (), 0
    shift = len(lines) - previous_line_count
    suffix_start = len(lines) - suffix + 1
    window_end = min(len(lines), suffix_start + WINDOW_PAST_SUFFIX)
    for end in (window_end, len(lines)):
        text = "".join(lines[resume - 1 : end])
        convergence = Convergence(previous, shift, suffix_start, end)
        emitter = Emitter(resume, stack, convergence)
        part = emitter.run(tokenize_c(text))
        if emitter.converged_at is not None or end == len(lines):
            break
    return _joined(previous, index, count, part, emitter.converged_at, shift)


def _joined(
    previous: CLayout,
    index: int,
    count: int,
    part: CLayout,
    converged_at: int | None,
    shift: int,
) -> CLayout:
    """Join the previous layout's head, the new part and (if it converged) the previous tail."""
    keep = max(index, 0)
    result = CLayout(
        lines=previous.lines[:count] + part.lines,
        origins=previous.origins[:count] + part.origins,
        ends=previous.ends[:count] + part.ends,
        sync_lines=previous.sync_lines[:keep] + part.sync_lines,
        sync_stacks=previous.sync_stacks[:keep] + part.sync_stacks,
        sync_counts=previous.sync_counts[:keep] + [count + c for c in part.sync_counts],
    )
    if converged_at is None:
        return result
    old_count = previous.sync_counts[converged_at]
    count_shift = count + part.sync_counts[-1] - old_count
    result.lines += previous.lines[old_count:]
    result.origins += [line + shift for line in previous.origins[old_count:]]
    result.ends += [line + shift for line in previous.ends[old_count:]]
    tail = converged_at + 1
    result.sync_lines += [line + shift for line in previous.sync_lines[tail:]]
    result.sync_stacks += previous.sync_stacks[tail:]
    result.sync_counts += [c + count_shift for c in previous.sync_counts[tail:]]
    return result
