"""The dynamic-update mechanism: object translation table, factories, quiescence, state transfer,
adaptors, lazy update, module loader. See ``update_runtime/API.md`` for how a kernel uses it.

Everything a kernel or an update module needs is importable from here::

    from update_runtime import Runtime, Updatable, virtual, Update, Adaptor
"""

from update_runtime.adaptors import Adaptor
from update_runtime.classes import MAX_REGISTER_ARGS, Updatable, virtual
from update_runtime.errors import (
    AdaptorError,
    BadMethodNumber,
    CallInterrupted,
    DeadReference,
    MissingDependency,
    NotInKernel,
    NotUpdatable,
    QuiescenceTimeout,
    RegisterOverflow,
    RegisterValueError,
    ReversalError,
    TransferError,
    UnknownClass,
    UpdateFailed,
    UpdateModuleError,
    UpdateRefused,
    UpdateRuntimeError,
)
from update_runtime.factory import Factory
from update_runtime.handles import TransferContext, UpdateHandle
from update_runtime.modules import LoadedUpdate, Update, load_update
from update_runtime.observe import PHASE_TIMINGS, UpdateEvent, UpdatePolicy, UpdateStatus
from update_runtime.runtime import Runtime
from update_runtime.state import state_checksum

__all__ = [
    "MAX_REGISTER_ARGS",
    "PHASE_TIMINGS",
    "Adaptor",
    "AdaptorError",
    "BadMethodNumber",
    "CallInterrupted",
    "DeadReference",
    "Factory",
    "LoadedUpdate",
    "MissingDependency",
    "NotInKernel",
    "NotUpdatable",
    "QuiescenceTimeout",
    "RegisterOverflow",
    "RegisterValueError",
    "ReversalError",
    "Runtime",
    "TransferContext",
    "TransferError",
    "UnknownClass",
    "Updatable",
    "Update",
    "UpdateEvent",
    "UpdateFailed",
    "UpdateHandle",
    "UpdateModuleError",
    "UpdatePolicy",
    "UpdateRefused",
    "UpdateRuntimeError",
    "UpdateStatus",
    "load_update",
    "state_checksum",
    "virtual",
]
