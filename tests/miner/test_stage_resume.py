"""A mining run killed with SIGKILL mid-run, then run again, gives the uninterrupted database."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from miner.api import mine
from tests.conftest import PROJECT_ROOT

TABLES = {"repository": "mined_at", "txn": None, "file_revision": None, "skipped_input": None}
MINE_SCRIPT = """
import sys
from pathlib import Path
from sqlalchemy.orm import Session
from miner import stage
from miner.db import open_database
from miner.options import MineOptions
from miner.sources import open_source

options = MineOptions()
with Session(open_database(sys.argv[2])) as session:
    stage.run(session, open_source(Path(sys.argv[1]), None, options), options, batch_size=3)
"""


def dump(db_file: Path) -> dict[str, list[tuple]]:
    """Every row of the miner's tables, ordered by id, without the run's timestamp."""
    connection = sqlite3.connect(db_file)
    tables = {}
    for table, skipped_column in TABLES.items():
        columns = [row[1] for row in connection.execute(f"PRAGMA table_info({table})")]
        kept = ", ".join(c for c in columns if c != skipped_column)
        tables[table] = connection.execute(f"SELECT {kept} FROM {table} ORDER BY id").fetchall()
    connection.close()
    return tables


def stored_transactions(db_file: Path) -> int:
    if not db_file.exists():
        return 0
    connection = sqlite3.connect(db_file, timeout=30)
    try:
        return connection.execute("SELECT count(*) FROM txn").fetchone()[0]
    except sqlite3.OperationalError:  # tables not created yet
        return 0
    finally:
        connection.close()


def run_and_kill(repo: Path, db_file: Path, kill_after: int) -> int:
    """Start a mining run in a subprocess; SIGKILL it once ``kill_after`` rows are stored."""
    process = subprocess.Popen(
        [sys.executable, "-c", MINE_SCRIPT, str(repo), f"sqlite:///{db_file}"],
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
    )
    deadline = time.monotonic() + 120
    while stored_transactions(db_file) < kill_after:
        assert process.poll() is None, "the run ended before it could be killed"
        assert time.monotonic() < deadline, "the run made no progress"
        time.sleep(0.005)  # polling a condition, not waiting for one to happen
    process.send_signal(signal.SIGKILL)
    process.wait()
    return stored_transactions(db_file)


def test_killed_runs_then_a_full_run_equal_one_uninterrupted_run(long_repo, tmp_path) -> None:
    reference = tmp_path / "reference.sqlite"
    total = mine(long_repo.path, f"sqlite:///{reference}").transactions
    resumed = tmp_path / "resumed.sqlite"
    first = run_and_kill(long_repo.path, resumed, kill_after=10)
    second = run_and_kill(long_repo.path, resumed, kill_after=first + 20)
    assert 10 <= first < second < total, "both runs were killed part-way"
    finish = mine(long_repo.path, f"sqlite:///{resumed}")
    assert finish.transactions == total - second
    assert dump(resumed) == dump(reference)
