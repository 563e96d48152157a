"""PMRoot v2: getFrame/freeFrame gain a frame-size argument; an adaptor serves old callers.

The Region v2 update in the same module moves the callers to the new interface, so the adaptors
are reclaimed when it completes.
"""

from runtime_toy_kernel import PM, Region, Updatable, virtual

from update_runtime import Adaptor, Update


class PMRoot(Updatable, version=2):
    def __init__(self, frames: int) -> None:
        self.free = list(range(frames))
        self.used: set[int] = set()
        self.sizes: dict[int, int] = {}

    @virtual
    def getFrame(self, size: int) -> int:  # noqa: N802
        frame = self.free.pop()
        self.used.add(frame)
        self.sizes[frame] = size
        return frame

    @virtual
    def freeFrame(self, frame: int, size: int) -> int:  # noqa: N802
        if self.sizes.get(frame) != size:
            return -22
        self.used.remove(frame)
        del self.sizes[frame]
        self.free.append(frame)
        return 0

    @virtual
    def available(self) -> int:
        return len(self.free)

    @virtual
    def leaves(self) -> int:
        return 0


class OldPMRoot(Adaptor):
    def getFrame(self) -> int:  # noqa: N802
        return self.new.getFrame(4096)

    def freeFrame(self, frame: int) -> int:  # noqa: N802
        if frame < 0:
            return -22  # -EINVAL, without calling on
        return self.new.freeFrame(frame, 4096)


class RegionV2(Region, type_name="Region", version=2):
    def touch(self) -> int:
        frame = self._dsu_runtime.ott[self.pm][PMRoot.slot("getFrame")](4096)
        self.frames.append(frame)
        return frame


def pmroot_to_v2(state, ctx):
    state["sizes"] = {frame: 4096 for frame in state["used"]}
    return state


def region_to_v2(state, ctx):
    state["pm"] = ctx.translate(state["pm"])
    return state


UPDATE = Update(
    name="pmroot_frame_size",
    classes=(PMRoot, RegionV2),
    transfers={"PMRoot": pmroot_to_v2, "Region": region_to_v2},
    adaptors={"PMRoot": OldPMRoot},
    old_callers={"Region": 2},
)
assert PM.slot("getFrame") == PMRoot.slot("getFrame")
