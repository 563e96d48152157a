"""The updater: marking, quiescence, eager and lazy conversion, failure, rollback and reversal.

Applying an update:

1. *marking*: every live object of the replaced types gets the update's stub in the table (and
   objects created meanwhile are marked by their factory);
2. *quiescence*: the threads inside the kernel now are the old generation; blocking waits of
   theirs inside marked objects are interrupted; the updater waits (bounded) until every one has
   left. Old-generation threads that reach a stub meanwhile pass through to the old object
   (they must, or they could never leave); new ones block. If quiescence does not come in time,
   every stub is removed, blocked callers re-dispatch to the old objects, and the attempt is
   aborted with a report naming the threads (then retried by the policy);
3. *eager*: every object is converted into a new object, none installed until all succeeded;
   then all are installed at once and the factories swapped. Any failure discards the new
   objects: every object stays on its old version with its old state;
   *lazy*: the factories are swapped and the gate opens: the first call through a stub converts
   the object and restarts the call; the background converter does the rest. A failure leaves
   that object on its old version, unmarks the rest and converts the already-converted objects
   back with the reverse transfers (*rolled back*); if the update gave no reverse transfer where
   it changed a layout, they stay on the new version and the status says so.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import TYPE_CHECKING, Any

from update_runtime.errors import QuiescenceTimeout, UpdateFailed
from update_runtime.handles import UpdateHandle, prepare_object
from update_runtime.observe import UpdateEvent, UpdatePolicy
from update_runtime.table import Entry, Stub

if TYPE_CHECKING:
    from update_runtime.factory import Factory
    from update_runtime.runtime import Runtime


class Updater:
    """The runtime's update engine (one per runtime); ``Runtime`` is its public face."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.lock = threading.RLock()
        """Held while an update is being applied, rolled back or reverted: one at a time."""
        self.listeners: list[Callable[[UpdateEvent], None]] = []
        self._dispatch = self.dispatch

    def emit(self, event: UpdateEvent) -> None:
        """Tell every listener about ``event``."""
        for listener in list(self.listeners):
            listener(event)

    # -- marking ---------------------------------------------------------------------------------

    def mark(self, handle: UpdateHandle, entry: Entry) -> None:
        """Point ``entry`` at ``handle``'s stub."""
        self._mark_all(handle, [entry])

    def _mark_all(self, handle: UpdateHandle, entries: list[Entry]) -> None:
        """Point many entries of one type at ``handle``'s stub (skipping dead ones)."""
        vtables, dispatch, unconverted = (
            self.runtime.table.vtables,
            self._dispatch,
            handle.unconverted,
        )
        old_class = handle.plan[entries[0].obj.type_name].old_class if entries else None
        only_old = handle.only_old_class
        for entry in entries:
            with entry.lock:
                if not entry.live or (only_old and type(entry.obj) is not old_class):
                    continue
                entry.pending.append(handle)
                unconverted[entry.ref] = entry
                vtables[entry.ref] = Stub(dispatch, entry)

    def _factories(self, handle: UpdateHandle) -> list[Factory]:
        return [self.runtime.factory(name) for name in sorted(handle.plan)]

    @contextmanager
    def _factories_locked(self, handle: UpdateHandle) -> Iterator[list[Factory]]:
        factories = self._factories(handle)
        with ExitStack() as stack:
            for factory in factories:
                stack.enter_context(factory.lock)
            yield factories

    def _unmark(self, handle: UpdateHandle) -> None:
        """Take ``handle``'s stubs off every object it has not converted; wake blocked callers."""
        for factory in self._factories(handle):
            with factory.lock:
                if handle in factory.marking:
                    factory.marking.remove(handle)
        for entry in list(handle.unconverted.values()):
            with entry.lock:
                handle.forget(entry)
                self._restore(entry)
        handle.bump()

    def _restore(self, entry: Entry) -> None:
        if entry.live and not entry.pending:
            self.runtime.table.vtables[entry.ref] = entry.real_vtable

    # -- applying --------------------------------------------------------------------------------

    def run(
        self, handle: UpdateHandle, policy: UpdatePolicy, timeout: float | None
    ) -> UpdateHandle:
        """Apply ``handle``'s update, retrying when quiescence times out; return the handle."""
        timeout = policy.quiescence_timeout if timeout is None else timeout
        for attempt in range(policy.retries + 1):
            try:
                self._attempt(handle, timeout)
                return handle
            except QuiescenceTimeout as error:
                handle.attempts.append(str(error))
                if attempt == policy.retries:
                    handle.error = str(error)
                    handle.set_phase("aborted")
                    raise
                handle.set_phase("retrying")
                time.sleep(policy.retry_backoff * 2**attempt)
        raise AssertionError("unreachable")

    def _attempt(self, handle: UpdateHandle, timeout: float) -> None:
        handle.set_phase("marking")
        started = time.perf_counter()
        for factory in self._factories(handle):
            with factory.lock:
                factory.marking.append(handle)
                self._mark_all(handle, factory.live_entries())
        handle.timings["marking"] = time.perf_counter() - started
        self._quiesce(handle, timeout)
        if handle.mode == "eager":
            self._convert_eagerly(handle)
        else:
            self._open_gate(handle)

    def _quiesce(self, handle: UpdateHandle, timeout: float) -> None:
        handle.set_phase("quiescence")
        started = time.perf_counter()
        generations = self.runtime.generations
        handle.snapshot = generations.snapshot()
        handle.bump()  # callers of the old generation blocked during marking may now pass through
        refs = set(handle.unconverted)
        try:
            generations.interrupt(handle.snapshot, refs, timeout)
            left = generations.drain(handle.snapshot, timeout)
        finally:
            generations.end_quiescence(refs)
        handle.timings["quiescence"] = time.perf_counter() - started
        if left:
            names = generations.describe(left)
            self._unmark(handle)
            handle.snapshot = None
            raise QuiescenceTimeout(
                f"update {handle.name!r}: no quiescence within {timeout:g} s; still inside the "
                f"kernel: {', '.join(names)}; aborted, nothing changed",
                names,
            )

    def _swap_factories(self, handle: UpdateHandle, factories: list[Factory]) -> None:
        started = time.perf_counter()
        for factory in factories:
            factory.current_class = handle.plan[factory.type_name].new_class
            if handle in factory.marking:
                factory.marking.remove(handle)
        handle.timings["factory_swap"] = time.perf_counter() - started

    def _open_gate(self, handle: UpdateHandle) -> None:
        with self._factories_locked(handle) as factories:
            self._swap_factories(handle, factories)
            handle.gate_open = True
            handle.set_phase("installed")
        handle.try_complete()

    def _convert_eagerly(self, handle: UpdateHandle) -> None:
        handle.set_phase("converting")
        started = time.perf_counter()
        with self._factories_locked(handle) as factories:
            prepared = []
            entries = list(handle.unconverted.values())
            try:
                for entry in entries:
                    with entry.lock:
                        self.convert_ready(entry)
                entries = [e for e in entries if e.live and handle in e.pending]
                # New references first, so a transfer's ctx.translate works in any order.
                self.runtime.installer.reserve(handle, entries)
                for entry in entries:
                    with entry.lock:
                        prepared.append((entry, self.runtime.installer.prepare(handle, entry)))
            except Exception as error:
                self.runtime.installer.discard(handle)
                handle.count("failed")
                handle.error = (
                    f"state transfer of object {entry.ref} ({entry.obj.type_name}) "
                    f"failed: {error!r}"
                )
                self._unmark(handle)
                handle.set_phase("failed")
                raise UpdateFailed(
                    f"update {handle.name!r}: {handle.error}; every object left on its old version"
                ) from error
            for entry, new in prepared:
                with entry.lock:
                    if entry.live:
                        self.runtime.installer.commit(handle, entry, new)
            self._swap_factories(handle, factories)
        handle.timings["conversions"] = time.perf_counter() - started
        handle.set_phase("complete")
        self.runtime.reclaim_adaptors()

    # -- the stub path and lazy conversion -------------------------------------------------------

    def dispatch(self, entry: Entry, number: int, *registers: Any) -> Any:
        """Handle a call that reached a stub: pass through, convert, or block; then restart it."""
        ident = threading.get_ident()
        active = self.runtime.generations.active
        while True:
            with entry.lock:
                self.convert_ready(entry)
                if not entry.pending:
                    target = None
                else:
                    head = entry.pending[0]
                    snapshot = head.snapshot
                    if not head.gate_open and (
                        ident in active if snapshot is None else snapshot.holds(ident, active)
                    ):
                        # Old generation (or, while marking, any thread inside: the snapshot to
                        # come will include it): it must get through, or it could never leave.
                        target = entry.real_vtable
                    else:
                        target, epoch = False, head.epoch
            if target is None:
                return self.runtime.table.vtables[entry.ref][number](*registers)
            if target is not False:
                return target[number](*registers)
            head.wait_progress(epoch)

    def convert_ready(self, entry: Entry) -> None:
        """Convert ``entry`` through every lazy update at the head of its queue whose gate is open.

        The caller holds ``entry.lock``.
        """
        while entry.pending:
            handle = entry.pending[0]
            if handle.failed_flag:
                handle.forget(entry)
                self._restore(entry)
                continue
            if handle.mode != "lazy" or not handle.gate_open:
                return
            try:
                conversion, new_obj = prepare_object(handle, entry)
            except Exception as error:  # the object stays on its old version with its old state
                self._fail_lazily(handle, entry, error)
                continue
            self.runtime.reinstall(entry, new_obj)
            handle.forget(entry)
            self._restore(entry)
            handle.converted_one()

    def _fail_lazily(self, handle: UpdateHandle, entry: Entry, error: Exception) -> None:
        handle.count("failed")
        if handle.failed_flag:
            return
        handle.failed_flag = True
        handle.error = (
            f"state transfer of object {entry.ref} ({entry.obj.type_name}) failed: {error!r}"
        )
        handle.phase = "failed"
        threading.Thread(
            target=self.roll_back, args=(handle,), name=f"rollback {handle.name}", daemon=True
        ).start()

    def roll_back(self, handle: UpdateHandle) -> None:
        """After a lazy failure: unmark the rest and convert the converted objects back."""
        with self.lock:
            with self._factories_locked(handle) as factories:
                for factory in factories:
                    factory.current_class = handle.plan[factory.type_name].old_class
            self._unmark(handle)
            try:
                self.runtime.reversal.reverse(handle)
            except Exception as error:  # noqa: BLE001 (reported, not raised: nobody waits for it)
                handle.error = f"{handle.error}; converted objects not rolled back: {error}"
                if handle in self.runtime.applied:
                    self.runtime.applied.remove(handle)
                handle.set_phase("failed")
                return
            if handle in self.runtime.applied:
                self.runtime.applied.remove(handle)
            handle.set_phase("rolled back")

    def catch_up(self, entry: Entry) -> None:
        """Convert a just-created object whose class an update replaced while it was constructed.

        Nobody holds its reference yet, so no quiescence is needed: it goes through every
        installed update of its type, in order, at once.
        """
        with entry.lock:
            for handle in list(self.runtime.history):
                conversion = handle.plan.get(entry.obj.type_name)
                if conversion is None or type(entry.obj) is not conversion.old_class:
                    continue
                if handle.phase not in ("installed", "complete") or handle in entry.pending:
                    continue
                entry.pending.insert(0, handle)
                handle.unconverted[entry.ref] = entry
                self.runtime.installer.commit(
                    handle, entry, self.runtime.installer.prepare(handle, entry)
                )

    def finish(self, handle: UpdateHandle) -> int:
        """Convert every object still pending for lazy ``handle`` now; return how many."""
        count = 0
        for entry in list(handle.unconverted.values()):
            with entry.lock:
                before = handle.converted
                self.convert_ready(entry)
                count += handle.converted - before
        return count
