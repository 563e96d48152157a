"""The module loader: updates load at run time into their own namespaces, timed; errors named."""

from __future__ import annotations

import sys

import pytest
from runtime_test_helpers import UPDATES, update_path

from update_runtime import Runtime, UpdateModuleError, load_update


def test_an_update_loads_into_its_own_namespace_and_is_timed() -> None:
    first = load_update(update_path("counter_v2"))
    second = load_update(update_path("counter_v2"))
    assert first.update.name == second.update.name == "counter_v2"
    assert first.module_name != second.module_name
    assert first.update.classes[0] is not second.update.classes[0]
    assert sys.modules[first.module_name].UPDATE is first.update
    assert 0 < first.load_seconds < 5


def test_an_update_can_be_a_package(rt: Runtime) -> None:
    loaded = load_update(update_path("counter_pkg"))
    ref = rt.create("Counter")
    rt.apply(loaded)
    with rt.kernel_entry():
        assert rt.call(ref, rt.obj(ref).slot("revision")) == 7


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("no_update.py", "does not define UPDATE"),
        ("missing.py", "does not exist"),
    ],
)
def test_bad_update_modules_are_named(name: str, message: str) -> None:
    with pytest.raises(UpdateModuleError, match=message) as caught:
        load_update(UPDATES / name)
    assert name in str(caught.value)


def test_a_module_that_raises_while_loading_is_named(tmp_path) -> None:  # noqa: ANN001
    broken = tmp_path / "broken_update.py"
    broken.write_text("raise RuntimeError('boom')\n")
    with pytest.raises(
        UpdateModuleError, match=r"broken_update.py failed to load: RuntimeError\('boom'\)"
    ):
        load_update(broken)
