"""Check that two mined databases hold the same rows, table by table.

A speed change to the miner must not change what it writes. Mine the same repository with the
old code and the new into two SQLite files, then compare them; times that say when a run
happened (``mined_at``) are left out. Ids are compared as they are: both runs insert in the
same order.

Run::

    git -C /work/main archive HEAD | tar -x -C /tmp/base
    PYTHONPATH=/tmp/base python3 -c "from miner.api import mine; mine('/tmp/mirgit', 'sqlite:////tmp/a.sqlite')"
    PYTHONPATH=. python3 -c "from miner.api import mine; mine('/tmp/mirgit', 'sqlite:////tmp/b.sqlite')"
    python3 bench/compare_dbs.py /tmp/a.sqlite /tmp/b.sqlite
"""

from __future__ import annotations

import argparse
import sqlite3
import sys

RUN_TIMES = {"mined_at"}
"""Columns that record when a run happened, not what it found."""


def tables(connection: sqlite3.Connection) -> list[str]:
    """Return the database's table names, sorted."""
    rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    return [name for (name,) in rows]


def columns(connection: sqlite3.Connection, table: str) -> list[str]:
    """Return the columns of ``table`` compared (all but run times)."""
    names = [row[1] for row in connection.execute(f'PRAGMA table_info("{table}")')]
    return [name for name in names if name not in RUN_TIMES]


def differences(old: sqlite3.Connection, new: sqlite3.Connection) -> list[str]:
    """Return one line per difference between the two databases (none: identical)."""
    found: list[str] = []
    old_tables, new_tables = tables(old), tables(new)
    if old_tables != new_tables:
        found.append(f"tables differ: {old_tables} vs {new_tables}")
    for table in sorted(set(old_tables) & set(new_tables)):
        names = columns(old, table)
        if names != columns(new, table):
            found.append(f"{table}: columns differ")
            continue
        listed = ", ".join(f'"{name}"' for name in names)
        query = f'SELECT {listed} FROM "{table}" ORDER BY rowid'
        old_rows, new_rows = old.execute(query).fetchall(), new.execute(query).fetchall()
        if len(old_rows) != len(new_rows):
            found.append(f"{table}: {len(old_rows)} rows vs {len(new_rows)}")
        for index, (a, b) in enumerate(zip(old_rows, new_rows, strict=False)):
            if a != b:
                changed = [n for n, x, y in zip(names, a, b, strict=True) if x != y]
                found.append(f"{table}: row {index + 1} differs in {', '.join(changed)}")
                break
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", help="the database mined with the old code")
    parser.add_argument("new", help="the database mined with the new code")
    args = parser.parse_args()
    old, new = sqlite3.connect(args.old), sqlite3.connect(args.new)
    found = differences(old, new)
    for line in found:
        print(line)
    counts = {t: old.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables(old)}
    print("identical" if not found else "DIFFERENT", counts)
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
