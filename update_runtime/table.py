"""The object translation table: references (indices) to per-object virtual-method tables.

``vtables[ref]`` is the fast call path, K42's two loads and an indirect call:
``vtables[ref][method_number](r3, r4, ...)``. It holds, per reference, a tuple of bound methods
precomputed when the object (or its new version) is installed; or a stub while the object is
being updated; or :data:`DEAD` once it is destroyed. ``entries[ref]`` holds the runtime's own
bookkeeping for the reference (:class:`Entry`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from update_runtime.errors import DeadReference

if TYPE_CHECKING:
    from update_runtime.factory import Factory
    from update_runtime.updates import UpdateHandle

Vtable = Sequence[Callable[..., Any]]


class _Dead:
    """The vtable of a destroyed or reclaimed reference: every slot raises DeadReference."""

    __slots__ = ()

    def __getitem__(self, number: int) -> Callable[..., Any]:
        raise DeadReference(f"call to a destroyed or reclaimed reference (method {number})")

    def __len__(self) -> int:
        return 0


DEAD = _Dead()


@dataclass(eq=False)
class Entry:
    """One reference's bookkeeping: its object, the factory that owns it, pending updates."""

    ref: int
    obj: Any
    factory: Factory | None
    real_vtable: Vtable
    """The object's own vtable: what the table holds when no update is pending."""
    pending: list[UpdateHandle] = field(default_factory=list)
    lock: threading.RLock = field(default_factory=threading.RLock)
    live: bool = True
    adaptor_for: int | None = None
    """For an adaptor's entry: the reference of the new object it forwards to."""


class Stub:
    """A pending update's vtable on a reference: every slot sends the call to the updater.

    :param dispatch: ``dispatch(entry, method_number, *registers)``, the updater's stub path.
    """

    __slots__ = ("dispatch", "entry")

    def __init__(self, dispatch: Callable[..., Any], entry: Entry) -> None:
        self.dispatch = dispatch
        self.entry = entry

    def __getitem__(self, number: int) -> Callable[..., Any]:
        return partial(self.dispatch, self.entry, number)

    def __len__(self) -> int:
        return len(self.entry.real_vtable)


class ObjectTable:
    """The table: ``vtables`` (the fast path) and ``entries`` (bookkeeping), one slot per ref.

    References are never reused, so a stale reference fails loudly instead of reaching another
    object.
    """

    def __init__(self) -> None:
        self.vtables: list[Any] = []
        self.entries: list[Entry | None] = []
        self._lock = threading.Lock()

    def reserve(self) -> int:
        """Allocate a reference that reaches nothing yet (calls to it raise DeadReference)."""
        with self._lock:
            self.vtables.append(DEAD)
            self.entries.append(None)
            return len(self.vtables) - 1

    def install(
        self,
        obj: Any,
        factory: Factory | None,
        bind: Callable[[Any, int], Vtable],
        ref: int | None = None,
    ) -> Entry:
        """Give ``obj`` a new (or a reserved) reference; ``bind(obj, ref)`` builds its vtable."""
        if ref is None:
            ref = self.reserve()
        entry = Entry(ref, obj, factory, bind(obj, ref))
        self.entries[ref] = entry
        self.vtables[ref] = entry.real_vtable
        return entry

    def entry(self, ref: int) -> Entry:
        """Return the live entry of ``ref``."""
        entry = self.entries[ref] if 0 <= ref < len(self.entries) else None
        if entry is None or not entry.live:
            raise DeadReference(f"reference {ref} is not a live object")
        return entry

    def kill(self, entry: Entry) -> None:
        """Make ``entry``'s reference dead: later calls raise DeadReference."""
        entry.live = False
        self.vtables[entry.ref] = DEAD
        self.entries[entry.ref] = None

    def __len__(self) -> int:
        return len(self.vtables)
