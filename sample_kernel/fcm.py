"""File cache managers: the ``FCM`` interface and ``FCMFile``, a file's page cache and IO queue.

``FCMFile`` caches a file's words, remembers which are dirty, and turns a sync into IO
operations on its queue, each with a sequence number. The IO daemon
(:mod:`sample_kernel.device`) services the queue through ``ioService``. An unforced sync only
queues; a forced sync (fsync) also waits, in the runtime's interruptible wait, until every
operation queued up to its own has been written. The waiting threads are listed in
``waiters`` (their target sequence numbers), the queue of IO operations in ``queue``.

This is version 1: a single FIFO queue, so a forced sync waits behind every unforced operation
queued before it. The first demo update (``updates/fcm_sync_priority.py``) restructures the
queue to serve forced operations first.
"""

from __future__ import annotations

import threading
from collections import deque

from sample_kernel.errno import EINVAL
from sample_kernel.services import KernelServices
from sample_kernel.tracing import TracePoint
from update_runtime import Updatable, virtual

FILE_WORDS = 1 << 16
"""Offsets (in words) a file may have."""


class FCM(Updatable):
    """The file-cache-manager interface."""

    @virtual
    def readWord(self, offset: int) -> int:
        """Return the word at ``offset`` (from the cache, else from the disk)."""
        raise NotImplementedError

    @virtual
    def writeWord(self, offset: int, word: int) -> int:
        """Write ``word`` at ``offset`` into the cache; return 0 or -EINVAL."""
        raise NotImplementedError

    @virtual(blocking=True)
    def sync(self, forced: int) -> int:
        """Queue the dirty words for writing; if ``forced``, wait until they are on disk."""
        raise NotImplementedError

    @virtual
    def ioService(self, batch: int) -> int:
        """Write up to ``batch`` queued operations to disk; return how many remain queued."""
        raise NotImplementedError

    @virtual
    def pendingIO(self) -> int:
        """Return how many IO operations are queued or in flight."""
        raise NotImplementedError


class FCMFile(FCM):
    """The page cache of one file, with one FIFO queue of IO operations."""

    def __init__(self, k: KernelServices, file_id: int) -> None:
        self.k = k
        self.file_id = file_id
        self.cond = threading.Condition()
        self.words: dict[int, int] = {}
        self.dirty: set[int] = set()
        self.queue: deque[tuple[int, int, bool]] = deque()
        """IO operations ``(sequence, offset, forced)`` in the order they will be written."""
        self.outstanding: set[int] = set()
        """Sequence numbers queued and not yet written."""
        self.waiters: list[int] = []
        """Threads waiting in a forced sync, by the sequence number they wait for."""
        self.next_seq = 1
        self.forced_syncs = 0

    def readWord(self, offset: int) -> int:
        with self.cond:
            word = self.words.get(offset)
        self.k.trace(TracePoint.FILE_READ)
        return word if word is not None else self.k.device.read(self.file_id, offset)

    def writeWord(self, offset: int, word: int) -> int:
        if not 0 <= offset < FILE_WORDS:
            return -EINVAL
        with self.cond:
            self.words[offset] = word
            self.dirty.add(offset)
        self.k.trace(TracePoint.FILE_WRITE)
        return 0

    def _queue_dirty(self, forced: bool) -> None:
        for offset in sorted(self.dirty):
            self.queue.append((self.next_seq, offset, forced))
            self.outstanding.add(self.next_seq)
            self.next_seq += 1
        self.dirty.clear()

    def _written_up_to(self, target: int) -> bool:
        return not any(seq <= target for seq in self.outstanding)

    def sync(self, forced: int) -> int:
        # Restartable: after an interruption the call runs again on the new version; queueing
        # the dirty words is idempotent and nothing is counted before the wait.
        with self.cond:
            self._queue_dirty(bool(forced))
            if self.outstanding:
                self.k.device.kick(self.ref)
            if forced:
                target = self.next_seq - 1
                self.waiters.append(target)
                try:
                    self.k.wait(self.cond, lambda: self._written_up_to(target), None)
                finally:
                    self.waiters.remove(target)
                self.forced_syncs += 1
        self.k.trace(TracePoint.FILE_SYNC)
        return 0

    def _next_op(self) -> tuple[int, int, bool]:
        return self.queue.popleft()

    def ioService(self, batch: int) -> int:
        with self.cond:
            for _ in range(min(batch, len(self.queue))):
                seq, offset, _forced = self._next_op()
                self.k.device.write(self.file_id, offset, self.words[offset])
                self.outstanding.discard(seq)
                self.k.trace(TracePoint.IO_COMPLETE)
            self.cond.notify_all()
            return len(self.queue)

    def pendingIO(self) -> int:
        return len(self.outstanding)
