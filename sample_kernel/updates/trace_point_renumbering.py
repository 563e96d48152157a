"""Update 6: a new trace point inserted in the middle of the static enumeration. Not updatable.

``PAGE_FAULT_MAJOR`` goes next to ``PAGE_FAULT``, so every later trace point's number changes.
The numbers are compiled into every trace site and every trace reader; none of them is reached
through the object translation table, so the runtime refuses the update, naming why.
"""

from __future__ import annotations

from enum import IntEnum

from sample_kernel.catalogue import Change
from sample_kernel.tracing import TRACE_UNIT
from update_runtime import Update


class TracePoint(IntEnum):
    """Every trace point of the kernel, with major page faults traced apart."""

    PAGE_FAULT = 0
    PAGE_FAULT_MAJOR = 1
    FRAME_ALLOC = 2
    FRAME_FREE = 3
    FILE_READ = 4
    FILE_WRITE = 5
    FILE_SYNC = 6
    IO_COMPLETE = 7
    IPC_SEND = 8
    IPC_RECEIVE = 9
    SIGNAL_POST = 10
    SIGNAL_DELIVER = 11
    PROCESS_CREATE = 12
    PROCESS_EXIT = 13
    UPDATE_INTERRUPT = 14


UPDATE = Update(
    name="trace_point_renumbering",
    targets=(TRACE_UNIT,),
    description="tracing: trace major page faults apart (renumbers later trace points)",
)

CHANGE = Change(
    name="trace_point_renumbering",
    kind="not updatable",
    summary="tracing: add PAGE_FAULT_MAJOR trace point",
    reason="renumbers a static enumeration compiled into code not reached through the table",
)
