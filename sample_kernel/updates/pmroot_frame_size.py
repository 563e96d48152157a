"""Update 3 (study): PMRoot.getFrame and freeFrame gain a frame-size argument.

The interface of PMRoot changes (getFrame(size), freeFrame(frame, size); sizes other than the
base page are refused with -EINVAL until large pages exist), so every PMRoot goes on a new
reference and an adaptor takes the old one: it supplies 4096 for old callers. The callers,
PMLeaf objects, are updated in the same update to pass the size themselves, and their transfer
moves them to the root's new reference; once no PMLeaf older than version 2 remains the factories
say so and the adaptor and the old reference are reclaimed. PMRoot's state is unchanged.
"""

from __future__ import annotations

from typing import Any

from sample_kernel import pm
from sample_kernel.catalogue import Change
from sample_kernel.errno import EINVAL, ENOMEM
from update_runtime import Adaptor, TransferContext, Update

FRAME_SIZE = 4096


class PMRoot(pm.PMRoot, version=2):
    """The root page manager; callers name the frame size."""

    def getFrame(self, size: int) -> int:
        if size != FRAME_SIZE:
            return -EINVAL
        with self.lock:
            if not self.free:
                return -ENOMEM
            frame = self.free.pop()
            self.allocated.add(frame)
            return frame

    def freeFrame(self, frame: int, size: int) -> int:
        if size != FRAME_SIZE:
            return -EINVAL
        with self.lock:
            if frame not in self.allocated:
                return -EINVAL
            self.allocated.remove(frame)
            self.free.append(frame)
            return 0


ROOT_GET = PMRoot.slot("getFrame")
ROOT_FREE = PMRoot.slot("freeFrame")


class PMLeaf(pm.PMLeaf, version=2):
    """A leaf that calls the root with the frame size (the updated caller)."""

    def _root_get(self) -> int:
        """Take a frame of the base page size from the root page manager."""
        return self.k.ott[self.parent][ROOT_GET](FRAME_SIZE)

    def _root_free(self, frame: int) -> None:
        """Give ``frame`` (of the base page size) back to the root page manager."""
        self.k.ott[self.parent][ROOT_FREE](frame, FRAME_SIZE)


def follow_root(state: dict[str, Any], ctx: TransferContext) -> dict[str, Any]:
    """PMLeaf: call the root on its new reference (the old one now holds the adaptor)."""
    state["parent"] = ctx.translate(state["parent"])
    return state


class PMRootAdaptor(Adaptor):
    """Old PMRoot interface on the old reference: supply the base page size."""

    def getFrame(self) -> int:
        return self.new.getFrame(FRAME_SIZE)

    def freeFrame(self, frame: int) -> int:
        return self.new.freeFrame(frame, FRAME_SIZE)


UPDATE = Update(
    name="pmroot_frame_size",
    classes=(PMRoot, PMLeaf),
    transfers={"PMLeaf": follow_root},
    adaptors={"PMRoot": PMRootAdaptor},
    old_callers={"PMLeaf": 2},
    mode="eager",
    description="PMRoot.getFrame/freeFrame take a frame size; adaptor supplies 4096",
)

CHANGE = Change(
    name="pmroot_frame_size",
    kind="adaptor",
    summary="PMRoot: getFrame/freeFrame take a frame size",
    reason="an interface change (a parameter added); an adaptor supplies 4096 for old callers",
    study=True,
)
