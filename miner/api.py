"""The miner's Python API for scripts and notebooks: mine a repository, get pandas frames.

Example::

    from miner.api import mine, transactions_frame
    stats = mine("/src/linux", db="study.sqlite", paths=("kernel/",))
    print(stats.summary())
    frame = transactions_frame("study.sqlite")
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from miner import stage
from miner.db import open_database
from miner.models import FileRevision, Repository, Transaction
from miner.options import MineOptions
from miner.sources import open_source
from miner.stage import MineStats

_DIFF_COLUMNS = ("raw_diff", "cleaned_diff")


def _engine(db: str | Engine | None) -> Engine:
    return db if isinstance(db, Engine) else open_database(db)


def mine(
    source: str | Path,
    db: str | Engine | None = None,
    *,
    kind: str | None = None,
    progress: bool | None = False,
    jobs: int = 1,
    **options: Any,
) -> MineStats:
    """Mine the git or CVS repository at ``source`` into the study database ``db``.

    :param db: a path, SQLAlchemy URL or engine; ``None`` means ``$DSUKIT_DB`` or the default.
    :param jobs: worker processes that clean and diff (the database does not depend on it).
    :param options: fields of :class:`~miner.options.MineOptions` (``refs``, ``since``,
        ``until``, ``paths``, ``window_seconds``, ``fixed_window``, ...).
    """
    mine_options = MineOptions(**options)
    engine = _engine(db)
    history = open_source(Path(source), kind, mine_options)
    try:
        with Session(engine) as session:
            return stage.run(session, history, mine_options, progress=progress, jobs=jobs)
    finally:
        close = getattr(history, "close", None)
        if callable(close):
            close()


def transactions_frame(db: str | Engine | None = None) -> pd.DataFrame:
    """Return every transaction as a DataFrame, with its repository's location and kind."""
    columns = [c for c in Transaction.__table__.columns if c.name != "message_raw"]
    query = select(*columns, Repository.location.label("repository"), Repository.kind).join(
        Repository
    )
    with _engine(db).connect() as connection:
        return pd.read_sql(query, connection, index_col="id")


def file_revisions_frame(db: str | Engine | None = None, diffs: bool = False) -> pd.DataFrame:
    """Return every file revision as a DataFrame, with its transaction's key and time.

    :param diffs: include the raw and cleaned diff texts (large).
    """
    columns = [
        c
        for c in FileRevision.__table__.columns
        if c.name != "path_raw" and (diffs or c.name not in _DIFF_COLUMNS)
    ]
    query = select(
        *columns, Transaction.key.label("transaction_key"), Transaction.commit_time
    ).join(Transaction)
    with _engine(db).connect() as connection:
        return pd.read_sql(query, connection, index_col="id")
