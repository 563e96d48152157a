"""Interface changes between two snapshots, in an ABI checker's vocabulary, judged for adaptors.

The kinds follow ABI Compliance Checker's V-table and Parameter rules and libabigail's abidiff:
virtual methods added (at the end, or shifting later slots, in subclasses too), removed,
renamed, moved; parameters added, removed, retyped, renamed; return types; methods becoming
virtual, non-virtual, const or static; C prototypes; data members (layout); classes renamed or
removed. Each change is marked *adaptor-expressible* by the study's rule: an adaptor can remap
method numbers, supply or compute values for new parameters, drop parameters, and rewrite or
supply return values; it cannot restore removed functionality, hide a split of one object into
several, or thread a new argument through a deep call chain (which no text diff can see, so a
new parameter without a default says so in its reason).
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache

from contexts.change_kinds import InterfaceDelta, delta
from contexts.interface_model import ClassInfo, Interfaces, Method, VtableSlot
from contexts.interfaces import normalise_type


def _added_parameter(scope: str, old: Method, new: Method, index: int) -> InterfaceDelta:
    parameter = new.parameters[index]
    reason = (
        f"an adaptor supplies the default {parameter.default}"
        if parameter.default
        else "an adaptor must compute the new value (impossible if callers must thread it through)"
    )
    return delta("parameter-added", scope, new.name, old, new, reason=reason)


_MACRO_WORD = re.compile(r"\b[A-Z][A-Z0-9_]*[A-Z0-9]\b")
_QUALIFIERS = frozenset(
    {"const", "volatile", "struct", "union", "enum", "class", "signed", "unsigned"}
)


@lru_cache(maxsize=8192)
def essential_type(text: str) -> str:
    """Return a type without ALL-CAPS words (annotation macros: ``FAR``, ``ZEXPORT``), unless
    one of them is the type itself (``FILE *``)."""
    stripped = normalise_type(_MACRO_WORD.sub(" ", text))
    words = set(re.findall(r"\w+", stripped)) - _QUALIFIERS
    return stripped if words else text


_PYTHON_UNTYPED = frozenset({"Any", ""})
"""A Python type that says nothing: an unannotated parameter (``Any``) or return (``""``)."""
_PYTHON_PREFIX = re.compile(r"^(?:\*\*|\*|keyword )?")


def annotation_changes(
    scope: str, old: Method, new: Method
) -> tuple[list[InterfaceDelta], tuple[str, ...], str]:
    """Find the Python annotations added where there were none, or dropped (see
    :mod:`contexts.change_kinds`): a parameter of the same name and kind at the same position,
    or the return, untyped on exactly one side.

    :returns: those changes, and the new side's parameter types and return type with each such
        annotation put back as it was, so that what is left to compare is a real change.
    """
    changes: list[InterfaceDelta] = []
    types = list(new.parameter_types)
    for index, (before, after) in enumerate(zip(old.parameters, new.parameters, strict=False)):
        old_prefix = _PYTHON_PREFIX.match(before.type).group()
        new_prefix = _PYTHON_PREFIX.match(after.type).group()
        old_untyped = before.type[len(old_prefix) :] in _PYTHON_UNTYPED
        new_untyped = after.type[len(new_prefix) :] in _PYTHON_UNTYPED
        if before.name == after.name and old_prefix == new_prefix and old_untyped != new_untyped:
            kind = "annotation-added" if old_untyped else "annotation-removed"
            changes.append(delta(kind, scope, new.name, old, new))
            types[index] = before.type
    returns = new.return_type
    old_untyped, new_untyped = (t in _PYTHON_UNTYPED for t in (old.return_type, returns))
    if old_untyped != new_untyped:
        kind = "annotation-added" if old_untyped else "annotation-removed"
        changes.append(delta(kind, scope, new.name, old, new))
    if old_untyped or new_untyped:
        returns = old.return_type
    return changes, tuple(types), returns


def parameter_changes(scope: str, old: Method, new: Method) -> list[InterfaceDelta]:
    """Compare two versions of one function: parameters, return type, ``const``, ``static``.

    Types are compared without annotation macros (see :func:`essential_type`); in Python, an
    annotation added or dropped is told apart from a changed type (see
    :func:`annotation_changes`).
    """
    changes: list[InterfaceDelta] = []
    new_parameter_types, new_return = new.parameter_types, new.return_type
    if old.python and new.python:
        changes, new_parameter_types, new_return = annotation_changes(scope, old, new)
    old_types = tuple(essential_type(t) for t in old.parameter_types)
    new_types = tuple(essential_type(t) for t in new_parameter_types)
    matcher = difflib.SequenceMatcher(a=old_types, b=new_types, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        common = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        changes += [
            delta("parameter-type-changed", scope, new.name, old, new) for _ in range(common)
        ]
        if tag in ("insert", "replace"):
            changes += [_added_parameter(scope, old, new, j) for j in range(j1 + common, j2)]
        if tag in ("delete", "replace"):
            changes += [
                delta("parameter-removed", scope, new.name, old, new)
                for _ in range(i1 + common, i2)
            ]
    if old_types == new_types:
        if [p.name for p in old.parameters] != [p.name for p in new.parameters]:
            changes.append(delta("parameter-renamed", scope, new.name, old, new))
        if [p.default for p in old.parameters] != [p.default for p in new.parameters]:
            changes.append(delta("parameter-default-changed", scope, new.name, old, new))
    if essential_type(old.return_type) != essential_type(new_return) and not old.destructor:
        changes.append(delta("return-type-changed", scope, new.name, old, new))
    for flag in ("const", "static"):
        if getattr(old, flag) != getattr(new, flag):
            kind = f"became-{flag}" if getattr(new, flag) else f"became-non-{flag}"
            changes.append(delta(kind, scope, new.name, old, new))
    return changes


def _pair_by_name(removed: list[Method], added: list[Method]) -> list[tuple[Method, Method]]:
    """Pair a removed and an added overload when each is the only one of its name."""
    pairs = []
    for old in removed:
        olds = [m for m in removed if m.name == old.name]
        news = [m for m in added if m.name == old.name]
        if len(olds) == 1 and len(news) == 1:
            pairs.append((old, news[0]))
    return pairs


def vtable_changes(
    scope: str,
    old: tuple[VtableSlot, ...],
    new: tuple[VtableSlot, ...],
    old_info: ClassInfo,
    new_info: ClassInfo,
) -> list[InterfaceDelta]:
    """Compare two vtables (inherited slots included): added, removed, renamed, moved, changed."""
    old_by_key = {slot.method.key: slot for slot in old}
    new_by_key = {slot.method.key: slot for slot in new}
    removed = [slot.method for slot in old if slot.method.key not in new_by_key]
    added = [slot.method for slot in new if slot.method.key not in old_by_key]
    changes: list[InterfaceDelta] = []
    for slot in old:
        after = new_by_key.get(slot.method.key)
        if after is not None and after.method != slot.method and after.owner == slot.owner:
            changes += parameter_changes(scope, slot.method, after.method)
    for before, after in _pair_by_name(removed, added):
        removed.remove(before)
        added.remove(after)
        changes += parameter_changes(scope, before, after)
    for before in list(removed):
        same_slot = next(
            (m for m in added if new_by_key[m.key].slot == old_by_key[before.key].slot), None
        )
        if (
            same_slot is not None
            and same_slot.parameter_types == before.parameter_types
            and same_slot.return_type == before.return_type
        ):
            removed.remove(before)
            added.remove(same_slot)
            changes.append(
                delta(
                    "virtual-renamed",
                    scope,
                    same_slot.name,
                    before,
                    same_slot,
                    old_slot=old_by_key[before.key].slot,
                    new_slot=new_by_key[same_slot.key].slot,
                )
            )
    new_methods = {m.key for m in new_info.methods}
    old_methods = {m.key for m in old_info.methods}
    for before in removed:
        kind = "became-non-virtual" if before.key in new_methods else "virtual-removed"
        changes.append(
            delta(kind, scope, before.name, before, old_slot=old_by_key[before.key].slot)
        )
    for after in added:
        position = new.index(new_by_key[after.key])
        at_end = all(slot.method.key not in old_by_key for slot in new[position:])
        if after.key in old_methods:
            kind = "became-virtual"
        elif after.destructor:
            kind = "virtual-destructor-added"
        else:
            kind = "virtual-added-at-end" if at_end else "virtual-added-shifting"
        changes.append(
            delta(kind, scope, after.name, None, after, new_slot=new_by_key[after.key].slot)
        )
    changes += _moves(scope, old, new, old_by_key, new_by_key)
    return changes


def _moves(
    scope: str,
    old: tuple[VtableSlot, ...],
    new: tuple[VtableSlot, ...],
    old_by_key: dict,
    new_by_key: dict,
) -> list[InterfaceDelta]:
    common_old = [slot.method.key for slot in old if slot.method.key in new_by_key]
    common_new = [slot.method.key for slot in new if slot.method.key in old_by_key]
    if common_old == common_new:
        return []
    kept = set()
    for block in difflib.SequenceMatcher(
        a=common_old, b=common_new, autojunk=False
    ).get_matching_blocks():
        kept.update(common_old[block.a : block.a + block.size])
    return [
        delta(
            "virtual-moved",
            scope,
            key[0],
            old_by_key[key].method,
            new_by_key[key].method,
            old_slot=old_by_key[key].slot,
            new_slot=new_by_key[key].slot,
        )
        for key in common_new
        if key not in kept
    ]


def method_changes(scope: str, old: ClassInfo, new: ClassInfo) -> list[InterfaceDelta]:
    """Compare the non-virtual methods: removed ones, and changed signatures."""
    virtual_old = {slot.method.key for slot in old.vtable} | {
        slot.method.name for slot in old.vtable
    }
    virtual_new = {slot.method.key for slot in new.vtable} | {
        slot.method.name for slot in new.vtable
    }
    plain_old = [m for m in old.methods if m.key not in virtual_old and m.name not in virtual_new]
    plain_new = [m for m in new.methods if m.key not in virtual_new and m.name not in virtual_old]
    new_keys = {m.key for m in plain_new}
    old_keys = {m.key for m in plain_old}
    removed = [m for m in plain_old if m.key not in new_keys]
    added = [m for m in plain_new if m.key not in old_keys]
    changes: list[InterfaceDelta] = []
    for before, after in _pair_by_name(removed, added):
        removed.remove(before)
        changes += parameter_changes(scope, before, after)
    new_keys_all = {m.key for m in new.methods}
    changes += [
        delta("method-removed", scope, m.name, m) for m in removed if m.key not in new_keys_all
    ]
    same = {m.key: m for m in plain_new}
    for before in plain_old:
        after = same.get(before.key)
        if after is not None and before != after:
            changes += parameter_changes(scope, before, after)
    return changes


def member_changes(scope: str, old: ClassInfo, new: ClassInfo) -> list[InterfaceDelta]:
    """Compare data members: added, removed, retyped (each a layout change)."""
    old_members = {m.name: m for m in old.members}
    new_members = {m.name: m for m in new.members}
    changes = [
        delta("data-member-removed", scope, name, old_signature=f"{m.type} {name}")
        for name, m in old_members.items()
        if name not in new_members
    ]
    changes += [
        delta("data-member-added", scope, name, new_signature=f"{m.type} {name}")
        for name, m in new_members.items()
        if name not in old_members
    ]
    changes += [
        delta(
            "data-member-type-changed",
            scope,
            name,
            old_signature=f"{m.type} {name}",
            new_signature=f"{new_members[name].type} {name}",
        )
        for name, m in old_members.items()
        if name in new_members and new_members[name].type != m.type
    ]
    return changes


def class_changes(old: ClassInfo, new: ClassInfo) -> list[InterfaceDelta]:
    """Every interface change of one class between two snapshots."""
    changes: list[InterfaceDelta] = []
    if old.bases != new.bases:
        changes.append(
            delta(
                "bases-changed",
                new.name,
                None,
                old_signature=", ".join(old.bases),
                new_signature=", ".join(new.bases),
            )
        )
    changes += vtable_changes(new.name, old.vtable, new.vtable, old, new)
    changes += method_changes(new.name, old, new)
    changes += member_changes(new.name, old, new)
    return changes


def _shape(info: ClassInfo) -> tuple[list[str], tuple]:
    """What a class is apart from its name: method signatures (no constructors) and members."""
    own_name = info.name.rpartition("::")[2]
    methods = [m.signature for m in info.methods if m.name != own_name and not m.destructor]
    return methods, info.members


def _same_shape(old: ClassInfo, new: ClassInfo) -> bool:
    same = _shape(old) == _shape(new) and old.bases == new.bases
    return bool(old.methods or old.members) and same


def interface_changes(old: Interfaces, new: Interfaces) -> list[InterfaceDelta]:
    """Return the interface changes from ``old`` to ``new`` (classes, then prototypes)."""
    changes: list[InterfaceDelta] = []
    for name, info in old.classes.items():
        if name in new.classes:
            changes += class_changes(info, new.classes[name])
    gone = [info for name, info in old.classes.items() if name not in new.classes]
    arrived = [info for name, info in new.classes.items() if name not in old.classes]
    for info in gone:
        twin = next((candidate for candidate in arrived if _same_shape(info, candidate)), None)
        if twin is not None:
            arrived.remove(twin)
            changes.append(
                delta(
                    "class-renamed",
                    info.name,
                    None,
                    old_signature=info.name,
                    new_signature=twin.name,
                )
            )
        else:
            changes.append(delta("class-removed", info.name, None, old_signature=info.name))
    changes += prototype_changes(old, new)
    return changes


def prototype_changes(old: Interfaces, new: Interfaces) -> list[InterfaceDelta]:
    """Compare namespace-scope prototypes: removed, or changed (with the detail in the reason)."""
    changes: list[InterfaceDelta] = []
    for name, before in old.prototypes.items():
        after = new.prototypes.get(name)
        if after is None:
            changes.append(delta("prototype-removed", name, name, before))
            continue
        details = [
            change for change in parameter_changes(name, before, after) if change.changes_abi
        ]
        if details:
            expressible = all(change.adaptor_expressible for change in details)
            reason = "; ".join(f"{change.kind}: {change.reason}" for change in details)
            changes.append(
                delta(
                    "prototype-changed",
                    name,
                    name,
                    before,
                    after,
                    adaptor_expressible=expressible,
                    reason=reason,
                )
            )
    return changes
