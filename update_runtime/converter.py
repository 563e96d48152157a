"""The background converter: finishes lazy updates' pending objects while the kernel is idle.

K42 left objects that were never called on their old version indefinitely. This thread converts
them in small batches whenever at most ``idle_threads`` threads are busy inside the kernel (threads
in a deactivating wait do not count), so a lazy
update completes without a pause and without waiting for every object to be called.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from update_runtime.runtime import Runtime

log = logging.getLogger(__name__)


class BackgroundConverter(threading.Thread):
    """A daemon thread converting pending objects of lazy updates when the kernel is idle."""

    def __init__(self, runtime: Runtime, *, idle_threads: int, batch: int, interval: float) -> None:
        super().__init__(name="dsu background converter", daemon=True)
        self.runtime = runtime
        self.idle_threads = idle_threads
        self.batch = batch
        self.interval = interval
        self.converted = 0
        self._stop_event = threading.Event()

    def stop(self) -> None:
        """Ask the thread to stop and wait for it."""
        self._stop_event.set()
        self.join()

    def run(self) -> None:
        while not self._stop_event.is_set():
            if self.runtime.generations.busy() > self.idle_threads or not self.step():
                self._stop_event.wait(self.interval)

    def step(self) -> int:
        """Convert up to one batch of pending objects; return how many were converted."""
        converted = 0
        for handle in list(self.runtime.applied):
            if handle.mode != "lazy" or not handle.gate_open:
                continue
            for entry in list(handle.unconverted.values())[: self.batch - converted]:
                with entry.lock:
                    before = handle.converted
                    self.runtime.updater.convert_ready(entry)
                    converted += handle.converted - before
            if converted >= self.batch:
                break
        self.converted += converted
        return converted
