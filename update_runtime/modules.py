"""Update modules: what an update declares, and loading one at run time into its own namespace.

An update module is a Python file (or a package directory with ``__init__.py``) that defines a
module-level ``UPDATE``, an :class:`Update`. The loader imports it under a unique module name,
so two updates (or two loads of one) never share a namespace, and times the load::

    # updates/fcm_sync_priority.py
    from update_runtime import Update, virtual
    from sample_kernel.fcm import FCM

    class FCMFile(FCM, version=2):
        ...

    def to_v2(state, ctx):
        state["forced"], state["unforced"] = split(state.pop("queue"))
        return state

    UPDATE = Update(name="fcm_sync_priority", classes=(FCMFile,), transfers={"FCMFile": to_v2},
                    mode="lazy")
"""

from __future__ import annotations

import importlib.util
import itertools
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from update_runtime.adaptors import Adaptor
from update_runtime.classes import Updatable
from update_runtime.errors import UpdateModuleError

if TYPE_CHECKING:
    from update_runtime.updates import TransferContext

TransferFunction = Callable[[dict[str, Any], "TransferContext"], dict[str, Any]]
"""``transfer(state, ctx) -> state``: rewrite the intermediate form for the new layout."""

Mode = Literal["eager", "lazy"]


@dataclass(frozen=True)
class Update:
    """What an update module declares.

    :param classes: the new versions, one per type name they replace.
    :param transfers: per type name, a state transfer for a changed layout (default: copy).
    :param reverse_transfers: per type name, the transfer back, used to revert the update.
    :param adaptors: per type name whose interface changed, the adaptor for its old references.
    :param old_callers: per caller type name, the first version that uses the new interface; the
        adaptors are reclaimed once no live instance of those types runs an older version.
    :param requires: names of updates that must be applied first.
    :param mode: "eager" or "lazy"; None lets the runtime's policy choose.
    :param targets: other units the change touches by name (checked against the non-updatable).
    """

    name: str
    classes: tuple[type[Updatable], ...] = ()
    transfers: Mapping[str, TransferFunction] = field(default_factory=dict)
    reverse_transfers: Mapping[str, TransferFunction] = field(default_factory=dict)
    adaptors: Mapping[str, type[Adaptor]] = field(default_factory=dict)
    old_callers: Mapping[str, int] = field(default_factory=dict)
    requires: tuple[str, ...] = ()
    mode: Mode | None = None
    targets: tuple[str, ...] = ()
    description: str = ""

    @property
    def type_names(self) -> tuple[str, ...]:
        """The type names this update replaces."""
        return tuple(cls.type_name for cls in self.classes)

    def new_class(self, type_name: str) -> type[Updatable]:
        """Return this update's new class for ``type_name``."""
        return next(cls for cls in self.classes if cls.type_name == type_name)


@dataclass(frozen=True)
class LoadedUpdate:
    """An update module loaded into its own namespace, and how long loading took."""

    update: Update
    module_name: str
    path: Path
    load_seconds: float


_serials = itertools.count(1)


def _spec_for(path: Path, module_name: str) -> importlib.machinery.ModuleSpec | None:
    if path.is_dir():
        init = path / "__init__.py"
        if not init.is_file():
            raise UpdateModuleError(f"update package {path} has no __init__.py")
        return importlib.util.spec_from_file_location(
            module_name, init, submodule_search_locations=[str(path)]
        )
    return importlib.util.spec_from_file_location(module_name, path)


def load_update(path: str | Path) -> LoadedUpdate:
    """Load the update module at ``path`` (a .py file or a package directory) and time it."""
    path = Path(path)
    if not path.exists():
        raise UpdateModuleError(f"update module {path} does not exist")
    started = time.perf_counter()
    module_name = f"dsu_update_{next(_serials)}_{path.stem}"
    spec = _spec_for(path, module_name)
    if spec is None or spec.loader is None:
        raise UpdateModuleError(f"{path} is not a Python module or package")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as error:
        del sys.modules[module_name]
        raise UpdateModuleError(f"update module {path} failed to load: {error!r}") from error
    update = getattr(module, "UPDATE", None)
    if not isinstance(update, Update):
        del sys.modules[module_name]
        raise UpdateModuleError(f"update module {path} does not define UPDATE = Update(...)")
    return LoadedUpdate(update, module_name, path, time.perf_counter() - started)
