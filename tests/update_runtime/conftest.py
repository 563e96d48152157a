"""Fixtures for the update runtime's tests: a runtime with the toy kernel's classes registered."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# The toy kernel and the helpers are imported by name, by the tests and by the update modules
# under updates/, whatever pytest's import mode.
sys.path.insert(0, str(Path(__file__).parent))

import runtime_toy_kernel as toy  # noqa: E402

from update_runtime import Runtime, UpdatePolicy  # noqa: E402


@pytest.fixture
def rt() -> Iterator[Runtime]:
    """A runtime with every toy class registered and a short quiescence timeout."""
    runtime = Runtime(UpdatePolicy(lazy_above=1000, quiescence_timeout=5.0, retries=0))
    for cls in toy.CLASSES:
        runtime.register(cls)
    runtime.declare_non_updatable(
        "scheduler", "it runs below the object translation table, on every switch"
    )
    toy.NO_OLD_CODE.clear()
    toy.OLD_CODE_CALLS.clear()
    toy.GATES.clear()
    toy.RUNTIME[:] = [runtime]
    yield runtime
    runtime.stop_background_converter()
    for gate in toy.GATES.values():
        gate.release.set()
