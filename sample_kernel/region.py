"""Regions: a process's range of virtual pages, mapped on fault to frames of its page manager.

The page-fault path (:mod:`sample_kernel.exception_path`) resolves a faulting page by calling
``Region.fault`` through the table; the region asks its page manager (a ``PMLeaf``) for a frame.
"""

from __future__ import annotations

import threading

from sample_kernel.errno import EINVAL
from sample_kernel.pm import PM
from sample_kernel.services import KernelServices
from sample_kernel.tracing import TracePoint
from update_runtime import Updatable, virtual

PM_GET = PM.slot("getFrame")
PM_FREE = PM.slot("freeFrame")


class Region(Updatable):
    """``pages`` virtual pages backed by frames of page manager ``pm``."""

    def __init__(self, k: KernelServices, pm: int, pages: int) -> None:
        self.k = k
        self.pm = pm
        self.pages = pages
        self.lock = threading.Lock()
        self.mapped: dict[int, int] = {}
        """Virtual page -> frame number."""
        self.faults = 0

    @virtual
    def fault(self, page: int) -> int:
        """Map ``page`` (if it is not already); return its frame, or a negative errno."""
        if not 0 <= page < self.pages:
            return -EINVAL
        with self.lock:
            frame = self.mapped.get(page)
            if frame is None:
                frame = self.k.ott[self.pm][PM_GET]()
                if frame < 0:
                    return frame
                self.mapped[page] = frame
                self.faults += 1
                self.k.trace(TracePoint.FRAME_ALLOC)
            return frame

    @virtual
    def unmap(self, page: int) -> int:
        """Unmap ``page`` and give its frame back; return 0 (also if it was not mapped)."""
        with self.lock:
            frame = self.mapped.pop(page, None)
            if frame is None:
                return 0
            self.k.trace(TracePoint.FRAME_FREE)
            return self.k.ott[self.pm][PM_FREE](frame)

    @virtual
    def unmapAll(self) -> int:
        """Unmap every page; return how many were mapped."""
        with self.lock:
            frames = list(self.mapped.values())
            self.mapped.clear()
        for frame in frames:
            self.k.ott[self.pm][PM_FREE](frame)
        return len(frames)

    @virtual
    def mappedPages(self) -> int:
        """Return how many pages are mapped."""
        return len(self.mapped)
