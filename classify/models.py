"""The classify stage's table: one verdict per transaction, with its reasons.

Each row stores the hashes of the configuration parts it was computed under (the rules with
the units found in the history, the date cutoff, the purpose settings), so a re-run recomputes
only the rows a changed configuration affects.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from miner.db import Base, register_schema

SCHEMA_VERSION = 1
register_schema("classify", SCHEMA_VERSION)


class VerdictRow(Base):
    """The automatic verdict of one transaction."""

    __tablename__ = "verdict"
    transaction_id: Mapped[int] = mapped_column(
        ForeignKey("txn.id", ondelete="CASCADE"), primary_key=True
    )
    rules_hash: Mapped[str] = mapped_column(String(16))
    """The population, units, relaxations and interfaces settings."""
    units_hash: Mapped[str] = mapped_column(String(16))
    """What the history said about units (class bases, marked classes, table functions)."""
    cutoff_hash: Mapped[str] = mapped_column(String(16))
    purpose_hash: Mapped[str] = mapped_column(String(16))
    contexts_hash: Mapped[str] = mapped_column(String(16))
    """The ``[contexts]`` settings in force (the contexts stage's, noted to warn of changes)."""
    in_population: Mapped[bool]
    population_rule: Mapped[str] = mapped_column(String(32))
    population_reason: Mapped[str] = mapped_column(Text)
    shape: Mapped[str] = mapped_column(String(16))
    """``adds``, ``deletes``, ``adds+deletes``, ``modifies`` or ``none``."""
    contexts_added: Mapped[int] = mapped_column(default=0)
    contexts_deleted: Mapped[int] = mapped_column(default=0)
    contexts_modified: Mapped[int] = mapped_column(default=0)
    measure1: Mapped[bool | None]
    measure1_reason: Mapped[str] = mapped_column(Text, default="")
    measure2: Mapped[bool | None]
    measure2_reason: Mapped[str] = mapped_column(Text, default="")
    measure3: Mapped[bool | None]
    """``None``: not applicable (before the cutoff, no cutoff, or not in the population)."""
    measure3_reason: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str | None] = mapped_column(String(16))
    """``plain``, ``adaptor`` or ``not-updatable``; ``None`` outside the population."""
    kind_rule: Mapped[str | None] = mapped_column(String(32))
    kind_reason: Mapped[str | None] = mapped_column(Text)
    purpose: Mapped[str] = mapped_column(String(24))
    purpose_reason: Mapped[str] = mapped_column(Text)
    reverted_by: Mapped[str | None] = mapped_column(Text)
    reasons: Mapped[str] = mapped_column(Text, default="[]")
    """JSON list of every judged context: rule, subject, sentence and how it counted."""
