"""Turn a source's records into the column values of transaction and file-revision rows.

This is where every file change is diffed and cleaned. Code files (a language by
:func:`miner.languages.language_of`) go through the cleaning cache, so each distinct version is
cleaned once; their sides are read from the source unless the cache holds them, or can build
the new side from the old one and the source's own diff (git's patch). Other text files keep
the source's own diff when it has one (no blob is read), else both sides are read and diffed.
Binary files and submodules get flags and no diff.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from miner.diffing import CleaningCache, FileDiff, format_ranges
from miner.git_log import changed_line_numbers
from miner.languages import language_of
from miner.options import MineOptions
from miner.records import FileChange, HistorySource, SkippedFile, TransactionRecord

logger = logging.getLogger(__name__)

Row = dict[str, Any]
PROMISED_KEYS = 1024
"""How many versions read ahead or to be built from a patch are remembered, so as not to read
them (again) ahead (see :meth:`RowBuilder.versions_of`)."""


@dataclass(frozen=True)
class RecordRows:
    """One transaction's row values and its file revisions' row values."""

    key: str
    transaction: Row
    files: tuple[Row, ...]


@dataclass
class RowBuilder:
    """Builds rows for records of one source, cleaning each distinct version once."""

    source: HistorySource
    options: MineOptions
    cache: CleaningCache = field(default_factory=CleaningCache)
    skipped: list[SkippedFile] = field(default_factory=list)
    """Versions that could not be read since the stage last took this list."""
    skipped_count: int = 0
    preloaded: dict[str, bytes | None] = field(default_factory=dict)
    """Versions read ahead (by :meth:`versions_of` in another thread), by version key."""
    _promised: OrderedDict[str, None] = field(default_factory=OrderedDict)
    """Keys of the versions the cleaning will hold when it reaches the records
    :meth:`versions_of` saw lately (only that method's thread uses this)."""

    def __post_init__(self) -> None:
        if self.cache.content_key is None:
            self.cache.content_key = getattr(self.source, "content_key", None)

    def submit(self, records: list[TransactionRecord]) -> Callable[[], list[RecordRows]]:
        """Build the rows of ``records`` now; return a function giving them (see workers)."""
        built = [self.rows(record) for record in records]
        self.preloaded.clear()
        return lambda: built

    def versions_of(self, record: TransactionRecord) -> dict[str, bytes | None]:
        """Read every version the rows of ``record`` will need, by version key.

        With a source that reads many versions at once (git), versions the cleaning will hold
        anyway are left out: those cached now, those read ahead lately, and new sides it will
        build from the old side and the source's patch. Mostly they are still there when
        needed; one evicted meanwhile, or a patch that does not apply, is read then by
        ``read_version``, whose process is not this thread's.
        """
        read_many = getattr(self.source, "read_versions", None)
        if not callable(read_many):
            return {
                key: self.source.read_version(change, side)
                for change in record.files
                if self.needs_versions(change)
                for side in ("old", "new")
                if (key := _version_key(change, side)) is not None
            }
        cache, promised = self.cache, self._promised
        wanted: list[tuple[FileChange, str]] = []
        for change in record.files:
            if not self.needs_versions(change):
                continue
            old_key, new_key = _version_key(change, "old"), _version_key(change, "new")
            if old_key is not None and old_key not in cache and old_key not in promised:
                wanted.append((change, "old"))
            patched = bool(change.raw_diff) and old_key != new_key
            if (
                new_key is not None
                and not patched
                and new_key not in cache
                and (new_key not in promised)
            ):
                wanted.append((change, "new"))
            for key in (old_key, new_key):
                if key is not None:
                    promised[key] = None
                    promised.move_to_end(key)
        while len(promised) > PROMISED_KEYS:
            promised.popitem(last=False)
        return read_many(wanted)

    def rows(self, record: TransactionRecord) -> RecordRows:
        """Return the rows of one record (diffing and cleaning its files)."""
        files = tuple(self.file_row(change) for change in record.files)
        return record_rows(record, files)

    def file_row(self, change: FileChange) -> Row:
        """Return one file revision's column values."""
        row = self.row_without_versions(change)
        return row if row is not None else self.row_with_versions(change)

    def language(self, change: FileChange) -> str | None:
        """Return the language ``change``'s file is cleaned as (``None``: not cleaned)."""
        return language_of(change.path, self.options.header_language)

    def needs_versions(self, change: FileChange) -> bool:
        """Whether the row of ``change`` needs its versions read (see :meth:`file_row`)."""
        if change.is_submodule or change.is_binary:
            return False
        return change.raw_diff is None or self.language(change) is not None

    def row_without_versions(self, change: FileChange) -> Row | None:
        """Return the row of a change that needs no file version read, else ``None``."""
        if self.needs_versions(change):
            return None
        language = self.language(change)
        row = _identity_row(change, language)
        if change.is_submodule or change.is_binary:
            return row | _patch_counts(change.raw_diff or "") | {"raw_diff": None}
        patch = change.raw_diff or ""  # not None here: git gave its diff
        raw_diff = with_file_header(change) + patch if patch else ""
        return row | _patch_counts(patch) | {"raw_diff": raw_diff}

    def row_with_versions(self, change: FileChange) -> Row:
        """Return the row of a change whose two sides must be read, diffed and cleaned."""
        language = self.language(change)
        old_key, new_key = _version_key(change, "old"), _version_key(change, "new")
        # Readers, not bytes: the cache calls them only for versions it does not hold.
        old = None if old_key is None else lambda: self._read(change, "old")
        new = None if new_key is None else lambda: self._read(change, "new")
        limit = self.options.max_file_bytes
        # The source's own hunks (git's), checked against both sides, spare a raw line diff.
        hunks, encoding = change.raw_diff or None, change.raw_diff_encoding
        diff = self.cache.diff(
            old_key, old, new_key, new, change.path, language, limit, hunks, encoding
        )
        return _identity_row(change, language) | diff_columns(diff)

    def take_skipped(self) -> list[SkippedFile]:
        """Return the versions that could not be read since the last call, and forget them."""
        taken, self.skipped = self.skipped, []
        return taken

    def close(self) -> None:
        """Release what the builder holds (nothing: the caller owns the source)."""

    def _read(self, change: FileChange, side: str) -> bytes | None:
        version = change.old_version if side == "old" else change.new_version
        if version is None:
            return None
        key = _version_key(change, side)
        if key in self.preloaded:
            data = self.preloaded[key]
        else:
            data = self.source.read_version(change, side)
        if data is None:
            self.skipped_count += 1
            where = change.rcs_file or change.path
            self.skipped.append(
                SkippedFile(f"{where}@{version}", f"{where}: version {version} could not be read")
            )
        return data


def _version_key(change: FileChange, side: str) -> str | None:
    version = change.old_version if side == "old" else change.new_version
    if version is None:
        return None
    return f"{change.rcs_file}@{version}" if change.rcs_file else version


def with_file_header(change: FileChange) -> str:
    """Return the ``---``/``+++`` lines a unified diff of ``change`` starts with."""
    old = "/dev/null" if change.old_version is None else f"a/{change.old_path or change.path}"
    new = "/dev/null" if change.new_version is None else f"b/{change.path}"
    return f"--- {old}\n+++ {new}\n"


def _identity_row(change: FileChange, language: str | None) -> Row:
    return {
        "path": change.path,
        "path_raw": change.path_raw,
        "old_path": change.old_path,
        "change_kind": change.change_kind,
        "language": language,
        "old_version": change.old_version,
        "new_version": change.new_version,
        "rcs_file": change.rcs_file,
        "is_binary": change.is_binary,
        "is_submodule": change.is_submodule,
        "is_too_large": False,
        "functionally_equivalent": False,
        "clean_lines_added": None,
        "clean_lines_deleted": None,
        "cleaned_diff": None,
    }


def _patch_counts(raw_diff: str) -> Row:
    deleted, added = changed_line_numbers(raw_diff)
    return {
        "lines_added": len(added),
        "lines_deleted": len(deleted),
        "old_changed_lines": format_ranges(deleted),
        "new_changed_lines": format_ranges(added),
    }


def diff_columns(diff: FileDiff) -> Row:
    """Return the file-revision columns a :class:`FileDiff` fills."""
    return {
        "raw_diff": diff.raw_diff,
        "lines_added": diff.lines_added,
        "lines_deleted": diff.lines_deleted,
        "cleaned_diff": diff.cleaned_diff,
        "clean_lines_added": diff.clean_lines_added,
        "clean_lines_deleted": diff.clean_lines_deleted,
        "old_changed_lines": format_ranges(diff.old_changed_lines),
        "new_changed_lines": format_ranges(diff.new_changed_lines),
        "functionally_equivalent": diff.functionally_equivalent,
        "is_binary": diff.is_binary,
        "is_too_large": diff.is_too_large,
    }


def record_rows(record: TransactionRecord, files: tuple[Row, ...]) -> RecordRows:
    """Return a record's transaction row with its file revision rows."""
    return RecordRows(record.key, transaction_row(record, files), files)


def transaction_row(record: TransactionRecord, files: tuple[Row, ...]) -> Row:
    """Return a transaction's column values, with totals over its file revisions."""
    return {
        "key": record.key,
        "author": record.author,
        "author_email": record.author_email,
        "author_time": record.author_time,
        "author_tz": record.author_tz,
        "committer": record.committer,
        "committer_email": record.committer_email,
        "commit_time": record.commit_time,
        "commit_tz": record.commit_tz,
        "first_time": record.first_time or record.author_time,
        "message": record.message,
        "message_raw": record.message_raw,
        "parents": " ".join(record.parents),
        "is_merge": record.is_merge,
        "branch": record.branch,
        "grouping": record.grouping,
        "commitid": record.commitid,
        "n_files": len(files),
        "lines_added": sum(row["lines_added"] for row in files),
        "lines_deleted": sum(row["lines_deleted"] for row in files),
        "functionally_equivalent": bool(files)
        and all(row["functionally_equivalent"] for row in files),
    }
