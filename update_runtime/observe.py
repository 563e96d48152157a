"""What an update looks like from outside: its policy, phase events and status snapshots.

``UpdateHandle.status()`` answers at any moment, per update, how many objects are converted,
pending, blocked and failed, and how long each phase took. ``Runtime.on_event(callback)`` calls
back at every phase change, with a monotonic timestamp, so a workload can mark phases on its
timeline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

Phase = Literal[
    "loaded",
    "marking",
    "quiescence",
    "retrying",
    "converting",
    "installed",
    "complete",
    "aborted",
    "failed",
    "rolled back",
    "reverted",
]
"""Phases in order: marking, quiescence, then converting (eager) or installed (lazy, converting
on first call and in the background), then complete. aborted: quiescence never came, nothing
changed. failed: a state transfer raised (see ``UpdateStatus.error``); rolled back: after a
lazy failure, the objects already converted were converted back. reverted: undone on request."""

PHASE_TIMINGS = ("module_load", "marking", "quiescence", "factory_swap", "conversions")
"""The phase timings every status reports (seconds; absent until the phase has run)."""


@dataclass(frozen=True)
class UpdatePolicy:
    """How the runtime applies updates unless an update says otherwise.

    :param lazy_above: choose lazy update when more than this many live objects are affected.
    :param quiescence_timeout: seconds to wait for quiescence before aborting an attempt.
    :param retries: attempts after the first, when quiescence times out.
    :param retry_backoff: seconds before the first retry; doubled for each further one.
    """

    lazy_above: int = 100
    quiescence_timeout: float = 2.0
    retries: int = 2
    retry_backoff: float = 0.05


@dataclass(frozen=True)
class UpdateEvent:
    """A phase change of one update."""

    update: str
    phase: Phase
    at: float
    """``time.monotonic()`` when the phase began."""
    pending: int
    converted: int


@dataclass(frozen=True)
class UpdateStatus:
    """One update at one moment."""

    update: str
    mode: str
    phase: Phase
    converted: int
    pending: int
    blocked: int
    """Threads blocked at this update's stubs right now."""
    failed: int
    interrupted: int
    """Calls interrupted in a blocking wait and re-dispatched to the new version."""
    timings: MappingProxyType[str, float] = field(default_factory=lambda: MappingProxyType({}))
    attempts: tuple[str, ...] = ()
    """Why earlier attempts were aborted (quiescence reports)."""
    error: str | None = None

    def summary(self) -> str:
        """Return a one-line summary with the phase timings in milliseconds."""
        times = ", ".join(
            f"{name} {self.timings[name] * 1e3:.2f} ms"
            for name in PHASE_TIMINGS
            if name in self.timings
        )
        tail = f"; {self.error}" if self.error else ""
        return (
            f"{self.update} ({self.mode}): {self.phase}; {self.converted} converted, "
            f"{self.pending} "
            f"pending, {self.failed} failed, {self.interrupted} interrupted; {times}{tail}"
        )
