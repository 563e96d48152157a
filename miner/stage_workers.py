"""Clean and diff file versions in worker processes, while the main process reads the history.

Cleaning dominates the mining stage (see the README's figures), and it parallelises: every
worker process opens its own copy of the source (its own ``git cat-file`` process or CVS file
cache) and its own cleaning cache. Changes are sent to a worker chosen by the file's path, so
the successive versions of one file meet in one worker's cache and each version is still
cleaned once. Rows come back in record order; the stage writes them exactly as it would from
one process, so the database does not depend on the number of workers.
"""

from __future__ import annotations

import multiprocessing
import os
import zlib
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from miner.collector import collect_seldom
from miner.options import MineOptions
from miner.records import FileChange, HistorySource, SkippedFile, TransactionRecord
from miner.stage_rows import RecordRows, Row, RowBuilder, record_rows

_worker_builder: RowBuilder | None = None


DEFAULT_JOBS_CAP = 8
"""Workers by default at most: ``git log`` streams on one core, so more rarely help, and each
holds its own cleaning cache (a few hundred MiB)."""


def usable_cores() -> int:
    """Return how many cores this process may run on (its CPU affinity, else the count)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def default_jobs() -> int:
    """Return the default number of workers: the usable cores, at most :data:`DEFAULT_JOBS_CAP`."""
    return min(usable_cores(), DEFAULT_JOBS_CAP)


def _start_worker(kind: str, location: str, options_json: str) -> None:
    from miner.sources import open_source

    global _worker_builder
    collect_seldom()
    options = MineOptions.from_json(options_json)
    _worker_builder = RowBuilder(open_source(Path(location), kind, options), options)


def _rows_in_worker(changes: list[FileChange]) -> tuple[list[Row], list[SkippedFile]]:
    assert _worker_builder is not None, "worker not started"
    rows = [_worker_builder.row_with_versions(change) for change in changes]
    return rows, _worker_builder.take_skipped()


class ParallelRowBuilder:
    """A :class:`RowBuilder` that reads, cleans and diffs versions in ``jobs`` workers."""

    def __init__(self, source: HistorySource, options: MineOptions, jobs: int) -> None:
        self.local = RowBuilder(source, options)
        # fork: scripts and notebooks need no ``__main__`` guard; each worker opens its own source
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        arguments = (source.kind, str(source.location), options.to_json())
        self.workers = [
            ProcessPoolExecutor(
                1, mp_context=context, initializer=_start_worker, initargs=arguments
            )
            for _ in range(jobs)
        ]
        self.skipped: list[SkippedFile] = []
        self.skipped_count = 0

    def _worker_for(self, change: FileChange) -> int:
        return zlib.crc32(change.path.encode("utf-8", "surrogateescape")) % len(self.workers)

    def submit(self, records: list[TransactionRecord]) -> Callable[[], list[RecordRows]]:
        """Start building the rows of ``records``; return a function that waits for them."""
        rows: list[list[Row | None]] = []
        shards: list[list[FileChange]] = [[] for _ in self.workers]
        places: list[list[tuple[int, int]]] = [[] for _ in self.workers]
        for number, record in enumerate(records):
            rows.append([])
            for position, change in enumerate(record.files):
                row = self.local.row_without_versions(change)
                rows[number].append(row)
                if row is None:
                    worker = self._worker_for(change)
                    shards[worker].append(change)
                    places[worker].append((number, position))
        futures: list[Future[tuple[list[Row], list[SkippedFile]]] | None] = [
            self.workers[w].submit(_rows_in_worker, shard) if shard else None
            for w, shard in enumerate(shards)
        ]

        def collect() -> list[RecordRows]:
            for future, shard_places in zip(futures, places, strict=True):
                if future is None:
                    continue
                shard_rows, skipped = future.result()
                self.skipped += skipped
                self.skipped_count += len(skipped)
                for (number, position), row in zip(shard_places, shard_rows, strict=True):
                    rows[number][position] = row
            return [
                record_rows(record, tuple(r for r in record_row if r is not None))
                for record, record_row in zip(records, rows, strict=True)
            ]

        return collect

    def take_skipped(self) -> list[SkippedFile]:
        """Return the versions that could not be read since the last call, and forget them."""
        taken, self.skipped = self.skipped, []
        return taken

    def close(self) -> None:
        """Stop the worker processes."""
        for worker in self.workers:
            worker.shutdown(cancel_futures=True)
