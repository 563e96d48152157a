"""A model-based test: random sequences of creates, calls, destroys, lazy and eager updates,
stacking, finishing and reverts, checked after every step against a plain dictionary."""

from __future__ import annotations

import runtime_toy_kernel as toy
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from runtime_test_helpers import update_path

from update_runtime import Runtime, UpdatePolicy, load_update

ADD, GET, REV = (toy.Counter.slot(n) for n in ("add", "get", "revision"))
V2, V3 = load_update(update_path("counter_v2")), load_update(update_path("counter_v3"))


class UpdatesMachine(RuleBasedStateMachine):
    """The runtime against a model: counts and histories per reference, and the version stack."""

    def __init__(self) -> None:
        super().__init__()
        self.rt = Runtime(UpdatePolicy(quiescence_timeout=5.0, retries=0))
        self.rt.register(toy.Counter)
        toy.RUNTIME[:] = [self.rt]
        self.model: dict[int, list[int]] = {}
        self.applied: list = []

    def call(self, ref: int, number: int, *registers: int) -> int:
        with self.rt.kernel_entry():
            return self.rt.call(ref, number, *registers)

    @rule(start=st.integers(100, 200))
    def create(self, start: int) -> None:
        self.model[self.rt.create("Counter", start)] = [start]

    @precondition(lambda self: self.model)
    @rule(data=st.data(), amount=st.integers(1, 50))
    def add(self, data: st.DataObject, amount: int) -> None:
        ref = data.draw(st.sampled_from(sorted(self.model)))
        self.model[ref].append(amount)
        assert self.call(ref, ADD, amount) == sum(self.model[ref])

    @precondition(lambda self: self.model)
    @rule(data=st.data())
    def destroy(self, data: st.DataObject) -> None:
        ref = data.draw(st.sampled_from(sorted(self.model)))
        self.rt.destroy(ref)
        del self.model[ref]

    @precondition(lambda self: len(self.applied) < 2)
    @rule(mode=st.sampled_from(["eager", "lazy"]))
    def apply_next(self, mode: str) -> None:
        self.applied.append(self.rt.apply((V2, V3)[len(self.applied)], mode=mode))

    @precondition(lambda self: self.applied)
    @rule()
    def revert_top(self) -> None:
        self.rt.revert(self.applied.pop())

    @precondition(lambda self: self.applied)
    @rule()
    def finish(self) -> None:
        for handle in self.applied:
            self.rt.finish(handle)

    @invariant()
    def objects_match_the_model(self) -> None:
        version = 1 + len(self.applied)
        for ref, amounts in self.model.items():
            obj = self.rt.obj(ref)
            history = obj.history if type(obj).version == 1 else [a for _, a in obj.entries]
            assert [amounts[0], *history] == amounts
            assert type(obj).version <= version
        assert self.rt.factory("Counter").current_class.version == version
        assert sorted(self.rt.factory("Counter").live_refs()) == sorted(self.model)

    @invariant()
    def a_call_sees_the_top_version(self) -> None:
        for ref in sorted(self.model)[:3]:
            assert self.call(ref, REV) == 1 + len(self.applied)
            assert self.call(ref, GET) == sum(self.model[ref])


UpdatesMachine.TestCase.settings = settings(
    max_examples=25,
    stateful_step_count=20,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_updates_against_a_model = UpdatesMachine.TestCase
