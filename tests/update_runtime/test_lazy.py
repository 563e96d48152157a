"""Lazy updates: marking, conversion on first call, the background converter, stacking, failure
and reversal (including lazily converted objects)."""

from __future__ import annotations

import pytest
import runtime_toy_kernel as toy
from runtime_test_helpers import hold_kernel, update_path

from update_runtime import (
    QuiescenceTimeout,
    ReversalError,
    Runtime,
    Update,
    UpdateFailed,
    state_checksum,
)

ADD, GET, REV = (toy.Counter.slot(n) for n in ("add", "get", "revision"))


def counters(rt: Runtime, starts: range) -> list[int]:
    refs = [rt.create("Counter", i) for i in starts]
    with rt.kernel_entry():
        for ref in refs:
            rt.call(ref, ADD, 1)
    return refs


def call_all(rt: Runtime, refs: list[int], number: int, *registers: int) -> list[int]:
    with rt.kernel_entry():
        return [rt.call(ref, number, *registers) for ref in refs]


def test_the_first_call_converts_and_restarts_and_no_old_code_runs_after_install(
    rt: Runtime,
) -> None:
    refs = counters(rt, range(10))
    loaded = rt.load_update(update_path("counter_v2"))
    transfer = loaded.update.transfers["Counter"]
    expected = {r: state_checksum(transfer(rt.obj(r).export_state(), None)) for r in refs}
    handle = rt.apply(loaded)
    toy.NO_OLD_CODE.set()
    assert (handle.mode, handle.status().phase, handle.status().pending) == (
        "lazy",
        "installed",
        10,
    )
    assert all(type(rt.obj(r)).version == 1 for r in refs)
    assert call_all(rt, refs[:3], REV) == [2, 2, 2]
    assert (handle.status().converted, handle.status().pending) == (3, 7)
    assert rt.pending_conversions() == 7
    assert {r: state_checksum(rt.obj(r)) for r in refs[:3]} == {r: expected[r] for r in refs[:3]}
    assert rt.finish(handle) == 7
    assert handle.status().phase == "complete"
    assert {r: state_checksum(rt.obj(r)) for r in refs} == expected
    assert toy.OLD_CODE_CALLS == []
    assert rt.ott[refs[5]] is rt.table.entries[refs[5]].real_vtable
    assert set(handle.status().timings) >= {
        "module_load",
        "marking",
        "quiescence",
        "factory_swap",
        "conversions",
    }


def test_the_policy_picks_lazy_above_its_threshold(rt: Runtime) -> None:
    counters(rt, range(3))
    assert rt.apply(update_path("counter_same_layout")).mode == "eager"
    big = Runtime(rt.policy.__class__(lazy_above=2))
    big.register(toy.Counter)
    counters(big, range(3))
    assert big.apply(update_path("counter_same_layout")).mode == "lazy"


def test_the_background_converter_finishes_the_tail_when_idle(rt: Runtime) -> None:
    refs = counters(rt, range(100, 400))
    handle = rt.apply(update_path("counter_v2"))
    converter = rt.start_background_converter(batch=50)
    assert handle.wait(10)
    assert handle.status().phase == "complete" and converter.converted == 300
    assert all(type(rt.obj(r)).version == 2 for r in refs)


def test_stacking_converts_through_both_updates_never_a_mixed_state(rt: Runtime) -> None:
    refs = counters(rt, range(6))
    first = rt.apply(update_path("counter_v2"))
    call_all(rt, refs[:2], ADD, 5)  # two objects on v2 already
    second = rt.apply(update_path("counter_v3"), mode="lazy")
    assert [type(rt.obj(r)).version for r in refs] == [2, 2, 1, 1, 1, 1]
    assert call_all(rt, refs, REV) == [3] * 6
    assert call_all(rt, refs, GET) == [6, 7, 3, 4, 5, 6]
    assert first.status().phase == second.status().phase == "complete"
    assert rt.obj(refs[0]).entries == [(0, 1), (1, 5)]


def test_an_eager_update_over_a_pending_lazy_one_applies_both(rt: Runtime) -> None:
    refs = counters(rt, range(4))
    rt.apply(update_path("counter_v2"))
    rt.apply(update_path("counter_v3"), mode="eager")
    assert [type(rt.obj(r)).version for r in refs] == [3] * 4
    assert call_all(rt, refs, GET) == [1, 2, 3, 4]


def test_revert_undoes_lazily_converted_and_pending_objects(rt: Runtime) -> None:
    refs = counters(rt, range(8))
    originals = {r: state_checksum(rt.obj(r)) for r in refs}
    handle = rt.apply(update_path("counter_v2"))
    call_all(rt, refs[:3], REV)
    reversal = rt.revert(handle)
    assert handle.status().phase == "reverted" and reversal.status().converted == 3
    assert [type(rt.obj(r)).version for r in refs] == [1] * 8
    assert {r: state_checksum(rt.obj(r)) for r in refs} == originals
    assert call_all(rt, refs, REV) == [1] * 8
    assert rt.factory("Counter").current_class is toy.Counter


def test_revert_is_refused_under_a_later_update(rt: Runtime) -> None:
    counters(rt, range(2))
    first = rt.apply(update_path("counter_v2"))
    rt.apply(update_path("counter_v3"))
    with pytest.raises(ReversalError, match="'counter_v2' is under 'counter_v3'"):
        rt.revert(first)


def test_an_eager_transfer_failure_leaves_every_object_on_its_old_version(rt: Runtime) -> None:
    refs = counters(rt, range(10, 15))  # the counter starting at 12 reaches 13: its transfer raises
    before = {r: state_checksum(rt.obj(r)) for r in refs}
    with pytest.raises(
        UpdateFailed, match=r"object \d+ \(Counter\) failed: ValueError\('unlucky counter'\)"
    ):
        rt.apply(update_path("counter_v2"), mode="eager")
    assert {r: state_checksum(rt.obj(r)) for r in refs} == before
    assert call_all(rt, refs, REV) == [1] * 5
    assert rt.history[-1].status().phase == "failed"


def test_a_lazy_failure_keeps_the_object_old_and_rolls_the_converted_back(rt: Runtime) -> None:
    refs = counters(rt, range(10, 15))
    handle = rt.apply(update_path("counter_v2"))
    assert call_all(rt, refs[:2], ADD, 100) == [111, 112]  # converted, then changed on v2
    expected = {r: state_checksum(rt.obj(r)) for r in refs[2:]}
    assert call_all(rt, [refs[2]], ADD, 1) == [14]  # conversion fails: the call runs on v1
    assert handle.wait(5)
    assert handle.status().phase == "rolled back" and handle.status().failed == 1
    assert "unlucky counter" in handle.status().error
    assert [type(rt.obj(r)).version for r in refs] == [1] * 5
    assert [rt.obj(r).history for r in refs[:2]] == [[1, 100], [1, 100]]
    assert call_all(rt, refs, GET) == [111, 112, 14, 14, 15]
    assert state_checksum(rt.obj(refs[3])) == expected[refs[3]]
    assert handle not in rt.applied


def test_a_lazy_failure_without_reverse_transfers_leaves_the_converted_on_the_new_version(
    rt: Runtime,
) -> None:
    refs = counters(rt, range(10, 14))
    spec = rt.load_update(update_path("counter_v2")).update
    one_way = Update(name="one_way", classes=spec.classes, transfers=spec.transfers, mode="lazy")
    handle = rt.apply(one_way)
    call_all(rt, refs[:1], ADD, 1)
    assert call_all(rt, [refs[2]], GET) == [13]  # its transfer raises: served by v1
    assert handle.wait(5)
    status = handle.status()
    assert status.phase == "failed" and "no reverse transfer" in status.error
    assert [type(rt.obj(r)).version for r in refs] == [2, 1, 1, 1]
    assert call_all(rt, refs, GET) == [12, 12, 13, 14]
    assert rt.factory("Counter").current_class is toy.Counter


def test_destroying_the_last_pending_object_completes_a_lazy_update(rt: Runtime) -> None:
    refs = counters(rt, range(3))
    events: list[str] = []
    rt.on_event(lambda e: events.append(e.phase))
    handle = rt.apply(update_path("counter_v2"))
    call_all(rt, refs[:2], GET)
    rt.destroy(refs[2])
    assert handle.status().phase == "complete" and handle.status().pending == 0
    assert events.count("complete") == 1


def test_a_revert_that_cannot_quiesce_leaves_the_update_applied(rt: Runtime) -> None:
    refs = counters(rt, range(4))
    handle = rt.apply(update_path("counter_v2"))
    call_all(rt, refs[:2], GET)
    holder, _ = hold_kernel(rt, 1, "long syscall")
    with pytest.raises(QuiescenceTimeout, match="long syscall"):
        rt.revert(handle, timeout=0.1)
    toy.GATES[1].release.set()
    holder.join(5)
    assert handle.status().phase == "installed" and handle.status().pending == 2
    assert rt.factory("Counter").current_class.version == 2
    assert call_all(rt, refs, REV) == [2, 2, 2, 2]
    assert handle.status().phase == "complete"
