"""Factories: every updatable class's objects are created, destroyed and tracked by its factory.

A factory belongs to one *type name* (``"FCMFile"``) across all its versions. It creates
objects of its current version, installs them in the object translation table, and (when
tracking is on) knows every live instance and the version it runs, which is how an update finds
the objects to convert. Tracking can be switched off to measure what it costs; an update of an
untracked class is refused.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from update_runtime.classes import Updatable
from update_runtime.errors import DeadReference
from update_runtime.table import Entry

if TYPE_CHECKING:
    from update_runtime.runtime import Runtime
    from update_runtime.updates import UpdateHandle


class Factory:
    """Create, destroy and track the objects of one updatable type.

    :param track: keep the set of live instances (needed to update them).
    """

    def __init__(self, runtime: Runtime, cls: type[Updatable], *, track: bool = True) -> None:
        self.runtime = runtime
        self.type_name = cls.type_name
        self.current_class: type[Updatable] = cls
        self.track = track
        self.lock = threading.RLock()
        self._live: dict[int, Entry] = {}
        self.adaptors: dict[int, UpdateHandle] = {}
        """Old references now served by an adaptor, with the update that put it there."""
        self.marking: list[UpdateHandle] = []
        """Updates quiescing this type: objects created meanwhile are marked for them too."""
        self.on_create: list[Callable[[Entry], None]] = []

    def __deepcopy__(self, memo: dict[int, Any]) -> Factory:
        """An object's state may hold a factory: state transfer shares it, never copies it."""
        return self

    def create(self, *args: Any) -> int:
        """Create an object of the current version with ``args``; return its reference.

        The constructor runs outside the factory's lock (it may call other objects, which may be
        being updated). If an update replaced the class meanwhile, the new object is converted
        to the current version before its reference is handed out.
        """
        cls = self.current_class
        obj = cls(*args)
        with self.lock:
            entry = self.runtime.install(obj, self)
            if self.track:
                self._live[entry.ref] = entry
            for handle in self.marking:
                handle.mark(entry)
            if cls is not self.current_class:
                self.runtime.updater.catch_up(entry)
        return entry.ref

    def adopt(self, entry: Entry) -> None:
        """Track ``entry`` (an object installed by an update on a new reference)."""
        if self.track:
            self._live[entry.ref] = entry

    def forget(self, ref: int) -> None:
        """Stop tracking ``ref`` (its object moved to a new reference or died)."""
        self._live.pop(ref, None)

    def destroy(self, ref: int) -> None:
        """Destroy the object at ``ref`` (through an adaptor's reference: the object behind it)."""
        entry = self.runtime.table.entry(ref)
        if entry.factory is not self:
            raise DeadReference(f"reference {ref} is not a {self.type_name}")
        with entry.lock:
            if entry.adaptor_for is not None:
                self.destroy(entry.adaptor_for)
                self.adaptors.pop(ref, None)
            pending = list(entry.pending)
            for handle in pending:
                handle.forget(entry)
            self._live.pop(ref, None)
            self.runtime.table.kill(entry)
        for handle in pending:
            handle.try_complete()

    def live_refs(self) -> list[int]:
        """Return the references of the live instances (tracking must be on)."""
        return list(self._live)

    def live_entries(self) -> list[Entry]:
        """Return the entries of the live instances (tracking must be on)."""
        return list(self._live.values())

    def __len__(self) -> int:
        return len(self._live)

    def versions(self) -> Counter[int]:
        """Count live instances per version of the class they run."""
        return Counter(entry.obj.version for entry in list(self._live.values()))

    def count_older_than(self, version: int) -> int:
        """Count live instances running a version older than ``version``."""
        return sum(1 for e in list(self._live.values()) if e.obj.version < version)
