"""Updates under concurrent load: no call lost or run twice, no old code after installation, and
a blocked receive carried across; phase events in order."""

from __future__ import annotations

import random
import threading

import pytest
import runtime_toy_kernel as toy
from runtime_test_helpers import eventually, update_path

from update_runtime import Runtime, UpdateEvent

ADD = toy.Counter.slot("add")
WORKERS, OPS, OBJECTS = 4, 400, 40


def history(obj: object) -> list[int]:
    """The amounts an object received, whichever version it runs."""
    if hasattr(obj, "history"):
        return list(obj.history)
    return [amount for _, amount in obj.entries]


@pytest.mark.parametrize("mode", ["eager", "lazy"])
def test_no_call_is_lost_or_run_twice_across_an_update(rt: Runtime, mode: str) -> None:
    refs = [rt.create("Counter", 1000) for _ in range(OBJECTS)]
    halfway = threading.Barrier(WORKERS + 1)
    sent: dict[int, list[int]] = {ref: [] for ref in refs}
    lock = threading.Lock()
    errors: list[BaseException] = []

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        mine: list[tuple[int, int]] = []
        try:
            for op in range(OPS):
                if op == OPS // 2:
                    halfway.wait(10)
                ref, amount = rng.choice(refs), seed * 10_000 + op
                with rt.kernel_entry():
                    rt.call(ref, ADD, amount)
                mine.append((ref, amount))
        except BaseException as error:  # noqa: BLE001 (re-raised by the test)
            errors.append(error)
        with lock:
            for ref, amount in mine:
                sent[ref].append(amount)

    threads = [
        threading.Thread(target=worker, args=(seed,), name=f"client {seed}")
        for seed in range(WORKERS)
    ]
    for thread in threads:
        thread.start()
    halfway.wait(10)
    handle = rt.apply(update_path("counter_v2"), mode=mode)
    toy.NO_OLD_CODE.set()  # installed: from here on, no version-1 code may run
    for thread in threads:
        thread.join(30)
    rt.finish(handle)
    assert errors == []
    assert handle.status().phase == "complete" and handle.status().converted == OBJECTS
    assert toy.OLD_CODE_CALLS == []
    for ref in refs:
        assert sorted(history(rt.obj(ref))) == sorted(sent[ref])
        assert rt.obj(ref).total == 1000 + sum(sent[ref])


def test_phase_events_come_in_order_with_counts(rt: Runtime) -> None:
    for _ in range(5):
        rt.create("Counter", 50)
    events: list[UpdateEvent] = []
    rt.on_event(events.append)
    eager = rt.apply(update_path("counter_same_layout"), mode="eager")
    assert [e.phase for e in events] == ["marking", "quiescence", "converting", "complete"]
    assert events[-1].converted == 5 and events[-1].pending == 0
    assert [e.at for e in events] == sorted(e.at for e in events)
    status = eager.status()
    assert (status.converted, status.pending, status.blocked, status.failed) == (5, 0, 0, 0)
    assert status.summary().startswith(
        "counter_same_layout (eager): complete; 5 converted, 0 pending"
    )


def test_a_lazy_update_reports_installed_then_complete(rt: Runtime) -> None:
    refs = [rt.create("Counter", 50) for _ in range(3)]
    events: list[UpdateEvent] = []
    rt.on_event(events.append)
    handle = rt.apply(update_path("counter_v2"), mode="lazy")
    assert [e.phase for e in events] == ["marking", "quiescence", "installed"]
    assert events[-1].pending == 3
    with rt.kernel_entry():
        rt.call(refs[0], ADD, 1)
    assert handle.status().converted == 1
    rt.finish(handle)
    assert [e.phase for e in events][-1] == "complete" and events[-1].converted == 3


def test_stacked_updates_reverts_and_interrupted_receives_under_load(rt: Runtime) -> None:
    """Lazy v2, eager v3 on top, a port update under blocked receivers, then both reverted."""
    refs = [rt.create("Counter", 1000) for _ in range(30)]
    ports = [rt.create("Port"), rt.create("Port")]
    stop, lock, errors = threading.Event(), threading.Lock(), []
    sent: dict[int, list[int]] = {ref: [] for ref in refs}
    posted: list[int] = []
    received: list[int] = []
    done = [0]

    def client(seed: int) -> None:
        rng, mine, op = random.Random(seed), [], 0
        try:
            while not stop.is_set():
                ref, amount = rng.choice(refs), seed * 1_000_000 + op
                with rt.kernel_entry():
                    rt.call(ref, ADD, amount)
                mine.append((ref, amount))
                op += 1
                done[0] += 1
        except BaseException as error:  # noqa: BLE001 (asserted below)
            errors.append(error)
        with lock:
            for ref, amount in mine:
                sent[ref].append(amount)

    def server(port: int, method: str) -> None:
        try:
            while True:
                with rt.kernel_entry():
                    message = rt.call(port, toy.Port.slot(method)) % 1000
                if message == 999:
                    return
                received.append(message)
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    def sender() -> None:  # paced, so the ports never pile up (correctness does not depend on it)
        rng, op = random.Random(7), 0
        while not stop.wait(0.0005):
            with rt.kernel_entry():
                rt.call(rng.choice(ports), toy.Port.slot("send"), op % 900)
            posted.append(op % 900)
            op += 1

    threads = [threading.Thread(target=client, args=(seed,)) for seed in range(3)]
    threads += [
        threading.Thread(target=server, args=(p, m))
        for p, m in zip(ports, ("serve", "receive"), strict=True)
    ]
    feeder = threading.Thread(target=sender)
    for thread in [*threads, feeder]:
        thread.start()

    def progress(ops: int) -> None:
        target = done[0] + ops
        eventually(lambda: done[0] >= target)

    progress(500)
    v2 = rt.apply(update_path("counter_v2"), mode="lazy")
    progress(500)
    v3 = rt.apply(update_path("counter_v3"), mode="eager")
    rt.apply(update_path("port_v2"))
    rt.start_background_converter(idle_threads=3)
    progress(500)
    rt.revert(v3)
    progress(500)
    rt.revert(v2)
    progress(500)
    stop.set()
    feeder.join(10)
    with rt.kernel_entry():
        for port in ports:
            rt.call(port, toy.Port.slot("send"), 999)
    for thread in threads:
        thread.join(10)
    assert errors == []
    assert sorted(received) == sorted(posted)
    for ref in refs:
        assert type(rt.obj(ref)).version == 1
        assert sorted(rt.obj(ref).history) == sorted(sent[ref])
