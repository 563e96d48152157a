"""Counter v2: the count becomes ``total`` and the history a tuple of (sequence, amount)."""

import threading

from runtime_toy_kernel import Updatable, virtual  # noqa: F401 (re-exported for v3)

from update_runtime import Update


class Counter(Updatable, version=2):
    def __init__(self, start: int = 0, parent: int = -1) -> None:
        self.total = start
        self.entries: list[tuple[int, int]] = []
        self.lock = threading.Lock()

    @virtual
    def add(self, amount: int) -> int:
        with self.lock:
            self.total += amount
            self.entries.append((len(self.entries), amount))
            return self.total

    @virtual
    def get(self) -> int:
        return self.total

    @virtual
    def revision(self) -> int:
        return 2

    @virtual
    def hold(self, gate: int) -> int:
        return self.total


def to_v2(state, ctx):
    if state["count"] == 13:
        raise ValueError("unlucky counter")
    state["total"] = state.pop("count")
    state["entries"] = list(enumerate(state.pop("history")))
    return state


def to_v1(state, ctx):
    state["count"] = state.pop("total")
    state["history"] = [amount for _, amount in state.pop("entries")]
    return state


UPDATE = Update(
    name="counter_v2",
    classes=(Counter,),
    transfers={"Counter": to_v2},
    reverse_transfers={"Counter": to_v1},
    mode="lazy",
)
