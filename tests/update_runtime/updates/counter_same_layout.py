"""Counter v2 with the v1 layout: only behaviour changes, the default transfer copies the state."""

from runtime_toy_kernel import Counter as OldCounter
from runtime_toy_kernel import Updatable, virtual  # noqa: F401

from update_runtime import Update


class Counter(OldCounter, type_name="Counter", version=2):
    def add(self, amount: int) -> int:
        with self.lock:
            self.count += amount
            self.history.append(amount)
            return self.count

    def get(self) -> int:
        return self.count

    def revision(self) -> int:
        return 2


UPDATE = Update(name="counter_same_layout", classes=(Counter,))
