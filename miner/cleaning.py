"""Clean source text: strip comments and normalise layout, so that only real change remains.

:func:`clean` turns the text of one file version into a :class:`CleanedText`: its cleaned
lines, and for each the original lines it came from, so that a diff of two cleaned texts can
be mapped back to the lines a user sees. For C and C++ the layout is the one fixed style of
:mod:`miner.c_layout`; for Python, :mod:`miner.python_cleaning`. Cleaning never fails:
:func:`decode_source` turns any bytes into text, and malformed source is cleaned as well as
it can be (Python that ``tokenize`` rejects sets ``fallback``). :func:`clean_edited` gives the
same result for a version edited from one already cleaned, re-cleaning C and C++ only where the
edit touched it (:mod:`miner.c_incremental`).

Example::

    >>> clean("int f(int a) /* add one */\\n{\\n    return a+1;\\n}\\n", "c").lines
    ('int f ( int a ) {', 'return a + 1 ;', '}')
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from miner.c_incremental import relayout_c
from miner.c_layout import CLayout, layout_c
from miner.c_tokens import has_raw_string
from miner.languages import check_language
from miner.python_cleaning import layout_python


@dataclass(frozen=True)
class CleanedText:
    """One file version without comments, in the canonical layout."""

    lines: tuple[str, ...]
    origins: Sequence[int]
    """For each cleaned line, the 1-based original line where it starts (a tuple, or for C
    and C++ re-cleaned by :func:`clean_edited` a read-only
    :class:`miner.c_incremental.ShiftedNumbers` shared with the layout)."""
    ends: Sequence[int]
    """For each cleaned line, the 1-based original line where it ends (a statement may span
    several original lines, and several statements may share one)."""
    fallback: bool = False
    """The source could not be tokenized; ``lines`` are its raw lines without comments."""
    layout: CLayout | None = field(default=None, compare=False, repr=False)
    """C and C++: the layout with its sync points, from which the next version is re-cleaned."""

    def original_lines(self, indices: range) -> list[int]:
        """Return every original line spanned by the cleaned lines at ``indices`` (0-based)."""
        spanned: set[int] = set()
        origins, ends = self.origins, self.ends
        for index in indices:
            spanned.update(range(origins[index], ends[index] + 1))
        return sorted(spanned)


def decode_source(data: bytes) -> str:
    """Decode a file's bytes as UTF-8, else as Latin-1 (which accepts every byte sequence)."""
    return decode_source_as(data)[0]


def decode_source_as(data: bytes) -> tuple[str, str]:
    """Decode as :func:`decode_source` does; also say how: ``ascii``, ``utf-8`` or ``latin-1``."""
    if data.isascii():
        return data.decode("ascii"), "ascii"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def clean(text: str, language: str) -> CleanedText:
    """Return ``text`` (in ``language``: ``c``, ``cpp`` or ``python``) cleaned."""
    check_language(language, "clean()")
    if language == "python":
        lines, origins, ends, fallback = layout_python(text)
        return CleanedText(tuple(lines), tuple(origins), tuple(ends), fallback)
    return _from_layout(layout_c(text))


def clean_edited(
    previous: CleanedText,
    text: str | None,
    lines: Sequence[str],
    blocks: Sequence[tuple[int, int, int]],
    language: str,
) -> CleanedText:
    """Return ``text`` cleaned, re-using ``previous`` (the cleaned version it was edited from).

    Gives exactly ``clean(text, language)``; for C and C++ in time proportional to the edit.

    :param text: the new version (``None``: joined from ``lines`` only if it is needed whole,
        which re-using ``previous`` spares).
    :param lines: ``text`` split into lines with their line ends.
    :param blocks: the matching blocks ``(i, j, size)`` of the previous version's lines and
        ``lines``, as :func:`miner.line_diff.matching_blocks` gives them.
    """
    layout = previous.layout
    if layout is None or language == "python" or _has_raw_string(layout, lines, blocks):
        return clean("".join(lines) if text is None else text, language)
    return _from_layout(relayout_c(layout, lines, blocks))


def _has_raw_string(
    previous: CLayout, lines: Sequence[str], blocks: Sequence[tuple[int, int, int]]
) -> bool:
    """Tell :func:`has_raw_string` of the new version: if the previous version had none, only
    the lines the edit brought need a look (a raw string starts within one line)."""
    if previous.raw_strings:
        return has_raw_string("".join(lines))
    start = 0
    for _, j, size in (*blocks, (0, len(lines), 0)):
        if any(has_raw_string(line) for line in lines[start:j]):
            return True
        start = max(start, j + size)
    return False


def _from_layout(layout: CLayout) -> CleanedText:
    origins, ends = layout.origins, layout.ends
    if isinstance(origins, list):  # laid out afresh: otherwise shared, read-only numbers
        origins, ends = tuple(origins), tuple(ends)
    return CleanedText(tuple(layout.lines), origins, ends, False, layout)
