"""The classify stage's Python API for scripts, notebooks, the web app and the reports.

Example::

    from classify.api import classify, verdicts_frame, automatic_table
    print(classify("study.sqlite", config="dsukit.toml").summary())
    frame = verdicts_frame("study.sqlite")
    print(automatic_table("study.sqlite").to_text())
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from classify import stage
from classify.config import StudyConfig, load_config
from classify.loading import TextReader
from classify.models import VerdictRow
from classify.stage import ClassifyStats
from classify.study_table import StudyTable, study_table
from miner.db import open_database
from miner.models import Transaction


def _engine(db: str | Engine | None) -> Engine:
    return db if isinstance(db, Engine) else open_database(db)


def classify(
    db: str | Engine | None = None,
    config: StudyConfig | str | Path | None = None,
    *,
    reader: TextReader | None = None,
    progress: bool | None = False,
) -> ClassifyStats:
    """Run the classify stage on the study database ``db``.

    :param config: a loaded configuration, or the path of a ``dsukit.toml`` (``None``: defaults).
    """
    if not isinstance(config, StudyConfig):
        config = load_config(config)
    with Session(_engine(db)) as session:
        return stage.run(session, config, reader=reader, progress=progress)


def verdicts_frame(db: str | Engine | None = None) -> pd.DataFrame:
    """Return every stored verdict with its transaction's key, time, author and message."""
    query = select(
        VerdictRow,
        Transaction.key,
        Transaction.commit_time,
        Transaction.author,
        Transaction.message,
    ).join(Transaction, Transaction.id == VerdictRow.transaction_id)
    columns = [c.name for c in VerdictRow.__table__.columns]
    rows = []
    with Session(_engine(db)) as session:
        for verdict, key, commit_time, author, message in session.execute(query):
            values = {name: getattr(verdict, name) for name in columns}
            values.update(key=key, commit_time=commit_time, author=author, message=message)
            rows.append(values)
    frame = pd.DataFrame(rows, columns=[*columns, "key", "commit_time", "author", "message"])
    return frame.set_index("transaction_id").sort_values("commit_time")


def automatic_table(db: str | Engine | None = None, method: str = "wilson") -> StudyTable:
    """Return the study's automatic table from the stored verdicts."""
    return study_table(verdicts_frame(db), method)
