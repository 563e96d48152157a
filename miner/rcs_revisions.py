"""Reconstruct the text of any revision of a parsed RCS file, and neutralise keyword values.

The head revision's text is stored whole. Every older trunk revision is stored as a *reverse*
delta: an edit script that turns its newer neighbour into it. A branch revision is stored as a
*forward* delta from the revision before it on its branch (the first one from the revision the
branch sprouts from). An edit script is a sequence of ``dL N`` (delete N lines from line L of the
source) and ``aL N`` (add the N lines that follow after line L), with line numbers of the source.

:class:`RevisionTexts` walks from the nearest text it already has to the one asked for, keeping
the texts it passes through in a bounded LRU cache of line lists (unchanged lines are shared
between revisions, so a cached revision costs one pointer per line).

Texts are the stored bytes (``co -ko``). :func:`collapse_keywords` turns keyword values such as
``$Id: foo.c,v 1.3 2007/02/06 tg Exp $`` back into ``$Id$`` (``co -kk``), so that keyword lines
never show up as changes.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterator

from miner.rcs import RcsFile

_COMMAND = re.compile(rb"([ad])(\d+) (\d+)[ \t\r]*\n?")
_LINE = re.compile(rb"[^\n]*\n|[^\n]+")
_STANDARD_KEYWORDS = (
    rb"Author|CVSHeader|Date|Header|Id|Locker|Log|Mdocdate|Name|RCSfile|Revision|Source|State"
)
# A standard keyword with any value; or any other word (a CVS LocalKeyword such as $OpenBSD$ or
# $MirOS$) whose value has the form of an expanded $Id$: "file,v REV DATE TIME AUTHOR STATE"
# (REV may carry a hand-made suffix such as "1.10+1", as copies into other trees do).
_KEYWORD = re.compile(
    rb"\$(" + _STANDARD_KEYWORDS + rb"):[^$\n]*\$"
    rb"|\$([A-Za-z][A-Za-z0-9_]*): [^$\n]*,v \d+(?:\.\d+)+[^$\s]* [^$\n]*\$"
)


class RevisionError(Exception):
    """A revision's text cannot be reconstructed (missing or corrupt delta text)."""


def split_lines(text: bytes) -> list[bytes]:
    """Split ``text`` after every ``\\n`` only (a lone ``\\r`` is not a line end in RCS)."""
    if b"\r" not in text:
        return text.splitlines(True)
    return _LINE.findall(text)


def _commands(lines: list[bytes]) -> Iterator[tuple[bool, int, int, int]]:
    """Yield ``(is_delete, line, count, index of the added lines)`` for each edit command."""
    index = 0
    while index < len(lines):
        command = _COMMAND.fullmatch(lines[index])
        if command is None:
            raise ValueError(f"malformed edit command {lines[index][:40]!r} in line {index + 1}")
        is_delete, at, count = (
            command.group(1) == b"d",
            int(command.group(2)),
            int(command.group(3)),
        )
        index += 1
        if not is_delete and index + count > len(lines):
            raise ValueError(f"'a{at} {count}' adds more lines than the script holds")
        yield is_delete, at, count, index
        if not is_delete:
            index += count


def _check_bounds(is_delete: bool, at: int, count: int, consumed: int, length: int) -> int:
    """Return how many source lines are consumed after the command, or raise ValueError."""
    if is_delete:
        if at - 1 < consumed or at - 1 + count > length:
            raise ValueError(f"'d{at} {count}' falls outside the {length} source lines")
        return at - 1 + count
    if at < consumed or at > length:
        raise ValueError(f"'a{at} {count}' falls outside the {length} source lines")
    return at


def apply_edit_script(source: list[bytes], script: bytes) -> list[bytes]:
    """Return the lines that the RCS edit script ``script`` makes of ``source``.

    :raises ValueError: the script is malformed or does not fit ``source``.
    """
    lines = split_lines(script)
    result: list[bytes] = []
    consumed = 0
    for is_delete, at, count, index in _commands(lines):
        end = _check_bounds(is_delete, at, count, consumed, len(source))
        result += source[consumed : at - 1 if is_delete else at]
        if not is_delete:
            result += lines[index : index + count]
        consumed = end
    result += source[consumed:]
    return result


def edited_length(length: int, script: bytes) -> int:
    """Return the number of lines ``script`` makes of a source of ``length`` lines.

    :raises ValueError: the script is malformed or does not fit such a source.
    """
    consumed, result = 0, length
    for is_delete, at, count, _index in _commands(split_lines(script)):
        consumed = _check_bounds(is_delete, at, count, consumed, length)
        result += -count if is_delete else count
    return result


def check_revisions(rcs: RcsFile) -> dict[str, str]:
    """Return, for every revision whose text cannot be rebuilt, the fault that stops it.

    Revisions built from a faulty one share its fault's sentence.

    Walks the delta tree from the head with line counts only, so it costs a fraction of
    rebuilding every text. A dead revision that has no delta text and nothing built from it
    is sound: its text is never needed.
    """
    children: dict[str, list[str]] = {}
    for child, parent in parents_of(rcs).items():
        children.setdefault(parent, []).append(child)
    unsound: dict[str, str] = {}
    reached: set[str] = set()
    stack: list[tuple[str, int | None]] = [(rcs.head, None)] if rcs.head else []
    while stack:
        revision, source_length = stack.pop()
        reached.add(revision)
        try:
            length = _length_of(rcs, revision, source_length, bool(children.get(revision)))
        except ValueError as error:
            _mark(revision, str(error), children, unsound, reached)
            continue
        stack += [(child, length) for child in children.get(revision, [])]
    for revision in rcs.deltas:
        if revision not in reached:
            unsound[revision] = f"revision {revision} is not reachable from the head"
    return unsound


def _length_of(rcs: RcsFile, revision: str, source_length: int | None, needed: bool) -> int:
    delta_text = rcs.texts.get(revision)
    if delta_text is None:
        if rcs.deltas[revision].state == "dead" and not needed:
            return 0
        raise ValueError(f"revision {revision} has no delta text")
    if source_length is None:
        return len(split_lines(delta_text.text))
    try:
        return edited_length(source_length, delta_text.text)
    except ValueError as error:
        raise ValueError(
            f"the delta text of revision {revision} (byte {delta_text.offset}) is corrupt: {error}"
        ) from None


def _mark(
    revision: str,
    reason: str,
    children: dict[str, list[str]],
    unsound: dict[str, str],
    reached: set[str],
) -> None:
    unsound[revision] = reason
    stack = list(children.get(revision, []))
    while stack:
        child = stack.pop()
        reached.add(child)
        unsound[child] = reason
        stack += children.get(child, [])


def collapse_keywords(text: bytes) -> bytes:
    """Replace every expanded keyword ``$Name: value $`` in ``text`` by ``$Name$`` (as ``-kk``)."""
    if b"$" not in text:
        return text
    return _KEYWORD.sub(lambda match: b"$" + (match.group(1) or match.group(2)) + b"$", text)


def is_trunk(revision: str) -> bool:
    """Whether ``revision`` (e.g. ``1.4``) is on the trunk rather than a branch (``1.4.2.1``)."""
    return revision.count(".") == 1


def parents_of(rcs: RcsFile) -> dict[str, str]:
    """Map every revision to the revision its delta text applies to (the head has none).

    On the trunk ``next`` points to the older revision, built from this one; on a branch it
    points to the newer one, also built from this one: either way this one is its parent.
    """
    parents: dict[str, str] = {}
    for delta in rcs.deltas.values():
        if delta.next is not None:
            parents[delta.next] = delta.revision
        for branch in delta.branches:
            parents[branch] = delta.revision
    return parents


class RevisionTexts:
    """The texts of every revision of one RCS file, built on demand and cached.

    The first request walks the whole delta tree once, keeping every ``stride``-th revision
    along each line of descent as a *checkpoint* (``stride`` chosen so that the checkpoints
    stay within ``max_cached_lines``). Any other revision is rebuilt from the checkpoint above
    it in fewer than ``stride`` steps; the revisions passed on the way are kept in a small LRU,
    so reading a file's revisions in time order costs about one delta per revision.
    """

    def __init__(self, rcs: RcsFile, max_cached_lines: int = 1_000_000) -> None:
        """:param max_cached_lines: rough bound on the line pointers the checkpoints hold."""
        self.rcs = rcs
        self.parents = parents_of(rcs)
        self._budget = max_cached_lines
        self._checkpoints: dict[str, list[bytes]] | None = None
        self._recent: OrderedDict[str, list[bytes]] = OrderedDict()
        self._stride = 1
        self._cached_lines = 0

    @property
    def cached_lines(self) -> int:
        """How many line pointers the caches hold now."""
        return self._cached_lines

    def text(self, revision: str) -> bytes:
        """Return the stored (``-ko``) text of ``revision``.

        :raises RevisionError: the revision is unknown or its text cannot be reconstructed.
        """
        return b"".join(self.lines(revision))

    def lines(self, revision: str) -> list[bytes]:
        """Return the lines of ``revision`` (do not modify the list: it may be cached)."""
        if self._checkpoints is None:
            self._walk_all()
        found = self._cached(revision)
        if found is not None:
            return found
        path = self._path_to(revision)
        lines = self._cached(path[0])
        if lines is None:
            lines = self._build(path[0], None)
        for step in path[1:]:
            lines = self._build(step, lines)
            self._remember(step, lines)
        return lines

    def _cached(self, revision: str) -> list[bytes] | None:
        assert self._checkpoints is not None
        found = self._checkpoints.get(revision)
        if found is None:
            found = self._recent.get(revision)
            if found is not None:
                self._recent.move_to_end(revision)
        return found

    def _walk_all(self) -> None:
        """Build every revision once, from the head down the tree, keeping the checkpoints."""
        self._checkpoints = {}
        children: dict[str, list[str]] = {}
        for child, parent in self.parents.items():
            children.setdefault(parent, []).append(child)
        if self.rcs.head is None:
            return
        try:
            head = self._build(self.rcs.head, None)
        except RevisionError:
            return
        estimate = len(head) * len(self.rcs.deltas)
        self._stride = max(1, -(-estimate // self._budget))
        stack = [(child, head, 1) for child in children.get(self.rcs.head, [])]
        self._keep(self.rcs.head, head)
        while stack:
            revision, parent_lines, depth = stack.pop()
            try:
                lines = self._build(revision, parent_lines)
            except RevisionError:
                continue  # check_revisions names it; asking for it raises again
            if depth % self._stride == 0:
                self._keep(revision, lines)
            stack += [(child, lines, depth + 1) for child in children.get(revision, [])]

    def _keep(self, revision: str, lines: list[bytes]) -> None:
        assert self._checkpoints is not None
        self._checkpoints[revision] = lines
        self._cached_lines += len(lines) + 1

    def _path_to(self, revision: str) -> list[str]:
        """Revisions from the nearest cached one (or the head) down to ``revision``."""
        if revision not in self.rcs.deltas:
            raise RevisionError(f"revision {revision} does not exist")
        path = [revision]
        while self._cached(path[-1]) is None and path[-1] in self.parents:
            path.append(self.parents[path[-1]])
            if len(path) > len(self.rcs.deltas):
                raise RevisionError(f"the revisions leading to {revision} form a cycle")
        if self._cached(path[-1]) is None and path[-1] != self.rcs.head:
            raise RevisionError(f"revision {path[-1]} is not reachable from the head")
        path.reverse()
        return path

    def _build(self, revision: str, parent_lines: list[bytes] | None) -> list[bytes]:
        delta_text = self.rcs.texts.get(revision)
        if delta_text is None:
            raise RevisionError(f"revision {revision} has no delta text")
        if parent_lines is None:
            return split_lines(delta_text.text)
        try:
            return apply_edit_script(parent_lines, delta_text.text)
        except ValueError as error:
            raise RevisionError(
                f"the delta text of revision {revision} (byte {delta_text.offset}) is corrupt: "
                f"{error}"
            ) from None

    def _remember(self, revision: str, lines: list[bytes]) -> None:
        self._recent[revision] = lines
        self._cached_lines += len(lines) + 1
        while len(self._recent) > 2 * self._stride + 2:
            _, evicted = self._recent.popitem(last=False)
            self._cached_lines -= len(evicted) + 1
