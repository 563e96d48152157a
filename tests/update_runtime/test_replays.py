"""Recording replay runs in the study database and reading them back."""

from __future__ import annotations

from datetime import datetime

import pytest
from runtime_test_helpers import update_path
from sqlalchemy import text

from miner.db import open_database, session_scope
from update_runtime import Runtime
from update_runtime.replays import (
    ReplayRecord,
    TimelineSample,
    UpdateRecord,
    load_replay,
    record_replay,
    replay_runs,
)


def test_a_run_with_its_updates_and_timeline_round_trips(rt: Runtime, db_url: str) -> None:
    for i in range(4):
        rt.create("Counter", i)
    handle = rt.apply(update_path("counter_v2"), mode="lazy")
    rt.finish(handle)
    update = UpdateRecord.from_status(
        handle.status(), 1.5, 1.9, change_key="abc123", expected="updatable"
    )
    record = ReplayRecord(
        started_at=datetime(2026, 1, 2, 3, 4, 5),
        kernel="toy kernel",
        seconds=3.0,
        workload={"clients": 4, "seed": 1},
        updates=(update,),
        samples=(TimelineSample(0.0, 1200.0, 0, 35.5), TimelineSample(0.1, 1100.0, 4, None)),
        summary="one lazy update",
    )
    engine = open_database(db_url)
    with session_scope(engine) as session:
        first = record_replay(session, record)
        second = record_replay(session, record)
    with session_scope(engine) as session:
        assert replay_runs(session) == [first, second]
        loaded = load_replay(session, first)
    assert loaded == record
    assert loaded.updates[0].phase == "complete" and loaded.updates[0].converted == 4
    assert set(loaded.updates[0].timings_ms) >= {"module_load", "marking", "quiescence"}
    with engine.connect() as connection:
        version = connection.execute(
            text("SELECT version FROM schema_version WHERE package = 'update_runtime'")
        ).scalar()
    assert version == 1


def test_an_unknown_run_is_named(db_url: str) -> None:
    engine = open_database(db_url)
    with session_scope(engine) as session, pytest.raises(KeyError, match="no replay run 7"):
        load_replay(session, 7)
