"""The workload's job mix is reproducible, and its figures (buckets, percentiles) are right."""

from __future__ import annotations

import pytest

from sample_kernel.kernel import Kernel
from sample_kernel.metrics import (
    ClientRecorder,
    bucketise,
    latency_percentiles,
    percentile,
    summarise,
)
from sample_kernel.workload import ClientStep, JobMix, Workload, WorkloadConfig


@pytest.mark.parametrize(
    ("values", "fraction", "expected"),
    [
        ([], 0.5, 0.0),
        ([3.0], 0.99, 3.0),
        ([1, 2, 3, 4], 0.5, 2),
        ([1, 2, 3, 4], 0.75, 3),
        (list(range(1, 101)), 0.99, 99),
    ],
)
def test_percentile_is_nearest_rank(values: list[float], fraction: float, expected: float) -> None:
    assert percentile(values, fraction) == expected


def test_bucketise_counts_completions_per_bucket() -> None:
    assert bucketise([0.05, 0.15, 0.16, 0.35, 5.0], 0.0, 0.4, 0.1) == (1, 2, 0, 1)


def test_summary_scales_buckets_to_jobs_per_minute() -> None:
    a = ClientRecorder(
        job_ends=[0.01, 0.02],
        call_latencies=[1e-6, 3e-6],
        call_ends=[0.01, 0.02],
        jobs_by_kind={"ipc": 2},
    )
    b = ClientRecorder(
        job_ends=[0.15],
        call_latencies=[2e-6],
        call_ends=[0.15],
        jobs_by_kind={"ipc": 1, "compute": 1},
    )
    report = summarise([a, b], 0.0, 0.2)
    assert report.jobs_per_bucket == (2, 1)
    assert report.jobs_per_minute == (1200.0, 600.0)
    assert report.jobs_by_kind == {"compute": 1, "ipc": 3}
    assert report.latency == latency_percentiles([1e-6, 2e-6, 3e-6])
    assert report.latency.p50 == pytest.approx(2.0)
    assert report.mean_jobs_per_minute(0.0, 0.2) == 900.0
    assert report.p99_per_bucket == pytest.approx((3.0, 2.0))


def _run(kernel: Kernel, seed: int, mix: JobMix | None = None) -> dict[str, int]:
    config = WorkloadConfig(
        steps=(ClientStep(0.0, 2), ClientStep(0.0, 3)),
        mix=mix or JobMix(),
        seed=seed,
        max_jobs_per_client=40,
    )
    workload = Workload(kernel.open_session, config)
    workload.start()
    workload.wait_clients_done()
    report = workload.stop()
    assert report.jobs == 3 * 40
    assert report.latency.calls > 0
    return report.jobs_by_kind


def test_the_job_mix_is_reproducible_from_its_seed(kernel: Kernel) -> None:
    first, again, other = _run(kernel, 1), _run(kernel, 1), _run(kernel, 2)
    assert first == again
    assert first != other
    assert set(first) == {"file_io", "process", "ipc", "signal", "paging", "compute"}


def test_the_mix_weights_choose_the_jobs(kernel: Kernel) -> None:
    only_ipc = JobMix(file_io=0, process=0, ipc=1, signal=0, paging=0, compute=0)
    assert _run(kernel, 3, only_ipc) == {"ipc": 120}
