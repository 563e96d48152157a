"""Virtual-method numbering and register rules of updatable classes."""

from __future__ import annotations

import pytest
import runtime_toy_kernel as toy

from update_runtime import RegisterOverflow, Updatable, UpdateRuntimeError, virtual


@pytest.mark.parametrize(
    ("cls", "vtable"),
    [
        (toy.PM, ("getFrame", "freeFrame", "available")),
        (toy.PMRoot, ("getFrame", "freeFrame", "available", "leaves")),
        (toy.PMLeaf, ("getFrame", "freeFrame", "available", "parentRef")),
        (toy.Counter, ("add", "get", "revision", "hold")),
    ],
)
def test_vtable_is_inherited_first_then_new_in_definition_order(
    cls: type, vtable: tuple[str, ...]
) -> None:
    assert cls.vtable == vtable
    assert [cls.slot(name) for name in vtable] == list(range(len(vtable)))


def test_an_override_keeps_its_inherited_slot_and_type_names_follow_classes() -> None:
    class Leaf2(toy.PMLeaf, type_name="PMLeaf", version=2):
        def available(self) -> int:
            return 0

        @virtual
        def extra(self) -> int:
            return 1

    assert Leaf2.vtable == (*toy.PMLeaf.vtable, "extra")
    assert (Leaf2.type_name, Leaf2.version, toy.PMLeaf.type_name) == ("PMLeaf", 2, "PMLeaf")


def test_blocking_methods_are_recorded() -> None:
    assert toy.Port.blocking == frozenset({"receive", "serve"})


def test_nine_register_arguments_are_refused_at_definition() -> None:
    with pytest.raises(
        RegisterOverflow, match=r"Wide.f takes 9 arguments; .* at most 8 \(r3..r10\)"
    ):

        class Wide(Updatable):
            @virtual
            def f(self, a, b, c, d, e, f, g, h, i) -> int:  # noqa: ANN001
                return 0


def test_keyword_only_parameters_are_refused() -> None:
    with pytest.raises(RegisterOverflow, match="keyword-only"):

        class Kw(Updatable):
            @virtual
            def f(self, *, a: int) -> int:
                return a


def test_unknown_method_name_is_named() -> None:
    with pytest.raises(KeyError, match="no virtual method 'nope'"):
        toy.PM.slot("nope")


def test_names_the_runtime_reserves_cannot_be_redefined() -> None:
    with pytest.raises(UpdateRuntimeError, match=r"redefines \['version'\]"):

        class Clash(Updatable):
            @virtual
            def version(self) -> int:
                return 1
