"""Undoing an update: reverse state transfers, applied eagerly, including lazily converted objects.

Reverting update U: objects still pending U are unmarked (they never left the old version);
objects running U's new classes are converted back by an eager update built from U's reverse
transfers (the default copy where U changed no layout), with the same quiescence, the same
all-or-nothing conversion and the same abort on timeout. Only the latest update on its classes
can be reverted, and not while another applied update requires it. Interface changes (updates
with adaptors) are not reverted: their callers were moved to the new references.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from update_runtime.errors import ReversalError
from update_runtime.handles import Conversion, UpdateHandle
from update_runtime.modules import Update

if TYPE_CHECKING:
    from update_runtime.runtime import Runtime


class Reversal:
    """Revert updates of one runtime."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def check(self, handle: UpdateHandle) -> None:
        """Raise ReversalError unless ``handle`` can be reverted now."""
        if handle not in self.runtime.applied:
            raise ReversalError(f"update {handle.name!r} is not applied (phase {handle.phase})")
        later = self.runtime.applied[self.runtime.applied.index(handle) + 1 :]
        for other in later:
            if set(other.plan) & set(handle.plan):
                raise ReversalError(
                    f"update {handle.name!r} is under {other.name!r}; revert that first"
                )
            if handle.name in other.update.requires:
                raise ReversalError(
                    f"update {other.name!r} requires {handle.name!r}; revert that first"
                )

    def revert(self, handle: UpdateHandle, timeout: float | None = None) -> UpdateHandle:
        """Undo ``handle``; return the handle of the reversing update."""
        updater = self.runtime.updater
        with updater.lock:
            self.check(handle)
            plan = self._reverse_plan(handle)
            factories = [self.runtime.factory(name) for name in sorted(handle.plan)]
            pending = list(handle.unconverted.values())
            for factory in factories:
                with factory.lock:
                    factory.current_class = handle.plan[factory.type_name].old_class
            updater._unmark(handle)
            try:
                reverse = self._run(handle, plan, timeout)
            except Exception:
                for factory in factories:  # put the update back as it was: still applied
                    with factory.lock:
                        factory.current_class = handle.plan[factory.type_name].new_class
                for entry in pending:
                    updater.mark(handle, entry)
                raise
            self.runtime.applied.remove(handle)
            handle.set_phase("reverted")
            return reverse

    def reverse(self, handle: UpdateHandle) -> UpdateHandle:
        """Convert back every object running ``handle``'s new classes (after a lazy failure)."""
        return self._run(handle, self._reverse_plan(handle))

    def _run(
        self, handle: UpdateHandle, plan: dict[str, Conversion], timeout: float | None = None
    ) -> UpdateHandle:
        update = Update(
            name=f"revert {handle.name}", classes=tuple(c.new_class for c in plan.values())
        )
        reverse = UpdateHandle(self.runtime.updater, update, plan, "eager")
        reverse.only_old_class = True
        return self.runtime.updater.run(reverse, self.runtime.policy, timeout)

    def _reverse_plan(self, handle: UpdateHandle) -> dict[str, Conversion]:
        plan = {}
        for name, conversion in handle.plan.items():
            if conversion.adaptor is not None:
                raise ReversalError(
                    f"update {handle.name!r} changed the interface of {name}; it cannot be reverted"
                )
            if conversion.transfer is not None and conversion.reverse is None:
                raise ReversalError(
                    f"update {handle.name!r} has a state transfer for {name} "
                    "but no reverse transfer"
                )
            plan[name] = Conversion(
                name,
                conversion.new_class,
                conversion.old_class,
                conversion.reverse,
                conversion.transfer,
                None,
            )
        return plan
