"""The study database: WAL mode, schema versions checked, newer or unmigratable ones refused."""

from __future__ import annotations

import pytest
from sqlalchemy import text, update

from miner.db import SchemaError, SchemaVersion, open_database, resolve_db_url, session_scope


def test_new_database_is_wal_and_records_versions(db_url: str) -> None:
    engine = open_database(db_url)
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        versions = dict(
            connection.execute(text("SELECT package, version FROM schema_version")).all()
        )
    assert versions["miner"] >= 1


def test_newer_schema_is_refused_with_clear_message(db_url: str) -> None:
    engine = open_database(db_url)
    with session_scope(engine) as session:
        session.execute(
            update(SchemaVersion).where(SchemaVersion.package == "miner").values(version=99)
        )
    with pytest.raises(SchemaError, match="miner tables are at schema version 99"):
        open_database(db_url)


def test_older_schema_without_migration_is_refused(db_url: str) -> None:
    engine = open_database(db_url)
    with session_scope(engine) as session:
        session.execute(
            update(SchemaVersion).where(SchemaVersion.package == "miner").values(version=0)
        )
    with pytest.raises(SchemaError, match="no migration"):
        open_database(db_url)


def test_path_becomes_sqlite_url_and_env_var_is_used(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("DSUKIT_DB", str(tmp_path / "x.sqlite"))
    assert resolve_db_url(None) == f"sqlite:///{tmp_path / 'x.sqlite'}"
    assert resolve_db_url("postgresql://h/db") == "postgresql://h/db"
