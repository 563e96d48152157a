"""Helpers for the update runtime's tests: test update modules, threads, waiting for a condition.

(A module of its own, not ``conftest``: several test directories have a ``conftest`` module.)
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import runtime_toy_kernel as toy

from update_runtime import Runtime

UPDATES = Path(__file__).parent / "updates"


def update_path(name: str) -> Path:
    """Return the path of test update module ``name``."""
    return UPDATES / (name if name.endswith("_pkg") else f"{name}.py")


def eventually(predicate: Callable[[], object], timeout: float = 5.0) -> None:
    """Wait until ``predicate()`` holds (another thread makes it true); fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition never became true")
        time.sleep(0.001)


def start(target: Callable[[], object], name: str) -> tuple[threading.Thread, list[object]]:
    """Run ``target`` in a named thread; its result (or exception) lands in the returned list."""
    out: list[object] = []

    def run() -> None:
        try:
            out.append(target())
        except Exception as error:  # noqa: BLE001 (handed to the test to assert on)
            out.append(error)

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    return thread, out


def hold_inside(
    rt: Runtime, ref: int, gate: int, name: str
) -> tuple[threading.Thread, list[object]]:
    """Start a thread that enters the kernel and blocks inside object ``ref`` until gate opens."""
    toy.GATES[gate] = toy.Gate()

    def body() -> object:
        with rt.kernel_entry():
            return rt.call(ref, toy.Counter.slot("hold"), gate)

    thread = start(body, name)
    toy.GATES[gate].entered.wait(5)
    return thread


def hold_kernel(rt: Runtime, gate: int, name: str) -> tuple[threading.Thread, list[object]]:
    """Start a thread that stays inside the kernel (in no object) until gate ``gate`` opens."""
    toy.GATES[gate] = toy.Gate()

    def body() -> object:
        with rt.kernel_entry():
            toy.GATES[gate].entered.set()
            return toy.GATES[gate].release.wait(10)

    thread = start(body, name)
    toy.GATES[gate].entered.wait(5)
    return thread
