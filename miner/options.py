"""The options that shape what the miner imports from a repository, as one frozen value.

:class:`MineOptions` is what both sources (git and CVS) and the mining stage read; it is stored
as JSON in ``Repository.options`` so that later stages can open the same source again, and so
that a second run with different options is noticed instead of mixing two histories.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime

DEFAULT_MAX_FILE_BYTES = 5_000_000


class OptionsError(ValueError):
    """A mining option has a value the miner cannot use."""


@dataclass(frozen=True)
class MineOptions:
    """What to mine and how: refs, filters, CVS grouping window, cleaning choices."""

    refs: tuple[str, ...] = ()
    """git refs (branches, tags, commit ids) whose history to mine; empty means ``HEAD``."""
    since: datetime | None = None
    """Only changes committed at or after this time (UTC, naive)."""
    until: datetime | None = None
    """Only changes committed at or before this time (UTC, naive)."""
    paths: tuple[str, ...] = ()
    """Path prefixes to keep (e.g. ``os/kernel/``); empty keeps every path."""
    window_seconds: int = 200
    """CVS: largest gap between two revisions of one transaction (sliding window)."""
    fixed_window: bool = False
    """CVS: measure the window from a transaction's first revision instead of its previous one."""
    header_language: str = "c"
    """Language of ``.h`` files: ``c`` or ``cpp``."""
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    """A version larger than this is flagged too large and neither diffed nor cleaned."""

    def __post_init__(self) -> None:
        if self.window_seconds <= 0:
            raise OptionsError(f"the window must be positive, not {self.window_seconds} s")
        if self.header_language not in ("c", "cpp"):
            raise OptionsError(f"header language must be c or cpp, not {self.header_language!r}")
        if self.max_file_bytes <= 0:
            raise OptionsError(f"the largest file size must be positive, not {self.max_file_bytes}")
        if self.since and self.until and self.since > self.until:
            raise OptionsError(f"--since {self.since} is after --until {self.until}")
        object.__setattr__(self, "refs", tuple(self.refs))
        object.__setattr__(self, "paths", tuple(p.lstrip("/") for p in self.paths))

    def to_json(self) -> str:
        """Return the options as a JSON object with sorted keys (dates in ISO format)."""
        values = asdict(self)
        for name in ("since", "until"):
            if values[name] is not None:
                values[name] = values[name].isoformat()
        values["refs"] = list(self.refs)
        values["paths"] = list(self.paths)
        return json.dumps(values, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> MineOptions:
        """Rebuild options from :meth:`to_json` output; unknown keys are ignored."""
        values = json.loads(text or "{}")
        known = {f.name for f in fields(cls)}
        kept = {name: value for name, value in values.items() if name in known}
        for name in ("since", "until"):
            if kept.get(name):
                kept[name] = datetime.fromisoformat(kept[name])
        for name in ("refs", "paths"):
            if name in kept:
                kept[name] = tuple(kept[name])
        return cls(**kept)

    def with_changes(self, **changes: object) -> MineOptions:
        """Return a copy with some options changed."""
        return replace(self, **changes)
