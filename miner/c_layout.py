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

from miner.c_tokens import collapse_keywords, directive_head, tokenize_c

Layout = tuple[list[str], list[int], list[int]]
"""Cleaned lines, and for each the first and the last original line (1-based) it spans."""

_OPENERS = {"(": "(", "[": "[", "for(": "for("}
_CLOSERS = {")": ("(", "for("), "]": ("[",)}
_STRUCTURAL = frozenset({"\n", ";", "{", "}", "(", ")", "[", "]", ","})


def layout_c(text: str) -> Layout:
    """Return ``text`` (C or C++) without comments, in the canonical layout."""
    return _Emitter().run(tokenize_c(text))


class _Emitter:
    """The state of one pass over a token list; see the module docstring for the rules."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.origins: list[int] = []
        self.ends: list[int] = []
        self.current: list[str] = []
        self.start = 0
        self.end = 0
        self.line = 0
        self.stack: list[str] = []
        self.directive: list[str] | None = None
        self.directive_line = 0
        self.after_close = False

    def run(self, tokens: list[str]) -> Layout:
        """Emit every token and return the layout."""
        current = self.current
        for token in tokens:
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
            if self.directive is not None:
                self.directive.append(self._literal(token) if token[-1] in "\"'" else token)
                continue
            if self.after_close:
                self.after_close = False
            if not current:
                self.start = self.line
            if token[-1] in "\"'":
                token = self._literal(token)
            current.append(token)
            self.end = self.line
        self._end_directive()
        self._flush()
        return self.lines, self.origins, self.ends

    def _literal(self, token: str) -> str:
        if "\n" in token:
            self.line += token.count("\n")
        return collapse_keywords(token) if "$" in token else token

    def _structural(self, token: str) -> None:
        if token == "\n":
            self._end_directive()
            self.line += 1
            return
        if self.directive is not None:
            self.directive.append(token)
            return
        if self.after_close:
            self.after_close = False
            if token in (";", ","):
                self.lines[-1] += " " + token
                self.ends[-1] = self.line
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
            self.lines.append(" ".join(self.current))
            self.origins.append(self.start)
            self.ends.append(self.end)
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
            self.lines.append(" ".join(self.directive))
            self.origins.append(self.directive_line)
            self.ends.append(self.line)
            self.directive = None
