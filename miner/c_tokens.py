"""Split C and C++ source into tokens with one compiled regular expression.

The tokenizer is deliberately forgiving: it never fails, whatever the text (unterminated
comments and literals run to the end of the file or line, stray bytes become one-character
tokens). Whitespace other than line breaks is skipped; the tokens that remain are:

- ``"\\n"``: a line break; or ``"\\n#define NAME("``, ``"\\n  #include"``: a line break
  followed by the start of a preprocessor directive (its ``#``, the directive's name and, for
  ``#define``, the macro's name with the ``(`` of a function-like macro glued on, because
  ``#define F(x)`` and ``#define F (x)`` mean different things);
- a line splice (backslash, newline): it joins lines but still counts as one;
- comments (``/* ... */``, ``// ...``, spliced ``//`` comments included);
- string and character literals with their prefixes (``L"..."``, ``u8'x'``), and C++11 raw
  strings (``R"delim( ... )delim"``) which may span lines;
- numbers (pp-numbers, with C++14 digit separators), identifiers, and punctuators (longest
  first), and any other single character.

:func:`tokenize_c` returns plain strings (``re.findall``), so that the per-token cost in
Python stays as small as possible.
"""

from __future__ import annotations

import re

_SPACE = r"[ \t\f\v\r]*"
_DIRECTIVE_START = r"\n(?:[ \t\f\v\r]*#[ \t]*(?:define[ \t]+[A-Za-z_$][\w$]*\(?|\w*))?"
_SPLICE = r"\\[ \t\f\v\r]*\n"
_BLOCK_COMMENT = r"/\*[^*]*\*+(?:[^/*][^*]*\*+)*/|/\*[\s\S]*"
_LINE_COMMENT = r"//[^\n\\]*(?:\\[\s\S][^\n\\]*)*"
_PREFIX = r"(?:u8|[uUL])"
_STRING_BODY = r'"[^"\\\n]*(?:\\[\s\S][^"\\\n]*)*"?'
_CHAR_BODY = r"'[^'\\\n]*(?:\\[\s\S][^'\\\n]*)*'?"
_NUMBER = r"\.?[0-9](?:[eEpP][+-]|'(?=[0-9A-Za-z_])|[\w.])*"
_IDENTIFIER = r"[^\W\d][\w$]*|\$[\w$]*"
_BRACKETS = r"[(){};,\[\]]"
_PUNCTUATOR = r">>=|<<=|<=>|->\*|\.\.\.|::|->|\+\+|--|<<|>>|&&|\|\||[-+*/%&|^!=<>]=|##|\.\*|\S"
_RAW_STRING = _PREFIX + r'?R"(?P<delim>[^()\\\s"]{0,16})\([\s\S]*?\)(?P=delim)"'

# Ordered by how often each starts a token in kernel C (the regex tries them in turn), with
# prefixed literals (L"x") before identifiers and comments before the "/" punctuator.
_ALTERNATIVES = (
    _DIRECTIVE_START,
    _PREFIX + _STRING_BODY,
    _PREFIX + _CHAR_BODY,
    _IDENTIFIER,
    _BRACKETS,
    _STRING_BODY,
    _CHAR_BODY,
    _NUMBER,
    _BLOCK_COMMENT,
    _LINE_COMMENT,
    _SPLICE,
    _PUNCTUATOR,
)
_TOKEN_RE = re.compile(_SPACE + "(" + "|".join(_ALTERNATIVES) + ")")
_TOKEN_WITH_RAW_RE = re.compile(
    _SPACE + "(?P<token>" + "|".join((_RAW_STRING, *_ALTERNATIVES)) + ")"
)

# What the layout needs (see tokenize_runs): a run of tokens one space apart that are neither
# brackets nor comments, splices or directive starts, as one string. A run token's
# alternatives are those above in an order that picks the same one wherever two could match
# (a prefixed literal before an identifier; number, string and operators before any other
# character), and a comment, splice or bracket never starts one, so a run splits into exactly
# the tokens tokenize_c gives. A backslash is left out of runs: only a splice starts with one.
_PREFIXED_LITERAL = r"[uUL](?:(?<=u)8)?(?:" + _STRING_BODY + "|" + _CHAR_BODY + ")"
_OPERATOR = _PUNCTUATOR[: -len(r"|\S")]
_RUN_TOKEN = (
    "(?:"
    + "|".join(
        (
            _PREFIXED_LITERAL,
            _IDENTIFIER,
            _OPERATOR,
            _NUMBER.replace(r"\.?", "", 1) + "|" + _NUMBER.replace(r"\.?", r"\.", 1),
            _STRING_BODY,
            _CHAR_BODY,
            r"/(?![*/])|[^\s(){};,\[\]/\\]",
        )
    )
    + ")"
)
_RUNS_RE = re.compile(
    _SPACE
    + "("
    + "|".join(
        (
            _DIRECTIVE_START,
            _BRACKETS,
            _RUN_TOKEN + "(?: " + _RUN_TOKEN + ")*",
            _BLOCK_COMMENT,
            _LINE_COMMENT,
            _SPLICE,
            _PUNCTUATOR,
        )
    )
    + ")"
)

_KEYWORD_RE = re.compile(
    r"\$(Id|Header|Revision|Date|Author|Source|RCSfile|Log|Locker|Name|State|Mdocdate"
    r"|MirOS|OpenBSD|NetBSD|FreeBSD|DragonFly)(?::[^$\n\"]*)?\$"
)


_RAW_START_RE = re.compile(r'R"[^()\\\s"]{0,16}\(')
_RAW_PREFIX_RE = re.compile(r"(?:^|[^\w$])(?:u8|[uUL])?$")


def has_raw_string(text: str) -> bool:
    """Tell whether ``text`` may hold a C++11 raw string literal (``R"x(...)x"``)."""
    if 'R"' not in text:
        return False
    for match in _RAW_START_RE.finditer(text):
        start = match.start()
        if _RAW_PREFIX_RE.search(text, max(0, start - 3), start) is not None:
            return True
    return False


def tokenize_c(text: str) -> list[str]:
    """Return the tokens of C or C++ ``text``; the first is always a line break (line 1's start)."""
    text = "\n" + text
    if has_raw_string(text):
        return [match.group("token") for match in _TOKEN_WITH_RAW_RE.finditer(text)]
    return _TOKEN_RE.findall(text)


def tokenize_runs(text: str) -> list[str]:
    """Return the tokens of C or C++ ``text`` as :func:`tokenize_c` does, but with each run of
    plain tokens one space apart as one string (``"x = a + b"``).

    A plain token is anything but a bracket (``(){}[];,``), line break, directive start,
    comment or splice. :mod:`miner.c_layout` joins tokens with single spaces, so a run lays out
    as its tokens would, with fewer strings to handle in Python.
    """
    text = "\n" + text
    if has_raw_string(text):
        return [match.group("token") for match in _TOKEN_WITH_RAW_RE.finditer(text)]
    return _RUNS_RE.findall(text)


def split_run(run: str) -> list[str]:
    """Return the tokens of one string of :func:`tokenize_runs` (a run, or a single token)."""
    return _TOKEN_RE.findall(run)


def collapse_keywords(literal: str) -> str:
    """Turn expanded RCS keywords in a literal (``$Id: f.c,v 1.2 ... $``) back into ``$Id$``."""
    return _KEYWORD_RE.sub(r"$\1$", literal)


def directive_head(token: str) -> str:
    """Return the canonical spelling of a directive-start token: ``"#define NAME("``, ``"#if"``."""
    return "#" + " ".join(token[1:].split()).lstrip("#").lstrip()
