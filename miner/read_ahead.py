"""Read a source's records and file versions in a background thread, ahead of the cleaning.

Reading a history is mostly waiting on pipes (``git log``, ``git cat-file``) and cleaning is
pure CPU, so the two overlap well even under the GIL. :class:`ReadAhead` runs the source's
record iterator in one thread, reads there every version the stage will need for records it
has not stored yet, and hands ``(record, versions)`` pairs over a bounded queue, so memory
stays bounded. Only that thread touches the source while it runs.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from types import TracebackType

from miner.records import TransactionRecord

Versions = dict[str, bytes | None]
_DONE = object()


class ReadAhead:
    """Iterate ``(record, versions)`` pairs produced by a background thread.

    :param read: returns the versions a record needs (called in the thread; ``{}`` for none).
    :param depth: how many records may wait in the queue.
    :param max_bytes: how many bytes of versions and patches may wait (one larger record
        still passes).
    """

    def __init__(
        self,
        records: Iterator[TransactionRecord],
        read: Callable[[TransactionRecord], Versions],
        depth: int = 64,
        max_bytes: int = 32_000_000,
    ) -> None:
        self._records = records
        self._read = read
        self._queue: queue.Queue[object] = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._max_bytes = max_bytes
        self._queued_bytes = 0
        self._room = threading.Condition()
        self._thread = threading.Thread(target=self._produce, name="dsukit-read-ahead", daemon=True)
        self._thread.start()

    def _put(self, item: object) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _wait_for_room(self, size: int) -> None:
        with self._room:
            while self._queued_bytes and self._queued_bytes + size > self._max_bytes:
                if self._stop.is_set():
                    return
                self._room.wait(timeout=0.1)
            self._queued_bytes += size

    def _produce(self) -> None:
        try:
            for record in self._records:
                versions = self._read(record)
                size = sum(len(data) for data in versions.values() if data) + sum(
                    len(change.raw_diff or "") for change in record.files
                )
                self._wait_for_room(size)
                if not self._put((record, versions, size)):
                    return
            self._put(_DONE)
        except BaseException as error:  # noqa: BLE001 (handed to the consumer, raised there)
            self._put(error)
        finally:
            close = getattr(self._records, "close", None)
            if callable(close):
                close()

    def __iter__(self) -> Iterator[tuple[TransactionRecord, Versions]]:
        while True:
            item = self._queue.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            record, versions, size = item  # type: ignore[misc]
            with self._room:
                self._queued_bytes -= size
                self._room.notify()
            yield record, versions

    def close(self) -> None:
        """Stop the thread (it ends its current record first) and wait for it."""
        self._stop.set()
        self._thread.join()

    def __enter__(self) -> ReadAhead:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
