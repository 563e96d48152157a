"""One update in progress: its conversion plan, its per-object bookkeeping and its status.

An :class:`UpdateHandle` is what ``Runtime.apply`` returns. It is shared between the thread that
applies the update, the callers that reach its stubs, and the background converter; all its
mutable state is changed under an entry's lock or under the handle's own condition.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from update_runtime.adaptors import Adaptor
from update_runtime.classes import Updatable
from update_runtime.generations import Snapshot
from update_runtime.modules import LoadedUpdate, Mode, TransferFunction, Update
from update_runtime.observe import Phase, UpdateEvent, UpdateStatus
from update_runtime.table import Entry

if TYPE_CHECKING:
    from update_runtime.updates import Updater


@dataclass(frozen=True)
class Conversion:
    """How an update converts the objects of one type name."""

    type_name: str
    old_class: type[Updatable]
    new_class: type[Updatable]
    transfer: TransferFunction | None
    reverse: TransferFunction | None
    adaptor: type[Adaptor] | None


@dataclass(frozen=True)
class TransferContext:
    """What a transfer function may ask of the runtime while it rewrites a state."""

    update: str
    type_name: str
    ref: int
    translations: dict[int, int]

    def translate(self, ref: int) -> int:
        """Map a reference to an object whose interface changed to its new object's reference."""
        return self.translations.get(ref, ref)


class UpdateHandle:
    """An update applied (or being applied) to a runtime; ask it for :meth:`status`."""

    def __init__(
        self,
        updater: Updater,
        update: Update,
        plan: dict[str, Conversion],
        mode: Mode,
        loaded: LoadedUpdate | None = None,
    ) -> None:
        self.updater = updater
        self.update = update
        self.name = update.name
        self.plan = plan
        self.mode: Mode = mode
        self.loaded = loaded
        self.phase: Phase = "loaded"
        self.snapshot: Snapshot | None = None
        self.gate_open = False
        """Lazy: quiescence came; stubs may now convert on first call."""
        self.failed_flag = False
        self.only_old_class = False
        """Mark only objects running the plan's old class (reversals)."""
        self.unconverted: dict[int, Entry] = {}
        self.converted = 0
        self.failed = 0
        self.blocked = 0
        self.interrupted = 0
        self.timings: dict[str, float] = {}
        self.attempts: list[str] = []
        self.error: str | None = None
        self.translations: dict[int, int] = {}
        self.settled = threading.Event()
        """Set when the update reached a final phase (complete, aborted, failed or rolled back)."""
        self.progress = threading.Condition()
        self.epoch = 0
        self._conversions_started = 0.0

    def __repr__(self) -> str:
        return f"<UpdateHandle {self.name} {self.mode} {self.phase}>"

    def mark(self, entry: Entry) -> None:
        """Point ``entry`` at this update's stub (a factory calls this for objects it creates)."""
        self.updater.mark(self, entry)

    def forget(self, entry: Entry) -> None:
        """Drop ``entry`` from this update (its object was destroyed)."""
        if self in entry.pending:
            entry.pending.remove(self)
        self.unconverted.pop(entry.ref, None)

    def count(self, what: str) -> int:
        """Add one to counter ``what`` ("converted", "failed", "interrupted"); return the total."""
        with self.progress:
            value = getattr(self, what) + 1
            setattr(self, what, value)
            return value

    def converted_one(self) -> None:
        """Count one lazy conversion, and complete the update if it was the last."""
        with self.progress:
            self.converted += 1
        self.try_complete()

    def try_complete(self) -> None:
        """Complete an installed lazy update that has nothing left to convert (exactly once)."""
        with self.progress:
            if self.unconverted or self.phase != "installed":
                return
            self.phase = "complete"
        self.set_phase("complete")

    def bump(self) -> None:
        """Wake every caller blocked at this update's stubs so it looks again."""
        with self.progress:
            self.epoch += 1
            self.progress.notify_all()

    def wait_progress(self, epoch: int) -> None:
        """Block until this update moved on from ``epoch``."""
        with self.progress:
            self.blocked += 1
            try:
                while self.epoch == epoch:
                    self.progress.wait()
            finally:
                self.blocked -= 1

    def set_phase(self, phase: Phase) -> None:
        """Enter ``phase``, tell the runtime's listeners, and wake blocked callers."""
        self.phase = phase
        self.updater.emit(
            UpdateEvent(self.name, phase, time.monotonic(), len(self.unconverted), self.converted)
        )
        if phase == "installed":
            self._conversions_started = time.perf_counter()
        if phase in ("complete", "aborted", "failed", "rolled back", "reverted"):
            if phase == "complete" and self.mode == "lazy":
                self.timings["conversions"] = time.perf_counter() - self._conversions_started
            self.settled.set()
        self.bump()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until the update settles (complete, aborted, failed or rolled back)."""
        return self.settled.wait(timeout)

    def status(self) -> UpdateStatus:
        """Return the update's counts and phase timings now."""
        return UpdateStatus(
            update=self.name,
            mode=self.mode,
            phase=self.phase,
            converted=self.converted,
            pending=len(self.unconverted),
            blocked=self.blocked,
            failed=self.failed,
            interrupted=self.interrupted,
            timings=MappingProxyType(dict(self.timings)),
            attempts=tuple(self.attempts),
            error=self.error,
        )

    def context(self, type_name: str, ref: int) -> TransferContext:
        """Return the transfer context for converting object ``ref``."""
        return TransferContext(self.name, type_name, ref, self.translations)


def prepare_object(handle: UpdateHandle, entry: Entry) -> tuple[Conversion, Updatable]:
    """Build the new version of ``entry``'s object from its exported state; touch nothing else."""
    conversion = handle.plan[entry.obj.type_name]
    state: dict[str, Any] = entry.obj.export_state()
    if conversion.transfer is not None:
        state = conversion.transfer(state, handle.context(conversion.type_name, entry.ref))
    return conversion, conversion.new_class.from_state(state)
