"""The tracing service: a static enumeration of trace points and per-point event counters.

As in K42, trace points are a compile-time enumeration: every trace site and every trace reader
is built with these numbers baked in. The enumeration is therefore not reached through the
object translation table, and a change that renumbers or removes trace points cannot be
applied live (the kernel registers it with the runtime as a non-updatable unit).
"""

from __future__ import annotations

import threading
from enum import IntEnum


class TracePoint(IntEnum):
    """Every trace point of the kernel; the numbers are part of the binary trace format."""

    PAGE_FAULT = 0
    FRAME_ALLOC = 1
    FRAME_FREE = 2
    FILE_READ = 3
    FILE_WRITE = 4
    FILE_SYNC = 5
    IO_COMPLETE = 6
    IPC_SEND = 7
    IPC_RECEIVE = 8
    SIGNAL_POST = 9
    SIGNAL_DELIVER = 10
    PROCESS_CREATE = 11
    PROCESS_EXIT = 12
    UPDATE_INTERRUPT = 13


TRACE_UNIT = "sample_kernel.tracing.TracePoint"
TRACE_REASON = (
    "trace points are a static enumeration compiled into every trace site and every trace reader"
)


class TraceService:
    """Counts events per trace point; cheap enough to stay enabled under load."""

    def __init__(self) -> None:
        self._counts = [0] * len(TracePoint)
        self._lock = threading.Lock()
        self.enabled = True

    def trace(self, point: TracePoint) -> None:
        """Record one event at ``point``."""
        if self.enabled:
            with self._lock:
                self._counts[point] += 1

    def count(self, point: TracePoint) -> int:
        """Return how many events were recorded at ``point``."""
        return self._counts[point]

    def snapshot(self) -> dict[str, int]:
        """Return every trace point's count, by name."""
        with self._lock:
            return {point.name: self._counts[point] for point in TracePoint}
