"""Fixtures for the sample kernel's tests: a small booted kernel, shut down afterwards."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

from sample_kernel.kernel import Kernel, KernelConfig, boot


@pytest.fixture
def kernel() -> Iterator[Kernel]:
    """A small kernel: 1024 frames, 20 files in the page cache, two IPC servers."""
    booted = boot(KernelConfig(frames=1024, cache_files=20))
    yield booted
    booted.shutdown()


def _wait_until(condition: Callable[[], object], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition never became true")
        time.sleep(0.001)


@pytest.fixture
def wait_until() -> Callable[..., None]:
    """Wait for a state another thread reaches for certain (fail loudly if it never does)."""
    return _wait_until
