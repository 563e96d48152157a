"""The live-update demo: boot the kernel, run the workload, apply the study's updates while it runs.

:func:`run_demo` boots a kernel, starts the AIM7-style workload with the client count stepping
up, and applies the kernel's history of changes on a schedule while the clients run: the lazy
``FCMFile`` queue change, the signal fix, the ``PMRoot`` frame-size change with its adaptor, the
``PM`` vtable shift with one adaptor for every subclass, and the two changes the runtime must
refuse. It samples how many objects are still pending conversion, records every phase change,
and returns a :class:`DemoResult` from which :mod:`sample_kernel.timeline` draws the figure.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

from sample_kernel.catalogue import change
from sample_kernel.kernel import KernelConfig, boot
from sample_kernel.metrics import WorkloadReport
from sample_kernel.workload import ClientStep, Workload, WorkloadConfig
from update_runtime import (
    Runtime,
    UpdateEvent,
    UpdateHandle,
    UpdateRuntimeError,
    UpdateStatus,
)

log = logging.getLogger(__name__)

SAMPLE_SECONDS = 0.02
CONVERTER_IDLE_THREADS = 1024


@dataclass(frozen=True)
class DemoConfig:
    """The demo's schedule: how long, how many clients when, which update at which second."""

    duration: float = 12.0
    steps: tuple[ClientStep, ...] = (
        ClientStep(0.0, 2),
        ClientStep(1.0, 4),
        ClientStep(2.0, 6),
        ClientStep(3.0, 8),
    )
    schedule: tuple[tuple[float, str], ...] = (
        (4.5, "fcm_sync_priority"),
        (6.5, "signal_delivery_fix"),
        (8.0, "pmroot_frame_size"),
        (9.5, "pm_reclaim_method"),
        (10.5, "page_fault_accounting"),
        (10.7, "trace_point_renumbering"),
    )
    seed: int = 42
    kernel: KernelConfig = KernelConfig()

    def scaled(self, duration: float) -> DemoConfig:
        """Return this schedule stretched (or shrunk) to last ``duration`` seconds."""
        factor = duration / self.duration
        return DemoConfig(
            duration=duration,
            steps=tuple(ClientStep(s.at * factor, s.clients) for s in self.steps),
            schedule=tuple((at * factor, name) for at, name in self.schedule),
            seed=self.seed,
            kernel=self.kernel,
        )


@dataclass(frozen=True)
class UpdateOutcome:
    """What happened to one scheduled update."""

    name: str
    kind: str
    """The ground truth: updatable, adaptor or not updatable."""
    started: float
    """Seconds into the run when it was applied."""
    finished: float | None
    """Seconds into the run when it completed (None if refused or never completed)."""
    phases: tuple[tuple[str, float], ...]
    """Every phase change: (phase, seconds into the run)."""
    summary: str
    """The runtime's one-line status, or the refusal."""
    refused: str | None = None
    timings: dict[str, float] = field(default_factory=dict)
    status: UpdateStatus | None = None
    """The runtime's final status (None if refused)."""

    def dip(self, report: WorkloadReport, baseline: float = 2.0, window: float = 1.0) -> float:
        """Throughput lost while it was applied: 1 - mean(window after) / mean(baseline before).

        The window runs from when the update was applied until it completed, and at least
        ``window`` seconds (throughput in 100 ms buckets is too noisy for less).
        """
        before = report.mean_jobs_per_minute(self.started - baseline, self.started)
        end = max(self.finished or self.started, self.started + window)
        during = report.mean_jobs_per_minute(self.started, end)
        return 1.0 - during / before if before else 0.0


@dataclass(frozen=True)
class DemoResult:
    """A demo run: the workload's report, every update's outcome, the pending-conversion series."""

    config: DemoConfig
    report: WorkloadReport
    outcomes: tuple[UpdateOutcome, ...]
    pending: tuple[tuple[float, int], ...]
    """(seconds into the run, objects pending conversion over all lazy updates)."""
    versions: dict[str, dict[int, int]]
    """Live instances per type and version at the end."""

    def pending_at(self, at: float) -> int:
        """Return the last pending-conversion count observed at or before ``at`` seconds."""
        count = 0
        for when, pending in self.pending:
            if when > at:
                break
            count = pending
        return count


class _Recorder:
    """Collects phase events (monotonic clock) and samples pending conversions."""

    def __init__(self, runtime: Runtime, zero: float) -> None:
        self.runtime = runtime
        self.zero = zero
        self.events: list[UpdateEvent] = []
        self.pending: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="demo-sampler", daemon=True)

    def on_event(self, event: UpdateEvent) -> None:
        self.events.append(event)

    def _sample(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            pending = self.runtime.pending_conversions()
            # Old callers constructed during an update are caught up after its reclamation
            # pass; ask the factories again (see RUNTIME_REQUESTS.md, 4).
            self.runtime.reclaim_adaptors()
            self.pending.append((time.monotonic() - self.zero, pending))

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def _outcome(
    name: str, started: float, handle: UpdateHandle | None, refusal: str | None, recorder: _Recorder
) -> UpdateOutcome:
    kind = change(name).kind
    if handle is None:
        return UpdateOutcome(name, kind, started, None, (), f"{name}: refused: {refusal}", refusal)
    phases = tuple((e.phase, e.at - recorder.zero) for e in recorder.events if e.update == name)
    finished = next((at for phase, at in phases if phase == "complete"), None)
    status = handle.status()
    return UpdateOutcome(
        name, kind, started, finished, phases, status.summary(), None, dict(status.timings), status
    )


def run_demo(config: DemoConfig | None = None) -> DemoResult:
    """Run the demo; return what happened."""
    config = config or DemoConfig()
    kernel = boot(config.kernel)
    workload = Workload(kernel.open_session, WorkloadConfig(steps=config.steps, seed=config.seed))
    runtime = kernel.runtime
    try:
        workload.start()
        recorder = _Recorder(runtime, time.monotonic() - workload.elapsed())
        runtime.on_event(recorder.on_event)
        # Every client is inside the kernel most of the time, so "idle" by thread count never
        # comes under this load: let the converter work in small batches regardless.
        runtime.start_background_converter(idle_threads=CONVERTER_IDLE_THREADS, batch=16)
        recorder.start()
        applied: list[tuple[str, float, UpdateHandle | None, str | None]] = []
        for at, name in sorted(config.schedule):
            time.sleep(max(at - workload.elapsed(), 0.0))
            started = workload.elapsed()
            try:
                applied.append((name, started, kernel.apply(name), None))
            except UpdateRuntimeError as error:
                log.info("update %s refused: %s", name, error)
                applied.append((name, started, None, str(error)))
        time.sleep(max(config.duration - workload.elapsed(), 0.0))
        report = workload.stop()
        recorder.stop()
    finally:
        kernel.shutdown()
    outcomes = tuple(_outcome(n, s, h, r, recorder) for n, s, h, r in applied)
    pending = sorted([*recorder.pending, *_pending_at_events(recorder)])
    versions = {name: dict(f.versions()) for name, f in runtime.factories.items()}
    return DemoResult(config, report, outcomes, tuple(pending), versions)


def _pending_at_events(recorder: _Recorder) -> list[tuple[float, int]]:
    """Pending counts the runtime reported at phase changes (brief ones escape the sampler)."""
    by_update: dict[str, int] = {}
    points = []
    for event in recorder.events:
        by_update[event.update] = event.pending
        points.append((event.at - recorder.zero, sum(by_update.values())))
    return points
