"""Adaptors: stand-ins on an old reference that keep old callers working across an interface change.

When an update changes a class's interface, each object's new version goes on a *new* reference
and an adaptor takes the old one. The adaptor's vtable is laid out in the OLD interface's order,
so old callers' method numbers still mean what they meant. For each old method the adaptor
either defines a method of the same name (remap, shuffle registers, supply defaults for new
parameters, rewrite the return value, or return an error code without calling on), or, if it
does not, the call is forwarded to the new method of the same name, wherever its new number is::

    class PMRootAdaptor(Adaptor):
        def getFrame(self) -> int:               # old: getFrame()
            return self.new.getFrame(4096)       # new: getFrame(size)

        def freeFrame(self, frame: int) -> int:  # old: freeFrame(frame)
            if frame < 0:
                return -22                       # -EINVAL, without calling on
            return self.new.freeFrame(frame, 4096)

One adaptor class can serve several classes (every subclass of a base whose method numbers
shifted), since forwarding is by name.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from update_runtime.classes import Updatable
from update_runtime.errors import AdaptorError


def forwarder(vtables: list[Any], ref: int, number: int) -> Callable[..., Any]:
    """Return a function calling method ``number`` of ``ref`` through the table (late bound)."""

    def forward(*registers: Any) -> Any:
        return vtables[ref][number](*registers)

    return forward


class Adaptor:
    """Base of adaptors. An update names its adaptor class per type name it changes.

    :ivar new: the new interface, by method name: ``self.new.getFrame(4096)`` calls through the
        table on the new reference, so it follows later updates of the new object.
    :ivar new_ref: the new object's reference.
    """

    def __init__(
        self,
        vtables: list[Any],
        new_ref: int,
        new_class: type[Updatable],
        old_class: type[Updatable],
    ) -> None:
        self.vtables = vtables
        self.new_ref = new_ref
        self.new_class = new_class
        self.old_class = old_class
        self.new = SimpleNamespace(
            **{name: forwarder(vtables, new_ref, n) for name, n in new_class.slots.items()}
        )

    def call(self, number: int, *registers: Any) -> Any:
        """Call the new object's method ``number`` (an explicit method-number remap)."""
        return self.vtables[self.new_ref][number](*registers)

    @classmethod
    def _defines(cls, name: str) -> bool:
        return any(
            name in k.__dict__ for k in cls.__mro__ if k is not Adaptor and issubclass(k, Adaptor)
        )

    def build_vtable(self) -> tuple[Callable[..., Any], ...]:
        """Lay out this adaptor's vtable in the old interface's method order."""
        slots = []
        for name in self.old_class.vtable:
            if self._defines(name):
                slots.append(getattr(self, name))
            elif name in self.new_class.slots:
                slots.append(getattr(self.new, name))
            else:
                raise AdaptorError(
                    f"{type(self).__name__} does not define {name!r}, which "
                    f"{self.old_class.type_name} "
                    f"v{self.new_class.version} no longer has; old callers would have nowhere to go"
                )
        return tuple(slots)
