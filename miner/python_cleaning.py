"""Strip comments and docstrings from Python source and normalise its layout with ``tokenize``.

Each logical line becomes one cleaned line: its tokens joined by single spaces, indented by
four spaces per block level. Bracketed and backslash continuations are joined, blank lines and
comments dropped, so re-wrapping, re-spacing and re-commenting give the same cleaned text.

Docstrings, and any other statement made only of string literals, are dropped too. That is a
choice: a docstring is visible at run time as ``__doc__``, but an edit of one changes no
behaviour that a live update could depend on, exactly like a C comment, and the study counts
documentation edits as functionally equivalent. (f-strings are kept: they may call code.)

Source that ``tokenize`` rejects (bad indentation, an unterminated triple-quoted string)
never raises: it falls back to the raw lines without ``#`` comments and trailing blanks, and
says so through the ``fallback`` flag.
"""

from __future__ import annotations

import io
import re
import tokenize

PythonLayout = tuple[list[str], list[int], list[int], bool]
"""Cleaned lines; first and last original line of each; whether the fallback was used."""

_INDENT = "    "
_SKIPPED = frozenset({tokenize.COMMENT, tokenize.NL, tokenize.ENCODING})
_STRING_PREFIX_RE = re.compile(r"[A-Za-z]*")
_COMMENT_RE = re.compile(r"""("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|#.*""")


def layout_python(text: str) -> PythonLayout:
    """Return ``text`` (Python) without comments and docstrings, in the canonical layout."""
    try:
        lines, origins, ends = _logical_lines(text)
    except (tokenize.TokenError, SyntaxError, ValueError):
        lines, origins, ends = _fallback_lines(text)
        return lines, origins, ends, True
    return lines, origins, ends, False


def _logical_lines(text: str) -> tuple[list[str], list[int], list[int]]:
    lines: list[str] = []
    origins: list[int] = []
    ends: list[int] = []
    depth = 0
    statement: list[tokenize.TokenInfo] = []
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        kind = token.type
        if kind in _SKIPPED:
            continue
        if kind == tokenize.INDENT:
            depth += 1
        elif kind == tokenize.DEDENT:
            depth -= 1
        elif kind == tokenize.NEWLINE or kind == tokenize.ENDMARKER:
            if statement and not _is_bare_string(statement):
                lines.append(_INDENT * depth + " ".join(t.string for t in statement))
                origins.append(statement[0].start[0])
                ends.append(statement[-1].end[0])
            statement = []
        else:
            statement.append(token)
    return lines, origins, ends


def _is_bare_string(statement: list[tokenize.TokenInfo]) -> bool:
    """Tell whether a statement is only string literals (a docstring), none an f-string."""
    for token in statement:
        if token.type != tokenize.STRING:
            return False
        prefix = _STRING_PREFIX_RE.match(token.string)
        if prefix is not None and "f" in prefix.group().lower():
            return False
    return True


def _fallback_lines(text: str) -> tuple[list[str], list[int], list[int]]:
    lines: list[str] = []
    numbers: list[int] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        cleaned = _COMMENT_RE.sub(lambda m: m.group(1) or "", raw).rstrip()
        if cleaned.strip():
            lines.append(cleaned)
            numbers.append(number)
    return lines, numbers, list(numbers)
