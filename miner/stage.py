"""The mining stage: import a history source's records into the study database.

:func:`run` reads the transactions already stored for the repository, asks the source for its
records (git yields only new commits; CVS yields its whole regrouped history), diffs and cleans
each new one, and writes them in batches, each batch in one database transaction: a
transaction's file revisions are all written or none are. A run killed at any moment leaves
whole transactions only, and the next run carries on from there, giving the same database an
uninterrupted run gives. After a complete CVS pass, stored transactions whose keys the source
no longer yields (their group changed) are deleted.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import chain
from typing import TYPE_CHECKING

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session
from tqdm import tqdm

from miner.collector import seldom_collected
from miner.models import FileRevision, Repository, SkippedInput, Transaction
from miner.options import MineOptions
from miner.read_ahead import ReadAhead
from miner.records import HistorySource, SkippedFile, SourceScan, TransactionRecord
from miner.source_errors import SourceError
from miner.stage_rows import RecordRows, RowBuilder

if TYPE_CHECKING:
    from miner.stage_workers import ParallelRowBuilder

    Builder = RowBuilder | ParallelRowBuilder

logger = logging.getLogger(__name__)

BATCH_TRANSACTIONS = 200
BATCH_FILES = 2000
BATCH_DIFF_CHARS = 8_000_000
"""A batch also ends once its records carry this much diff text (bounds memory on big imports)."""


class OptionsChanged(SourceError):
    """The repository was mined before with other options; mixing them would mislead."""


@dataclass(frozen=True)
class MineStats:
    """What one run of the stage did."""

    location: str
    kind: str
    transactions: int
    file_revisions: int
    seconds: float
    skipped: int = 0
    removed: int = 0
    diff_seconds: float = 0.0
    """Time spent reading versions, diffing and cleaning (the rest is the source and the DB)."""

    @property
    def rate(self) -> float:
        """Transactions imported per second."""
        return self.transactions / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> str:
        """Return the one-line summary: transactions, file revisions, seconds, rate."""
        line = (
            f"{self.transactions} transactions, {self.file_revisions} file revisions "
            f"in {self.seconds:.1f} s ({self.rate:.1f} transactions/s)"
        )
        if self.skipped:
            line += f"; {self.skipped} inputs skipped"
        if self.removed:
            line += f"; {self.removed} regrouped transactions replaced"
        return line


def repository_row(session: Session, source: HistorySource, options: MineOptions) -> Repository:
    """Return the source's repository row, creating it; refuse if mined with other options."""
    location = str(source.location)
    repository = session.scalar(select(Repository).where(Repository.location == location))
    if repository is None:
        repository = Repository(kind=source.kind, location=location, options=options.to_json())
        session.add(repository)
        session.flush()
    elif repository.kind != source.kind or MineOptions.from_json(repository.options) != options:
        raise OptionsChanged(
            f"{location} was mined into this database before with other options "
            f"({repository.options}); mine it with the same options or into another database"
        )
    return repository


def _write_batch(
    session: Session, repository_id: int, batch: list[RecordRows], skipped: list[SkippedFile]
) -> int:
    """Insert one batch of transactions, their file revisions and what was skipped in them."""
    _record_skipped(session, repository_id, skipped)
    if not batch:
        session.commit()
        return 0
    # Core, not the ORM's bulk insert: the rows are plain dicts already
    table = Transaction.__table__
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    rows = [item.transaction | {"repository_id": repository_id} for item in batch]
    connection = session.connection()
    ids = connection.execute(statement, rows).scalars().all()
    files = [
        file | {"transaction_id": txn_id}
        for txn_id, item in zip(ids, batch, strict=True)
        for file in item.files
    ]
    if files:
        connection.execute(insert(FileRevision.__table__), files)
    session.commit()
    return len(files)


def _record_skipped(session: Session, repository_id: int, skipped: list[SkippedFile]) -> None:
    known = set(
        session.scalars(
            select(SkippedInput.path).where(SkippedInput.repository_id == repository_id)
        )
    )
    for item in skipped:
        if item.path not in known:
            known.add(item.path)
            session.add(
                SkippedInput(repository_id=repository_id, path=item.path, reason=item.reason)
            )


def _remove_stale(session: Session, repository_id: int, stale: set[str]) -> int:
    keys = sorted(stale)
    for start in range(0, len(keys), 500):
        session.execute(
            delete(Transaction).where(
                Transaction.repository_id == repository_id,
                Transaction.key.in_(keys[start : start + 500]),
            )
        )
    return len(keys)


def _progress(source: HistorySource, known: frozenset[str], enabled: bool | None) -> tqdm:
    count = getattr(source, "count", None)
    total = count(known) if callable(count) and enabled is not False else None
    return tqdm(total=total, unit=" txn", disable=None if enabled is None else not enabled,
                desc=f"mining {source.location.name}", leave=False)  # fmt: skip


def _new_batches(
    records: Iterable[TransactionRecord],
    known: frozenset[str],
    seen: set[str] | None,
    batch_size: int,
) -> Iterator[list[TransactionRecord]]:
    """Group the records not in ``known`` into batches.

    :param seen: where to note every key yielded (complete scans: to find regrouped ones);
        ``None`` for a source that yields only new records once each (git), keeping memory flat.
    """
    batch: list[TransactionRecord] = []
    files = chars = 0
    for record in records:
        if seen is not None:
            if record.key in seen:
                logger.warning(
                    "the source yielded transaction %s twice; kept the first", record.key
                )
                continue
            seen.add(record.key)
        if record.key in known:
            continue
        batch.append(record)
        files += len(record.files)
        chars += sum(len(change.raw_diff or "") for change in record.files)
        if len(batch) >= batch_size or files >= BATCH_FILES or chars >= BATCH_DIFF_CHARS:
            yield batch
            batch, files, chars = [], 0, 0
    if batch:
        yield batch


def _records_read_ahead(
    scan: SourceScan, builder: Builder, known: frozenset[str]
) -> tuple[Iterator[TransactionRecord], ReadAhead | None]:
    """Return the records to mine, read ahead in a thread (with the versions they need when
    this process cleans them), so that the source never waits for the cleaning."""
    if not isinstance(builder, RowBuilder):  # worker processes read their own versions
        records = ReadAhead(scan.records, lambda r: {}, depth=4096)
        return (record for record, _ in records), records
    ahead = ReadAhead(
        scan.records, lambda r: {} if r.key in known else builder.versions_of(r), depth=4096
    )

    def preloaded() -> Iterator[TransactionRecord]:
        for record, versions in ahead:
            builder.preloaded.update(versions)
            yield record

    return preloaded(), ahead


def _row_builder(source: HistorySource, options: MineOptions, jobs: int) -> Builder:
    if jobs <= 1:
        return RowBuilder(source, options)
    from miner.stage_workers import ParallelRowBuilder

    return ParallelRowBuilder(source, options, jobs)


def run(
    session: Session,
    source: HistorySource,
    options: MineOptions,
    progress: bool | None = None,
    batch_size: int = BATCH_TRANSACTIONS,
    jobs: int = 1,
) -> MineStats:
    """Import every record of ``source`` not yet stored; commit batch by batch.

    :param progress: show a progress bar on stderr (``None``: only when stderr is a terminal).
    :param batch_size: transactions per database transaction (fewer if they have many files).
    :param jobs: worker processes that read, clean and diff file versions (1: none).
    """
    started = time.perf_counter()
    repository_id = repository_row(session, source, options).id
    session.commit()
    known = frozenset(
        session.scalars(select(Transaction.key).where(Transaction.repository_id == repository_id))
    )
    scan = source.scan(known)
    builder = _row_builder(source, options, jobs)
    records, ahead = _records_read_ahead(scan, builder, known)
    seen: set[str] | None = set() if scan.complete else None
    transactions = files = 0
    diff_seconds = 0.0
    try:
        with _progress(source, known, progress) as bar, seldom_collected():
            pending: Callable[[], list[RecordRows]] | None = None
            batches = _new_batches(records, known, seen, batch_size)
            for batch in chain(batches, [None]):
                # Submit this batch before waiting for the last: workers clean while we write.
                diff_started = time.perf_counter()
                submitted = builder.submit(batch) if batch is not None else None
                built = pending() if pending is not None else []
                pending = submitted
                diff_seconds += time.perf_counter() - diff_started
                files += _write_batch(session, repository_id, built, builder.take_skipped())
                transactions += len(built)
                bar.update(len(built))
    except BaseException:
        if not known and not transactions:  # leave no trace of a first run that wrote nothing
            _forget_repository(session, repository_id)
        raise
    finally:
        if ahead is not None:
            ahead.close()
        builder.close()
    removed = _finish(session, repository_id, source, scan, known - (seen or set()))
    return MineStats(
        location=str(source.location),
        kind=source.kind,
        transactions=transactions,
        file_revisions=files,
        seconds=time.perf_counter() - started,
        skipped=len(scan.skipped) + builder.skipped_count,
        removed=removed,
        diff_seconds=diff_seconds,
    )


def _forget_repository(session: Session, repository_id: int) -> None:
    session.rollback()
    session.execute(delete(Repository).where(Repository.id == repository_id))
    session.commit()


def _finish(
    session: Session, repository_id: int, source: HistorySource, scan: SourceScan, stale: set[str]
) -> int:
    """Record skipped inputs, drop regrouped transactions (complete scans), stamp the run."""
    repository = session.get_one(Repository, repository_id)
    _record_skipped(session, repository_id, [*scan.skipped])
    removed = _remove_stale(session, repository_id, stale) if scan.complete else 0
    tips = getattr(source, "tips", None)
    if callable(tips):
        repository.last_seen = " ".join(tips())
    else:
        newest = session.scalar(
            select(Transaction.commit_time)
            .where(Transaction.repository_id == repository_id)
            .order_by(Transaction.commit_time.desc())
            .limit(1)
        )
        repository.last_seen = newest.isoformat() if newest else None
    repository.mined_at = datetime.now(UTC).replace(tzinfo=None)
    session.commit()
    return removed
