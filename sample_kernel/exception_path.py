"""The low-level exception and page-fault path: code that runs below the object translation table.

A page fault arrives here from the (simulated) hardware exception vector with the faulting
process and page. This code is entered before any object is reached, runs with the thread's
register state live and decides which object to call; it is not itself reached through the
table, so nothing can redirect calls to a new version of it, and the runtime refuses updates
that change it.
"""

from __future__ import annotations

from sample_kernel.errno import ESRCH
from sample_kernel.process import Process
from sample_kernel.region import Region
from sample_kernel.services import KernelServices
from sample_kernel.tracing import TracePoint
from update_runtime import DeadReference

EXCEPTION_UNIT = "sample_kernel.exception_path"
EXCEPTION_REASON = (
    "the exception and page-fault path runs from the exception vector, before any object is reached"
)

PROCESS_REGION = Process.slot("regionRef")
REGION_FAULT = Region.slot("fault")
REGION_UNMAP = Region.slot("unmap")


def handle_page_fault(k: KernelServices, process: int, page: int) -> int:
    """Resolve a fault on ``page`` of ``process``; return the frame or a negative errno."""
    k.trace(TracePoint.PAGE_FAULT)
    try:
        region = k.ott[process][PROCESS_REGION]()
    except DeadReference:
        return -ESRCH
    return k.ott[region][REGION_FAULT](page)


def handle_unmap(k: KernelServices, process: int, page: int) -> int:
    """Unmap ``page`` of ``process`` (the munmap trap); return 0 or a negative errno."""
    try:
        region = k.ott[process][PROCESS_REGION]()
    except DeadReference:
        return -ESRCH
    return k.ott[region][REGION_UNMAP](page)
