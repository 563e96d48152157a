"""The CVS history source: a directory of ``,v`` files read directly, without the ``cvs`` tool.

:class:`CvsSource` parses every ``,v`` file under its location (``Attic/`` included), turns each
revision into a file change (:mod:`miner.cvs_history`), groups them into transactions
(:mod:`miner.transactions`: commitid, else the sliding window) and hands them to the mining
stage as :class:`~miner.records.TransactionRecord` values, the whole history every time, in
commit order. A file that cannot be parsed, or revisions whose text cannot be rebuilt, are
listed as :class:`~miner.records.SkippedFile` with one sentence naming the file and the
revision or byte offset; they never stop the others.

:meth:`CvsSource.read_version` rebuilds a revision's text with its keyword values collapsed
(``$Id$``), so keyword lines never show up as changes; parsed files are kept in an LRU cache.
"""

from __future__ import annotations

import logging
import os
from collections import OrderedDict
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from tqdm import tqdm

from miner.cvs_history import FileHistory, escaped_path, file_history, working_path
from miner.git_source import check_readable, decode
from miner.options import MineOptions
from miner.rcs import RcsFile, RcsParseError, parse_rcs
from miner.rcs_revisions import RevisionError, RevisionTexts, collapse_keywords
from miner.records import FileChange, SkippedFile, SourceScan, TransactionRecord
from miner.source_errors import EmptyRepository, NotARepository, SourceError
from miner.transactions import RevisionGroup, WindowRule, group_transactions

logger = logging.getLogger(__name__)
_CACHED_LINES = 16_000_000
"""Line pointers (8 bytes each, lines shared between revisions) kept for all open files."""


class UnreadableRevision(SourceError):
    """A revision's text cannot be rebuilt from its ``,v`` file."""


def rcs_files(location: Path) -> list[str]:
    """Return the ``,v`` files under ``location``, relative to it, in a stable order."""
    found = []
    for directory, directories, files in os.walk(location):
        directories[:] = sorted(name for name in directories if name not in ("CVSROOT", ".git"))
        relative = os.path.relpath(directory, location)
        for name in sorted(files):
            if name.endswith(",v"):
                found.append(name if relative == "." else f"{relative}/{name}".replace(os.sep, "/"))
    return found


def load_rcs(location: Path, rcs_file: str) -> RcsFile:
    """Read and parse one ``,v`` file.

    :raises RcsParseError: the file is not a well-formed RCS file.
    :raises OSError: the file cannot be read.
    """
    with open(location / rcs_file, "rb") as stream:
        return parse_rcs(stream.read())


class CvsSource:
    """A CVS repository (a module directory of ``,v`` files) as a history source."""

    kind = "cvs"

    def __init__(
        self, location: Path, options: MineOptions | None = None, fold_imports: bool = True
    ) -> None:
        """:param fold_imports: make the two revisions of a ``cvs import`` one change."""
        check_readable(location)
        self.fold_imports = fold_imports
        self.location = location.resolve()
        self.options = options or MineOptions()
        self.files = rcs_files(self.location)
        self._on_disk = {
            escaped_path(name): name for name in self.files if escaped_path(name) != name
        }
        """Names that are not UTF-8: as records carry them (escaped) -> as on disk."""
        if not self.files:
            raise NotARepository(f"{location} holds no ,v files: it is not a CVS repository")
        self._texts: OrderedDict[str, RevisionTexts] = OrderedDict()
        self._cached_lines = 0
        self._counted: tuple[list[TransactionRecord], list[SkippedFile]] | None = None

    @property
    def rule(self) -> WindowRule:
        """The window rule the options ask for (``cross_branch``, where the options have it)."""
        cross_branch = bool(getattr(self.options, "cross_branch", False))
        return WindowRule(
            self.options.window_seconds, self.options.fixed_window, same_branch=not cross_branch
        )

    def histories(self, skipped: list[SkippedFile]) -> Iterator[FileHistory]:
        """Yield the history of every readable ``,v`` file, adding the others to ``skipped``."""
        files = tqdm(self.files, desc="reading ,v files", unit=" file", disable=None, leave=False)
        for rcs_file in files:
            try:
                rcs = load_rcs(self.location, rcs_file)
            except (RcsParseError, OSError) as error:
                reason = error.strerror if isinstance(error, OSError) else str(error)
                skipped.append(SkippedFile(rcs_file, f"{rcs_file} was skipped: {reason}."))
                logger.info("%s was skipped: %s", rcs_file, reason)
                continue
            binary = "b" in (rcs.expand or "")
            history = file_history(rcs_file, rcs, binary, self.fold_imports)
            problems = rcs.problems + history.problems
            if problems:
                skipped.append(SkippedFile(rcs_file, f"In {rcs_file}, {'; '.join(problems)}."))
            yield history

    def scan(self, known_keys: frozenset[str] = frozenset()) -> SourceScan:
        """Return every transaction of the history, regrouped, in commit order."""
        scan = SourceScan(records=iter(()), complete=True)
        scan.records = self._counted_or_new_records(scan.skipped)
        return scan

    def _counted_or_new_records(self, skipped: list[SkippedFile]) -> Iterator[TransactionRecord]:
        """The records :meth:`count` grouped since, if it ran (checked when iteration starts)."""
        counted, self._counted = self._counted, None
        if counted is None:
            yield from self._records(skipped)
            return
        skipped.extend(counted[1])
        yield from counted[0]

    def count(self, known_keys: frozenset[str] = frozenset()) -> int:
        """Return how many transactions not in ``known_keys`` the next :meth:`scan` yields.

        Counting needs the whole history grouped; the next scan reuses that work.
        """
        skipped: list[SkippedFile] = []
        records = list(self._records(skipped))
        self._counted = (records, skipped)
        return sum(1 for record in records if record.key not in known_keys)

    def _records(self, skipped: list[SkippedFile]) -> Iterator[TransactionRecord]:
        changes: dict[tuple[str, str], FileChange] = {}
        revisions = []
        found = 0
        for history in self.histories(skipped):
            found += len(history.revisions)
            for revision in history.revisions:
                change = history.changes[revision.revision]
                if self._wanted(revision.time, change.path):
                    revisions.append(revision)
                    changes[(revision.rcs_file, revision.revision)] = change
        if not found and not skipped:
            raise EmptyRepository(f"{self.location} holds ,v files but no revisions")
        for group in group_transactions(revisions, self.rule):
            yield _record(group, changes)

    def _wanted(self, time: datetime, path: str) -> bool:
        options = self.options
        if options.since and time < options.since:
            return False
        if options.until and time > options.until:
            return False
        return not options.paths or any(path.startswith(prefix) for prefix in options.paths)

    def read_version(self, change: FileChange, side: str) -> bytes | None:
        """Return the text of the ``old`` or ``new`` side, keyword values collapsed.

        ``None`` for an absent side, and for a revision that cannot be rebuilt (logged with
        the reason; the mining stage lists it as skipped).
        """
        if side not in ("old", "new"):
            raise ValueError(f"side must be 'old' or 'new', not {side!r}")
        revision = change.old_version if side == "old" else change.new_version
        if revision is None or change.rcs_file is None:
            return None
        try:
            return self.text(change.rcs_file, revision)
        except UnreadableRevision as error:
            logger.warning("%s", error)
            return None

    def text(self, rcs_file: str, revision: str) -> bytes:
        """Return the text of ``revision`` of ``rcs_file``, keyword values collapsed.

        :raises UnreadableRevision: the file or the revision cannot be read.
        """
        texts = self._revision_texts(self._on_disk.get(rcs_file, rcs_file))
        before = texts.cached_lines
        try:
            text = texts.text(revision)
        except RevisionError as error:
            raise UnreadableRevision(f"{rcs_file}: {error}") from None
        finally:
            self._cached_lines += texts.cached_lines - before
            self._evict()
        return text if "b" in (texts.rcs.expand or "") else collapse_keywords(text)

    def _revision_texts(self, rcs_file: str) -> RevisionTexts:
        texts = self._texts.get(rcs_file)
        if texts is not None:
            self._texts.move_to_end(rcs_file)
            return texts
        try:
            texts = RevisionTexts(load_rcs(self.location, rcs_file))
        except (RcsParseError, OSError) as error:
            raise UnreadableRevision(f"{rcs_file} cannot be read: {error}") from None
        self._texts[rcs_file] = texts
        return texts

    def _evict(self) -> None:
        """Drop the least recently read files while the cached texts exceed the line budget."""
        while self._cached_lines > _CACHED_LINES and len(self._texts) > 1:
            _, evicted = self._texts.popitem(last=False)
            self._cached_lines -= evicted.cached_lines


def _record(group: RevisionGroup, changes: dict[tuple[str, str], FileChange]) -> TransactionRecord:
    """Turn a group into a record.

    A commitid group may hold several log messages (``cvs commit`` asks for one per
    directory): every distinct one is kept, in order, separated by a blank line. Its branch
    is that of its first revision (a commit may span branches).
    """
    first = group.revisions[0]
    logs = dict.fromkeys(r.log[:-1] if r.log.endswith(b"\n") else r.log for r in group.revisions)
    message, message_raw = decode(b"\n\n".join(logs))
    return TransactionRecord(
        key=group.key,
        author=first.author,
        author_time=group.first_time,
        commit_time=group.last_time,
        first_time=group.first_time,
        message=message,
        message_raw=message_raw,
        grouping=group.grouping,
        files=tuple(changes[(r.rcs_file, r.revision)] for r in group.revisions),
        branch=first.branch,
        commitid=first.commitid if group.grouping == "commitid" else None,
    )


__all__ = ["CvsSource", "UnreadableRevision", "load_rcs", "rcs_files", "working_path"]
