"""The package's new Counter: same layout, version answers 7."""

from runtime_toy_kernel import Counter as OldCounter


class Counter(OldCounter, type_name="Counter", version=2):
    def revision(self) -> int:
        return 7
