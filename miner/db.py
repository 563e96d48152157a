"""The study database: one declarative base, the engine, and schema versions.

Every package declares its tables in its own ``models.py`` on :class:`Base` and registers the
version of its part of the schema with :func:`register_schema`. :func:`open_database` creates
missing tables and checks every registered version against the one stored in the database: an
older database is migrated by the package's registered migrations, or refused; a newer one is
always refused. Nothing is ever dropped silently.

SQLite (WAL mode, foreign keys on) is the default; any SQLAlchemy URL works.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, String, create_engine, event, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

DEFAULT_DB_FILE = "dsukit.sqlite"
DB_ENV_VAR = "DSUKIT_DB"


class Base(DeclarativeBase):
    """The one declarative base of every dsukit table."""


class SchemaVersion(Base):
    """The schema version each package last wrote to this database."""

    __tablename__ = "schema_version"
    package: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int]


class SchemaError(Exception):
    """The database's schema is one this dsukit cannot use."""


Migration = Callable[[Session], None]


@dataclass
class PackageSchema:
    """One package's part of the schema: its current version and how to migrate up to it."""

    package: str
    version: int
    migrations: dict[int, Migration] = field(default_factory=dict)
    """``migrations[n]`` upgrades that package's tables from version ``n`` to ``n + 1``."""


_SCHEMAS: dict[str, PackageSchema] = {}


def register_schema(
    package: str, version: int, migrations: dict[int, Migration] | None = None
) -> None:
    """Declare the current schema version of ``package`` (from the package's models)."""
    _SCHEMAS[package] = PackageSchema(package, version, dict(migrations or {}))


def resolve_db_url(db: str | None) -> str:
    """Turn ``--db`` (path or URL), else ``$DSUKIT_DB``, else the default file, into a URL."""
    value = db or os.environ.get(DB_ENV_VAR) or DEFAULT_DB_FILE
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).expanduser().resolve()}"


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001 (DB-API objects)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def create_db_engine(url: str) -> Engine:
    """Create an engine for ``url``; SQLite files get WAL mode and foreign keys."""
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _import_models() -> None:
    """Import every package's models so that their tables and schema versions are registered."""
    import importlib
    import importlib.util

    for package in ("miner", "contexts", "classify", "webapp", "update_runtime", "sample_kernel"):
        name = f"{package}.models"
        if importlib.util.find_spec(package) and importlib.util.find_spec(name):
            importlib.import_module(name)


def _check_versions(session: Session) -> None:
    stored = {row.package: row for row in session.scalars(select(SchemaVersion))}
    for schema in _SCHEMAS.values():
        row = stored.get(schema.package)
        if row is None:
            session.add(SchemaVersion(package=schema.package, version=schema.version))
            continue
        if row.version > schema.version:
            raise SchemaError(
                f"the database's {schema.package} tables are at schema version {row.version}, "
                f"newer than the {schema.version} this dsukit knows: upgrade dsukit to use it"
            )
        while row.version < schema.version:
            migrate = schema.migrations.get(row.version)
            if migrate is None:
                raise SchemaError(
                    f"the database's {schema.package} tables are at schema version {row.version} "
                    f"and no migration to {schema.version} exists: re-create the database "
                    f"or use an older dsukit"
                )
            migrate(session)
            row.version += 1


def open_database(db: str | None = None) -> Engine:
    """Open (creating if needed) the study database, after checking its schema versions.

    :param db: a file path or SQLAlchemy URL; ``None`` means ``$DSUKIT_DB`` or ``dsukit.sqlite``.
    """
    _import_models()
    engine = create_db_engine(resolve_db_url(db))
    with Session(engine) as session, session.begin():
        SchemaVersion.__table__.create(session.connection(), checkfirst=True)
        _check_versions(session)
    Base.metadata.create_all(engine)
    return engine


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """Yield a session whose work is committed on success and rolled back on any error."""
    with Session(engine) as session, session.begin():
        yield session
