"""The scheduler: starts and tracks the kernel threads; it runs below the object translation table.

In this simulation the host's threads do the actual switching; the scheduler names every kernel
thread, knows which are running, and stops them at shutdown. Like K42's dispatcher it is not an
object in the table, and the runtime refuses updates that change it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

SCHEDULER_UNIT = "sample_kernel.scheduler"
SCHEDULER_REASON = (
    "the scheduler runs on every context switch below the object translation table; no call "
    "through the table reaches it"
)


class Scheduler:
    """Kernel threads by name."""

    def __init__(self) -> None:
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def spawn(self, name: str, body: Callable[[], None]) -> threading.Thread:
        """Start kernel thread ``name`` running ``body``; return it."""
        thread = threading.Thread(target=body, name=name, daemon=True)
        with self._lock:
            self._threads.append(thread)
        thread.start()
        return thread

    def running(self) -> list[str]:
        """Return the names of the kernel threads still running."""
        with self._lock:
            return [t.name for t in self._threads if t.is_alive()]

    def join_all(self, timeout: float | None = None) -> None:
        """Wait for every kernel thread to finish."""
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(timeout)
