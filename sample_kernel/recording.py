"""Turning a demo run into the study database's replay records (``update_runtime.replays``).

Each scheduled update becomes an ``UpdateRecord`` with the ground truth of its change (the
``expected`` verdict, in the classifier's words), refused ones with phase ``refused`` and the
runtime's reason; each 100 ms bucket of the workload becomes a ``TimelineSample`` (jobs per
minute, objects pending conversion, p99 call latency).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from sample_kernel.demo import DemoResult, UpdateOutcome
from update_runtime.replays import ReplayRecord, TimelineSample, UpdateRecord

EXPECTED = {"updatable": "updatable", "adaptor": "needs adaptor", "not updatable": "not updatable"}
"""Ground-truth kinds of :mod:`sample_kernel.catalogue` in the study's verdict words."""
KERNEL = "sample_kernel"


def update_record(outcome: UpdateOutcome) -> UpdateRecord:
    """Return the record of one scheduled update."""
    expected = EXPECTED[outcome.kind]
    if outcome.refused is not None:
        return UpdateRecord(
            name=outcome.name,
            mode="eager",
            phase="refused",
            started=outcome.started,
            attempts=0,
            error=outcome.refused,
            expected=expected,
        )
    assert outcome.status is not None
    return UpdateRecord.from_status(
        outcome.status, started=outcome.started, ended=outcome.finished, expected=expected
    )


def replay_record(result: DemoResult, started_at: datetime, summary: str) -> ReplayRecord:
    """Return the whole run as a record for ``update_runtime.replays.record_replay``."""
    report = result.report
    samples = tuple(
        TimelineSample(
            at=index * report.bucket_seconds,
            jobs_per_minute=jobs_per_minute,
            pending=result.pending_at((index + 1) * report.bucket_seconds),
            p99_latency_us=report.p99_per_bucket[index] if report.p99_per_bucket else None,
        )
        for index, jobs_per_minute in enumerate(report.jobs_per_minute)
    )
    config = result.config
    workload = {
        "seed": config.seed,
        "duration": config.duration,
        "steps": [[step.at, step.clients] for step in config.steps],
        "schedule": [[at, name] for at, name in config.schedule],
        "kernel": {k: v for k, v in asdict(config.kernel).items() if k != "policy"},
        "jobs": report.jobs,
        "jobs_by_kind": report.jobs_by_kind,
    }
    return ReplayRecord(
        started_at=started_at,
        kernel=KERNEL,
        seconds=config.duration,
        workload=workload,
        updates=tuple(update_record(outcome) for outcome in result.outcomes),
        samples=samples,
        summary=summary,
    )
