"""Update 2: bug fix in one method, Process.deliverSignals.

Version 1 starts its delivery loop at signal 2, so SIGHUP (signal 1) is never delivered and
stays pending forever. Version 2 starts at 1. Nothing else changes: no field, no interface, so
the default state transfer copies the state (pending SIGHUPs included, now delivered on the next
call). Applied eagerly.
"""

from __future__ import annotations

from sample_kernel import process
from sample_kernel.catalogue import Change
from sample_kernel.process import NSIG
from sample_kernel.tracing import TracePoint
from update_runtime import Update


class Process(process.Process, version=2):
    """A process whose signal delivery starts at signal 1."""

    def deliverSignals(self) -> int:
        """Deliver every pending signal, lowest first; return how many were delivered."""
        count = 0
        with self.lock:
            for signal in range(1, NSIG):
                if self.pending & (1 << signal):
                    self.pending &= ~(1 << signal)
                    self.delivered[signal] += 1
                    count += 1
        for _ in range(count):
            self.k.trace(TracePoint.SIGNAL_DELIVER)
        return count


UPDATE = Update(
    name="signal_delivery_fix",
    classes=(Process,),
    mode="eager",
    description="Process.deliverSignals: deliver signal 1 too",
)

CHANGE = Change(
    name="signal_delivery_fix",
    kind="updatable",
    summary="Process: deliverSignals skipped signal 1 (SIGHUP)",
    reason="a bug fix inside one method; no field or interface changes",
)
