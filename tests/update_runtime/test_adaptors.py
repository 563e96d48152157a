"""Interface changes: new object on a new reference, an adaptor on the old one, callers moved,
adaptor reclaimed; a base class gaining a method shifts every subclass's numbers."""

from __future__ import annotations

import pytest
import runtime_toy_kernel as toy
from runtime_test_helpers import update_path

from update_runtime import (
    Adaptor,
    AdaptorError,
    DeadReference,
    ReversalError,
    Runtime,
    Update,
    UpdateRefused,
)

GET, FREE, AVAILABLE = (toy.PM.slot(n) for n in ("getFrame", "freeFrame", "available"))


def test_an_adaptor_serves_old_callers_until_the_callers_are_updated(rt: Runtime) -> None:
    pm = rt.create("PMRoot", 8)
    region = rt.create("Region", pm)
    with rt.kernel_entry():
        assert rt.call(region, toy.Region.slot("touch")) == 7
        old_frame = rt.call(pm, GET)
    handle = rt.apply(update_path("pmroot_frame_size"))
    new_pm = rt.translate(pm)
    assert new_pm != pm and handle.status().phase == "complete"
    assert rt.obj(new_pm).sizes == {7: 4096, old_frame: 4096}
    assert rt.obj(region).pm == new_pm  # the caller moved to the new interface
    with rt.kernel_entry():
        assert rt.call(region, toy.Region.slot("touch")) == 5
        assert rt.call(new_pm, GET, 8192) == 4
    assert rt.obj(new_pm).sizes[4] == 8192
    assert rt.factory("PMRoot").adaptors == {}  # no old caller remains: reclaimed
    with pytest.raises(DeadReference), rt.kernel_entry():
        rt.call(pm, AVAILABLE)


def test_an_adaptor_remaps_defaults_and_answers_an_error_code_itself(rt: Runtime) -> None:
    pm = rt.create("PMRoot", 4)
    rt.create("Region", pm)
    loaded = rt.load_update(update_path("pmroot_frame_size"))
    spec = loaded.update
    kept = Update(
        name=spec.name, classes=spec.classes[:1], transfers=spec.transfers, adaptors=spec.adaptors
    )
    rt.apply(kept)  # callers not updated: the adaptor stays
    new_pm = rt.translate(pm)
    with rt.kernel_entry():
        frame = rt.call(pm, GET)  # old number, no size: the adaptor supplies 4096
        assert rt.obj(new_pm).sizes == {frame: 4096}
        before = rt.obj(new_pm).export_state()
        assert rt.call(pm, FREE, -1) == -22  # answered by the adaptor, the object untouched
        assert rt.obj(new_pm).export_state() == before
        assert rt.call(pm, FREE, frame) == 0
        assert rt.call(pm, AVAILABLE) == 4
    assert list(rt.factory("PMRoot").adaptors) == [pm]
    assert rt.factory("PMRoot").live_refs() == [new_pm]
    with pytest.raises(ReversalError, match="changed the interface of PMRoot"):
        rt.revert(rt.history[-1])


def test_one_adaptor_serves_every_subclass_when_the_base_gains_a_method(rt: Runtime) -> None:
    root = rt.create("PMRoot", 6)
    leaf = rt.create("PMLeaf", 3, root)
    old_leaves, old_parent = toy.PMRoot.slot("leaves"), toy.PMLeaf.slot("parentRef")
    loaded = rt.load_update(update_path("pm_new_method"))
    new_root, new_leaf = loaded.update.classes
    assert (new_root.slot("leaves"), new_leaf.slot("parentRef")) == (old_leaves + 1, old_parent + 1)
    rt.apply(loaded)
    with rt.kernel_entry():
        assert rt.call(root, AVAILABLE) == 6 and rt.call(leaf, AVAILABLE) == 3  # old numbers
        new_root_ref, new_leaf_ref = rt.translate(root), rt.translate(leaf)
        assert rt.call(root, old_leaves) == 0 and rt.call(leaf, old_parent) == new_root_ref
        assert rt.call(new_leaf_ref, new_leaf.slot("reserve"), 5) == 3  # the new method
        assert rt.call(new_root_ref, new_root.slot("available")) == 6
    assert type(rt.table.entries[root].obj) is type(rt.table.entries[leaf].obj)


def test_an_adaptor_must_cover_the_old_interface(rt: Runtime) -> None:
    class Shrunk(toy.Counter, type_name="Counter", version=2):
        pass

    Shrunk.vtable = ("add", "get")  # an interface without revision/hold
    Shrunk.slots = {"add": 0, "get": 1}

    class Partial(Adaptor):
        def revision(self) -> int:
            return 2

    rt.create("Counter")
    update = Update(name="shrink", classes=(Shrunk,), adaptors={"Counter": Partial})
    with pytest.raises(Exception, match="does not define 'hold'") as caught:
        rt.apply(update)
    assert isinstance(caught.value.__cause__, AdaptorError)
    with pytest.raises(UpdateRefused, match="must be applied eagerly"):
        rt.apply(update, mode="lazy")
