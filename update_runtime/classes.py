"""Declaring updatable classes: virtual methods numbered in C++ vtable order, inherited first.

A kernel class derives from :class:`Updatable` and marks its virtual methods with
:func:`virtual`. Its ``vtable`` is its first updatable base's vtable followed by the virtual
methods it introduces, in definition order; an override keeps the inherited slot, exactly as a
C++ compiler lays out a single-inheritance vtable::

    class PM(Updatable):
        @virtual
        def getFrame(self) -> int: ...       # method number 0
        @virtual
        def freeFrame(self, frame: int) -> int: ...   # method number 1

    class PMRoot(PM):
        def getFrame(self) -> int: ...       # still 0 (override)
        @virtual
        def attach(self, pm: int) -> int: ...    # 2

Every virtual method takes its arguments in registers r3..r10: at most eight positional
parameters, checked when the class is defined. A new version of a class for an update keeps the
type name and raises the version: ``class FCMFile(FCM, version=2)`` (or
``class FCMFileV2(FCM, type_name="FCMFile", version=2)``).
"""

from __future__ import annotations

import copy
import inspect
import threading
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from update_runtime.errors import RegisterOverflow, TransferError, UpdateRuntimeError

MAX_REGISTER_ARGS = 8
"""Arguments travel in r3..r10, so a call carries at most eight."""

RUNTIME_ATTRIBUTE_PREFIX = "_dsu_"
"""Attributes the runtime sets on objects (their reference, the runtime); never part of state."""

RESERVED_NAMES = frozenset(
    {"type_name", "version", "vtable", "slots", "blocking", "slot", "from_state", "ref"}
)
"""Class attributes the runtime sets or uses; an updatable class must not redefine them."""

F = TypeVar("F", bound=Callable[..., Any])

_SYNC_TYPES: tuple[type, ...] = (
    type(threading.Lock()),
    type(threading.RLock()),
    threading.Condition,
    threading.Event,
    threading.Semaphore,
)


def virtual(function: F | None = None, *, blocking: bool = False) -> Any:
    """Mark a method virtual: it gets a method number and is callable through the table.

    :param blocking: the method may block in ``Runtime.wait``; an update of its object interrupts
        the wait and re-dispatches the call to the new version.
    """

    def mark(method: F) -> F:
        method.__dsu_virtual__ = True  # type: ignore[attr-defined]
        method.__dsu_blocking__ = blocking  # type: ignore[attr-defined]
        return method

    return mark(function) if function is not None else mark


def _register_count(cls_name: str, name: str, method: Callable[..., Any]) -> None:
    parameters = list(inspect.signature(method).parameters.values())[1:]
    if any(p.kind in (p.KEYWORD_ONLY, p.VAR_KEYWORD) for p in parameters):
        raise RegisterOverflow(
            f"{cls_name}.{name} has keyword-only parameters; registers are positional"
        )
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if len(positional) > MAX_REGISTER_ARGS:
        raise RegisterOverflow(
            f"{cls_name}.{name} takes {len(positional)} arguments; a call carries at most "
            f"{MAX_REGISTER_ARGS} (r3..r10)"
        )


class Updatable:
    """Base of every class whose objects live in the object translation table."""

    type_name: ClassVar[str] = "Updatable"
    version: ClassVar[int] = 0
    vtable: ClassVar[tuple[str, ...]] = ()
    slots: ClassVar[dict[str, int]] = {}
    blocking: ClassVar[frozenset[str]] = frozenset()
    state_fields: ClassVar[tuple[str, ...] | None] = None
    """Declare the state's field names to have the default transfer check them exactly."""

    def __init_subclass__(
        cls, *, type_name: str | None = None, version: int = 1, **kwargs: Any
    ) -> None:
        super().__init_subclass__(**kwargs)
        clashes = sorted(RESERVED_NAMES & set(cls.__dict__))
        if clashes:
            raise UpdateRuntimeError(
                f"{cls.__name__} redefines {clashes}, which the runtime reserves"
            )
        cls.type_name = type_name or cls.__name__
        cls.version = version
        parent = next(b for b in cls.__mro__[1:] if issubclass(b, Updatable))
        names = list(parent.vtable)
        blocking = set(parent.blocking)
        for name, value in cls.__dict__.items():
            if not callable(value):
                continue
            if getattr(value, "__dsu_virtual__", False) or name in parent.slots:
                _register_count(cls.__name__, name, value)
                if name not in parent.slots:
                    names.append(name)
                if getattr(value, "__dsu_blocking__", False):
                    blocking.add(name)
        cls.vtable = tuple(names)
        cls.slots = {name: number for number, name in enumerate(names)}
        cls.blocking = frozenset(blocking)

    @classmethod
    def slot(cls, name: str) -> int:
        """Return the method number of virtual method ``name`` (raises KeyError naming it)."""
        try:
            return cls.slots[name]
        except KeyError:
            raise KeyError(
                f"{cls.type_name} v{cls.version} has no virtual method {name!r}"
            ) from None

    def export_state(self) -> dict[str, Any]:
        """Export this object's state to the intermediate form: a deep copy of its fields.

        Locks, conditions and events are shared, not copied (a new version keeps using them).
        """
        state = {k: v for k, v in vars(self).items() if not k.startswith(RUNTIME_ATTRIBUTE_PREFIX)}
        memo: dict[int, Any] = {id(v): v for v in state.values() if isinstance(v, _SYNC_TYPES)}
        return copy.deepcopy(state, memo)

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Updatable:
        """Build an object of this class from the intermediate form (without calling __init__)."""
        if cls.state_fields is not None and set(state) != set(cls.state_fields):
            added = sorted(set(cls.state_fields) - set(state))
            removed = sorted(set(state) - set(cls.state_fields))
            raise TransferError(
                f"{cls.type_name} v{cls.version} state layout changed (added {added}, removed "
                f"{removed}); the update must supply a transfer function"
            )
        obj = cls.__new__(cls)
        obj.__dict__.update(state)
        return obj

    @property
    def ref(self) -> int:
        """This object's reference in the object translation table."""
        return self.__dict__["_dsu_ref"]
