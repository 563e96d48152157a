"""Same-length source substitutions applied before parsing, and dead ``#if 0`` code.

Kernel sources are full of spellings a C or C++ grammar does not know: K42's IDL keywords
(``__xpublic:``, ``__in``, ``__out``, ``__inbuf(len)``, ``__xa(none)``, ``__xbase(Obj)``),
BSD's ``__dead`` and ``__P((...))`` prototypes, the GNU ``__asm __volatile``, and macros used
without a ``;`` or that open a nested class (``DEFINE_FACTORY_BEGIN(Factory) ...
DEFINE_FACTORY_END(Factory)``). A study lists regular
expressions and their replacements; a replacement shorter than its match is padded with spaces,
so byte offsets and line numbers never move. For example, with the default rules::

    __xpublic:  virtual SysStatus getFrame(__in uval addr);
    DEFINE_FACTORY_BEGIN(Factory)

is parsed as::

    public:     virtual SysStatus getFrame(     uval addr);
    struct Factory {

Lines under ``#if 0`` (up to the matching ``#else``, ``#elif`` or ``#endif``) are not code:
:func:`dead_lines` finds them and :func:`blank_lines` blanks them, keeping their newlines.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass


class PrepassError(Exception):
    """A substitution rule cannot be used (its pattern is not a regular expression)."""


@dataclass(frozen=True)
class Substitution:
    """Replace every match of ``pattern`` with ``replacement`` (``\\1``: a group), padded."""

    pattern: str
    replacement: str


DEFAULT_SUBSTITUTIONS: tuple[Substitution, ...] = (
    # K42 IDL: access keywords and parameter directions.
    Substitution(r"\b__x(public|protected|private)\s*:", r"\1:"),
    # (A pattern that starts with a literal is searched fast; the look-behind is the word start.)
    Substitution(r"__(?<!\w__)(in|out|inout)\b(?=\s)", ""),
    Substitution(r"__(?<!\w__)(inbuf|outbuf|inoutbuf)\s*\([^()\n]*\)", ""),
    # ... the access attribute after a declarator and the IDL base after a base clause.
    Substitution(r"\b__xa\s*\([^()\n]*\)", ""),
    Substitution(r"\b__xbase\s*\([^()\n]*\)", ""),
    # BSD and GNU spellings.
    Substitution(r"\b__asm\s+__volatile\b(?!_)", "__asm__ volatile"),
    Substitution(r"__(?<!\w__)(dead|packed|pure|unused|used)\b(?!_)", ""),
    Substitution(r"\b__P\((\([^;\n]*\))\)", r"\1"),
    Substitution(r"\bOF\((\([^;\n]*\))\)", r"\1"),  # zlib's spelling of __P
    Substitution(r"^[ \t]*__(BEGIN|END)_DECLS[ \t]*$", ""),
    # K42 factories: a macro pair that opens and closes a nested class.
    Substitution(r"\bDEFINE_FACTORY_BEGIN\s*\(\s*(\w+)\s*\)", r"struct \1 {"),
    Substitution(r"\bDEFINE_FACTORY_END\s*\(\s*\w+\s*\)", "};"),
)


@dataclass(frozen=True)
class CompiledSubstitution:
    """A substitution with its pattern compiled (on bytes, multi-line)."""

    regex: re.Pattern[bytes]
    replacement: bytes
    hint: bytes | None = None
    """A literal every match contains: a text without it is not searched (a regular expression
    that starts with ``\\b`` gets no literal-prefix speed-up from ``re``)."""


def literal_hint(pattern: str) -> bytes | None:
    """Return the longest word every match of ``pattern`` must contain, if one is evident."""
    simplified = re.sub(r"\\.", "#", pattern)
    simplified = re.sub(r"\[[^\]]*\]", "#", simplified)
    while re.search(r"\([^()]*\)", simplified):
        simplified = re.sub(r"\([^()]*\)", "#", simplified)
    if "|" in simplified:
        return None
    simplified = re.sub(r"\w[?*{]", "#", simplified)
    words = re.findall(r"\w+", simplified)
    return max(words, key=len).encode() if words else None


def compile_substitutions(rules: Iterable[Substitution]) -> tuple[CompiledSubstitution, ...]:
    """Compile ``rules``, raising :class:`PrepassError` naming the first bad pattern."""
    compiled = []
    for rule in rules:
        try:
            regex = re.compile(rule.pattern.encode(), re.MULTILINE)
        except re.error as error:
            raise PrepassError(
                f"pre-pass pattern {rule.pattern!r} is not a valid regular expression: {error}"
            ) from error
        compiled.append(
            CompiledSubstitution(regex, rule.replacement.encode(), literal_hint(rule.pattern))
        )
    return tuple(compiled)


def _padded(match: re.Match[bytes], replacement: bytes) -> bytes:
    original = match.group(0)
    new = match.expand(replacement)
    if b"\n" in original or len(new) > len(original):
        return original  # would move lines or bytes: leave the text as it was
    return new + b" " * (len(original) - len(new))


def apply_substitutions(source: bytes, rules: tuple[CompiledSubstitution, ...]) -> bytes:
    """Return ``source`` with every rule applied, each replacement padded to its match's length."""
    for rule in rules:
        if (rule.hint is None or rule.hint in source) and rule.regex.search(source):
            source = rule.regex.sub(lambda m, r=rule.replacement: _padded(m, r), source)
    return source


_DIRECTIVE = re.compile(rb"#[ \t]*(if|ifdef|ifndef|elif|else|endif)\b(.*)$", re.MULTILINE)
_ZERO = re.compile(rb"^\s*(0|\(\s*0\s*\))\s*(/[/*].*)?$")


def dead_lines(source: bytes) -> frozenset[int]:
    """Return the 0-based rows under ``#if 0``, up to its ``#else``, ``#elif`` or ``#endif``."""
    if b"#" not in source:
        return frozenset()
    dead: set[int] = set()
    stack: list[int | None] = []  # per open #if: the row where its dead part began, else None
    row, counted = 0, 0
    for match in _DIRECTIVE.finditer(source):
        line_start = source.rfind(b"\n", 0, match.start()) + 1
        if source[line_start : match.start()].strip():
            continue  # a '#' that does not begin its line is no directive
        word, rest = match.group(1), match.group(2)
        row += source.count(b"\n", counted, match.start())
        counted = match.start()
        if word.startswith(b"if"):
            stack.append(row if word == b"if" and _ZERO.match(rest) else None)
            continue
        if stack and stack[-1] is not None:
            dead.update(range(stack[-1], row + 1))
            stack[-1] = None
        if word == b"endif" and stack:
            stack.pop()
    for start in stack:  # an #if 0 never closed: dead to the end
        if start is not None:
            dead.update(range(start, source.count(b"\n") + 1))
    return frozenset(dead)


def blank_lines(source: bytes, rows: frozenset[int]) -> bytes:
    """Return ``source`` with every byte of ``rows`` but the newline replaced by a space."""
    if not rows:
        return source
    lines = source.split(b"\n")
    for row in rows:
        if row < len(lines):
            lines[row] = b" " * len(lines[row])
    return b"\n".join(lines)
