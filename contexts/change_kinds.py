"""The vocabulary of interface changes: each kind, whether it changes the ABI, whether an adaptor
can hide it and why, and the :class:`InterfaceDelta` record of one change.

The study's rule for adaptors: an adaptor can remap method numbers, supply or compute values
for new parameters, drop parameters, and rewrite or supply return values; it cannot restore
removed functionality, hide a split of one object into several, or thread a new argument
through a deep call chain. Layout changes are the business of state transfer, not adaptors,
and are marked expressible.

In Python, types are annotations that calls ignore. Adding an annotation where there was none
(or dropping one) is ``annotation-added`` (``annotation-removed``), which changes no ABI: the
unannotated type ``Any`` is consistent with every type, so the values callers pass and receive
are what they were. A change from one written type to another stays ``parameter-type-changed``
or ``return-type-changed``: it is the text's only sign that the values exchanged changed (an
``int`` result became a ``tuple``), which old callers would need an adaptor to convert.
"""

from __future__ import annotations

from dataclasses import dataclass

from contexts.interface_model import Method


@dataclass(frozen=True)
class ChangeKind:
    """A kind of interface change: does it change the binary interface, can an adaptor hide it."""

    name: str
    changes_abi: bool
    adaptor_expressible: bool
    reason: str


KINDS: dict[str, ChangeKind] = {
    kind.name: kind
    for kind in (
        ChangeKind(
            "virtual-added-at-end",
            True,
            True,
            "new slot after every old one: old method numbers still hold",
        ),
        ChangeKind(
            "virtual-added-shifting",
            True,
            True,
            "later slots shift: an adaptor remaps method numbers",
        ),
        ChangeKind(
            "virtual-removed", True, False, "an adaptor cannot restore removed functionality"
        ),
        ChangeKind(
            "virtual-renamed",
            True,
            True,
            "same slot and signature under a new name: callers use the number",
        ),
        ChangeKind(
            "virtual-moved", True, True, "slot order changed: an adaptor remaps method numbers"
        ),
        ChangeKind(
            "virtual-destructor-added",
            True,
            True,
            "adds destructor slots: an adaptor remaps method numbers",
        ),
        ChangeKind("parameter-added", True, True, "an adaptor supplies or computes the new value"),
        ChangeKind("parameter-removed", True, True, "an adaptor drops the parameter"),
        ChangeKind("parameter-type-changed", True, True, "an adaptor converts the value"),
        ChangeKind(
            "parameter-renamed", False, True, "harmless: names are not part of the interface"
        ),
        ChangeKind("parameter-default-changed", False, True, "harmless to compiled callers"),
        ChangeKind(
            "annotation-added",
            False,
            True,
            "harmless: Python calls ignore annotations, and the unannotated type (Any) is "
            "consistent with every type",
        ),
        ChangeKind(
            "annotation-removed",
            False,
            True,
            "harmless: Python calls ignore annotations, and the unannotated type (Any) is "
            "consistent with every type",
        ),
        ChangeKind("return-type-changed", True, True, "an adaptor rewrites the return value"),
        ChangeKind(
            "became-virtual",
            True,
            True,
            "reached through the vtable now: an adaptor remaps method numbers",
        ),
        ChangeKind(
            "became-non-virtual",
            True,
            True,
            "left the vtable: an adaptor forwards the old slot to it",
        ),
        ChangeKind(
            "became-const", True, True, "same behaviour for callers: an adaptor forwards the call"
        ),
        ChangeKind(
            "became-non-const",
            True,
            True,
            "same behaviour for callers: an adaptor forwards the call",
        ),
        ChangeKind("became-static", True, True, "an adaptor drops the object argument"),
        ChangeKind(
            "became-non-static", True, False, "the call now needs an object its callers do not have"
        ),
        ChangeKind(
            "method-removed", True, False, "an adaptor cannot restore removed functionality"
        ),
        ChangeKind(
            "prototype-changed",
            True,
            True,
            "an adaptor (a wrapper) converts parameters and results",
        ),
        ChangeKind(
            "prototype-removed", True, False, "an adaptor cannot restore removed functionality"
        ),
        ChangeKind(
            "data-member-added", True, True, "layout changed: state transfer fills the new member"
        ),
        ChangeKind(
            "data-member-removed", True, True, "layout changed: state transfer drops the member"
        ),
        ChangeKind(
            "data-member-type-changed",
            True,
            True,
            "layout changed: state transfer converts the member",
        ),
        ChangeKind(
            "bases-changed",
            True,
            False,
            "the class's place in the hierarchy changed: callers' view of the object changes",
        ),
        ChangeKind(
            "class-renamed",
            True,
            True,
            "same members under a new name: an adaptor maps the old type",
        ),
        ChangeKind(
            "class-removed",
            True,
            False,
            "an adaptor cannot restore removed functionality or hide a split",
        ),
    )
}


@dataclass(frozen=True)
class InterfaceDelta:
    """One interface change."""

    scope: str
    """The class (qualified) or, for a prototype, the function."""
    member: str | None
    kind: str
    old_signature: str | None = None
    new_signature: str | None = None
    old_slot: int | None = None
    new_slot: int | None = None
    adaptor_expressible: bool = True
    reason: str = ""

    @property
    def changes_abi(self) -> bool:
        """Whether compiled callers see this change."""
        return KINDS[self.kind].changes_abi


def delta(
    kind: str,
    scope: str,
    member: str | None,
    old: Method | None = None,
    new: Method | None = None,
    **extra: object,
) -> InterfaceDelta:
    """Make a change of ``kind`` with its kind's verdict and reason (``extra`` overrides fields)."""
    known = KINDS[kind]
    values: dict = {
        "old_signature": old.signature if old else None,
        "new_signature": new.signature if new else None,
        "adaptor_expressible": known.adaptor_expressible,
        "reason": known.reason,
    }
    return InterfaceDelta(scope=scope, member=member, kind=kind, **(values | extra))
