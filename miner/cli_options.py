"""Command-line options that every stage's verbs share (``--db``), and opening the database."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import click
from sqlalchemy import Engine

from miner.db import DB_ENV_VAR, DEFAULT_DB_FILE, SchemaError, open_database

F = TypeVar("F", bound=Callable)


def db_option(function: F) -> F:
    """Add ``--db PATH|URL`` to a command (default ``$DSUKIT_DB``, else ``./dsukit.sqlite``)."""
    return click.option(
        "--db",
        "db",
        envvar=DB_ENV_VAR,
        default=None,
        metavar="PATH|URL",
        help=(
            "Study database: a file path or SQLAlchemy URL "
            f"(default ${DB_ENV_VAR} or {DEFAULT_DB_FILE})."
        ),
    )(function)


def open_db_for_cli(db: str | None) -> Engine:
    """Open the study database, turning schema problems into one clear CLI error."""
    try:
        return open_database(db)
    except SchemaError as error:
        raise click.ClickException(str(error)) from error
