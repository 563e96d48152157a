"""What a history source hands the mining stage: frozen records of transactions and file changes.

A source (git or CVS) turns its repository into :class:`TransactionRecord` values, each with
its :class:`FileChange` values, and can read any version's bytes again later. The stage turns
records into rows; it never needs to know which kind of repository they came from.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class FileChange:
    """One file changed by one transaction, as the source sees it."""

    path: str
    change_kind: str
    """``added``, ``deleted``, ``modified``, ``renamed``, ``copied`` or ``type-changed``."""
    old_version: str | None
    """git blob id or RCS revision number of the old side; ``None`` for an added file."""
    new_version: str | None
    """Of the new side; ``None`` for a deleted file."""
    old_path: str | None = None
    path_raw: bytes | None = None
    """The path's bytes when they are not valid UTF-8 (``path`` then has escapes)."""
    rcs_file: str | None = None
    """CVS: the ``,v`` file, relative to the repository location."""
    is_binary: bool = False
    is_submodule: bool = False
    raw_diff: str | None = None
    """The source's own diff, where it has one cheaply (git); else the stage computes it."""
    raw_diff_encoding: str | None = None
    """How ``raw_diff``'s bytes were decoded: ``ascii``, ``utf-8`` or ``latin-1``."""


@dataclass(frozen=True)
class TransactionRecord:
    """One logical change with its file changes."""

    key: str
    """Stable identity within the repository (commit id; CVS commitid or a key of the group)."""
    author: str
    author_time: datetime
    """UTC, naive."""
    commit_time: datetime
    """UTC, naive; for a CVS group the time of its last revision."""
    message: str
    grouping: str
    """``git``, ``commitid``, ``window`` or ``fixed-window``."""
    files: tuple[FileChange, ...] = ()
    author_email: str | None = None
    author_tz: int = 0
    committer: str | None = None
    committer_email: str | None = None
    commit_tz: int = 0
    first_time: datetime | None = None
    message_raw: bytes | None = None
    parents: tuple[str, ...] = ()
    is_merge: bool = False
    branch: str | None = None
    commitid: str | None = None


@dataclass(frozen=True)
class SkippedFile:
    """An input file the source could not read, with one sentence saying why and where."""

    path: str
    reason: str


@dataclass
class SourceScan:
    """What a source found: its records, in commit order, and the inputs it had to skip."""

    records: Iterator[TransactionRecord]
    skipped: list[SkippedFile] = field(default_factory=list)
    """Filled while ``records`` is consumed."""
    complete: bool = False
    """``True`` when ``records`` is the whole history every time (CVS regroups it all), so the
    stage may replace stored transactions that no longer appear; ``False`` when the source
    yields only what is new (git)."""


class HistorySource(Protocol):
    """A repository the miner can read.

    A source may also offer ``read_versions(wanted)`` (many sides in one request, by version
    key) and, when its version keys hash the contents, ``content_key(data, like)`` (the key of
    ``data``, of the same kind as the key ``like``); the stage uses them when present.
    """

    kind: str
    location: Path

    def scan(self, known_keys: frozenset[str]) -> SourceScan:
        """Return the records of the history; a source may leave out those in ``known_keys``."""

    def read_version(self, change: FileChange, side: str) -> bytes | None:
        """Return the bytes of the ``old`` or ``new`` side of ``change`` (``None`` if absent)."""
