"""Recording replay runs in the study database, and reading them back.

A kernel's replay (``dsukit replay``) builds a :class:`ReplayRecord` from what it measured: the
workload's timeline and each update's :class:`UpdateRecord` (made from the handle's final
status with :meth:`UpdateRecord.from_status`), then calls :func:`record_replay` in one session.
Each run is a new row: recording is append-only, so running again never touches earlier runs.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from update_runtime.models import ReplayRun, ReplaySample, ReplayUpdate
from update_runtime.observe import UpdateStatus

_TIMINGS = ("module_load", "marking", "quiescence", "factory_swap", "conversions")


@dataclass(frozen=True)
class UpdateRecord:
    """How one update went during a run."""

    name: str
    mode: str
    phase: str
    started: float
    ended: float | None = None
    converted: int = 0
    pending: int = 0
    failed: int = 0
    interrupted: int = 0
    attempts: int = 1
    error: str | None = None
    timings_ms: Mapping[str, float] = field(default_factory=dict)
    change_key: str | None = None
    expected: str | None = None

    @classmethod
    def from_status(
        cls, status: UpdateStatus, started: float, ended: float | None, **extra: Any
    ) -> UpdateRecord:
        """Make a record from an update's status (``extra``: change_key, expected)."""
        return cls(
            name=status.update,
            mode=status.mode,
            phase=status.phase,
            started=started,
            ended=ended,
            converted=status.converted,
            pending=status.pending,
            failed=status.failed,
            interrupted=status.interrupted,
            attempts=len(status.attempts) + 1,
            error=status.error,
            timings_ms={k: v * 1e3 for k, v in status.timings.items()},
            **extra,
        )


@dataclass(frozen=True)
class TimelineSample:
    """One time bucket of a run: throughput, pending conversions, call latency."""

    at: float
    jobs_per_minute: float
    pending: int = 0
    p99_latency_us: float | None = None


@dataclass(frozen=True)
class ReplayRecord:
    """A whole run."""

    started_at: datetime
    kernel: str
    seconds: float
    workload: Mapping[str, Any]
    updates: tuple[UpdateRecord, ...] = ()
    samples: tuple[TimelineSample, ...] = ()
    summary: str = ""


def record_replay(session: Session, record: ReplayRecord) -> int:
    """Add ``record`` as a new run (the caller commits); return its id."""
    run = ReplayRun(
        started_at=record.started_at,
        kernel=record.kernel,
        workload=json.dumps(dict(record.workload), sort_keys=True),
        seconds=record.seconds,
        summary=record.summary,
    )
    for ordinal, update in enumerate(record.updates):
        timings = update.timings_ms
        run.updates.append(
            ReplayUpdate(
                ordinal=ordinal,
                **{k: getattr(update, k) for k in _UPDATE_FIELDS},
                **{f"{name}_ms": timings.get(name) for name in _TIMINGS},
            )
        )
    run.samples.extend(ReplaySample(**vars(sample)) for sample in record.samples)
    session.add(run)
    session.flush()
    return run.id


_UPDATE_FIELDS = (
    "name",
    "mode",
    "phase",
    "started",
    "ended",
    "converted",
    "pending",
    "failed",
    "interrupted",
    "attempts",
    "error",
    "change_key",
    "expected",
)


def load_replay(session: Session, run_id: int) -> ReplayRecord:
    """Read run ``run_id`` back as a :class:`ReplayRecord` (KeyError if there is none)."""
    run = session.get(ReplayRun, run_id)
    if run is None:
        raise KeyError(f"no replay run {run_id}")
    updates = tuple(
        UpdateRecord(
            **{k: getattr(row, k) for k in _UPDATE_FIELDS},
            timings_ms={
                n: getattr(row, f"{n}_ms") for n in _TIMINGS if getattr(row, f"{n}_ms") is not None
            },
        )
        for row in run.updates
    )
    samples = tuple(
        TimelineSample(s.at, s.jobs_per_minute, s.pending, s.p99_latency_us) for s in run.samples
    )
    return ReplayRecord(
        run.started_at,
        run.kernel,
        run.seconds,
        json.loads(run.workload),
        updates,
        samples,
        run.summary,
    )


def replay_runs(session: Session) -> list[int]:
    """Return the ids of every recorded run, oldest first."""
    return list(session.scalars(select(ReplayRun.id).order_by(ReplayRun.id)))
