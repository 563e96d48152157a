"""The miner's tables: repositories, transactions, file revisions and inputs that were skipped.

A *transaction* is one logical change: a git commit, or CVS file revisions grouped together by
commitid or by the sliding window. A *file revision* is one file changed by one transaction,
with enough (version ids, RCS file) to fetch either side's text again later, its raw diff, its
cleaned diff and the original line numbers the cleaned diff touches on each side.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from miner.db import Base, register_schema

SCHEMA_VERSION = 1
register_schema("miner", SCHEMA_VERSION)


class Repository(Base):
    """Where a history came from, and how it was mined."""

    __tablename__ = "repository"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    """``git`` or ``cvs``."""
    location: Mapped[str] = mapped_column(Text, unique=True)
    """Absolute path of the git repository or of the CVS module directory."""
    options: Mapped[str] = mapped_column(Text, default="{}")
    """JSON of the mining options that shape the result (refs, filters, window)."""
    mined_at: Mapped[datetime | None]
    last_seen: Mapped[str | None] = mapped_column(Text)
    """Where the last complete run got to (git: the tips mined; CVS: newest revision time)."""

    transactions: Mapped[list[Transaction]] = relationship(
        back_populates="repository", cascade="all, delete-orphan"
    )


class Transaction(Base):
    """One logical change: a git commit or a group of CVS file revisions."""

    __tablename__ = "txn"
    __table_args__ = (
        UniqueConstraint("repository_id", "key"),
        Index("ix_txn_repo_time", "repository_id", "commit_time"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    repository_id: Mapped[int] = mapped_column(ForeignKey("repository.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    """Stable identity within the repository: the commit id, or a key built from the CVS group."""
    author: Mapped[str] = mapped_column(Text)
    author_email: Mapped[str | None] = mapped_column(Text)
    author_time: Mapped[datetime]
    """UTC, naive."""
    author_tz: Mapped[int] = mapped_column(default=0)
    """Offset from UTC in minutes."""
    committer: Mapped[str | None] = mapped_column(Text)
    committer_email: Mapped[str | None] = mapped_column(Text)
    commit_time: Mapped[datetime]
    """UTC, naive; for CVS groups the time of the last revision in the group."""
    commit_tz: Mapped[int] = mapped_column(default=0)
    first_time: Mapped[datetime]
    """Earliest revision time in the group (equal to ``author_time`` for git)."""
    message: Mapped[str] = mapped_column(Text)
    message_raw: Mapped[bytes | None] = mapped_column(LargeBinary)
    """The message's bytes when they are not valid UTF-8 (``message`` then has replacements)."""
    parents: Mapped[str] = mapped_column(Text, default="")
    """Space-separated parent commit ids (git)."""
    is_merge: Mapped[bool] = mapped_column(default=False)
    branch: Mapped[str | None] = mapped_column(Text)
    """CVS branch (name where a symbol names it, else number; trunk is ``None``)."""
    grouping: Mapped[str] = mapped_column(String(16))
    """How the transaction was formed: ``git``, ``commitid``, ``window`` or ``fixed-window``."""
    commitid: Mapped[str | None] = mapped_column(String(64))
    n_files: Mapped[int] = mapped_column(default=0)
    lines_added: Mapped[int] = mapped_column(default=0)
    lines_deleted: Mapped[int] = mapped_column(default=0)
    functionally_equivalent: Mapped[bool] = mapped_column(default=False)
    """Every file revision's cleaned diff is empty."""

    repository: Mapped[Repository] = relationship(back_populates="transactions")
    files: Mapped[list[FileRevision]] = relationship(
        back_populates="transaction", cascade="all, delete-orphan", order_by="FileRevision.id"
    )


class FileRevision(Base):
    """One file changed by one transaction."""

    __tablename__ = "file_revision"
    id: Mapped[int] = mapped_column(primary_key=True)
    transaction_id: Mapped[int] = mapped_column(
        ForeignKey("txn.id", ondelete="CASCADE"), index=True
    )
    path: Mapped[str] = mapped_column(Text, index=True)
    """Path in the working tree (new path for renames); undecodable bytes are escaped."""
    path_raw: Mapped[bytes | None] = mapped_column(LargeBinary)
    old_path: Mapped[str | None] = mapped_column(Text)
    change_kind: Mapped[str] = mapped_column(String(12))
    """``added``, ``deleted``, ``modified``, ``renamed``, ``copied`` or ``type-changed``."""
    language: Mapped[str | None] = mapped_column(String(16))
    """``c``, ``cpp``, ``python``; ``None`` for files that are not cleaned."""
    old_version: Mapped[str | None] = mapped_column(String(64))
    """git blob id or RCS revision number of the old side."""
    new_version: Mapped[str | None] = mapped_column(String(64))
    rcs_file: Mapped[str | None] = mapped_column(Text)
    """CVS: the ``,v`` file holding both versions, relative to the repository location."""
    lines_added: Mapped[int] = mapped_column(default=0)
    lines_deleted: Mapped[int] = mapped_column(default=0)
    clean_lines_added: Mapped[int | None]
    clean_lines_deleted: Mapped[int | None]
    raw_diff: Mapped[str | None] = mapped_column(Text)
    cleaned_diff: Mapped[str | None] = mapped_column(Text)
    old_changed_lines: Mapped[str] = mapped_column(Text, default="")
    """Original old-side line numbers the cleaned (else raw) diff deletes, as ranges ``3-5,9``."""
    new_changed_lines: Mapped[str] = mapped_column(Text, default="")
    """Original new-side line numbers the cleaned (else raw) diff adds, as ranges."""
    is_binary: Mapped[bool] = mapped_column(default=False)
    is_too_large: Mapped[bool] = mapped_column(default=False)
    is_submodule: Mapped[bool] = mapped_column(default=False)
    functionally_equivalent: Mapped[bool] = mapped_column(default=False)
    """Cleaned: the cleaned diff is empty though the raw one is not."""

    transaction: Mapped[Transaction] = relationship(back_populates="files")


class SkippedInput(Base):
    """An input the miner could not read, and why, in one sentence."""

    __tablename__ = "skipped_input"
    __table_args__ = (UniqueConstraint("repository_id", "path"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    repository_id: Mapped[int] = mapped_column(ForeignKey("repository.id", ondelete="CASCADE"))
    path: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
