"""Re-emit C and C++ tokens in one fixed layout, as an indent tool with one style would.

Comments are dropped and the remaining tokens are joined by single spaces, with line breaks
only where the layout puts them, never where the author did:

- after ``;`` outside parentheses and brackets (so ``for (;;)`` stays on one line);
- after ``{``; before and after ``}`` (a ``;`` or ``,`` right after ``}`` stays with it);
- after ``,`` directly inside braces (one enumerator or initializer element per line);
- around every preprocessor directive, which is always one line of its own (splices joined,
  comments removed), also in the middle of a statement.

So re-indenting, re-wrapping argument lists, moving braces (K&R, Allman, GNU) and editing
comments all give the same cleaned text, while any change of a token gives a different one.
Code under ``#if 0`` is cleaned like any other code and left in place: the contexts stage
decides what is dead code. Expanded RCS keywords inside string literals (``"$Id: ... $"``) are
collapsed to ``"$Id$"``, since keyword expansion is an artefact of CVS, not a change.

Unbalanced brackets (``#ifdef`` branches that each open a brace or a parenthesis) are
tolerated: a ``}`` closes everything opened since its ``{``, and a ``;`` closes every open
parenthesis but a ``for`` loop's header, which puts the layout back in step.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from miner.c_tokens import (
    collapse_keywords,
    directive_head,
    has_raw_string,
    split_run,
    tokenize_runs,
)


@dataclass
class CLayout:
    """Cleaned lines with the original lines each spans, and where the layout can resume.

    A *sync point* is the start of an original line where no statement or directive is
    pending: the layout of the rest of the text depends only on that text and on the brackets
    open there. :mod:`miner.c_incremental` uses them to re-clean only what an edit touched.
    """

    lines: list[str] = field(default_factory=list)
    origins: Sequence[int] = field(default_factory=list)
    """For each cleaned line, the first original line (1-based) it spans."""
    ends: Sequence[int] = field(default_factory=list)
    """For each cleaned line, the last original line it spans."""
    sync_lines: Sequence[int] = field(default_factory=list)
    """Original lines (ascending) whose start is a sync point."""
    sync_stacks: list[tuple[str, ...]] = field(default_factory=list)
    """The brackets open at each sync point."""
    sync_counts: Sequence[int] = field(default_factory=list)
    """How many cleaned lines come before each sync point.

    The numbers are lists when laid out afresh, :class:`miner.c_incremental.ShiftedNumbers`
    when re-cleaned (shared with the earlier layout); either way read-only once made."""
    edit: LayoutEdit | None = None
    """How this layout was made from an earlier version's (re-cleaned), if it was."""
    raw_strings: bool = False
    """The text may hold a C++ raw string (:func:`miner.c_tokens.has_raw_string`)."""


Segment = tuple[int, int, int, int, bool]
"""``(old_lo, old_hi, new_lo, new_hi, copied)``: cleaned lines ``new_lo:new_hi`` were copied
from the earlier layout's ``old_lo:old_hi`` (then equal), or laid out afresh in their place."""


@dataclass(frozen=True)
class LayoutEdit:
    """The segments a re-cleaned layout is made of, and the layout they refer to."""

    previous: weakref.ref[CLayout]
    segments: tuple[Segment, ...]


class ConvergenceCheck(Protocol):
    """Tells an :class:`Emitter` where it may stop: a sync point an earlier layout shares."""

    from_line: int
    """No line before this one can be shared."""
    until_line: int
    """Nor any after this one (the last line of the text being laid out)."""

    def match(self, line: int, stack: tuple[str, ...]) -> bool:
        """Tell whether the sync point at ``line`` with ``stack`` open is shared (and stop)."""
        ...


def layout_c(text: str) -> CLayout:
    """Return ``text`` (C or C++) without comments, in the canonical layout."""
    layout = Emitter().run(tokenize_runs(text))
    layout.raw_strings = has_raw_string(text)
    return layout


_SPECIAL = frozenset({"\n", ";", "{", "}", "(", ")", "[", "]", ","})
"""Tokens the layout acts on. Any other that starts with ``/``, a backslash or a line break may
be a comment, a splice or a directive start; all others are plain (kept as they are, spaced)."""


class Emitter:
    """One pass over a token list; see the module docstring for the rules.

    The tokens are those of :func:`miner.c_tokens.tokenize_runs` (or of
    :func:`miner.c_tokens.tokenize_c`: a run is a plain token like any other).

    :param first_line: the original line number of the text's first line.
    :param stack: the brackets open at that line (a sync point of an earlier layout).
    :param convergence: stop at the first sync point shared with an earlier layout.
    """

    def __init__(
        self,
        first_line: int = 1,
        stack: tuple[str, ...] = (),
        convergence: ConvergenceCheck | None = None,
    ) -> None:
        self._numbers: tuple[list[int], list[int], list[int], list[int]] = ([], [], [], [])
        origins, ends, sync_lines, sync_counts = self._numbers
        self.out = CLayout([], origins, ends, sync_lines, [], sync_counts)
        self.line = first_line - 1
        self.stack: list[str] = list(stack)
        self.convergence = convergence

    def run(self, tokens: list[str]) -> CLayout:  # noqa: C901, PLR0912, PLR0915
        """Emit every token (or up to a shared sync point) and return the layout.

        One loop with the state in local variables: it runs once per token of every version
        cleaned, so each attribute lookup or call saved here counts.
        """
        out, stack, convergence = self.out, self.stack, self.convergence
        lines, (origins, ends, sync_lines, sync_counts) = out.lines, self._numbers
        add_line, add_origin, add_end = lines.append, origins.append, ends.append
        add_sync_line, add_sync_stack = sync_lines.append, out.sync_stacks.append
        add_sync_count = sync_counts.append
        converge_from = convergence.from_line if convergence is not None else 1 << 62
        converge_until = convergence.until_line if convergence is not None else 0
        current: list[str] = []
        add = current.append
        special, join = _SPECIAL, " ".join
        line, start, end = self.line, 0, 0
        directive: list[str] | None = None
        directive_line = 0
        after_close = False
        frozen: tuple[str, ...] | None = None  # tuple(stack) while the stack is unchanged
        for token in tokens:
            if token not in special:
                first = token[0]
                if first in "/\n\\":
                    if first == "/" and token[1:2] in ("*", "/"):
                        line += token.count("\n")  # a comment
                        continue
                    if first == "\n":
                        if directive is not None:
                            add_line(join(directive))
                            add_origin(directive_line)
                            add_end(line)
                        if current:
                            add_line(join(current))
                            add_origin(start)
                            add_end(end)
                            current.clear()
                        line += 1
                        after_close = False
                        directive = [directive_head(token)]
                        directive_line = line
                        continue
                    if first == "\\" and token[-1] == "\n":
                        line += 1  # a splice
                        continue
                if "$" in token:
                    token = _collapse_keywords(token)
                if directive is not None:
                    directive.append(token)
                    if "\n" in token:
                        line += token.count("\n")
                    continue
                if not current:
                    start = line
                add(token)
                after_close = False
                if "\n" in token:
                    line += token.count("\n")  # a literal with spliced lines
                end = line
            elif token == "\n":
                if directive is not None:
                    add_line(join(directive))
                    add_origin(directive_line)
                    add_end(line)
                    directive = None
                line += 1
                if not current and not after_close:
                    if frozen is None:
                        frozen = tuple(stack)
                    add_sync_line(line)
                    add_sync_stack(frozen)
                    add_sync_count(len(lines))
                    if (
                        converge_from <= line <= converge_until
                        and convergence is not None
                        and convergence.match(line, frozen)
                    ):
                        self.line = line
                        return out
            elif directive is not None:
                directive.append(token)
            elif after_close and (token == ";" or token == ","):
                after_close = False
                lines[-1] += " " + token
                ends[-1] = line
            elif token == "}":
                after_close = True
                if current:
                    add_line(join(current))
                    add_origin(start)
                    add_end(end)
                    current.clear()
                while stack and stack.pop() != "{":
                    pass
                frozen = None
                add_line("}")
                add_origin(line)
                add_end(line)
            else:
                after_close = False
                if not current:
                    start = line
                add(token)
                end = line
                if token == "(":
                    before = current[-2] if len(current) > 1 else ""
                    if before == "for" or before[-4:] == " for" and _run_ends_with_for(before):
                        stack.append("for(")
                    else:
                        stack.append("(")
                    frozen = None
                    continue
                if token == ")":
                    if stack and (stack[-1] == "(" or stack[-1] == "for("):
                        stack.pop()
                        frozen = None
                    continue
                if token == ";":
                    if stack and stack[-1] == "(":
                        while stack and stack[-1] == "(":
                            stack.pop()  # unclosed: only a for loop's header holds a ";"
                        frozen = None
                    if stack and stack[-1] != "{":
                        continue
                elif token == ",":
                    if not stack or stack[-1] != "{":
                        continue
                elif token == "{":
                    stack.append("{")
                    frozen = None
                else:
                    if token == "[":
                        stack.append("[")
                        frozen = None
                    elif stack and stack[-1] == "[":
                        stack.pop()
                        frozen = None
                    continue
                add_line(join(current))
                add_origin(start)
                add_end(end)
                current.clear()
        if directive is not None:
            add_line(join(directive))
            add_origin(directive_line)
            add_end(line)
        if current:
            add_line(join(current))
            add_origin(start)
            add_end(end)
        self.line = line
        return out


def _run_ends_with_for(run: str) -> bool:
    """Tell whether ``run`` (a token or a run of them) ends with the keyword ``for``."""
    return split_run(run)[-1] == "for"


def _collapse_keywords(token: str) -> str:
    """Collapse RCS keywords in each token of ``token`` (a token or a run of them)."""
    collapsed = collapse_keywords(token)
    if collapsed == token:
        return token
    return " ".join(collapse_keywords(part) for part in split_run(token))
