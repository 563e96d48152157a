"""Counter v3 on top of v2: same layout, ``version`` answers 3 (default state transfer)."""

import threading

from runtime_toy_kernel import Updatable, virtual

from update_runtime import Update


class Counter(Updatable, version=3):
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
        return 3

    @virtual
    def hold(self, gate: int) -> int:
        return self.total


UPDATE = Update(name="counter_v3", classes=(Counter,), requires=("counter_v2",))
