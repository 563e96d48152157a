"""Vtable slots: the Itanium C++ ABI's numbering for single (primary-base) inheritance.

The primary base's slots come first, then the class's new virtual methods in declaration
order; an overrider (with or without ``virtual``) takes its base's slot; a virtual destructor
takes two slots (complete and deleting). A base is resolved only when it is in the same
snapshot; :func:`merge_interfaces` joins several files into one snapshot. In a Python class
(kind :data:`PYTHON_CLASS`) a method overrides by name alone: Python has no overloading.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from contexts.interface_model import ClassInfo, Interfaces, Method, VtableSlot

PYTHON_CLASS = "python-class"
"""The kind of a Python class (C and C++ classes are ``class``, ``struct`` or ``union``)."""


def merge_interfaces(parts: Iterable[Interfaces]) -> Interfaces:
    """Join several files' interfaces into one snapshot and resolve vtables across them."""
    merged = Interfaces()
    for part in parts:
        merged.classes.update(part.classes)
        merged.prototypes.update(part.prototypes)
    return resolve_vtables(merged)


def find_class(name: str, classes: dict[str, ClassInfo], scope: str = "") -> ClassInfo | None:
    """Return the class ``name`` means in ``scope``: innermost scope first, else a unique tail,
    else, for a dotted Python name (``pm.PMRoot``, a class reached through its module), the
    class its last dotted part names."""
    scope_parts = scope.split("::") if scope else []
    for depth in range(len(scope_parts), -1, -1):
        candidate = "::".join(scope_parts[:depth] + [name])
        if candidate in classes:
            return classes[candidate]
    tails = [info for qualified, info in classes.items() if qualified.endswith("::" + name)]
    if len(tails) == 1:
        return tails[0]
    last = last_dotted_part(name)
    return find_class(last, classes) if last != name else None


def last_dotted_part(name: str) -> str:
    """Return what a dotted base name (``pm.PMRoot``) ends with: the class's own name."""
    return name.rpartition(".")[2] or name


def _overrides(method: Method, slot: VtableSlot, by_name: bool) -> bool:
    if method.destructor:
        return slot.method.destructor
    if by_name:
        return slot.method.name == method.name
    return slot.method.name == method.name and slot.method.parameter_types == method.parameter_types


def _vtable(
    info: ClassInfo, classes: dict[str, ClassInfo], resolving: frozenset[str]
) -> list[VtableSlot]:
    scope = info.name.rpartition("::")[0]
    primary = find_class(info.bases[0], classes, scope) if info.bases else None
    table: list[VtableSlot] = []
    if primary is not None and primary.name not in resolving:
        table = _vtable(primary, classes, resolving | {info.name})
    by_name = info.kind == PYTHON_CLASS
    for method in info.methods:
        index = next((i for i, slot in enumerate(table) if _overrides(method, slot, by_name)), None)
        if index is not None:
            table[index] = VtableSlot(table[index].slot, replace(method, virtual=True), info.name)
        elif method.virtual:
            last = table[-1] if table else None
            start = last.slot + (2 if last.method.destructor else 1) if last else 0
            table.append(VtableSlot(start, method, info.name))
    return table


def resolve_vtables(interfaces: Interfaces) -> Interfaces:
    """Return ``interfaces`` with every class's vtable filled in, inherited slots included."""
    classes = interfaces.classes
    resolved = {
        name: replace(info, vtable=tuple(_vtable(info, classes, frozenset({name}))))
        for name, info in classes.items()
    }
    return Interfaces(resolved, dict(interfaces.prototypes))
