"""The update runtime's tables: replay runs, each update's outcome and phase timings, timelines.

A *replay run* is one run of a kernel under a workload with live updates applied to it (for
example ``dsukit replay --demo``). Each applied update gets a row with its final phase, its
counts and its phase timings; the run's timeline (jobs per minute, objects pending conversion,
call latency per time bucket) goes in ``replay_sample``. Reports read these; nothing else
writes them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from miner.db import Base, register_schema

SCHEMA_VERSION = 1
register_schema("update_runtime", SCHEMA_VERSION)


class ReplayRun(Base):
    """One run of a kernel under load with live updates."""

    __tablename__ = "replay_run"
    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime]
    """UTC, naive."""
    kernel: Mapped[str] = mapped_column(Text)
    """What was run (e.g. ``sample_kernel`` and its version)."""
    workload: Mapped[str] = mapped_column(Text, default="{}")
    """JSON of the workload's settings (clients, seed, duration, job mix)."""
    seconds: Mapped[float] = mapped_column(Float)
    summary: Mapped[str] = mapped_column(Text, default="")

    updates: Mapped[list[ReplayUpdate]] = relationship(
        back_populates="run", cascade="all, delete-orphan", order_by="ReplayUpdate.ordinal"
    )
    samples: Mapped[list[ReplaySample]] = relationship(
        back_populates="run", cascade="all, delete-orphan", order_by="ReplaySample.at"
    )


class ReplayUpdate(Base):
    """One update applied during a run: how it ended, its counts and its phase timings."""

    __tablename__ = "replay_update"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("replay_run.id", ondelete="CASCADE"), index=True)
    ordinal: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    change_key: Mapped[str | None] = mapped_column(String(200))
    """The transaction the update replays (its ``txn.key``), when known."""
    expected: Mapped[str | None] = mapped_column(String(40))
    """Ground truth: ``updatable``, ``needs adaptor``, ``not updatable``, when known."""
    mode: Mapped[str] = mapped_column(String(8))
    phase: Mapped[str] = mapped_column(String(16))
    """The final phase: complete, aborted, failed, rolled back, reverted, or refused."""
    converted: Mapped[int] = mapped_column(default=0)
    pending: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
    interrupted: Mapped[int] = mapped_column(default=0)
    attempts: Mapped[int] = mapped_column(default=1)
    error: Mapped[str | None] = mapped_column(Text)
    started: Mapped[float] = mapped_column(Float)
    """Seconds from the run's start."""
    ended: Mapped[float | None] = mapped_column(Float)
    module_load_ms: Mapped[float | None] = mapped_column(Float)
    marking_ms: Mapped[float | None] = mapped_column(Float)
    quiescence_ms: Mapped[float | None] = mapped_column(Float)
    factory_swap_ms: Mapped[float | None] = mapped_column(Float)
    conversions_ms: Mapped[float | None] = mapped_column(Float)

    run: Mapped[ReplayRun] = relationship(back_populates="updates")


class ReplaySample(Base):
    """One time bucket of a run's timeline."""

    __tablename__ = "replay_sample"
    __table_args__ = (Index("ix_replay_sample_run_at", "run_id", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("replay_run.id", ondelete="CASCADE"))
    at: Mapped[float] = mapped_column(Float)
    """Seconds from the run's start (the bucket's start)."""
    jobs_per_minute: Mapped[float] = mapped_column(Float)
    pending: Mapped[int] = mapped_column(default=0)
    """Objects still pending a lazy conversion."""
    p99_latency_us: Mapped[float | None] = mapped_column(Float)

    run: Mapped[ReplayRun] = relationship(back_populates="samples")
