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

from miner.rcs import RcsFile

_COMMAND = re.compile(rb"([ad])(\d+) (\d+)[ \t\r]*\n?")
_LINE = re.compile(rb"[^\n]*\n|[^\n]+")
_STANDARD_KEYWORDS = (
    rb"Author|CVSHeader|Date|Header|Id|Locker|Log|Mdocdate|Name|RCSfile|Revision|Source|State"
)
# A standard keyword with any value; or any other word (a CVS LocalKeyword such as $OpenBSD$ or
# $MirOS$) whose value has the form of an expanded $Id$: "file,v REV DATE TIME AUTHOR STATE".
_KEYWORD = re.compile(
    rb"\$(" + _STANDARD_KEYWORDS + rb"):[^$\n]*\$"
    rb"|\$([A-Za-z][A-Za-z0-9_]*): [^$\n]*,v \d+(?:\.\d+)+ [^$\n]*\$"
)


class RevisionError(Exception):
    """A revision's text cannot be reconstructed (missing or corrupt delta text)."""


def split_lines(text: bytes) -> list[bytes]:
    """Split ``text`` after every ``\\n`` only (a lone ``\\r`` is not a line end in RCS)."""
    if b"\r" not in text:
        return text.splitlines(True)
    return _LINE.findall(text)


def apply_edit_script(source: list[bytes], script: bytes) -> list[bytes]:
    """Return the lines that the RCS edit script ``script`` makes of ``source``.

    :raises ValueError: the script is malformed or does not fit ``source``.
    """
    lines = split_lines(script)
    result: list[bytes] = []
    consumed = index = 0
    while index < len(lines):
        command = _COMMAND.fullmatch(lines[index])
        if command is None:
            raise ValueError(f"malformed edit command {lines[index][:40]!r} in line {index + 1}")
        at, count = int(command.group(2)), int(command.group(3))
        index += 1
        if command.group(1) == b"d":
            if at - 1 < consumed or at - 1 + count > len(source):
                raise ValueError(f"'d{at} {count}' falls outside the {len(source)} source lines")
            result += source[consumed : at - 1]
            consumed = at - 1 + count
        else:
            if at < consumed or at > len(source) or index + count > len(lines):
                raise ValueError(f"'a{at} {count}' falls outside the source or the script")
            result += source[consumed:at]
            result += lines[index : index + count]
            consumed, index = at, index + count
    result += source[consumed:]
    return result


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
    """The texts of every revision of one RCS file, built on demand and cached."""

    def __init__(self, rcs: RcsFile, max_cached_lines: int = 2_000_000) -> None:
        """:param max_cached_lines: bound on the line pointers kept in the cache, in all."""
        self.rcs = rcs
        self.parents = parents_of(rcs)
        self._cache: OrderedDict[str, list[bytes]] = OrderedDict()
        self._cached_lines = 0
        self._max_cached_lines = max_cached_lines

    def text(self, revision: str) -> bytes:
        """Return the stored (``-ko``) text of ``revision``.

        :raises RevisionError: the revision is unknown or its text cannot be reconstructed.
        """
        return b"".join(self.lines(revision))

    def lines(self, revision: str) -> list[bytes]:
        """Return the lines of ``revision`` (do not modify the list: it may be cached)."""
        cached = self._cache.get(revision)
        if cached is not None:
            self._cache.move_to_end(revision)
            return cached
        path = self._path_to(revision)
        lines = self._cache.get(path[0])
        if lines is None:
            lines = self._build(path[0], None)
            self._remember(path[0], lines)
        for step in path[1:]:
            lines = self._build(step, lines)
            self._remember(step, lines)
        return lines

    def _path_to(self, revision: str) -> list[str]:
        """Revisions from the nearest cached one (or the head) down to ``revision``."""
        if revision not in self.rcs.deltas:
            raise RevisionError(f"revision {revision} does not exist")
        path = [revision]
        while path[-1] not in self._cache and path[-1] in self.parents:
            path.append(self.parents[path[-1]])
            if len(path) > len(self.rcs.deltas):
                raise RevisionError(f"the revisions leading to {revision} form a cycle")
        if path[-1] not in self._cache and path[-1] != self.rcs.head:
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
        self._cache[revision] = lines
        self._cached_lines += len(lines) + 1
        while self._cached_lines > self._max_cached_lines and len(self._cache) > 1:
            _, evicted = self._cache.popitem(last=False)
            self._cached_lines -= len(evicted) + 1
