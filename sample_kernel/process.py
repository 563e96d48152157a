"""Processes: a page manager, a region of memory, and signal delivery.

A ``Process`` owns a ``PMLeaf`` (taking frames from the well-known ``PMRoot``) and one anonymous
``Region``. Signals are posted into a pending mask and delivered, lowest number first, by
``deliverSignals``, which counts every delivery per signal.

Version 1 carries a real-looking bug: ``deliverSignals`` starts at signal 2, so signal 1 (SIGHUP)
stays pending forever. ``updates/signal_delivery_fix.py`` fixes it live.
"""

from __future__ import annotations

import threading

from sample_kernel.errno import EINVAL
from sample_kernel.pm import PMLeaf
from sample_kernel.region import Region
from sample_kernel.services import KernelServices
from sample_kernel.tracing import TracePoint
from update_runtime import Updatable, virtual

REGION_PAGES = 32
NSIG = 32

LEAF_RELEASE_ALL = PMLeaf.slot("releaseAll")
REGION_UNMAP_ALL = Region.slot("unmapAll")


class Process(Updatable):
    """One process: its memory and its signals."""

    def __init__(self, k: KernelServices, pid: int, parent: int) -> None:
        self.k = k
        self.pid = pid
        self.parent = parent
        self.lock = threading.Lock()
        self.pm = k.create("PMLeaf", k.well_known("pm_root"))
        self.region = k.create("Region", self.pm, REGION_PAGES)
        self.pending = 0
        """Bit ``n`` set: signal ``n`` is pending."""
        self.delivered = [0] * NSIG
        k.trace(TracePoint.PROCESS_CREATE)

    @virtual
    def regionRef(self) -> int:
        """Return the reference of the process's region."""
        return self.region

    @virtual
    def postSignal(self, signal: int) -> int:
        """Make ``signal`` pending; return 0 or -EINVAL."""
        if not 0 < signal < NSIG:
            return -EINVAL
        with self.lock:
            self.pending |= 1 << signal
        self.k.trace(TracePoint.SIGNAL_POST)
        return 0

    @virtual
    def deliverSignals(self) -> int:
        """Deliver every pending signal, lowest first; return how many were delivered."""
        count = 0
        with self.lock:
            for signal in range(2, NSIG):
                if self.pending & (1 << signal):
                    self.pending &= ~(1 << signal)
                    self.delivered[signal] += 1
                    count += 1
        for _ in range(count):
            self.k.trace(TracePoint.SIGNAL_DELIVER)
        return count

    @virtual
    def pendingSignals(self) -> int:
        """Return the pending-signal mask."""
        return self.pending

    @virtual
    def exit(self) -> int:
        """Give back every frame and destroy the process's region and page manager.

        Returns how many frames went back to the root page manager.
        """
        self.k.ott[self.region][REGION_UNMAP_ALL]()
        frames = self.k.ott[self.pm][LEAF_RELEASE_ALL]()
        self.k.destroy(self.region)
        self.k.destroy(self.pm)
        self.k.trace(TracePoint.PROCESS_EXIT)
        return frames
