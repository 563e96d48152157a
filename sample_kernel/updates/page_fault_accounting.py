"""Update 5: the page-fault path counts faults per process. Not dynamically updatable.

The change is to ``handle_page_fault`` in the low-level exception path, which runs from the
exception vector before any object is reached. Nothing calls it through the object translation
table, so there is no reference to redirect to new code: the runtime refuses the update, naming
the unit and why. (Shipping it needs a reboot, or a redesign that moves the accounting into the
Process object.)
"""

from __future__ import annotations

from sample_kernel.catalogue import Change
from sample_kernel.errno import ESRCH
from sample_kernel.exception_path import EXCEPTION_UNIT, PROCESS_REGION, REGION_FAULT
from sample_kernel.services import KernelServices
from sample_kernel.tracing import TracePoint
from update_runtime import DeadReference, Update

FAULTS_BY_PROCESS: dict[int, int] = {}


def handle_page_fault(k: KernelServices, process: int, page: int) -> int:
    """Resolve a fault on ``page`` of ``process``, counting faults per process."""
    k.trace(TracePoint.PAGE_FAULT)
    FAULTS_BY_PROCESS[process] = FAULTS_BY_PROCESS.get(process, 0) + 1
    try:
        region = k.ott[process][PROCESS_REGION]()
    except DeadReference:
        return -ESRCH
    return k.ott[region][REGION_FAULT](page)


UPDATE = Update(
    name="page_fault_accounting",
    targets=(EXCEPTION_UNIT,),
    description="exception path: count page faults per process",
)

CHANGE = Change(
    name="page_fault_accounting",
    kind="not updatable",
    summary="exception path: count page faults per process",
    reason="changes the low-level exception path, which is not reached through the table",
)
