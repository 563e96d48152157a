"""Diff two versions of a file, raw and cleaned, and find the original lines that really changed.

:func:`diff_file` takes the bytes of both sides (``None`` for an absent side: an added or a
deleted file) and gives a :class:`FileDiff`: the raw unified diff and its line counts; for a
file in a cleaned language (see :mod:`miner.languages`) the diff of the cleaned texts (see
:mod:`miner.cleaning`) and its counts; the original line numbers that diff touches on each
side (every original line a changed cleaned statement spans; from the raw diff when the file
is not cleaned); and the flags binary, too large, functionally equivalent.

Walking a history, each version is the new side of one change and the old side of the next.
:class:`CleaningCache` keeps recently seen versions (decoded lines and cleaned text) by a key
the caller chooses (a git blob id, or ``path@rcs-revision``), so each is decoded and cleaned
once, and a C or C++ version edited from a cached one is re-cleaned only where the edit
touched it (:mod:`miner.c_incremental`). A side may be given as a function that reads it, so
that a version already cached is not even read; and when the source's own diff (git's patch)
comes with the change and the old side is cached, the new side is built from the two
(:func:`miner.hunks.apply_hunks`) and not read at all::

    cache = CleaningCache()
    for change in changes:               # in history order
        result = cache.diff(change.old_version, lambda: read(change, "old"),
                            change.new_version, lambda: read(change, "new"),
                            change.path, language_of(change.path))
        row.old_changed_lines = format_ranges(result.old_changed_lines)

Line ranges are stored as text, ``format_ranges([3, 4, 5, 9]) == "3-5,9"``, and read back
with :func:`parse_ranges`.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from miner.cleaning import CleanedText, clean, clean_edited, decode_source_as
from miner.hunks import apply_hunks, blocks_from_hunks
from miner.line_diff import (
    Block,
    Opcode,
    changed_counts,
    matching_blocks,
    merged_blocks,
    opcodes_of,
    split_lines,
    unified_text,
)

MAX_BYTES = 5_000_000
"""Files larger than this (either side) are not diffed."""

SEGMENTS_DIFF_LIMIT = 400
"""Cleaned lines laid out afresh (both sides) above which the whole cleaned texts are diffed."""


@dataclass(frozen=True)
class FileDiff:
    """The raw and cleaned diff of one file revision, with what it touches."""

    raw_diff: str | None
    """Unified diff of the raw sides (``None`` when binary or too large)."""
    lines_added: int
    lines_deleted: int
    cleaned_diff: str | None
    """Unified diff of the cleaned sides; ``None`` when not cleaned (no language, binary,
    too large)."""
    clean_lines_added: int | None
    clean_lines_deleted: int | None
    old_changed_lines: tuple[int, ...]
    """Original old-side lines (1-based, sorted) the cleaned diff deletes or replaces."""
    new_changed_lines: tuple[int, ...]
    """Original new-side lines (1-based, sorted) the cleaned diff adds or replaces."""
    functionally_equivalent: bool
    """The raw sides differ but the cleaned sides do not."""
    is_binary: bool = False
    is_too_large: bool = False
    cleaning_fallback: bool = False
    """A side could not be tokenized and was cleaned by the fallback (comments only)."""


class Version:
    """One side of a diff: its size and flags, its decoded lines, its cleaned text once asked.

    Binary versions (a NUL byte) and those over ``max_bytes`` are not decoded.
    """

    __slots__ = ("absent", "size", "is_binary", "encoding", "lines", "_cleaned")

    def __init__(self, data: bytes | None, max_bytes: int = MAX_BYTES) -> None:
        self.absent = data is None
        self.size = len(data) if data else 0
        self.is_binary = bool(data) and b"\0" in data
        decodable = data and not self.is_binary and self.size <= max_bytes
        text, self.encoding = decode_source_as(data) if decodable else ("", "ascii")
        """How the lines were decoded: ``ascii``, ``utf-8`` or ``latin-1``."""
        self.lines: list[str] = split_lines(text) if text else []
        self._cleaned: dict[str, CleanedText] = {}

    @classmethod
    def edited(cls, lines: list[str], size: int, encoding: str) -> Version:
        """Return a text version made by a patch (see :meth:`CleaningCache.edit`)."""
        version = cls.__new__(cls)
        version.absent, version.size, version.is_binary = False, size, False
        version.encoding, version.lines, version._cleaned = encoding, lines, {}
        return version

    def cleaned(
        self, language: str, edited_from: tuple[Version, list[Block]] | None = None
    ) -> CleanedText:
        """Return this version cleaned as ``language`` (computed once).

        :param edited_from: a version this one was edited from, with the matching blocks of
            their lines; if that version is already cleaned, only the edit is cleaned again.
        """
        result = self._cleaned.get(language)
        if result is None:
            previous = edited_from[0]._cleaned.get(language) if edited_from else None
            if previous is None or edited_from is None:
                result = clean("".join(self.lines), language)
            else:
                result = clean_edited(previous, None, self.lines, edited_from[1], language)
            self._cleaned[language] = result
        return result


def diff_file(
    old: bytes | None,
    new: bytes | None,
    path: str,
    language: str | None,
    max_bytes: int = MAX_BYTES,
    raw_hunks: str | None = None,
) -> FileDiff:
    """Diff ``old`` and ``new`` (``None``: the side is absent), raw and, with a language, cleaned.

    :param path: the file's path, used in the diff headers.
    :param language: ``c``, ``cpp`` or ``python`` to clean; ``None`` for the raw diff only.
    :param raw_hunks: the source's own unified diff of the two sides, hunks only (git's
        patch from its first ``@@``): once checked against the sides, it is the raw diff
        (with its file header), and the raw lines are not diffed again (see
        :mod:`miner.hunks`).
    """
    old_version, new_version = Version(old, max_bytes), Version(new, max_bytes)
    return diff_versions(old_version, new_version, path, language, max_bytes, raw_hunks)


def diff_versions(
    old: Version,
    new: Version,
    path: str,
    language: str | None,
    max_bytes: int = MAX_BYTES,
    raw_hunks: str | None = None,
    raw_blocks: list[Block] | None = None,
) -> FileDiff:
    """Diff two prepared versions (see :func:`diff_file`).

    :param raw_blocks: the matching blocks of the two sides' lines, when already known.
    """
    flagged = _flagged(old, new, max_bytes)
    if flagged is not None:
        return flagged
    labels = (
        "/dev/null" if old.absent else f"a/{path}",
        "/dev/null" if new.absent else f"b/{path}",
    )
    if old.lines == new.lines:
        return _unchanged(language)
    if raw_blocks is None and raw_hunks:
        raw_blocks = blocks_from_hunks(raw_hunks, old.lines, new.lines)
    if raw_blocks is not None and raw_hunks:  # the source's hunks fit: keep its text
        raw_ops = opcodes_of(raw_blocks)
        raw_diff = f"--- {labels[0]}\n+++ {labels[1]}\n{raw_hunks}"
    else:
        raw_blocks = raw_blocks or matching_blocks(old.lines, new.lines)
        raw_ops = opcodes_of(raw_blocks)
        raw_diff = unified_text(old.lines, new.lines, raw_ops, labels)
    added, deleted = changed_counts(raw_ops)
    if language is None:
        old_changed, new_changed = _raw_changed_lines(raw_ops)
        return FileDiff(raw_diff, added, deleted, None, None, None, old_changed, new_changed, False)
    old_clean = old.cleaned(language)
    new_clean = new.cleaned(language, edited_from=(old, raw_blocks))
    clean_ops = opcodes_of(cleaned_blocks(old_clean, new_clean))
    clean_added, clean_deleted = changed_counts(clean_ops)
    cleaned_diff = unified_text(
        old_clean.lines, new_clean.lines, clean_ops, labels, keep_ends=False
    )
    return FileDiff(
        raw_diff=raw_diff,
        lines_added=added,
        lines_deleted=deleted,
        cleaned_diff=cleaned_diff,
        clean_lines_added=clean_added,
        clean_lines_deleted=clean_deleted,
        old_changed_lines=_cleaned_changed_lines(old_clean, clean_ops, old_side=True),
        new_changed_lines=_cleaned_changed_lines(new_clean, clean_ops, old_side=False),
        functionally_equivalent=not cleaned_diff,
        cleaning_fallback=old_clean.fallback or new_clean.fallback,
    )


def cleaned_blocks(old: CleanedText, new: CleanedText) -> list[Block]:
    """Return the matching blocks of two cleaned texts.

    When ``new`` was re-cleaned from ``old`` (see :mod:`miner.c_incremental`), its copied
    segments match as they are and only the segments laid out afresh are diffed, unless those
    are large: the raw diff's alignment, which the segments follow, may then be a poor one for
    the cleaned lines (a table moved across a short run of equal lines), so the whole cleaned
    texts are diffed.
    """
    if old.lines == new.lines:
        return [(0, 0, len(old.lines)), (len(old.lines), len(new.lines), 0)]
    edit = new.layout.edit if new.layout is not None else None
    if (
        edit is None
        or old.layout is None
        or edit.previous() is not old.layout
        or sum(seg[1] - seg[0] + seg[3] - seg[2] for seg in edit.segments if not seg[4])
        > SEGMENTS_DIFF_LIMIT
    ):
        return matching_blocks(old.lines, new.lines)
    blocks: list[Block] = []
    for old_lo, old_hi, new_lo, new_hi, copied in edit.segments:
        if copied:
            blocks.append((old_lo, new_lo, old_hi - old_lo))
            continue
        for i, j, size in matching_blocks(old.lines[old_lo:old_hi], new.lines[new_lo:new_hi]):
            blocks.append((old_lo + i, new_lo + j, size))
    return merged_blocks(blocks, len(old.lines), len(new.lines))


def _flagged(old: Version, new: Version, max_bytes: int) -> FileDiff | None:
    is_too_large = old.size > max_bytes or new.size > max_bytes
    is_binary = not is_too_large and (old.is_binary or new.is_binary)
    if not (is_binary or is_too_large):
        return None
    return FileDiff(None, 0, 0, None, None, None, (), (), False, is_binary, is_too_large)


def _unchanged(language: str | None) -> FileDiff:
    counts = None if language is None else 0
    cleaned = None if language is None else ""
    return FileDiff("", 0, 0, cleaned, counts, counts, (), (), False)


def _raw_changed_lines(opcodes: list[Opcode]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    old_lines: list[int] = []
    new_lines: list[int] = []
    for tag, i1, i2, j1, j2 in opcodes:
        if tag != "equal":
            old_lines.extend(range(i1 + 1, i2 + 1))
            new_lines.extend(range(j1 + 1, j2 + 1))
    return tuple(old_lines), tuple(new_lines)


def _cleaned_changed_lines(
    cleaned: CleanedText, opcodes: list[Opcode], old_side: bool
) -> tuple[int, ...]:
    touched: set[int] = set()
    for tag, i1, i2, j1, j2 in opcodes:
        if tag != "equal":
            indices = range(i1, i2) if old_side else range(j1, j2)
            touched.update(cleaned.original_lines(indices))
    return tuple(sorted(touched))


VersionData = bytes | None | Callable[[], bytes | None]
"""A version's bytes (``None``: the side is absent), or a function reading them when needed."""


class CleaningCache:
    """Diff file versions of a history, decoding and cleaning each distinct version once.

    Versions are kept by the caller's key (blob id, ``path@revision``), bounded by count and by
    an estimate of the memory they hold; a ``None`` key is never cached. A version that was
    the old side of a change to another version is *superseded*: on a line of history it is
    not needed again (a branch may still need it), so superseded versions are dropped first,
    oldest first, and the others after them, least recently used first. The cache thus keeps
    every file's latest version as long as those fit. A side's data may be given as a function,
    called only when its key is not cached, so that a caller need not read a version it has
    already handed over.
    """

    def __init__(
        self,
        max_versions: int = 4096,
        max_memory: int = 256 << 20,
        content_key: Callable[[bytes, str], str] | None = None,
    ) -> None:
        self.max_versions = max_versions
        self.max_memory = max_memory
        """Estimated bytes of memory the cached versions may hold (about 16 per source byte)."""
        self.content_key = content_key
        """For a source whose version keys hash the contents (git's blob ids): the key of some
        bytes, given a key of the same kind; checks a non-ASCII version built from a patch."""
        self._versions: OrderedDict[str, Version] = OrderedDict()
        """Versions not superseded, least recently used first."""
        self._superseded: OrderedDict[str, Version] = OrderedDict()
        """Superseded versions, in the order they were superseded."""
        self._memory = 0
        self.hits = 0
        self.misses = 0
        self.edited = 0
        """Versions built from the one before and the source's patch, instead of read."""

    def __contains__(self, key: object) -> bool:
        """Whether version ``key`` is cached now (it may be evicted later; safe from any thread)."""
        return key in self._versions or key in self._superseded

    def __len__(self) -> int:
        return len(self._versions) + len(self._superseded)

    def version(self, key: str | None, data: VersionData, max_bytes: int = MAX_BYTES) -> Version:
        """Return the prepared version ``key`` (from ``data`` if it is not cached)."""
        found = self._cached(key)
        if found is not None:
            return found
        found = Version(data() if callable(data) else data, max_bytes)
        if key is not None:
            self.misses += 1
            self._store(key, found)
        return found

    def _cached(self, key: str | None) -> Version | None:
        if key is None:
            return None
        found = self._versions.get(key)
        if found is not None:
            self._versions.move_to_end(key)
        else:
            found = self._superseded.pop(key, None)
            if found is not None:
                self._versions[key] = found
        if found is not None:
            self.hits += 1
        return found

    def _supersede(self, key: str) -> None:
        version = self._versions.pop(key, None)
        if version is not None:
            self._superseded[key] = version

    def _store(self, key: str, version: Version) -> None:
        self._versions[key] = version
        self._memory += _memory_estimate(version)
        while len(self) > self.max_versions or (self._memory > self.max_memory and len(self)):
            oldest = self._superseded if self._superseded else self._versions
            self._memory -= _memory_estimate(oldest.popitem(last=False)[1])

    def diff(
        self,
        old_key: str | None,
        old: VersionData,
        new_key: str | None,
        new: VersionData,
        path: str,
        language: str | None,
        max_bytes: int = MAX_BYTES,
        raw_hunks: str | None = None,
        hunks_encoding: str | None = None,
    ) -> FileDiff:
        """Like :func:`diff_file`, reusing cached versions (keys name the sides' contents).

        The new side is built from the old one and ``raw_hunks`` when it is not cached, so
        ``new`` is called only when that fails (see :meth:`edit`).
        """
        old_version = self.version(old_key, old, max_bytes)
        if old_key is not None and old_key != new_key:
            self._supersede(old_key)
        new_version, raw_blocks = self._cached(new_key), None
        if new_version is None and new_key is not None and raw_hunks:
            edited = self.edit(old_version, raw_hunks, new_key, max_bytes, hunks_encoding)
            if edited is not None:
                new_version, raw_blocks = edited
                self.edited += 1
                self._store(new_key, new_version)
        if new_version is None:
            new_version = self.version(new_key, new, max_bytes)
        return diff_versions(
            old_version, new_version, path, language, max_bytes, raw_hunks, raw_blocks
        )

    def edit(
        self,
        old: Version,
        hunks: str,
        new_key: str,
        max_bytes: int = MAX_BYTES,
        hunks_encoding: str | None = None,
    ) -> tuple[Version, list[Block]] | None:
        """Build the version ``new_key`` from ``old`` and the unified diff ``hunks`` of the two.

        The hunks must fit ``old`` line for line. The result is the version that reading
        ``new_key`` would give when both were decoded from UTF-8 (or are ASCII): the lines
        they share are the same text either way. Otherwise (hunks decoded as Latin-1, or not
        known and not ASCII) it is encoded again and its content key checked. A Latin-1 old
        side, a NUL byte or a size over ``max_bytes`` gives ``None``.

        :param hunks_encoding: how the hunks' bytes were decoded (``ascii``, ``utf-8``,
            ``latin-1``; ``None``: not known).
        :return: the version and the matching blocks of the two sides' lines, or ``None``.
        """
        if old.is_binary or old.encoding == "latin-1" or old.size > max_bytes or "\0" in hunks:
            return None
        applied = apply_hunks(hunks, old.lines)
        if applied is None:
            return None
        lines, blocks = applied
        if hunks_encoding is None and hunks.isascii():
            hunks_encoding = "ascii"
        if hunks_encoding in ("ascii", "utf-8"):
            ascii_only = old.encoding == "ascii" and hunks_encoding == "ascii"
            encoding = "ascii" if ascii_only else "utf-8"
            size = _edited_size(old, lines, blocks, len if ascii_only else _utf8_length)
        elif self.content_key is None:
            return None
        else:
            data = "".join(lines).encode("utf-8")
            if self.content_key(data, new_key) != new_key:
                return None
            encoding, size = ("ascii" if data.isascii() else "utf-8"), len(data)
        if size > max_bytes:
            return None
        return Version.edited(lines, size, encoding), blocks


def _utf8_length(line: str) -> int:
    return len(line.encode("utf-8"))


def _edited_size(
    old: Version, lines: list[str], blocks: list[Block], length: Callable[[str], int]
) -> int:
    """Return the size in bytes of ``lines`` made from ``old`` (only the changed lines count)."""
    size = old.size
    i = j = 0
    for block_i, block_j, block_size in blocks:
        size += sum(map(length, lines[j:block_j])) - sum(map(length, old.lines[i:block_i]))
        i, j = block_i + block_size, block_j + block_size
    return size


def _memory_estimate(version: Version) -> int:
    return 16 * version.size + 200


def format_ranges(lines: Iterable[int]) -> str:
    """Write line numbers as ranges: ``[3, 4, 5, 9] -> "3-5,9"`` (sorted, duplicates dropped)."""
    parts: list[str] = []
    start = previous = None
    for line in sorted(set(lines)):
        if previous is not None and line == previous + 1:
            previous = line
            continue
        if start is not None:
            parts.append(_range_text(start, previous))
        start = previous = line
    if start is not None:
        parts.append(_range_text(start, previous))
    return ",".join(parts)


def _range_text(start: int, stop: int | None) -> str:
    return str(start) if start == stop else f"{start}-{stop}"


class BadRanges(ValueError):
    """A line-range text is not of the form ``3-5,9``."""


def parse_ranges(text: str) -> list[int]:
    """Read ranges written by :func:`format_ranges` back into sorted line numbers."""
    lines: list[int] = []
    for part in filter(None, (piece.strip() for piece in text.split(","))):
        first, dash, last = part.partition("-")
        try:
            start, stop = int(first), int(last) if dash else int(first)
        except ValueError:
            raise BadRanges(f"Line ranges {text!r} have a bad part {part!r}.") from None
        if stop < start:
            raise BadRanges(f"Line ranges {text!r} have a backward range {part!r}.")
        lines.extend(range(start, stop + 1))
    return sorted(set(lines))
