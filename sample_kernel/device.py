"""The block device and its IO daemon: the disk under the file cache, not reached through the table.

File cache managers queue IO operations and *kick* the device with their reference; the IO
daemon (a kernel thread) waits for kicks outside the kernel, then enters the kernel and asks
each kicked file cache manager, through the table, to service a batch of its queue
(``FCM.ioService``). The disk itself is a dictionary of 64-bit words keyed by (file, offset).
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

from update_runtime import DeadReference

if TYPE_CHECKING:
    from update_runtime import Runtime

log = logging.getLogger(__name__)

IO_BATCH = 8
"""Operations a file cache manager services per visit of the IO daemon."""

DEVICE_UNIT = "sample_kernel.device.BlockDevice"
DEVICE_REASON = "the block device driver runs in the IO daemon below the object translation table"


class BlockDevice:
    """A disk of 64-bit words and the daemon that drives file cache managers' IO queues."""

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self._disk: dict[tuple[int, int], int] = {}
        self._disk_lock = threading.Lock()
        self._kicked: deque[int] = deque()
        self._queued: set[int] = set()
        self._wakeup = threading.Condition()
        self._stop = False
        self._paused = False
        self._thread: threading.Thread | None = None
        self.service_slot = -1
        """Method number of ``FCM.ioService`` (set at boot, from the FCM interface)."""
        self.writes = 0

    def __deepcopy__(self, memo: dict[int, object]) -> BlockDevice:
        return self

    def write(self, file_id: int, offset: int, word: int) -> None:
        """Write one word to the disk."""
        with self._disk_lock:
            self._disk[(file_id, offset)] = word
            self.writes += 1

    def read(self, file_id: int, offset: int) -> int:
        """Read one word from the disk (0 where nothing was written)."""
        with self._disk_lock:
            return self._disk.get((file_id, offset), 0)

    def kick(self, fcm_ref: int) -> None:
        """Ask the IO daemon to service file cache manager ``fcm_ref``."""
        with self._wakeup:
            if fcm_ref not in self._queued:
                self._queued.add(fcm_ref)
                self._kicked.append(fcm_ref)
                self._wakeup.notify()

    def start(self, spawn: Callable[[str, Callable[[], None]], threading.Thread]) -> None:
        """Start the IO daemon through the scheduler's ``spawn(name, body)``."""
        self._thread = spawn("io-daemon", self._run)

    def stop(self) -> None:
        """Stop the IO daemon and wait for it."""
        with self._wakeup:
            self._stop = True
            self._wakeup.notify_all()
        if self._thread is not None:
            self._thread.join()

    def pause(self) -> None:
        """Hold every IO operation until :meth:`resume` (a busy or failing-over disk)."""
        with self._wakeup:
            self._paused = True

    def resume(self) -> None:
        """Let the IO daemon service queued operations again."""
        with self._wakeup:
            self._paused = False
            self._wakeup.notify_all()

    def _next(self) -> int | None:
        with self._wakeup:
            while (self._paused or not self._kicked) and not self._stop:
                self._wakeup.wait()
            if self._stop:
                return None
            ref = self._kicked.popleft()
            self._queued.discard(ref)
            return ref

    def _run(self) -> None:
        runtime = self._runtime
        while (ref := self._next()) is not None:
            try:
                with runtime.kernel_entry():
                    more = runtime.ott[ref][self.service_slot](IO_BATCH)
            except DeadReference:
                continue  # the file was closed with IO still queued: nothing left to write to
            if more > 0:
                self.kick(ref)
