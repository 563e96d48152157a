"""The runtime: one kernel's object translation table, factories, threads and updates.

Typical use by a kernel::

    rt = Runtime()
    files = rt.register(FCMFile)                 # a factory per updatable class
    ref = files.create(4096)                     # callers hold references, never objects
    with rt.kernel_entry():                      # the system-call boundary
        n = rt.call(ref, FCMFile.slot("sync"), 1)    # checked call: r3..r10 in, r3 out
        n = rt.ott[ref][FCMFile.slot("sync")](1)     # the fast path, same call unchecked
    handle = rt.apply(rt.load_update("updates/fcm_sync_priority.py"))
    print(handle.status().summary())
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from threading import get_ident
from typing import Any

from update_runtime.classes import MAX_REGISTER_ARGS, Updatable
from update_runtime.converter import BackgroundConverter
from update_runtime.errors import (
    BadMethodNumber,
    CallInterrupted,
    DeadReference,
    MissingDependency,
    NotInKernel,
    NotUpdatable,
    RegisterOverflow,
    RegisterValueError,
    UnknownClass,
    UpdateRefused,
)
from update_runtime.factory import Factory
from update_runtime.generations import Generations
from update_runtime.handles import Conversion, UpdateHandle
from update_runtime.installation import Installer
from update_runtime.modules import LoadedUpdate, Mode, Update, load_update
from update_runtime.observe import UpdateEvent, UpdatePolicy
from update_runtime.reversal import Reversal
from update_runtime.table import Entry, ObjectTable, Vtable
from update_runtime.updates import Updater

log = logging.getLogger(__name__)

_LOW, _HIGH = -(2**63), 2**64


def check_register(index: int, value: Any) -> None:
    """Reject a register value that is not a 64-bit integer (signed or unsigned); never wrap."""
    if type(value) is not int or not _LOW <= value < _HIGH:
        if isinstance(value, bool):
            return
        raise RegisterValueError(f"r{index + 3} holds {value!r}, which is not a 64-bit integer")


class Runtime:
    """One kernel's object translation table, factories, thread generations and updates.

    :param policy: how updates are applied unless they say otherwise.
    :param strict: checked calls (:meth:`call`) verify registers and that the caller is inside
        :meth:`kernel_entry`.
    """

    def __init__(self, policy: UpdatePolicy | None = None, *, strict: bool = True) -> None:
        self.policy = policy or UpdatePolicy()
        self.strict = strict
        self.table = ObjectTable()
        self.ott = self.table.vtables
        """The fast call path: ``rt.ott[ref][method_number](*registers)``."""
        self.generations = Generations()
        self._active = self.generations.active
        self.factories: dict[str, Factory] = {}
        self.non_updatable: dict[str, str] = {}
        self.applied: list[UpdateHandle] = []
        self.history: list[UpdateHandle] = []
        self.forwarding: dict[int, int] = {}
        self.updater = Updater(self)
        self.installer = Installer(self)
        self.reversal = Reversal(self)
        self.converter: BackgroundConverter | None = None

    def __deepcopy__(self, memo: dict[int, Any]) -> Runtime:
        """An object's state may hold the runtime: state transfer shares it, never copies it."""
        return self

    # -- classes, factories, objects -------------------------------------------------------------

    def register(self, cls: type[Updatable], *, track: bool = True) -> Factory:
        """Create the factory of ``cls``'s type name; return it."""
        if cls.type_name in self.factories:
            raise UpdateRefused(f"{cls.type_name} is already registered")
        factory = self.factories[cls.type_name] = Factory(self, cls, track=track)
        return factory

    def factory(self, key: str | type[Updatable]) -> Factory:
        """Return the factory of a type name or class."""
        name = key if isinstance(key, str) else key.type_name
        try:
            return self.factories[name]
        except KeyError:
            raise UnknownClass(f"no factory for {name!r}; register the class first") from None

    def install(self, obj: Any, factory: Factory | None, ref: int | None = None) -> Entry:
        """Give ``obj`` a reference (or the reserved ``ref``) in the table."""
        return self.table.install(obj, factory, self._bind, ref)

    def reinstall(self, entry: Entry, obj: Updatable) -> None:
        """Make ``obj`` the object behind ``entry`` (the table itself is switched by the caller)."""
        entry.real_vtable = self._bind(obj, entry.ref)
        entry.obj = obj

    def _bind(self, obj: Any, ref: int) -> Vtable:
        obj.__dict__["_dsu_ref"] = ref
        obj.__dict__["_dsu_runtime"] = self
        cls = type(obj)
        return tuple(
            self._blocking_slot(ref, number, getattr(obj, name))
            if name in cls.blocking
            else getattr(obj, name)
            for number, name in enumerate(cls.vtable)
        )

    def _blocking_slot(
        self, ref: int, number: int, method: Callable[..., Any]
    ) -> Callable[..., Any]:
        generations, vtables, interrupted = self.generations, self.ott, self._interrupted

        def slot(*registers: Any) -> Any:
            generations.push_ref(ref)
            try:
                return method(*registers)
            except CallInterrupted:
                pass
            finally:
                generations.pop_ref()
            interrupted(ref)
            return vtables[ref][number](
                *registers
            )  # re-dispatch: the stub holds it for the new version

        return slot

    def _interrupted(self, ref: int) -> None:
        entry = self.table.entries[ref]
        for handle in list(entry.pending) if entry is not None else ():
            handle.count("interrupted")
            if handle.snapshot is not None:
                self.generations.release(handle.snapshot, get_ident())

    def create(self, key: str | type[Updatable], *args: Any) -> int:
        """Create an object through its factory; return its reference."""
        return self.factory(key).create(*args)

    def destroy(self, ref: int) -> None:
        """Destroy the object at ``ref`` through its factory."""
        entry = self.table.entry(ref)
        if entry.factory is None:
            raise DeadReference(f"reference {ref} has no factory")
        entry.factory.destroy(ref)

    def obj(self, ref: int) -> Any:
        """Return the object now behind ``ref`` (for tests and state checksums, not for calls)."""
        return self.table.entry(ref).obj

    # -- calls and threads -----------------------------------------------------------------------

    def call(self, ref: int, number: int, *registers: Any) -> Any:
        """Call method ``number`` of ``ref`` with r3..r10; return r3 (0 for a void method)."""
        if self.strict:
            for value in registers:
                if type(value) is not int or not _LOW <= value < _HIGH:
                    self._reject(registers)
            if get_ident() not in self._active:
                raise NotInKernel(
                    "a call through the table must be made inside Runtime.kernel_entry()"
                )
        if len(registers) > MAX_REGISTER_ARGS:
            raise RegisterOverflow(
                f"call to object {ref} passes {len(registers)} arguments; at most 8 (r3..r10)"
            )
        try:
            vtable = self.ott[ref]
        except IndexError:
            raise DeadReference(f"reference {ref} was never allocated") from None
        try:
            method = vtable[number]
        except IndexError:
            raise BadMethodNumber(
                f"object {ref} has no method number {number} (its vtable has {len(vtable)})"
            ) from None
        result = method(*registers)
        if result is None:
            return 0
        if self.strict and (type(result) is not int or not _LOW <= result < _HIGH):
            check_register(0, result)
        return result

    def _reject(self, registers: tuple[Any, ...]) -> None:
        if len(registers) > MAX_REGISTER_ARGS:
            raise RegisterOverflow(f"a call passes {len(registers)} arguments; at most 8 (r3..r10)")
        for index, value in enumerate(registers):
            check_register(index, value)

    @contextmanager
    def kernel_entry(self) -> Iterator[None]:
        """Run the body as one visit of the calling thread to the kernel (a system call)."""
        self.generations.enter()
        try:
            yield
        finally:
            self.generations.leave()

    def wait(
        self,
        condition: Any,
        predicate: Callable[[], object],
        timeout: float | None = None,
        *,
        deactivate: bool = False,
    ) -> bool:
        """Block on ``condition`` (held) until ``predicate()``; an update may interrupt the wait.

        Use it inside a ``@virtual(blocking=True)`` method. If the object is updated while the
        thread waits, the call is re-dispatched to the new version transparently.

        :param deactivate: promise that the blocking method was called straight from the
            system-call layer (no other object's code below it on this thread's stack): the wait
            then holds up no other object's quiescence and does not count as kernel activity
            (K42's deactivated threads). See :meth:`Generations.wait`.
        """
        return self.generations.wait(condition, predicate, timeout, deactivate)

    # -- updates ---------------------------------------------------------------------------------

    def declare_non_updatable(self, unit: str, reason: str) -> None:
        """Declare code not reached through the table (``unit`` as updates name it) and why."""
        self.non_updatable[unit] = reason

    def load_update(self, path: str | Path) -> LoadedUpdate:
        """Load an update module into its own namespace (see :func:`load_update`)."""
        return load_update(path)

    def on_event(self, listener: Callable[[UpdateEvent], None]) -> None:
        """Call ``listener`` at every phase change of every update."""
        self.updater.listeners.append(listener)

    def apply(
        self,
        update: LoadedUpdate | Update | str | Path,
        *,
        mode: Mode | None = None,
        timeout: float | None = None,
    ) -> UpdateHandle:
        """Apply an update; return its handle (lazy updates go on converting after this returns).

        :param mode: override both the update's preference and the policy.
        :param timeout: quiescence timeout per attempt (default: the policy's).
        :raises NotUpdatable, MissingDependency, UpdateRefused: nothing was changed.
        :raises QuiescenceTimeout: every attempt timed out; nothing was changed.
        :raises UpdateFailed: an eager state transfer raised; nothing was changed.
        """
        loaded = update if isinstance(update, LoadedUpdate) else None
        if isinstance(update, str | Path):
            loaded = self.load_update(update)
        spec = loaded.update if loaded is not None else update
        assert isinstance(spec, Update)
        with self.updater.lock:
            plan = self._plan(spec)
            handle = UpdateHandle(self.updater, spec, plan, self._mode(spec, plan, mode), loaded)
            if loaded is not None:
                handle.timings["module_load"] = loaded.load_seconds
            self.history.append(handle)
            self.updater.run(handle, self.policy, timeout)
            self.applied.append(handle)
        log.info("%s", handle.status().summary())
        return handle

    def _plan(self, spec: Update) -> dict[str, Conversion]:
        for name in (*spec.type_names, *spec.targets):
            if name in self.non_updatable:
                raise NotUpdatable(
                    f"update {spec.name!r} changes {name!r}, "
                    "which is not reached through the object "
                    f"translation table: {self.non_updatable[name]}"
                )
            if name not in self.factories:
                raise UpdateRefused(
                    f"update {spec.name!r} changes {name!r}, which this kernel does not have"
                )
        applied = {h.name for h in self.applied}
        for required in spec.requires:
            if required not in applied:
                raise MissingDependency(
                    f"update {spec.name!r} requires update {required!r}, which is not applied"
                )
        plan = {}
        for new_class in spec.classes:
            factory = self.factory(new_class.type_name)
            if not factory.track:
                raise UpdateRefused(
                    f"update {spec.name!r}: factory {factory.type_name} does not track its objects"
                )
            old = factory.current_class
            if new_class.version <= old.version:
                raise UpdateRefused(
                    f"update {spec.name!r} brings {old.type_name} v{new_class.version}, "
                    f"but v{old.version} runs"
                )
            name = new_class.type_name
            plan[name] = Conversion(
                name,
                old,
                new_class,
                spec.transfers.get(name),
                spec.reverse_transfers.get(name),
                spec.adaptors.get(name),
            )
        return plan

    def _mode(self, spec: Update, plan: dict[str, Conversion], mode: Mode | None) -> Mode:
        adapting = any(c.adaptor is not None for c in plan.values())
        chosen = mode or spec.mode
        if chosen == "lazy" and adapting:
            raise UpdateRefused(
                f"update {spec.name!r} changes an interface; it must be applied eagerly"
            )
        if chosen is None:
            live = sum(len(self.factory(name)) for name in plan)
            chosen = "lazy" if live > self.policy.lazy_above and not adapting else "eager"
        return chosen

    def finish(self, handle: UpdateHandle) -> int:
        """Convert now every object a lazy update still has pending; return how many."""
        return self.updater.finish(handle)

    def revert(self, handle: UpdateHandle, *, timeout: float | None = None) -> UpdateHandle:
        """Undo an applied update (lazily converted objects too); return the reversal's handle."""
        return self.reversal.revert(handle, timeout)

    def pending_conversions(self) -> int:
        """Count the objects still waiting for a lazy conversion, over every update."""
        return sum(len(handle.unconverted) for handle in list(self.applied))

    def translate(self, ref: int) -> int:
        """Follow adaptors: the reference of the object that now serves ``ref``'s old interface."""
        while ref in self.forwarding:
            ref = self.forwarding[ref]
        return ref

    def reclaim_adaptors(self) -> int:
        """Reclaim adaptors (and old references) that no old caller can reach; return how many."""
        reclaimed = 0
        for factory in self.factories.values():
            for old_ref, handle in list(factory.adaptors.items()):
                callers = handle.update.old_callers
                if callers and all(
                    self.factory(t).count_older_than(v) == 0 for t, v in callers.items()
                ):
                    entry = self.table.entries[old_ref]
                    if entry is not None:
                        self.table.kill(entry)
                    del factory.adaptors[old_ref]
                    reclaimed += 1
        return reclaimed

    def start_background_converter(
        self, *, idle_threads: int = 0, batch: int = 64, interval: float = 0.005
    ) -> BackgroundConverter:
        """Start converting lazy updates' pending objects whenever the kernel is idle."""
        if self.converter is None:
            self.converter = BackgroundConverter(
                self, idle_threads=idle_threads, batch=batch, interval=interval
            )
            self.converter.start()
        return self.converter

    def stop_background_converter(self) -> None:
        """Stop the background converter (if running) and wait for it."""
        if self.converter is not None:
            self.converter.stop()
            self.converter = None
