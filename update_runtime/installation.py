"""Installing new versions: in place, or on a new reference with an adaptor on the old one.

An update's conversion of one object is *prepared* first (the new object is built from the old
one's exported state; nothing the callers can reach changes) and *committed* later. For a type
whose interface changed, preparing also installs the new object on a new reference (reachable
by nobody yet but the update's transfer functions, through ``ctx.translate``) and builds the
adaptor; committing puts the adaptor on the old reference. Discarding a prepared conversion kills
the new reference, so an aborted update leaves nothing behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from update_runtime.adaptors import Adaptor
from update_runtime.classes import Updatable
from update_runtime.handles import UpdateHandle, prepare_object
from update_runtime.table import Entry

if TYPE_CHECKING:
    from update_runtime.runtime import Runtime


@dataclass(frozen=True)
class Prepared:
    """One object's prepared conversion."""

    new_obj: Updatable
    new_entry: Entry | None = None
    adaptor: Adaptor | None = None
    adaptor_vtable: tuple[Any, ...] = ()


class Installer:
    """Prepare, commit and discard conversions for one runtime."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def reserve(self, handle: UpdateHandle, entries: list[Entry]) -> None:
        """Reserve the new reference of every object whose interface changes, before any transfer.

        So a transfer function can ``ctx.translate`` a reference to any of them, whatever the order
        in which the objects are converted.
        """
        for entry in entries:
            if handle.plan[entry.obj.type_name].adaptor is not None:
                handle.translations[entry.ref] = self.runtime.table.reserve()

    def release(self, handle: UpdateHandle) -> None:
        """Kill the references reserved by :meth:`reserve` (the update did not commit)."""
        for ref in handle.translations.values():
            entry = self.runtime.table.entries[ref]
            if entry is not None:
                self.runtime.table.kill(entry)
        handle.translations.clear()

    def prepare(self, handle: UpdateHandle, entry: Entry) -> Prepared:
        """Build ``entry``'s new version (and, for an interface change, its adaptor)."""
        conversion, new_obj = prepare_object(handle, entry)
        if conversion.adaptor is None:
            return Prepared(new_obj)
        new_ref = handle.translations.get(entry.ref)
        if new_ref is None:
            new_ref = handle.translations[entry.ref] = self.runtime.table.reserve()
        new_entry = self.runtime.install(new_obj, entry.factory, new_ref)
        try:
            adaptor = conversion.adaptor(
                self.runtime.table.vtables,
                new_entry.ref,
                conversion.new_class,
                conversion.old_class,
            )
            vtable = adaptor.build_vtable()
        except Exception:
            self.runtime.table.kill(new_entry)
            raise
        return Prepared(new_obj, new_entry, adaptor, vtable)

    def discard(self, handle: UpdateHandle) -> None:
        """Throw away ``handle``'s prepared conversions: kill the new references it reserved."""
        self.release(handle)

    def commit(self, handle: UpdateHandle, entry: Entry, prepared: Prepared) -> None:
        """Make ``prepared`` what ``entry``'s reference reaches (the caller holds its lock)."""
        if prepared.adaptor is None:
            self.runtime.reinstall(entry, prepared.new_obj)
        else:
            assert prepared.new_entry is not None and entry.factory is not None
            entry.obj = prepared.adaptor
            entry.real_vtable = prepared.adaptor_vtable
            entry.adaptor_for = prepared.new_entry.ref
            entry.factory.forget(entry.ref)
            entry.factory.adopt(prepared.new_entry)
            entry.factory.adaptors[entry.ref] = handle
            self.runtime.forwarding[entry.ref] = prepared.new_entry.ref
        handle.forget(entry)
        handle.count("converted")
        if not entry.pending:
            self.runtime.table.vtables[entry.ref] = entry.real_vtable
