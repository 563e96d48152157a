"""The mining stage on a CVS source: complete scans replace regrouped transactions."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

from miner.api import mine
from tests.miner.cvs_fixtures import rcs_history

START = datetime(2005, 6, 1, 12, 0, 0)
C_FILE = b"int f(void)\n{\n\treturn 0;\n}\n"


def content(db_file: Path) -> tuple[set[tuple], set[tuple]]:
    """Transactions and file revisions without their row ids (which depend on the run order)."""
    with sqlite3.connect(db_file) as connection:
        txns = set(
            connection.execute(
                "SELECT key, author, commit_time, first_time, message, grouping, n_files, "
                "lines_added, functionally_equivalent FROM txn"
            )
        )
        files = set(
            connection.execute(
                "SELECT t.key, f.path, f.change_kind, f.language, f.old_version, f.new_version, "
                "f.rcs_file, f.raw_diff, f.cleaned_diff, f.new_changed_lines "
                "FROM file_revision f JOIN txn t ON t.id = f.transaction_id"
            )
        )
    return txns, files


def write_module(module: Path) -> None:
    rcs_history(module, "a.c", [(C_FILE, START, "ann", "start work")])
    rcs_history(module, "b.c", [(C_FILE, START + timedelta(seconds=30), "ann", "start work")])
    rcs_history(module, "c.c", [(C_FILE, START + timedelta(hours=3), "bob", "other work")])


def test_cvs_history_is_mined_and_regrouped_transactions_are_replaced(tmp_path) -> None:
    module = tmp_path / "cvsroot" / "mod"
    write_module(module)
    db = tmp_path / "study.sqlite"
    first = mine(module, f"sqlite:///{db}")
    assert (first.transactions, first.file_revisions) == (2, 3)
    txns, files = content(db)
    assert {(t[1], t[5], t[6]) for t in txns} == {("ann", "window", 2), ("bob", "window", 1)}
    assert {f[1] for f in files} == {"a.c", "b.c", "c.c"}
    again = mine(module, f"sqlite:///{db}")
    assert (again.transactions, again.removed) == (0, 0)
    assert content(db) == (txns, files)

    # d.c joins ann's group: the group, and so its key, change
    rcs_history(module, "d.c", [(C_FILE, START + timedelta(seconds=50), "ann", "start work")])
    regrouped = mine(module, f"sqlite:///{db}")
    assert (regrouped.transactions, regrouped.removed) == (1, 1)
    fresh = tmp_path / "fresh.sqlite"
    mine(module, f"sqlite:///{fresh}")
    assert content(db) == content(fresh)
    assert ("ann", "window", 3) in {(t[1], t[5], t[6]) for t in content(db)[0]}
