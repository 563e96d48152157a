"""Bounded quiescence (abort with named threads, retries) and interruption of blocked calls."""

from __future__ import annotations

import pytest
import runtime_toy_kernel as toy
from runtime_test_helpers import eventually, hold_inside, start, update_path

from update_runtime import QuiescenceTimeout, Runtime, UpdatePolicy, state_checksum

REV = toy.Counter.slot("revision")
SEND, RECEIVE = toy.Port.slot("send"), toy.Port.slot("receive")


def test_a_timeout_aborts_names_the_blocking_thread_and_changes_nothing(rt: Runtime) -> None:
    busy, target = rt.create("Counter", 1), rt.create("Counter", 2)
    before = state_checksum(rt.obj(target))
    holder, _ = hold_inside(rt, busy, 1, "stuck-in-counter")
    aborted: list[str] = []
    rt.on_event(lambda event: aborted.append(event.phase))

    def blocked_call() -> int:
        with rt.kernel_entry():
            return rt.call(target, REV)

    callers: list = []
    rt.on_event(
        lambda e: callers.append(start(blocked_call, "caller")) if e.phase == "quiescence" else None
    )
    with pytest.raises(QuiescenceTimeout, match="stuck-in-counter") as caught:
        rt.apply(update_path("counter_same_layout"), mode="eager", timeout=0.2)
    assert caught.value.threads == ("stuck-in-counter",)
    caller, answer = callers[0]
    caller.join(5)
    assert answer == [1]  # released, and served by the old version
    assert aborted[-1] == "aborted"
    assert rt.factory("Counter").current_class is toy.Counter
    assert state_checksum(rt.obj(target)) == before and type(rt.obj(target)) is toy.Counter
    assert rt.ott[target] is rt.table.entries[target].real_vtable
    toy.GATES[1].release.set()
    holder.join(5)


def test_the_retry_policy_tries_again_and_succeeds(rt: Runtime) -> None:
    runtime = Runtime(UpdatePolicy(quiescence_timeout=0.1, retries=2, retry_backoff=0.001))
    runtime.register(toy.Counter)
    busy = runtime.create("Counter")
    holder, _ = hold_inside(runtime, busy, 1, "slow")
    runtime.on_event(lambda e: toy.GATES[1].release.set() if e.phase == "retrying" else None)
    handle = runtime.apply(update_path("counter_same_layout"), mode="eager")
    holder.join(5)
    status = handle.status()
    assert status.phase == "complete" and len(status.attempts) == 1 and "slow" in status.attempts[0]


def test_a_blocked_receive_is_interrupted_and_redispatched_to_the_new_version(rt: Runtime) -> None:
    port = rt.create("Port")

    def receive() -> int:
        with rt.kernel_entry():
            return rt.call(port, RECEIVE)

    receiver, received = start(receive, "receiver")
    eventually(lambda: rt.obj(port).waiting == 1)
    handle = rt.apply(update_path("port_v2"), timeout=5)
    assert handle.status().phase == "complete" and handle.status().interrupted == 1
    toy.NO_OLD_CODE.set()
    with rt.kernel_entry():
        rt.call(port, SEND, 7)
    receiver.join(5)
    assert received == [1007]  # the same call, finished by version 2
    assert toy.OLD_CODE_CALLS == []
    assert rt.obj(port).messages == []


def test_a_wait_begun_during_quiescence_by_an_old_thread_is_interrupted_at_once(
    rt: Runtime,
) -> None:
    busy = rt.create("Counter")
    port = rt.create("Port")
    holder, _ = hold_inside(rt, busy, 1, "holder")
    toy.GATES[2] = toy.Gate()

    def late_receiver() -> int:
        with rt.kernel_entry():  # enters before the update begins: old generation
            toy.GATES[2].entered.set()
            toy.GATES[2].release.wait(5)
            return rt.call(port, RECEIVE)

    receiver, received = start(late_receiver, "late receiver")
    toy.GATES[2].entered.wait(5)
    rt.on_event(lambda e: toy.GATES[2].release.set() if e.phase == "quiescence" else None)
    rt.on_event(lambda e: toy.GATES[1].release.set() if e.phase == "quiescence" else None)
    handle = rt.apply(update_path("port_v2"), timeout=5)
    holder.join(5)
    with rt.kernel_entry():
        rt.call(port, SEND, 1)
    receiver.join(5)
    assert received == [1001]
    assert handle.status().phase == "complete"


def serve_in_thread(rt: Runtime, port: int, name: str):  # noqa: ANN201
    def serve() -> int:
        with rt.kernel_entry():
            return rt.call(port, toy.Port.slot("serve"))

    thread = start(serve, name)
    eventually(lambda: rt.obj(port).waiting == 1)
    return thread


def test_a_deactivated_server_holds_up_no_other_update_and_looks_idle(rt: Runtime) -> None:
    port, counter = rt.create("Port"), rt.create("Counter")
    server, served = serve_in_thread(rt, port, "idle server")
    assert rt.generations.busy() == 0 and len(rt.generations.active) == 1
    handle = rt.apply(update_path("counter_same_layout"), mode="eager", timeout=0.5)
    assert handle.status().phase == "complete" and not handle.status().attempts
    with rt.kernel_entry():
        rt.call(port, SEND, 5)
        assert rt.call(counter, REV) == 2
    server.join(5)
    assert served == [5]


def test_a_deactivated_server_in_the_updated_object_is_redispatched(rt: Runtime) -> None:
    port = rt.create("Port")
    server, served = serve_in_thread(rt, port, "server")
    handle = rt.apply(update_path("port_v2"), timeout=5)
    assert handle.status().interrupted == 1
    toy.NO_OLD_CODE.set()
    with rt.kernel_entry():
        rt.call(port, SEND, 5)
    server.join(5)
    assert served == [2005] and toy.OLD_CODE_CALLS == []
