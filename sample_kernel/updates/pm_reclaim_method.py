"""Update 4 (study): the PM base class gains a virtual method, ``reclaim``.

``reclaim(count)`` (give back up to ``count`` cached frames) goes into the PM interface after
``freeFrame``, so in every subclass the method numbers at and after that slot shift by one
(``framesInUse`` 2 -> 3, ``PMRoot.framesFree`` 3 -> 4, ``PMLeaf.releaseAll`` 3 -> 4), exactly as
a C++ vtable shifts. Every PMRoot and PMLeaf goes on a new reference; ONE adaptor class serves
both on their old references: it forwards every old method by name to its new number. The
callers holding page-manager references (Process and Region hold a PMLeaf, a PMLeaf its root)
are updated in the same update: their transfers translate the references they hold, and
Process.exit uses the new method number; then the adaptors are reclaimed. Requires the frame-size
change (PMRoot's code is its version 2) and the signal fix (Process's code is its version 2).
"""

from __future__ import annotations

from sample_kernel import pm, region
from sample_kernel.catalogue import Change
from sample_kernel.tracing import TracePoint
from sample_kernel.updates import pmroot_frame_size, signal_delivery_fix
from update_runtime import Adaptor, TransferContext, Updatable, Update, virtual


class PM(Updatable, version=2):
    """The page-manager interface, version 2: ``reclaim`` after ``freeFrame``."""

    @virtual
    def getFrame(self) -> int:
        """Allocate one frame; return its number or -ENOMEM."""
        raise NotImplementedError

    @virtual
    def freeFrame(self, frame: int) -> int:
        """Give back ``frame``; return 0 or -EINVAL if this PM does not own it."""
        raise NotImplementedError

    @virtual
    def reclaim(self, count: int) -> int:
        """Give up to ``count`` cached frames back to the system; return how many."""
        raise NotImplementedError

    @virtual
    def framesInUse(self) -> int:
        """Return how many frames this PM has handed out and not had back."""
        raise NotImplementedError


class PMRoot(PM, version=3):
    """The root page manager on the new PM interface; it caches nothing to reclaim."""

    __init__ = pm.PMRoot.__init__
    getFrame = pmroot_frame_size.PMRoot.getFrame
    freeFrame = pmroot_frame_size.PMRoot.freeFrame
    framesInUse = pm.PMRoot.framesInUse
    framesFree = pm.PMRoot.framesFree

    def reclaim(self, count: int) -> int:
        return 0


class PMLeaf(PM, version=3):
    """A process's page manager on the new PM interface."""

    __init__ = pm.PMLeaf.__init__
    _root_get = pmroot_frame_size.PMLeaf._root_get
    _root_free = pmroot_frame_size.PMLeaf._root_free
    getFrame = pm.PMLeaf.getFrame
    freeFrame = pm.PMLeaf.freeFrame
    framesInUse = pm.PMLeaf.framesInUse
    releaseAll = pm.PMLeaf.releaseAll

    def reclaim(self, count: int) -> int:
        with self.lock:
            frames = self.cache[:count]
            del self.cache[:count]
        for frame in frames:
            self._root_free(frame)
        return len(frames)


LEAF_RELEASE_ALL = PMLeaf.slot("releaseAll")


class Process(signal_delivery_fix.Process, version=3):
    """A process compiled against the new PM interface."""

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


REGION_UNMAP_ALL = region.Region.slot("unmapAll")


class Region(region.Region, version=2):
    """A region holding its page manager's new reference (same code)."""


class PMShiftAdaptor(Adaptor):
    """Old method numbers of any PM subclass: every method forwards by name to its new slot."""


def translate_pm(state: dict, ctx: TransferContext) -> dict:
    """Callers: hold the page manager's new reference instead of the adaptor's."""
    state["pm"] = ctx.translate(state["pm"])
    return state


def translate_parent(state: dict, ctx: TransferContext) -> dict:
    """PMLeaf: call the root on its new reference."""
    state["parent"] = ctx.translate(state["parent"])
    return state


UPDATE = Update(
    name="pm_reclaim_method",
    classes=(PMRoot, PMLeaf, Process, Region),
    transfers={"Process": translate_pm, "Region": translate_pm, "PMLeaf": translate_parent},
    adaptors={"PMRoot": PMShiftAdaptor, "PMLeaf": PMShiftAdaptor},
    old_callers={"Process": 3, "Region": 2, "PMLeaf": 3},
    requires=("pmroot_frame_size", "signal_delivery_fix"),
    mode="eager",
    description="PM gains reclaim(); subclass method numbers shift; one adaptor for all",
)

CHANGE = Change(
    name="pm_reclaim_method",
    kind="adaptor",
    summary="PM: add virtual method reclaim() to the page-manager interface",
    reason=(
        "a virtual method added to a base class shifts every subclass's later method numbers; "
        "one adaptor remapping by name serves every subclass until the callers are updated"
    ),
    study=True,
)
