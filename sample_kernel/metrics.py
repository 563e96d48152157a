"""Throughput and latency figures of a workload run: jobs per minute in fixed buckets, percentiles.

Each client thread records into its own :class:`ClientRecorder` (plain list appends, no locks,
so measuring costs almost nothing); :func:`summarise` merges them after the run into a frozen
:class:`WorkloadReport`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

BUCKET_SECONDS = 0.1


@dataclass
class ClientRecorder:
    """One client's raw observations: when each job finished, how long each call took."""

    job_ends: list[float] = field(default_factory=list)
    """``time.perf_counter()`` at the end of every completed job."""
    call_latencies: list[float] = field(default_factory=list)
    """Seconds taken by every top-level kernel call the client made."""
    call_ends: list[float] = field(default_factory=list)
    """``time.perf_counter()`` at the end of each of those calls (same order)."""
    jobs_by_kind: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Percentiles:
    """Call latency percentiles in microseconds."""

    p50: float
    p90: float
    p99: float
    max: float
    calls: int


@dataclass(frozen=True)
class WorkloadReport:
    """What a workload run achieved, in the units AIM7/ReAIM use."""

    start: float
    """``time.perf_counter()`` when the run started; bucket ``i`` covers ``start + i*width``."""
    bucket_seconds: float
    jobs_per_bucket: tuple[int, ...]
    jobs_by_kind: dict[str, int]
    latency: Percentiles
    jobs: int = 0
    """Every job completed (also those in the last, partial bucket, which is not reported)."""
    p99_per_bucket: tuple[float | None, ...] = ()
    """p99 latency (microseconds) of the calls that ended in each bucket (None: no call)."""

    @property
    def jobs_per_minute(self) -> tuple[float, ...]:
        """Throughput of every bucket, scaled to jobs per minute."""
        scale = 60.0 / self.bucket_seconds
        return tuple(count * scale for count in self.jobs_per_bucket)

    def bucket_times(self) -> tuple[float, ...]:
        """Seconds since the start at the middle of every bucket."""
        width = self.bucket_seconds
        return tuple((i + 0.5) * width for i in range(len(self.jobs_per_bucket)))

    def mean_jobs_per_minute(self, t0: float, t1: float) -> float:
        """Mean throughput over the buckets lying wholly within ``[t0, t1)`` seconds of the run."""
        width = self.bucket_seconds
        first, last = math.ceil(t0 / width - 1e-9), math.floor(t1 / width + 1e-9)
        chosen = self.jobs_per_bucket[max(first, 0) : max(last, 0)]
        if not chosen:
            return 0.0
        return sum(chosen) / len(chosen) * 60.0 / width


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """Return the nearest-rank percentile of already sorted values (0.0 if there are none)."""
    if not sorted_values:
        return 0.0
    rank = max(math.ceil(fraction * len(sorted_values)) - 1, 0)
    return sorted_values[min(rank, len(sorted_values) - 1)]


def latency_percentiles(latencies: Iterable[float]) -> Percentiles:
    """Summarise call latencies (seconds) as percentiles in microseconds."""
    ordered = sorted(latencies)
    micro = [percentile(ordered, f) * 1e6 for f in (0.5, 0.9, 0.99)]
    return Percentiles(*micro, max=(ordered[-1] * 1e6 if ordered else 0.0), calls=len(ordered))


def bucketise(ends: Iterable[float], start: float, stop: float, width: float) -> tuple[int, ...]:
    """Count job completions per whole ``width``-second bucket between ``start`` and ``stop``.

    A last, partial bucket is left out: it would read as a collapse of throughput.
    """
    counts = [0] * max(math.floor((stop - start) / width + 1e-9), 1)
    for end in ends:
        index = int((end - start) / width)
        if 0 <= index < len(counts):
            counts[index] += 1
    return tuple(counts)


def bucket_p99(
    ends: Iterable[float], latencies: Iterable[float], start: float, buckets: int, width: float
) -> tuple[float | None, ...]:
    """Return the p99 latency in microseconds of the calls ending in each bucket."""
    grouped: list[list[float]] = [[] for _ in range(buckets)]
    for end, latency in zip(ends, latencies, strict=True):
        index = int((end - start) / width)
        if 0 <= index < buckets:
            grouped[index].append(latency)
    return tuple(percentile(sorted(g), 0.99) * 1e6 if g else None for g in grouped)


def summarise(
    recorders: Iterable[ClientRecorder], start: float, stop: float, width: float = BUCKET_SECONDS
) -> WorkloadReport:
    """Merge every client's observations into one report."""
    recorders = list(recorders)
    kinds: dict[str, int] = {}
    for recorder in recorders:
        for kind, count in recorder.jobs_by_kind.items():
            kinds[kind] = kinds.get(kind, 0) + count
    ends = [end for recorder in recorders for end in recorder.job_ends]
    latencies = [value for recorder in recorders for value in recorder.call_latencies]
    call_ends = [end for recorder in recorders for end in recorder.call_ends]
    jobs = bucketise(ends, start, stop, width)
    return WorkloadReport(
        start=start,
        bucket_seconds=width,
        jobs_per_bucket=jobs,
        jobs_by_kind=dict(sorted(kinds.items())),
        latency=latency_percentiles(latencies),
        jobs=len(ends),
        p99_per_bucket=bucket_p99(call_ends, latencies, start, len(jobs), width),
    )
