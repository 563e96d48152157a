"""Booting the kernel: the runtime, every factory, the well-known objects and the kernel threads.

:func:`boot` registers every updatable class with the runtime (one factory each), declares the
code that is not reached through the table (exception path, scheduler, trace points, block
driver), creates the root page manager and a page cache of files, and starts the IO daemon and
the IPC servers. :class:`Kernel` then opens client sessions (:mod:`sample_kernel.syscalls`),
applies updates and shuts down.
"""

from __future__ import annotations

import itertools
import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from sample_kernel.device import DEVICE_REASON, DEVICE_UNIT, BlockDevice
from sample_kernel.exception_path import EXCEPTION_REASON, EXCEPTION_UNIT
from sample_kernel.fcm import FCM, FCMFile
from sample_kernel.file_rep import FileRep
from sample_kernel.ipc import IPCPort, unpack
from sample_kernel.pm import PMLeaf, PMRoot
from sample_kernel.process import Process
from sample_kernel.region import Region
from sample_kernel.scheduler import SCHEDULER_REASON, SCHEDULER_UNIT, Scheduler
from sample_kernel.services import KernelServices
from sample_kernel.syscalls import Session
from sample_kernel.tracing import TRACE_REASON, TRACE_UNIT, TraceService
from update_runtime import Runtime, Updatable, UpdateHandle, UpdatePolicy

log = logging.getLogger(__name__)

UPDATES_DIR = Path(__file__).resolve().parent / "updates"
CLASSES: tuple[type[Updatable], ...] = (PMRoot, PMLeaf, FCMFile, FileRep, Region, Process, IPCPort)
PORT_SEND = IPCPort.slot("send")
PORT_RECEIVE = IPCPort.slot("receive")


@dataclass(frozen=True)
class KernelConfig:
    """How big a kernel to boot.

    :param cache_files: files in the page cache at boot, each with a few dirty words (the objects
        a lazy update of ``FCMFile`` converts in the background).
    :param track: factories track their instances (off only to measure what tracking costs).
    """

    frames: int = 8192
    cache_files: int = 200
    ipc_servers: int = 2
    track: bool = True
    policy: UpdatePolicy = UpdatePolicy()


class Kernel:
    """A booted kernel. Use :func:`boot` to make one."""

    def __init__(self, config: KernelConfig) -> None:
        self.config = config
        self.runtime = Runtime(config.policy, strict=False)
        self.trace = TraceService()
        self.device = BlockDevice(self.runtime)
        self.scheduler = Scheduler()
        self.k = KernelServices(self.runtime, self.trace, self.device)
        self._pids = itertools.count(1)
        self._file_lock = threading.Lock()
        self.fcms: dict[int, int] = {}
        """File id -> reference of its FCMFile (the page cache)."""
        self.server_port = -1
        self._stopping = threading.Event()

    def next_pid(self) -> int:
        """Allocate a process id."""
        return next(self._pids)

    def fcm_for(self, file_id: int) -> int:
        """Return the page cache (FCMFile) of ``file_id``, creating it on first use."""
        with self._file_lock:
            ref = self.fcms.get(file_id)
            if ref is None:
                ref = self.fcms[file_id] = self.k.create("FCMFile", file_id)
            return ref

    def _serve_ipc(self) -> None:
        ott, port = self.runtime.ott, self.server_port
        while True:
            with self.runtime.kernel_entry():
                message = ott[port][PORT_RECEIVE](0)
                if self._stopping.is_set():
                    return
                reply_port, payload = unpack(message)
                ott[reply_port][PORT_SEND](payload + 1, 0)

    def open_session(self, number: int) -> Session:
        """Open client ``number``'s system-call session (its process, files and reply port)."""
        return Session(self, number)

    def apply(self, name: str, **options: object) -> UpdateHandle:
        """Load update module ``name`` from ``sample_kernel/updates`` and apply it."""
        return self.runtime.apply(self.runtime.load_update(UPDATES_DIR / f"{name}.py"), **options)

    def shutdown(self) -> None:
        """Stop the kernel threads (the IPC servers, the IO daemon, the background converter)."""
        self._stopping.set()
        with self.runtime.kernel_entry():  # wake every IPC server so that it sees the stop
            for _ in range(self.config.ipc_servers):
                self.runtime.ott[self.server_port][PORT_SEND](0, 0)
        self.runtime.stop_background_converter()
        self.device.stop()
        self.scheduler.join_all()


def boot(config: KernelConfig | None = None) -> Kernel:
    """Boot a kernel: factories, non-updatable units, well-known objects, kernel threads."""
    kernel = Kernel(config or KernelConfig())
    runtime, k = kernel.runtime, kernel.k
    for cls in CLASSES:
        runtime.register(cls, track=kernel.config.track)
    for unit, reason in (
        (EXCEPTION_UNIT, EXCEPTION_REASON),
        (SCHEDULER_UNIT, SCHEDULER_REASON),
        (TRACE_UNIT, TRACE_REASON),
        (DEVICE_UNIT, DEVICE_REASON),
    ):
        runtime.declare_non_updatable(unit, reason)
    kernel.device.service_slot = FCM.slot("ioService")
    k.publish("pm_root", k.create("PMRoot", kernel.config.frames))
    _fill_page_cache(kernel)
    kernel.server_port = k.create("IPCPort")
    kernel.device.start(kernel.scheduler.spawn)
    for number in range(kernel.config.ipc_servers):
        kernel.scheduler.spawn(f"ipc-server-{number}", kernel._serve_ipc)
    log.info("booted: %d objects in the table", len(runtime.table))
    return kernel


def _fill_page_cache(kernel: Kernel) -> None:
    """Create the boot-time page cache: files with a few dirty words each."""
    write = FCMFile.slot("writeWord")
    with kernel.runtime.kernel_entry():
        for file_id in range(kernel.config.cache_files):
            ref = kernel.fcm_for(CACHE_FILE_BASE + file_id)
            for offset in range(4):
                kernel.runtime.ott[ref][write](offset, file_id * 4 + offset)


CACHE_FILE_BASE = 1_000_000
"""File ids of the boot-time page cache (client files are numbered from 0)."""
