"""``dsukit replay``: the short demo runs and writes its PNG; the history lists its ground truth."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from dsukit import cli
from sample_kernel.catalogue import HISTORY, changes, module_path
from update_runtime import load_update
from update_runtime.replays import load_replay, replay_runs


def test_replay_demo_runs_writes_the_timeline_and_records_the_run(
    tmp_path: Path, db_url: str
) -> None:
    png = tmp_path / "timeline.png"
    args = ["replay", "--demo", "--duration", "2", "--png", str(png), "--db", db_url]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "replayed 4 updates live (2 refused)" in result.output
    assert "pm_reclaim_method (eager): complete" in result.output
    assert "fcm_sync_priority (lazy): " in result.output
    assert "page_fault_accounting: refused" in result.output
    with Session(create_engine(db_url)) as session:
        (run_id,) = replay_runs(session)
        record = load_replay(session, run_id)
    assert [u.phase for u in record.updates] == [
        "complete",
        "complete",
        "complete",
        "complete",
        "refused",
        "refused",
    ]
    assert [u.expected for u in record.updates][2:5] == [
        "needs adaptor",
        "needs adaptor",
        "not updatable",
    ]
    assert record.updates[0].mode == "lazy" and record.updates[0].timings_ms["quiescence"] >= 0
    assert len(record.samples) >= 19
    assert sum(s.jobs_per_minute for s in record.samples) > 0
    assert any(s.p99_latency_us for s in record.samples)


def test_replay_without_demo_says_what_to_pass() -> None:
    result = CliRunner().invoke(cli, ["replay"])
    assert result.exit_code != 0
    assert "--demo" in result.output


def test_replay_lists_the_history_with_ground_truth() -> None:
    result = CliRunner().invoke(cli, ["replay", "--list"])
    assert result.exit_code == 0
    assert result.output.count("\n") == len(HISTORY)
    assert "pmroot_frame_size: adaptor (study)" in result.output


def test_every_change_has_a_loadable_update_module_and_ground_truth() -> None:
    kinds = {item.name: item.kind for item in changes()}
    assert kinds == {
        "fcm_sync_priority": "updatable",
        "signal_delivery_fix": "updatable",
        "pmroot_frame_size": "adaptor",
        "pm_reclaim_method": "adaptor",
        "page_fault_accounting": "not updatable",
        "trace_point_renumbering": "not updatable",
    }
    assert sum(item.study for item in changes()) == 3
    for name in HISTORY:
        loaded = load_update(module_path(name))
        assert loaded.update.name == name
