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
from dataclasses import dataclass, field
from typing import Protocol

from miner.c_tokens import collapse_keywords, directive_head, tokenize_c

_OPENERS = {"(": "(", "[": "[", "for(": "for("}
_CLOSERS = {")": ("(", "for("), "]": ("[",)}
_STRUCTURAL = frozenset({";", "{", "}", "(", ")", "[", "]", ","})


@dataclass
class CLayout:
    """Cleaned lines with the original lines each spans, and where the layout can resume.

    A *sync point* is the start of an original line where no statement or directive is
    pending: the layout of the rest of the text depends only on that text and on the brackets
    open there. :mod:`miner.c_incremental` uses them to re-clean only what an edit touched.
    """

    lines: list[str] = field(default_factory=list)
    origins: list[int] = field(default_factory=list)
    """For each cleaned line, the first original line (1-based) it spans."""
    ends: list[int] = field(default_factory=list)
    """For each cleaned line, the last original line it spans."""
    sync_lines: list[int] = field(default_factory=list)
    """Original lines (ascending) whose start is a sync point."""
    sync_stacks: list[tuple[str, ...]] = field(default_factory=list)
    """The brackets open at each sync point."""
    sync_counts: list[int] = field(default_factory=list)
    """How many cleaned lines come before each sync point."""
    edit: LayoutEdit | None = None
    """How this layout was made from an earlier version's (re-cleaned), if it was."""


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
    return Emitter().run(tokenize_c(text))


class Emitter:
    """The state of one pass over a token list; see the module docstring for the rules.

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
        self.out = CLayout()
        self.current: list[str] = []
        self.start = 0
        self.end = 0
        self.line = first_line - 1
        self.stack: list[str] = list(stack)
        self.directive: list[str] | None = None
        self.directive_line = 0
        self.after_close = False
        self.convergence = convergence

    def run(self, tokens: list[str]) -> CLayout:
        """Emit every token (or up to a shared sync point) and return the layout."""
        current, stack, out, convergence = self.current, self.stack, self.out, self.convergence
        converge_from = convergence.from_line if convergence is not None else 1
        converge_until = convergence.until_line if convergence is not None else 0
        for token in tokens:
            if token == "\n":
                if self.directive is not None:
                    self._end_directive()
                self.line += 1
                if not current and not self.after_close:
                    out.sync_lines.append(self.line)
                    out.sync_stacks.append(tuple(stack))
                    out.sync_counts.append(len(out.lines))
                    if (
                        converge_from <= self.line <= converge_until
                        and convergence is not None
                        and convergence.match(self.line, out.sync_stacks[-1])
                    ):
                        return out
                continue
            if token in _STRUCTURAL:
                self._structural(token)
                continue
            first = token[0]
            if first == "/" and token[1:2] in ("*", "/"):
                self.line += token.count("\n")
                continue
            if first == "\n":
                self._start_directive(token)
                continue
            if first == "\\" and token[-1] == "\n":
                self.line += 1
                continue
            newlines = token.count("\n") if "\n" in token else 0  # spliced literals
            if "$" in token:
                token = collapse_keywords(token)
            if self.directive is not None:
                self.directive.append(token)
            else:
                self.after_close = False
                if not current:
                    self.start = self.line
                current.append(token)
            if newlines:
                self.line += newlines
            self.end = self.line
        self._end_directive()
        self._flush()
        return out

    def _structural(self, token: str) -> None:
        if self.directive is not None:
            self.directive.append(token)
            return
        if self.after_close:
            self.after_close = False
            if token in (";", ","):
                self.out.lines[-1] += " " + token
                self.out.ends[-1] = self.line
                return
        if token == "}":
            self._close_brace()
            return
        stack = self.stack
        if token == ";":
            while stack and stack[-1] == "(":
                stack.pop()  # an unclosed parenthesis: only a for loop's header holds a ";"
        elif token == "(" and self.current and self.current[-1] == "for":
            token = "for("
        self._append(token[-1])
        if token == ";":
            if not stack or stack[-1] == "{":
                self._flush()
        elif token == "{":
            stack.append("{")
            self._flush()
        elif token == ",":
            if stack and stack[-1] == "{":
                self._flush()
        elif token in _OPENERS:
            stack.append(_OPENERS[token])
        elif stack and stack[-1] in _CLOSERS[token]:
            stack.pop()

    def _close_brace(self) -> None:
        self._flush()
        stack = self.stack
        while stack and stack.pop() != "{":
            pass
        self._append("}")
        self._flush()
        self.after_close = True

    def _append(self, token: str) -> None:
        if not self.current:
            self.start = self.line
        self.current.append(token)
        self.end = self.line

    def _flush(self) -> None:
        if self.current:
            self.out.lines.append(" ".join(self.current))
            self.out.origins.append(self.start)
            self.out.ends.append(self.end)
            self.current.clear()

    def _start_directive(self, token: str) -> None:
        self._end_directive()
        self._flush()
        self.line += 1
        self.after_close = False
        self.directive = [directive_head(token)]
        self.directive_line = self.line

    def _end_directive(self) -> None:
        if self.directive is not None:
            self.out.lines.append(" ".join(self.directive))
            self.out.origins.append(self.directive_line)
            self.out.ends.append(self.line)
            self.directive = None
