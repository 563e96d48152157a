"""A toy kernel for the update runtime's tests: counters, a blocking port, page managers.

Update modules under ``updates/`` import it by this name (pytest puts this directory on
``sys.path``). ``OLD_CODE_CALLS`` counts calls to version-1 code after a test sets
``NO_OLD_CODE``, so a test can prove that no old code ran after an update was installed.
"""

from __future__ import annotations

import threading

from update_runtime import Updatable, virtual

NO_OLD_CODE = threading.Event()
RUNTIME: list = []
"""The runtime of the running test (for constructors, which run before the object has one)."""
OLD_CODE_CALLS: list[str] = []


def old_code(name: str) -> None:
    """Record a call to old code made after ``NO_OLD_CODE`` was set."""
    if NO_OLD_CODE.is_set():
        OLD_CODE_CALLS.append(name)


class Counter(Updatable):
    """Counts increments; ``history`` keeps every amount added, so none is lost or doubled."""

    def __init__(self, start: int = 0, parent: int = -1) -> None:
        if parent >= 0:  # a constructor that calls another object through the table
            RUNTIME[0].ott[parent][0](1)
        self.count = start
        self.history: list[int] = []
        self.lock = threading.Lock()

    @virtual
    def add(self, amount: int) -> int:
        old_code("Counter.add")
        with self.lock:
            self.count += amount
            self.history.append(amount)
            return self.count

    @virtual
    def get(self) -> int:
        old_code("Counter.get")
        return self.count

    @virtual
    def revision(self) -> int:
        return 1

    @virtual
    def hold(self, gate: int) -> int:
        """Block (outside the runtime's wait) until test gate ``gate`` opens: a busy caller."""
        GATES[gate].entered.set()
        GATES[gate].release.wait(10)
        return self.count


class Gate:
    """A pair of events a test uses to hold a thread inside an object."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()


GATES: dict[int, Gate] = {}


class Port(Updatable):
    """An IPC port: ``receive`` blocks (interruptibly) until a message is there."""

    def __init__(self) -> None:
        self.messages: list[int] = []
        self.cond = threading.Condition()
        self.waiting = 0

    @virtual
    def send(self, message: int) -> int:
        with self.cond:
            self.messages.append(message)
            self.cond.notify_all()
            return len(self.messages)

    @virtual(blocking=True)
    def receive(self) -> int:
        old_code("Port.receive")
        with self.cond:
            self.waiting += 1
            try:
                self._dsu_runtime.wait(self.cond, lambda: self.messages)
            finally:
                self.waiting -= 1
            return self.messages.pop(0)

    @virtual(blocking=True)
    def serve(self) -> int:
        """Receive in a deactivating wait, as a server called straight from its system call."""
        old_code("Port.serve")
        with self.cond:
            self.waiting += 1
            try:
                self._dsu_runtime.wait(self.cond, lambda: self.messages, deactivate=True)
            finally:
                self.waiting -= 1
            return self.messages.pop(0)


class PM(Updatable):
    """A page manager base: frames are integers handed out from a free list."""

    def __init__(self, frames: int) -> None:
        self.free = list(range(frames))
        self.used: set[int] = set()

    @virtual
    def getFrame(self) -> int:  # noqa: N802 (K42's names)
        frame = self.free.pop()
        self.used.add(frame)
        return frame

    @virtual
    def freeFrame(self, frame: int) -> int:  # noqa: N802
        self.used.remove(frame)
        self.free.append(frame)
        return 0

    @virtual
    def available(self) -> int:
        return len(self.free)


class PMRoot(PM):
    """The root page manager."""

    @virtual
    def leaves(self) -> int:
        return 0


class PMLeaf(PM):
    """A leaf page manager, with its parent's reference."""

    def __init__(self, frames: int, parent: int) -> None:
        super().__init__(frames)
        self.parent = parent

    @virtual
    def parentRef(self) -> int:  # noqa: N802
        return self.parent


class Region(Updatable):
    """A caller of a page manager: it holds the PM's reference and calls by method number."""

    def __init__(self, pm: int) -> None:
        self.pm = pm
        self.frames: list[int] = []

    @virtual
    def touch(self) -> int:
        frame = self._dsu_runtime.ott[self.pm][PM.slot("getFrame")]()
        self.frames.append(frame)
        return frame


CLASSES = (Counter, Port, PMRoot, PMLeaf, Region)
