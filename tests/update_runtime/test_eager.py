"""Eager updates: quiescence, state preserved exactly, blocked callers resumed on the new version,
objects not being updated keep serving, refusals."""

from __future__ import annotations

import pytest
import runtime_toy_kernel as toy
from runtime_test_helpers import eventually, hold_inside, start, update_path

from update_runtime import (
    MissingDependency,
    NotUpdatable,
    Runtime,
    Update,
    UpdateFailed,
    UpdateRefused,
    state_checksum,
)

ADD, GET, REV = (toy.Counter.slot(n) for n in ("add", "get", "revision"))


def test_default_transfer_preserves_every_objects_state_exactly(rt: Runtime) -> None:
    refs = [rt.create("Counter", i) for i in range(20)]
    with rt.kernel_entry():
        for i, ref in enumerate(refs):
            for amount in range(i % 5):
                rt.call(ref, ADD, amount)
    before = {ref: state_checksum(rt.obj(ref)) for ref in refs}
    handle = rt.apply(update_path("counter_same_layout"), mode="eager")
    assert handle.status().phase == "complete"
    assert {ref: state_checksum(rt.obj(ref)) for ref in refs} == before
    assert rt.factory("Counter").versions() == {2: 20}
    with rt.kernel_entry():
        assert {rt.call(ref, REV) for ref in refs} == {2}


def test_a_transfer_function_maps_the_state_as_declared(rt: Runtime) -> None:
    refs = [rt.create("Counter", i) for i in (1, 2, 3)]
    with rt.kernel_entry():
        rt.call(refs[0], ADD, 4)
    loaded = rt.load_update(update_path("counter_v2"))
    expected = {
        ref: state_checksum(loaded.update.transfers["Counter"](rt.obj(ref).export_state(), None))
        for ref in refs
    }
    rt.apply(loaded, mode="eager")
    assert {ref: state_checksum(rt.obj(ref)) for ref in refs} == expected
    assert rt.obj(refs[0]).entries == [(0, 4)]


def test_new_callers_block_until_quiescence_and_resume_on_the_new_version(rt: Runtime) -> None:
    busy, target = (rt.create("Counter", n) for n in (0, 10))
    other = rt.create("PMRoot", 100)
    holder, held = hold_inside(rt, busy, 1, "holder")
    applier, applied = start(
        lambda: rt.apply(update_path("counter_same_layout"), mode="eager"), "applier"
    )
    eventually(lambda: rt.history and rt.history[-1].phase == "quiescence")
    handle = rt.history[-1]

    def new_call() -> int:
        with rt.kernel_entry():
            return rt.call(target, REV)

    caller, answer = start(new_call, "new caller")
    eventually(lambda: handle.status().blocked == 1)
    with rt.kernel_entry():  # an object the update does not touch keeps serving
        frames = [rt.call(other, toy.PM.slot("getFrame")) for _ in range(100)]
    assert frames == list(range(99, -1, -1))
    assert handle.phase == "quiescence" and not answer
    toy.GATES[1].release.set()
    for thread in (holder, applier, caller):
        thread.join(5)
    assert held == [0] and answer == [2] and applied == [handle]
    assert handle.status().phase == "complete" and handle.status().blocked == 0


def test_objects_created_during_quiescence_are_updated_too(rt: Runtime) -> None:
    busy = rt.create("Counter")
    holder, _ = hold_inside(rt, busy, 1, "holder")
    applier, _ = start(
        lambda: rt.apply(update_path("counter_same_layout"), mode="eager"), "applier"
    )
    eventually(lambda: rt.history and rt.history[-1].phase == "quiescence")
    late = rt.create("Counter", 3)
    toy.GATES[1].release.set()
    holder.join(5)
    applier.join(5)
    assert type(rt.obj(late)).version == 2
    assert rt.obj(late).count == 3


def test_code_off_the_table_is_refused_naming_why(rt: Runtime) -> None:
    with pytest.raises(
        NotUpdatable,
        match="'scheduler', which is not reached through the object translation table: it runs",
    ):
        rt.apply(update_path("scheduler_change"))


def test_missing_dependency_and_repeated_version_are_refused(rt: Runtime) -> None:
    rt.create("Counter")
    with pytest.raises(MissingDependency, match="requires update 'counter_v2'"):
        rt.apply(update_path("counter_v3"))
    rt.apply(update_path("counter_same_layout"))
    with pytest.raises(UpdateRefused, match="brings Counter v2, but v2 runs"):
        rt.apply(update_path("counter_same_layout"))


def test_a_constructor_blocked_on_an_updated_object_neither_deadlocks_nor_lags(rt: Runtime) -> None:
    busy, parent = rt.create("Counter"), rt.create("Counter", 10)
    holder, _ = hold_inside(rt, busy, 1, "holder")
    applier, _ = start(
        lambda: rt.apply(update_path("counter_same_layout"), mode="eager"), "applier"
    )
    eventually(lambda: rt.history and rt.history[-1].phase == "quiescence")
    handle = rt.history[-1]

    def create_child() -> int:
        with rt.kernel_entry():
            return rt.create("Counter", 0, parent)  # its constructor calls the blocked parent

    creator, child = start(create_child, "creator")
    eventually(lambda: handle.status().blocked == 1)
    toy.GATES[1].release.set()
    for thread in (holder, applier, creator):
        thread.join(5)
        assert not thread.is_alive()
    assert handle.status().phase == "complete"
    assert type(rt.obj(child[0])).version == 2  # built as v1, converted before it was handed out
    assert rt.obj(parent).count == 11 and rt.obj(parent).history == [1]


def test_a_changed_layout_without_a_transfer_is_refused_by_the_default_transfer(
    rt: Runtime,
) -> None:
    class Declared(toy.Counter, type_name="Counter", version=2):
        state_fields = ("count", "history", "lock", "limit")

    refs = [rt.create("Counter", 1) for _ in range(2)]
    before = [state_checksum(rt.obj(r)) for r in refs]
    with pytest.raises(UpdateFailed, match=r"added \['limit'\], removed \[\]\); the update must"):
        rt.apply(Update(name="declared", classes=(Declared,)), mode="eager")
    assert [state_checksum(rt.obj(r)) for r in refs] == before


def test_the_runtime_and_factories_in_state_are_shared_not_copied(rt: Runtime) -> None:
    ref = rt.create("Counter")
    rt.obj(ref).services = (rt, rt.factory("Counter"))
    rt.apply(update_path("counter_same_layout"), mode="eager")
    assert rt.obj(ref).services[0] is rt and rt.obj(ref).services[1] is rt.factory("Counter")
