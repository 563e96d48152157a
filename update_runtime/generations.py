"""Thread generations: who is inside the kernel, quiescence waits, and interruptible waits.

Every thread that calls into the kernel does so inside ``Runtime.kernel_entry()`` (the system
call boundary). Entering gives the thread a fresh serial number. To quiesce, the updater takes a
:class:`Snapshot` of the threads inside the kernel, after it has pointed the objects to update at
stubs; it then waits until every one of them has left (or has re-entered, which gives it a new
serial) or has been *released*: interrupted out of a blocking wait in an object being updated.
Threads that enter later reach the objects only through the stubs, so they never see old code.

Nothing is counted per call: the cost is two dictionary operations per kernel entry.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from update_runtime.errors import CallInterrupted


@dataclass(eq=False)
class Waiter:
    """A thread blocked in :meth:`Generations.wait`, and the object (reference) it waits in."""

    ident: int
    condition: threading.Condition
    ref: int | None
    interrupted: bool = False
    deactivated: bool = False


@dataclass(eq=False)
class Snapshot:
    """The threads inside the kernel when an update began blocking, by entry serial."""

    serials: dict[int, int]
    released: set[int] = field(default_factory=set)
    refs: set[int] = field(default_factory=set)
    """The objects being quiesced: a deactivated wait inside one of them still counts."""

    def holds(self, ident: int, active: dict[int, int]) -> bool:
        """Tell whether thread ``ident`` still belongs to the old generation."""
        serial = self.serials.get(ident)
        return serial is not None and active.get(ident) == serial and ident not in self.released


class Generations:
    """Kernel entries and exits of every thread, and the waits the updater may interrupt."""

    def __init__(self) -> None:
        self.active: dict[int, int] = {}
        self._depth: dict[int, int] = {}
        self._serials = itertools.count(1)
        self._changed = threading.Condition()
        self._watchers = 0
        self._waiters: dict[int, Waiter] = {}
        self._local = threading.local()
        self.deactivated: set[int] = set()
        """Threads in a deactivating wait: quiescence elsewhere does not wait for them."""
        self.quiescing: list[tuple[set[int], Snapshot]] = []
        """Objects (references) being quiesced now, with the old generation they wait for."""

    def enter(self) -> None:
        """Record that the calling thread entered the kernel (nesting is allowed)."""
        ident = threading.get_ident()
        depth = self._depth.get(ident, 0)
        self._depth[ident] = depth + 1
        if not depth:
            self.active[ident] = next(self._serials)

    def leave(self) -> None:
        """Record that the calling thread left the kernel."""
        ident = threading.get_ident()
        depth = self._depth[ident] - 1
        if depth:
            self._depth[ident] = depth
            return
        del self._depth[ident]
        del self.active[ident]
        if self._watchers:
            self._notify()

    def inside(self) -> bool:
        """Tell whether the calling thread is inside the kernel."""
        return threading.get_ident() in self.active

    def snapshot(self) -> Snapshot:
        """Take the set of threads inside the kernel now (the old generation)."""
        return Snapshot(dict(self.active))

    def release(self, snapshot: Snapshot, ident: int) -> None:
        """Take thread ``ident`` out of ``snapshot``'s old generation (it left the object)."""
        snapshot.released.add(ident)
        self._notify()

    def remaining(self, snapshot: Snapshot) -> list[int]:
        """Return the threads of ``snapshot`` still in the old generation.

        A thread in a deactivating wait counts only if it waits in an object being quiesced.
        """
        left = []
        for ident in list(snapshot.serials):
            if not snapshot.holds(ident, self.active):
                continue
            waiter = self._waiters.get(ident)
            if ident in self.deactivated and waiter is not None and waiter.ref not in snapshot.refs:
                continue
            left.append(ident)
        return left

    def busy(self) -> int:
        """Count the threads inside the kernel that are not in a deactivating wait."""
        return len(self.active) - len(self.deactivated)

    def drain(self, snapshot: Snapshot, timeout: float) -> list[int]:
        """Wait up to ``timeout`` seconds for the old generation to leave; return who is left."""
        deadline = time.monotonic() + timeout
        with self._changed:
            self._watchers += 1
            try:
                while left := self.remaining(snapshot):
                    wait = deadline - time.monotonic()
                    if wait <= 0:
                        return left
                    self._changed.wait(wait)
                return []
            finally:
                self._watchers -= 1

    def _notify(self) -> None:
        with self._changed:
            self._changed.notify_all()

    # -- interruptible waits -------------------------------------------------------------------

    def current_ref(self) -> int | None:
        """Return the reference of the innermost blocking call the calling thread is in."""
        refs = getattr(self._local, "refs", None)
        return refs[-1] if refs else None

    def push_ref(self, ref: int) -> None:
        """Record that the calling thread entered blocking method of object ``ref``."""
        refs = getattr(self._local, "refs", None)
        if refs is None:
            refs = self._local.refs = []
        refs.append(ref)

    def pop_ref(self) -> None:
        """Record that the calling thread left its innermost blocking method."""
        self._local.refs.pop()

    def wait(
        self,
        condition: threading.Condition,
        predicate: Callable[[], object],
        timeout: float | None,
        deactivate: bool = False,
    ) -> bool:
        """Wait on ``condition`` (held by the caller) until ``predicate()``; interruptible.

        :param deactivate: the caller promises that no other object's code is on this thread's
            stack (the blocking method was called straight from the system-call layer). While it
            waits, quiescence of other objects does not wait for it, and it does not make the
            kernel look busy; when it wakes it joins a new generation, like a fresh entry.
        :returns: the predicate's last value (false on timeout).
        :raises CallInterrupted: the object waited in is being updated.
        """
        ident = threading.get_ident()
        waiter = Waiter(ident, condition, self.current_ref(), deactivated=deactivate)
        self._waiters[ident] = waiter
        if deactivate:
            self.deactivated.add(ident)
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            while not (result := predicate()):
                if self._quiesced(waiter.ref, ident):
                    waiter.interrupted = True
                if waiter.interrupted:
                    raise CallInterrupted(f"wait in object {waiter.ref} interrupted by an update")
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                condition.wait(remaining)
            return bool(result)
        finally:
            del self._waiters[ident]
            if deactivate:
                self.deactivated.discard(ident)
                if not waiter.interrupted:  # interrupted: released at the call boundary instead
                    self.active[ident] = next(self._serials)
                if self._watchers:
                    self._notify()

    def interrupt(self, snapshot: Snapshot, refs: set[int], timeout: float) -> int:
        """Interrupt the old generation's waits inside objects ``refs``; return how many.

        Waits that begin later inside those objects are interrupted at once while the objects
        stay in :attr:`quiescing`.
        """
        snapshot.refs = refs
        self.quiescing.append((refs, snapshot))
        count = 0
        for waiter in list(self._waiters.values()):
            if waiter.ref in refs and snapshot.holds(waiter.ident, self.active):
                waiter.interrupted = True
                if waiter.condition.acquire(timeout=timeout):
                    try:
                        waiter.condition.notify_all()
                    finally:
                        waiter.condition.release()
                count += 1
        return count

    def end_quiescence(self, refs: set[int]) -> None:
        """Stop interrupting waits in objects ``refs``."""
        self.quiescing = [(r, s) for r, s in self.quiescing if r is not refs]

    def _quiesced(self, ref: int | None, ident: int) -> bool:
        return any(ref in refs and s.holds(ident, self.active) for refs, s in list(self.quiescing))

    def describe(self, idents: list[int]) -> tuple[str, ...]:
        """Name threads ``idents``, with the object each waits in, for a quiescence report."""
        names = {t.ident: t.name for t in threading.enumerate()}
        described = []
        for ident in idents:
            waiter = self._waiters.get(ident)
            where = f" (waiting in object {waiter.ref})" if waiter else ""
            described.append(f"{names.get(ident, f'thread {ident}')}{where}")
        return tuple(described)
