"""The contexts stage's tables: changed lines with their program context, context changes per
transaction, class interfaces and interface changes, and which file revisions are done.

Context kinds are ``function``, ``class`` and ``global``; a context's name is qualified
(``Class::method``, ``ns::f``, ``Outer::Inner``) and ``<global>`` for the global context.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from miner.db import Base, register_schema

SCHEMA_VERSION = 2


def _add_not_code(session: Session) -> None:
    """Version 1 to 2: ``changed_line.not_code`` (lines under ``#if 0``); classes by name."""
    session.execute(text("ALTER TABLE changed_line ADD COLUMN not_code BOOLEAN NOT NULL DEFAULT 0"))
    session.execute(
        text(
            "CREATE INDEX IF NOT EXISTS ix_class_interface_name "
            "ON class_interface (name, transaction_id)"
        )
    )


register_schema("contexts", SCHEMA_VERSION, {1: _add_not_code})


class ContextsDone(Base):
    """A file revision the stage has processed, with what it measured of the parse."""

    __tablename__ = "contexts_done"
    file_revision_id: Mapped[int] = mapped_column(
        ForeignKey("file_revision.id", ondelete="CASCADE"), primary_key=True
    )
    transaction_id: Mapped[int] = mapped_column(
        ForeignKey("txn.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16))
    """``parsed``, ``not-code`` (no grammar for it), ``binary`` or ``missing`` (text not found)."""
    old_error_share: Mapped[float] = mapped_column(default=0.0)
    """Share of the old side's lines inside parse errors."""
    new_error_share: Mapped[float] = mapped_column(default=0.0)


class ChangedLine(Base):
    """One changed line (old side: deleted; new side: added) and its innermost context."""

    __tablename__ = "changed_line"
    __table_args__ = (Index("ix_changed_line_fr", "file_revision_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    file_revision_id: Mapped[int] = mapped_column(
        ForeignKey("file_revision.id", ondelete="CASCADE")
    )
    side: Mapped[str] = mapped_column(String(3))
    """``old`` or ``new``."""
    line: Mapped[int]
    """1-based line number in that side's original text."""
    context_kind: Mapped[str] = mapped_column(String(8))
    context_name: Mapped[str] = mapped_column(Text)
    uncertain: Mapped[bool] = mapped_column(default=False)
    """The line lies inside a parse error, so its context is a best guess."""
    not_code: Mapped[bool] = mapped_column(default=False, server_default=text("0"))
    """The line is under ``#if 0`` (context ``<global>``; left out of context changes)."""


class ContextChange(Base):
    """Per transaction and context: was it added, deleted or modified, and by how many lines."""

    __tablename__ = "context_change"
    id: Mapped[int] = mapped_column(primary_key=True)
    transaction_id: Mapped[int] = mapped_column(
        ForeignKey("txn.id", ondelete="CASCADE"), index=True
    )
    path: Mapped[str] = mapped_column(Text)
    context_kind: Mapped[str] = mapped_column(String(8))
    context_name: Mapped[str] = mapped_column(Text)
    change: Mapped[str] = mapped_column(String(8))
    """``added``, ``deleted`` or ``modified``."""
    lines_added: Mapped[int] = mapped_column(default=0)
    lines_deleted: Mapped[int] = mapped_column(default=0)
    uncertain: Mapped[bool] = mapped_column(default=False)


class ClassInterface(Base):
    """A class's interface as one side of a transaction sees it (JSON of bases, slots, members)."""

    __tablename__ = "class_interface"
    __table_args__ = (Index("ix_class_interface_name", "name", "transaction_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    transaction_id: Mapped[int] = mapped_column(
        ForeignKey("txn.id", ondelete="CASCADE"), index=True
    )
    side: Mapped[str] = mapped_column(String(3))
    path: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    """Qualified class name, or a function name for a namespace-scope prototype."""
    kind: Mapped[str] = mapped_column(String(12))
    """``class``, ``struct``, ``union`` or ``prototype``."""
    detail: Mapped[str] = mapped_column(Text)
    """JSON: bases, virtual methods in slot order with signatures, data members; or a prototype."""


class InterfaceChange(Base):
    """One interface change of a transaction, in an ABI checker's vocabulary."""

    __tablename__ = "interface_change"
    id: Mapped[int] = mapped_column(primary_key=True)
    transaction_id: Mapped[int] = mapped_column(
        ForeignKey("txn.id", ondelete="CASCADE"), index=True
    )
    path: Mapped[str] = mapped_column(Text)
    scope: Mapped[str] = mapped_column(Text)
    """The class (qualified) or, for a C prototype, the function."""
    member: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(40))
    """e.g. ``virtual-added-at-end``, ``virtual-added-shifting``, ``parameter-added``, ..."""
    old_signature: Mapped[str | None] = mapped_column(Text)
    new_signature: Mapped[str | None] = mapped_column(Text)
    old_slot: Mapped[int | None]
    new_slot: Mapped[int | None]
    adaptor_expressible: Mapped[bool]
    reason: Mapped[str] = mapped_column(Text, default="")
