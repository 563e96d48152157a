"""Update 1 (study): FCMFile serves forced syncs before unforced ones.

Version 1 keeps one FIFO queue of IO operations, so an fsync waits behind every unforced write-
back queued before it. Version 2 splits it into a forced and an unforced queue; the IO daemon
drains the forced one first, and a forced sync moves the file's queued unforced operations to
the forced queue (they hold data the fsync must make durable). The layout changed, so the update
brings a state transfer (split the queue, keeping every operation's sequence number) and its
reverse (merge them back in sequence order). Applied lazily: each file cache is converted on its
first call, the rest by the background converter.
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Any

from sample_kernel import fcm
from sample_kernel.catalogue import Change
from sample_kernel.services import KernelServices
from sample_kernel.tracing import TracePoint
from update_runtime import TransferContext, Update

Op = tuple[int, int, bool]


class FCMFile(fcm.FCMFile, version=2):
    """Page cache of one file; forced IO operations are written before unforced ones."""

    def __init__(self, k: KernelServices, file_id: int) -> None:
        self.k = k
        self.file_id = file_id
        self.cond = threading.Condition()
        self.words: dict[int, int] = {}
        self.dirty: set[int] = set()
        self.forced_queue: deque[Op] = deque()
        """Forced IO operations ``(sequence, offset, forced)``: written first."""
        self.unforced_queue: deque[Op] = deque()
        """Unforced write-back, written when no forced operation waits."""
        self.outstanding: set[int] = set()
        """Sequence numbers queued and not yet written."""
        self.waiters: list[int] = []
        """Threads waiting in a forced sync, by the sequence number they wait for."""
        self.next_seq = 1
        self.forced_syncs = 0

    def _queue_dirty(self, forced: bool) -> None:
        queue = self.forced_queue if forced else self.unforced_queue
        for offset in sorted(self.dirty):
            queue.append((self.next_seq, offset, forced))
            self.outstanding.add(self.next_seq)
            self.next_seq += 1
        self.dirty.clear()
        if forced:
            while self.unforced_queue:
                seq, offset, _ = self.unforced_queue.popleft()
                self.forced_queue.append((seq, offset, True))

    def _next_op(self) -> Op:
        return (self.forced_queue or self.unforced_queue).popleft()

    def ioService(self, batch: int) -> int:
        with self.cond:
            for _ in range(min(batch, len(self.forced_queue) + len(self.unforced_queue))):
                seq, offset, _forced = self._next_op()
                self.k.device.write(self.file_id, offset, self.words[offset])
                self.outstanding.discard(seq)
                self.k.trace(TracePoint.IO_COMPLETE)
            self.cond.notify_all()
            return len(self.forced_queue) + len(self.unforced_queue)


def split_queue(state: dict[str, Any], ctx: TransferContext) -> dict[str, Any]:
    """v1 -> v2: split the single FIFO into forced and unforced queues, keeping their order."""
    queue: deque[Op] = state.pop("queue")
    state["forced_queue"] = deque(op for op in queue if op[2])
    state["unforced_queue"] = deque(op for op in queue if not op[2])
    return state


def merge_queues(state: dict[str, Any], ctx: TransferContext) -> dict[str, Any]:
    """v2 -> v1: merge the two queues back into one FIFO in sequence order."""
    merged = sorted([*state.pop("forced_queue"), *state.pop("unforced_queue")])
    state["queue"] = deque(merged)
    return state


UPDATE = Update(
    name="fcm_sync_priority",
    classes=(FCMFile,),
    transfers={"FCMFile": split_queue},
    reverse_transfers={"FCMFile": merge_queues},
    mode="lazy",
    description="FCMFile: forced syncs prioritised over unforced ones (two IO queues)",
)

CHANGE = Change(
    name="fcm_sync_priority",
    kind="updatable",
    summary="FCMFile: serve forced syncs before unforced write-back",
    reason="only FCMFile's code and internal queues change; a state transfer splits the queue",
    study=True,
)
