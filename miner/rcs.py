"""Parse RCS ``,v`` files (the storage of CVS) into frozen values, naming the byte of any fault.

An RCS file is an admin header, one delta (metadata) per revision, a description, and one
delta text (log message and edit script, or full text for the head) per revision::

    head	1.2;
    access;
    symbols
        RELEASE_1:1.2
        stable:1.1.0.2;
    locks; strict;
    comment	@# @;
    expand	@o@;

    1.2
    date	2008.08.01.15.35.13;	author tg;	state Exp;
    branches;
    next	1.1;
    commitid	10048932D3F5F266E16;
    ...
    desc
    @@

    1.2
    log
    @sync@
    text
    @full text of 1.2, with every "@" doubled@

Unknown phrases ("newphrases", such as CVSNT's ``owner``) are accepted and ignored, as the RCS
grammar asks. Anything else that is wrong raises :class:`RcsParseError` with the byte offset.
Reconstructing revision texts from the delta texts is :mod:`miner.rcs_revisions`' job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

_TOKEN = re.compile(rb"[ \b\t\n\v\f\r]*(?:([;:])|(@)|([^ \b\t\n\v\f\r;:@]+))")
_REVISION = re.compile(r"\d+(?:\.\d+)*")
_USUAL_DELTA = re.compile(
    rb"(\d+(?:\.\d+)+)\s+date\s+([\d.]+);\s+author\s+([^\s;:@$]+);\s+state\s+([^\s;:@$]*);"
    rb"\s+branches((?:\s+\d+(?:\.\d+)+)*)\s*;\s+next\s*(\d+(?:\.\d+)+)?\s*;"
    rb"(?:\s+commitid\s+([^\s;:@$]+);)?"
)
_USUAL_DELTATEXT = re.compile(rb"(\d+(?:\.\d+)+)\s+log\s+@")
_TEXT_HEAD = re.compile(rb"\s+text\s+@")
_WORD, _STRING, _SEMI, _COLON, _EOF = "word", "string", ";", ":", "eof"


class RcsParseError(Exception):
    """A ``,v`` file is not a well-formed RCS file; the message names the byte offset."""

    def __init__(self, message: str, offset: int | None = None) -> None:
        super().__init__(message if offset is None else f"{message} at byte {offset}")
        self.offset = offset


@dataclass(frozen=True)
class Delta:
    """The metadata of one revision."""

    revision: str
    date: datetime
    """UTC, naive."""
    author: str
    state: str
    """``Exp``, ``dead`` (a removal), or another word."""
    branches: tuple[str, ...]
    """First revisions of the branches that sprout from this revision."""
    next: str | None
    """On the trunk the previous (older) revision; on a branch the next (newer) one."""
    commitid: str | None = None


@dataclass(frozen=True)
class DeltaText:
    """The log message and the text (full text for the head, else an edit script) of a revision."""

    log: bytes
    text: bytes
    offset: int
    """Byte offset of the text in the file, to name it in errors."""


@dataclass(frozen=True)
class RcsFile:
    """One parsed ``,v`` file."""

    head: str | None
    default_branch: str | None
    """The ``branch`` of the admin header (a vendor branch such as ``1.1.1``), if any."""
    symbols: tuple[tuple[str, str], ...]
    """Tags and branch names with their revision numbers, in file order."""
    expand: str | None
    """Keyword expansion mode (``kv``, ``o``, ``b`` ...); ``None`` means the default ``kv``."""
    deltas: dict[str, Delta]
    texts: dict[str, DeltaText]
    problems: tuple[str, ...] = ()
    """Faults that did not stop the parse (a repeated delta text, one for an unknown revision)."""


class _Tokens:
    """A cursor over the tokens of an RCS file."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0
        self.kind = _EOF
        self.value = b""
        self.start = 0
        self.advance()

    def advance(self) -> None:
        """Move to the next token."""
        data, pos = self.data, self.pos
        match = _TOKEN.match(data, pos)
        if match is None:
            self.kind, self.value, self.start = _EOF, b"", len(data)
            return
        self.start = match.start(match.lastindex) if match.lastindex else match.end()
        if match.group(1):
            self.kind, self.value, self.pos = match.group(1).decode(), b"", match.end()
        elif match.group(2):
            self.kind, self.value, self.pos = _STRING, *self.string_at(match.end())
        else:
            self.kind, self.value, self.pos = _WORD, match.group(3), match.end()

    def string_at(self, begin: int) -> tuple[bytes, int]:
        """Read the @-string whose body starts at ``begin``: its value and the offset after it."""
        data, pos, escaped = self.data, begin, False
        while True:
            at = data.find(b"@", pos)
            if at < 0:
                raise RcsParseError("unterminated @-string (truncated file?)", begin - 1)
            if data[at + 1 : at + 2] != b"@":
                break
            escaped, pos = True, at + 2
        value = data[begin:at]
        return (value.replace(b"@@", b"@") if escaped else value), at + 1

    def expect(self, kind: str, what: str) -> bytes:
        """Return the current token's value if it is of ``kind``, and advance; else raise."""
        if self.kind != kind:
            found = "end of file" if self.kind == _EOF else repr(self.text())
            raise RcsParseError(f"expected {what} but found {found}", self.start)
        value = self.value
        self.advance()
        return value

    def word(self, what: str) -> str:
        """Return the current word token as text, and advance."""
        return self.expect(_WORD, what).decode("utf-8", "surrogateescape")

    def text(self) -> str:
        """The current token, for messages."""
        return self.value[:40].decode("utf-8", "replace") if self.value else self.kind

    def is_word(self, word: bytes) -> bool:
        """Whether the current token is the word ``word``."""
        return self.kind == _WORD and self.value == word

    def skip_phrase(self) -> list[tuple[str, bytes]]:
        """Skip to just past the next ``;``, returning the tokens skipped."""
        skipped = []
        while self.kind != _SEMI:
            if self.kind == _EOF:
                raise RcsParseError("unexpected end of file inside a phrase", self.start)
            skipped.append((self.kind, self.value))
            self.advance()
        self.advance()
        return skipped


def _is_revision(tokens: _Tokens) -> bool:
    return tokens.kind == _WORD and _REVISION.fullmatch(tokens.value.decode("latin-1")) is not None


def parse_date(text: str) -> datetime:
    """Turn an RCS date (``2008.08.01.15.35.13``; ``98.01.02...`` before 2000) into a datetime."""
    parts = [int(part) for part in text.split(".")]
    if len(parts) != 6:
        raise ValueError(f"not an RCS date: {text!r}")
    if parts[0] < 100:
        parts[0] += 1900
    return datetime(*parts)


def _parse_admin(
    tokens: _Tokens,
) -> tuple[str | None, str | None, list[tuple[str, str]], str | None]:
    head = branch = expand = None
    symbols: list[tuple[str, str]] = []
    if not tokens.is_word(b"head"):
        raise RcsParseError("not an RCS file: it does not start with 'head'", tokens.start)
    while not _is_revision(tokens) and not tokens.is_word(b"desc"):
        if tokens.kind != _WORD:
            raise RcsParseError(
                f"expected an admin keyword but found {tokens.text()!r}", tokens.start
            )
        key = tokens.value
        tokens.advance()
        values = tokens.skip_phrase()
        words = [
            value.decode("utf-8", "surrogateescape") for kind, value in values if kind == _WORD
        ]
        if key == b"head":
            head = words[0] if words else None
        elif key == b"branch":
            branch = words[0] if words else None
        elif key == b"expand":
            expand = next((v.decode("latin-1") for k, v in values if k == _STRING), None)
        elif key == b"symbols":
            symbols = _symbol_pairs(values, tokens.start)
    return head, branch, symbols, expand


def _symbol_pairs(values: list[tuple[str, bytes]], offset: int) -> list[tuple[str, str]]:
    pairs = []
    for index in range(0, len(values) - 2, 3):
        (k1, name), (k2, _colon), (k3, number) = values[index : index + 3]
        if (k1, k2, k3) != (_WORD, _COLON, _WORD):
            raise RcsParseError("malformed symbols list", offset)
        pairs.append((name.decode("utf-8", "surrogateescape"), number.decode("latin-1")))
    return pairs


def _parse_usual_delta(tokens: _Tokens) -> Delta | None:
    """Parse a delta as RCS and CVS write it, with one regular expression; else return None.

    Most files hold thousands of deltas in exactly this layout; anything else (newphrases,
    other spacing, missing fields) goes to the general :func:`_parse_delta`.
    """
    match = _USUAL_DELTA.match(tokens.data, tokens.start)
    if match is None:
        return None
    start, end = tokens.start, match.end()
    tokens.pos = end
    tokens.advance()
    if not (_is_revision(tokens) or tokens.is_word(b"desc")):
        tokens.pos = start
        tokens.advance()
        return None
    revision, date, author, state, branches, following, commitid = match.groups()
    try:
        when = parse_date(date.decode("ascii"))
    except ValueError:
        raise RcsParseError(f"revision {revision.decode()} has a malformed date", start) from None
    return Delta(
        revision=revision.decode("ascii"),
        date=when,
        author=author.decode("utf-8", "replace"),
        state=state.decode("utf-8", "replace"),
        branches=tuple(branches.decode("ascii").split()),
        next=following.decode("ascii") if following else None,
        commitid=commitid.decode("ascii", "replace") if commitid else None,
    )


def _parse_delta(tokens: _Tokens) -> Delta:
    revision = tokens.word("a revision number")
    fields: dict[bytes, list[tuple[str, bytes]]] = {}
    start = tokens.start
    while not _is_revision(tokens) and not tokens.is_word(b"desc"):
        if tokens.kind == _EOF:
            raise RcsParseError(
                f"unexpected end of file before 'desc', in revision {revision}", tokens.start
            )
        if tokens.kind != _WORD:
            raise RcsParseError(
                f"expected a keyword in revision {revision} but found {tokens.text()!r}",
                tokens.start,
            )
        key = tokens.value
        if key in fields:
            raise RcsParseError(
                f"revision {revision} has '{key.decode('utf-8', 'replace')}' twice", tokens.start
            )
        tokens.advance()
        fields[key] = tokens.skip_phrase()
    words = {
        key: [v.decode("utf-8", "surrogateescape") for k, v in value if k in (_WORD, _STRING)]
        for key, value in fields.items()
    }
    for required in (b"date", b"author", b"state", b"next"):
        if required not in words:
            raise RcsParseError(f"revision {revision} has no '{required.decode()}'", start)
    try:
        date = parse_date(words[b"date"][0])
    except (ValueError, IndexError):
        raise RcsParseError(f"revision {revision} has a malformed date", start) from None
    return Delta(
        revision=revision,
        date=date,
        author=words[b"author"][0] if words[b"author"] else "",
        state=words[b"state"][0] if words[b"state"] else "",
        branches=tuple(words.get(b"branches", [])),
        next=words[b"next"][0] if words[b"next"] else None,
        commitid=words[b"commitid"][0] if words.get(b"commitid") else None,
    )


def _parse_usual_deltatext(tokens: _Tokens) -> tuple[str, DeltaText] | None:
    """Parse ``REV log @...@ text @...@`` directly; else (newphrases...) return None."""
    match = _USUAL_DELTATEXT.match(tokens.data, tokens.start)
    if match is None:
        return None
    log, after_log = tokens.string_at(match.end())
    text_head = _TEXT_HEAD.match(tokens.data, after_log)
    if text_head is None:
        return None
    text, end = tokens.string_at(text_head.end())
    tokens.pos = end
    tokens.advance()
    revision = match.group(1).decode("ascii")
    return revision, DeltaText(log=log, text=text, offset=text_head.end() - 1)


def _parse_deltatext(tokens: _Tokens) -> tuple[str, DeltaText]:
    revision = tokens.word("a revision number")
    if not tokens.is_word(b"log"):
        raise RcsParseError(f"expected 'log' of revision {revision}", tokens.start)
    tokens.advance()
    log = tokens.expect(_STRING, f"the log message of revision {revision}")
    while not tokens.is_word(b"text"):
        if tokens.kind != _WORD:
            raise RcsParseError(f"expected 'text' of revision {revision}", tokens.start)
        tokens.advance()
        tokens.skip_phrase()
    tokens.advance()
    offset = tokens.start
    text = tokens.expect(_STRING, f"the text of revision {revision}")
    return revision, DeltaText(log=log, text=text, offset=offset)


def parse_rcs(data: bytes) -> RcsFile:
    """Parse the bytes of a ``,v`` file.

    :raises RcsParseError: the data is not a well-formed RCS file (truncated, corrupt, binary).
    """
    tokens = _Tokens(data)
    head, branch, symbols, expand = _parse_admin(tokens)
    deltas: dict[str, Delta] = {}
    while not tokens.is_word(b"desc"):
        if tokens.kind == _EOF:
            raise RcsParseError("unexpected end of file before 'desc'", tokens.start)
        delta = _parse_usual_delta(tokens) or _parse_delta(tokens)
        deltas[delta.revision] = delta
    tokens.advance()
    tokens.expect(_STRING, "the description string")
    texts: dict[str, DeltaText] = {}
    problems: list[str] = []
    while tokens.kind != _EOF:
        revision, text = _parse_usual_deltatext(tokens) or _parse_deltatext(tokens)
        if revision in texts:
            problems.append(
                f"a second delta text of revision {revision} at byte {text.offset} was ignored"
            )
        elif revision not in deltas:
            problems.append(
                f"the delta text at byte {text.offset} is for unknown revision {revision}"
            )
        else:
            texts[revision] = text
    _check_links(head, deltas)
    return RcsFile(head, branch, tuple(symbols), expand, deltas, texts, tuple(problems))


def _check_links(head: str | None, deltas: dict[str, Delta]) -> None:
    """Check that the deltas form a tree under the head: numbers, no dangling or shared links."""
    if head is not None and head not in deltas:
        raise RcsParseError(f"the head revision {head} has no delta")
    linked_from: dict[str, str] = {}
    for delta in deltas.values():
        if _REVISION.fullmatch(delta.revision) is None or "." not in delta.revision:
            raise RcsParseError(f"{delta.revision!r} is not a revision number")
        for target in (delta.next, *delta.branches):
            if target is None:
                continue
            if target not in deltas:
                raise RcsParseError(
                    f"revision {delta.revision} points to revision {target}, which has no delta"
                )
            if target == head or target in linked_from:
                raise RcsParseError(
                    f"revision {target} is reached both from revision {delta.revision} and from "
                    f"{linked_from.get(target, 'the head')}: the deltas do not form a tree"
                )
            linked_from[target] = delta.revision
