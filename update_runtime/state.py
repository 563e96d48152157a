"""Checksums of object state, to show that an update preserved every object's state exactly.

The checksum covers an object's exported state (what state transfer moves), in a canonical
form: dictionaries by sorted key, sets sorted, sequences in order, objects by their fields.
Locks, conditions and events count by type only.
"""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Mapping
from dataclasses import fields, is_dataclass
from enum import Enum
from typing import Any

from update_runtime.classes import _SYNC_TYPES, Updatable


def canonical(value: Any) -> Any:
    """Return a canonical, hashable-by-repr form of ``value``."""
    if value is None or isinstance(value, bool | int | float | str | bytes):
        return value
    if isinstance(value, Enum):
        return f"{type(value).__name__}.{value.name}"
    if isinstance(value, _SYNC_TYPES):
        return f"<{type(value).__name__}>"
    if isinstance(value, Mapping):
        return ("map", sorted((repr(canonical(k)), canonical(v)) for k, v in value.items()))
    if isinstance(value, set | frozenset):
        return ("set", sorted(repr(canonical(v)) for v in value))
    if isinstance(value, list | tuple | deque):
        return (type(value).__name__, [canonical(v) for v in value])
    if is_dataclass(value):
        return (
            type(value).__name__,
            [(f.name, canonical(getattr(value, f.name))) for f in fields(value)],
        )
    if hasattr(value, "__dict__"):
        return (type(value).__name__, canonical(vars(value)))
    return repr(value)


def state_checksum(obj: Updatable | Mapping[str, Any]) -> str:
    """Return a SHA-256 of an object's exported state (or of a state mapping)."""
    state = obj if isinstance(obj, Mapping) else obj.export_state()
    return hashlib.sha256(repr(canonical(state)).encode()).hexdigest()
