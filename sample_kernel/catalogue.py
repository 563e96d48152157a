"""The kernel's history of changes, in order, with the ground truth of what each one is.

Every change has an update module in ``sample_kernel/updates/<name>.py`` that defines ``UPDATE``
(the live update, or for a change that cannot be applied live, the update that names what it
touches so the runtime refuses it) and ``CHANGE``, a :class:`Change` saying what kind of change
it is: ``updatable`` (a plain live update), ``adaptor`` (an interface change that needs an
adaptor for old callers) or ``not updatable`` (and why).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

UPDATES_DIR = Path(__file__).resolve().parent / "updates"

Kind = Literal["updatable", "adaptor", "not updatable"]


@dataclass(frozen=True)
class Change:
    """The ground truth of one change of the kernel's history."""

    name: str
    kind: Kind
    summary: str
    """One line, as a commit message's first line."""
    reason: str
    """Why it is of that kind."""
    study: bool = False
    """One of the three updates the K42 study describes."""


HISTORY: tuple[str, ...] = (
    "fcm_sync_priority",
    "signal_delivery_fix",
    "pmroot_frame_size",
    "pm_reclaim_method",
    "page_fault_accounting",
    "trace_point_renumbering",
)
"""Update modules in the order the changes were made."""


def change(name: str) -> Change:
    """Return the ground truth of update ``name`` (imports its module)."""
    module = importlib.import_module(f"sample_kernel.updates.{name}")
    return module.CHANGE


def changes() -> tuple[Change, ...]:
    """Return the ground truth of every change, in history order."""
    return tuple(change(name) for name in HISTORY)


def module_path(name: str) -> Path:
    """Return the path of update module ``name`` (what the runtime's loader loads)."""
    return UPDATES_DIR / f"{name}.py"
