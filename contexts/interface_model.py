"""The values interfaces are made of: parameters, methods, data members, vtable slots, classes.

Frozen dataclasses shared by :mod:`contexts.interfaces` (which reads them from source),
:mod:`contexts.vtables` (which numbers the slots) and :mod:`contexts.interface_changes`.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Parameter:
    """One parameter: its normalised type, and its name and default where written."""

    type: str
    name: str | None = None
    default: str | None = None


@dataclass(frozen=True)
class Method:
    """A member function (or, for a prototype, a free function) with a normalised signature."""

    name: str
    return_type: str
    parameters: tuple[Parameter, ...] = ()
    virtual: bool = False
    pure: bool = False
    static: bool = False
    const: bool = False
    python: bool = False
    """A Python function: its types are annotations, which calls ignore (unannotated is ``Any``,
    an unannotated return ``""``)."""

    @property
    def destructor(self) -> bool:
        """Whether this is a destructor."""
        return self.name.startswith("~")

    @property
    def parameter_types(self) -> tuple[str, ...]:
        """The parameters' types, in order."""
        return tuple(parameter.type for parameter in self.parameters)

    @property
    def key(self) -> tuple[str, tuple[str, ...], bool]:
        """What tells overloads apart: name, parameter types, ``const``."""
        return (self.name, self.parameter_types, self.const)

    @property
    def signature(self) -> str:
        """The normalised signature, e.g. ``SysStatus getFrame(uval, uval) const``."""
        head = f"{self.return_type} {self.name}" if self.return_type else self.name
        return f"{head}({', '.join(self.parameter_types)}){' const' if self.const else ''}"


@dataclass(frozen=True)
class DataMember:
    """A non-static data member."""

    type: str
    name: str


@dataclass(frozen=True)
class VtableSlot:
    """A virtual method's slot, and the class whose method fills it."""

    slot: int
    method: Method
    owner: str


@dataclass(frozen=True)
class ClassInfo:
    """One class's interface."""

    name: str
    kind: str
    """``class``, ``struct`` or ``union``."""
    bases: tuple[str, ...] = ()
    methods: tuple[Method, ...] = ()
    members: tuple[DataMember, ...] = ()
    vtable: tuple[VtableSlot, ...] = ()
    """Filled by :func:`resolve_vtables`, inherited slots included."""


@dataclass(frozen=True)
class Interfaces:
    """The classes and namespace-scope prototypes of one snapshot (a file, or one side)."""

    classes: dict[str, ClassInfo] = field(default_factory=dict)
    prototypes: dict[str, Method] = field(default_factory=dict)
