"""Page managers: the ``PM`` base class, ``PMRoot`` (owns physical memory) and ``PMLeaf``.

As in K42, page managers form a tree: the one ``PMRoot`` owns every physical frame; each process
has a ``PMLeaf`` that takes frames from its parent, the root (through the object translation
table), and keeps a few freed frames cached for reuse. Every frame in flight is owned by exactly
one page manager, which the tests check by summing ``framesInUse`` over the tree.

Frames are 64-bit frame numbers; errors come back in r3 as negative errno values.
"""

from __future__ import annotations

import threading

from sample_kernel.errno import EINVAL, ENOMEM
from sample_kernel.services import KernelServices
from update_runtime import Updatable, virtual

LEAF_CACHE_LIMIT = 4
"""A PMLeaf gives freed frames back to the root beyond this many cached ones."""


class PM(Updatable):
    """The page-manager interface every page manager implements."""

    @virtual
    def getFrame(self) -> int:
        """Allocate one frame; return its number or -ENOMEM."""
        raise NotImplementedError

    @virtual
    def freeFrame(self, frame: int) -> int:
        """Give back ``frame``; return 0 or -EINVAL if this PM does not own it."""
        raise NotImplementedError

    @virtual
    def framesInUse(self) -> int:
        """Return how many frames this PM has handed out and not had back."""
        raise NotImplementedError


class PMRoot(PM):
    """Owns all physical memory: a free list of frame numbers."""

    def __init__(self, k: KernelServices, frames: int) -> None:
        self.k = k
        self.lock = threading.Lock()
        self.free = list(range(frames - 1, -1, -1))
        self.allocated: set[int] = set()

    def getFrame(self) -> int:
        with self.lock:
            if not self.free:
                return -ENOMEM
            frame = self.free.pop()
            self.allocated.add(frame)
            return frame

    def freeFrame(self, frame: int) -> int:
        with self.lock:
            if frame not in self.allocated:
                return -EINVAL
            self.allocated.remove(frame)
            self.free.append(frame)
            return 0

    def framesInUse(self) -> int:
        return len(self.allocated)

    @virtual
    def framesFree(self) -> int:
        """Return how many frames are free."""
        return len(self.free)


ROOT_GET = PMRoot.slot("getFrame")
ROOT_FREE = PMRoot.slot("freeFrame")


class PMLeaf(PM):
    """A process's page manager: frames from its parent, a small cache of freed ones."""

    def __init__(self, k: KernelServices, parent: int) -> None:
        self.k = k
        # The caller looked the parent up before the factory chose this class; if an update
        # moved the parent behind an adaptor in between, take its new reference.
        self.parent = k.runtime.translate(parent)
        self.lock = threading.Lock()
        self.owned: set[int] = set()
        self.cache: list[int] = []

    def _root_get(self) -> int:
        """Take a frame from the root page manager (PMRoot's interface, version 1)."""
        return self.k.ott[self.parent][ROOT_GET]()

    def _root_free(self, frame: int) -> None:
        """Give ``frame`` back to the root page manager."""
        self.k.ott[self.parent][ROOT_FREE](frame)

    def getFrame(self) -> int:
        with self.lock:
            frame = self.cache.pop() if self.cache else self._root_get()
            if frame >= 0:
                self.owned.add(frame)
            return frame

    def freeFrame(self, frame: int) -> int:
        with self.lock:
            if frame not in self.owned:
                return -EINVAL
            self.owned.remove(frame)
            self.cache.append(frame)
            while len(self.cache) > LEAF_CACHE_LIMIT:
                self._root_free(self.cache.pop(0))
            return 0

    def framesInUse(self) -> int:
        return len(self.owned) + len(self.cache)

    @virtual
    def releaseAll(self) -> int:
        """Give every frame (in use or cached) back to the root; return how many."""
        with self.lock:
            frames = sorted(self.owned) + self.cache
            for frame in frames:
                self._root_free(frame)
            self.owned.clear()
            self.cache.clear()
            return len(frames)
