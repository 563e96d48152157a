"""Line diffs: edit operations between two lists of lines, and unified diff text of them.

Two versions of a source file are nearly always the same apart from a few hunks, so
:func:`line_opcodes` first trims the common prefix and suffix (cheap comparisons in C) and runs
``difflib.SequenceMatcher`` (without its "popular lines are junk" heuristic, which misaligns
the many ``}`` lines of C) only on the differing middle. :func:`unified_text` writes the
operations as a unified diff with three lines of context and ``@@`` hunk headers, as
``diff -u`` and ``git diff`` do.
"""

from __future__ import annotations

from collections.abc import Sequence
from difflib import SequenceMatcher

Opcode = tuple[str, int, int, int, int]
"""``(tag, i1, i2, j1, j2)`` as ``SequenceMatcher.get_opcodes`` gives it; 0-based, half-open."""

NO_NEWLINE = "\\ No newline at end of file\n"


def split_lines(text: str) -> list[str]:
    """Split ``text`` at ``\\n`` only, keeping the line ends (the last line may lack one)."""
    if not text:
        return []
    parts = text.split("\n")
    last = parts.pop()
    lines = [part + "\n" for part in parts]
    if last:
        lines.append(last)
    return lines


def common_prefix(a: Sequence[str], b: Sequence[str]) -> int:
    """Return how many leading items ``a`` and ``b`` share."""
    count = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        count += 1
    return count


def common_suffix(a: Sequence[str], b: Sequence[str], limit: int) -> int:
    """Return how many trailing items ``a`` and ``b`` share, at most ``limit``."""
    count = 0
    i, j = len(a) - 1, len(b) - 1
    while count < limit and a[i - count] == b[j - count]:
        count += 1
    return count


def line_opcodes(a: Sequence[str], b: Sequence[str]) -> list[Opcode]:
    """Return the edit operations turning ``a`` into ``b`` (equal blocks included)."""
    prefix = common_prefix(a, b)
    suffix = common_suffix(a, b, min(len(a), len(b)) - prefix)
    a_end, b_end = len(a) - suffix, len(b) - suffix
    opcodes: list[Opcode] = []
    if prefix:
        opcodes.append(("equal", 0, prefix, 0, prefix))
    if a_end - prefix and b_end - prefix:
        matcher = SequenceMatcher(None, a[prefix:a_end], b[prefix:b_end], autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            opcodes.append((tag, i1 + prefix, i2 + prefix, j1 + prefix, j2 + prefix))
    elif a_end - prefix:
        opcodes.append(("delete", prefix, a_end, prefix, prefix))
    elif b_end - prefix:
        opcodes.append(("insert", prefix, prefix, prefix, b_end))
    if suffix:
        opcodes.append(("equal", a_end, len(a), b_end, len(b)))
    return opcodes


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
