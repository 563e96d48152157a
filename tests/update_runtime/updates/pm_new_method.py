"""The PM base gains ``reserve`` before ``available``: later method numbers of every subclass
shift by one; one adaptor class serves PMRoot and PMLeaf (it forwards by name)."""

from runtime_toy_kernel import Updatable, virtual

from update_runtime import Adaptor, Update


class PM(Updatable, type_name="PM", version=2):
    @virtual
    def getFrame(self) -> int:  # noqa: N802
        frame = self.free.pop()
        self.used.add(frame)
        return frame

    @virtual
    def freeFrame(self, frame: int) -> int:  # noqa: N802
        self.used.remove(frame)
        self.free.append(frame)
        return 0

    @virtual
    def reserve(self, count: int) -> int:
        return min(count, len(self.free))

    @virtual
    def available(self) -> int:
        return len(self.free)


class PMRoot(PM, version=2):
    @virtual
    def leaves(self) -> int:
        return 0


class PMLeaf(PM, version=2):
    @virtual
    def parentRef(self) -> int:  # noqa: N802
        return self.parent


class OldPM(Adaptor):
    """Every old method keeps its name; only the numbers moved, so forwarding does it all."""


def leaf_to_v2(state, ctx):
    state["parent"] = ctx.translate(state["parent"])  # PMLeaf sorts before PMRoot: still works
    return state


UPDATE = Update(
    name="pm_new_method",
    classes=(PMRoot, PMLeaf),
    transfers={"PMLeaf": leaf_to_v2},
    adaptors={"PMRoot": OldPM, "PMLeaf": OldPM},
)
