"""Calls through the object translation table: method numbers, registers, factories, references."""

from __future__ import annotations

import pytest
import runtime_toy_kernel as toy
from runtime_test_helpers import update_path

from update_runtime import (
    BadMethodNumber,
    DeadReference,
    NotInKernel,
    RegisterOverflow,
    RegisterValueError,
    Runtime,
    UpdateRefused,
)

ADD, GET = toy.Counter.slot("add"), toy.Counter.slot("get")


def test_checked_and_fast_calls_reach_the_same_object(rt: Runtime) -> None:
    ref = rt.create("Counter", 5)
    with rt.kernel_entry():
        assert rt.call(ref, ADD, 2) == 7
        assert rt.ott[ref][ADD](3) == 10
        assert rt.call(ref, GET) == 10
    assert rt.obj(ref).history == [2, 3]
    assert rt.obj(ref).ref == ref


@pytest.mark.parametrize(
    ("registers", "error", "message"),
    [
        ((1,) * 9, RegisterOverflow, "passes 9 arguments; at most 8"),
        ((2**64,), RegisterValueError, "r3 holds 18446744073709551616"),
        ((1, -(2**63) - 1), RegisterValueError, "r4 holds"),
        ((1, 2, "x"), RegisterValueError, "r5 holds 'x', which is not a 64-bit integer"),
        ((1.5,), RegisterValueError, "r3 holds 1.5"),
    ],
)
def test_registers_are_64_bit_integers_and_at_most_eight(
    rt: Runtime, registers: tuple, error: type, message: str
) -> None:
    ref = rt.create("Counter")
    with rt.kernel_entry(), pytest.raises(error, match=message):
        rt.call(ref, ADD, *registers)


@pytest.mark.parametrize("value", [2**64 - 1, -(2**63), 0, True])
def test_the_edges_of_64_bits_are_accepted(rt: Runtime, value: int) -> None:
    ref = rt.create("Counter")
    with rt.kernel_entry():
        assert rt.call(ref, ADD, value) == value


def test_bad_method_number_dead_reference_and_not_in_kernel(rt: Runtime) -> None:
    ref = rt.create("Counter")
    with rt.kernel_entry():
        with pytest.raises(BadMethodNumber, match="no method number 9"):
            rt.call(ref, 9)
        rt.destroy(ref)
        with pytest.raises(DeadReference):
            rt.call(ref, GET)
        with pytest.raises(DeadReference):
            rt.ott[ref][GET]()
        with pytest.raises(DeadReference, match="never allocated"):
            rt.call(10_000, GET)
    with pytest.raises(NotInKernel):
        rt.call(rt.create("Counter"), GET)


def test_references_are_never_reused(rt: Runtime) -> None:
    first = rt.create("Counter")
    rt.destroy(first)
    assert rt.create("Counter") != first


def test_factories_track_instances_and_versions(rt: Runtime) -> None:
    factory = rt.factory(toy.Counter)
    refs = [factory.create(i) for i in range(4)]
    factory.destroy(refs[1])
    assert sorted(factory.live_refs()) == [refs[0], refs[2], refs[3]]
    assert factory.versions() == {1: 3}
    assert factory.count_older_than(2) == 3


def test_an_untracked_factory_refuses_updates(rt: Runtime) -> None:
    runtime = Runtime()
    runtime.register(toy.Counter, track=False)
    runtime.create("Counter")
    assert len(runtime.factory("Counter")) == 0
    with pytest.raises(UpdateRefused, match="does not track"):
        runtime.apply(rt.load_update(update_path("counter_same_layout")))
