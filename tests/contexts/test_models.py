"""The contexts tables' schema: a version 1 database is migrated to version 2 without loss."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import inspect

from contexts.models import SCHEMA_VERSION
from miner.db import open_database


@pytest.mark.skipif(
    sqlite3.sqlite_version_info < (3, 35), reason="making a version 1 table needs DROP COLUMN"
)
def test_version_1_database_gains_not_code_and_the_name_index(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    open_database(str(path)).dispose()
    with sqlite3.connect(path) as connection:  # make it look as version 1 left it
        connection.execute("DROP INDEX ix_class_interface_name")
        connection.execute("ALTER TABLE changed_line DROP COLUMN not_code")
        connection.execute("UPDATE schema_version SET version = 1 WHERE package = 'contexts'")
    engine = open_database(str(path))
    inspector = inspect(engine)
    assert "not_code" in {column["name"] for column in inspector.get_columns("changed_line")}
    assert "ix_class_interface_name" in {
        index["name"] for index in inspector.get_indexes("class_interface")
    }
    with sqlite3.connect(path) as connection:
        version = connection.execute(
            "SELECT version FROM schema_version WHERE package = 'contexts'"
        ).fetchone()
    assert version == (SCHEMA_VERSION,) == (2,)
