"""Reading records ahead in a thread: order kept, errors raised in the reader, early stop."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from miner.read_ahead import ReadAhead
from miner.records import TransactionRecord

WHEN = datetime(2020, 1, 1)


def record(number: int) -> TransactionRecord:
    return TransactionRecord(f"k{number}", "ann", WHEN, WHEN, "m", "git")


def test_records_and_their_versions_come_in_order() -> None:
    records = (record(n) for n in range(500))
    with ReadAhead(records, lambda r: {r.key: r.key.encode()}, depth=4) as ahead:
        got = list(ahead)
    assert [r.key for r, _ in got] == [f"k{n}" for n in range(500)]
    assert all(versions == {r.key: r.key.encode()} for r, versions in got)


def test_versions_waiting_are_bounded_in_bytes() -> None:
    records = (record(n) for n in range(50))
    ahead = ReadAhead(records, lambda r: {r.key: b"x" * 1000}, max_bytes=3000)
    waiting = []
    for _record, _versions in ahead:
        waiting.append(ahead._queued_bytes)
    ahead.close()
    assert len(waiting) == 50 and max(waiting) <= 3000


def test_patches_waiting_count_in_the_bound_too() -> None:
    from miner.records import FileChange

    patch = FileChange("f.c", "modified", "a", "b", raw_diff="@@ -1 +1 @@\n-x\n+y\n" * 100)
    records = (
        TransactionRecord(f"k{n}", "ann", WHEN, WHEN, "m", "git", files=(patch,)) for n in range(50)
    )
    ahead = ReadAhead(records, lambda r: {}, max_bytes=3 * len(patch.raw_diff or ""))
    waiting = []
    for _record, _versions in ahead:
        waiting.append(ahead._queued_bytes)
    ahead.close()
    assert len(waiting) == 50 and 0 < max(waiting) <= 3 * len(patch.raw_diff or "")


def test_an_error_in_the_thread_is_raised_to_the_reader() -> None:
    def failing() -> Iterator[TransactionRecord]:
        yield record(1)
        raise OSError("git log died")

    with ReadAhead(failing(), lambda r: {}) as ahead, pytest.raises(OSError, match="git log died"):
        list(ahead)


def test_stopping_early_closes_the_source() -> None:
    closed: list[bool] = []

    def endless() -> Iterator[TransactionRecord]:
        try:
            number = 0
            while True:
                number += 1
                yield record(number)
        finally:
            closed.append(True)

    ahead = ReadAhead(endless(), lambda r: {}, depth=2)
    first = next(iter(ahead))
    ahead.close()
    assert first[0].key == "k1" and closed == [True]
