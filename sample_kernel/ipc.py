"""IPC ports: message queues with a blocking receive.

A message is one payload word (below 2**32) and the reference of the port to reply to; a receive
returns both packed in r3 as ``reply_port << 32 | payload``. ``receive`` blocks in the runtime's
interruptible wait, so an update of the port interrupts it and re-dispatches the receive to the
new version. It is only ever called straight from the system-call layer, so its wait is a
*deactivating* one: a thread idle in a receive holds up no update of any other object.
"""

from __future__ import annotations

import threading
from collections import deque

from sample_kernel.errno import EAGAIN, EINVAL
from sample_kernel.services import KernelServices
from sample_kernel.tracing import TracePoint
from update_runtime import Updatable, virtual

PAYLOAD_BITS = 32
PAYLOAD_MASK = (1 << PAYLOAD_BITS) - 1


def pack(reply_port: int, payload: int) -> int:
    """Pack a received message into one register."""
    return reply_port << PAYLOAD_BITS | payload


def unpack(message: int) -> tuple[int, int]:
    """Split a received message into (reply port, payload)."""
    return message >> PAYLOAD_BITS, message & PAYLOAD_MASK


class IPCPort(Updatable):
    """A message queue that threads send to and receive from."""

    def __init__(self, k: KernelServices) -> None:
        self.k = k
        self.cond = threading.Condition()
        self.messages: deque[tuple[int, int]] = deque()
        self.sent = 0
        self.received = 0

    @virtual
    def send(self, payload: int, reply_port: int) -> int:
        """Queue a message; return 0 or -EINVAL for a payload that does not fit."""
        if not 0 <= payload <= PAYLOAD_MASK or reply_port < 0:
            return -EINVAL
        with self.cond:
            self.messages.append((payload, reply_port))
            self.sent += 1
            self.cond.notify()
        self.k.trace(TracePoint.IPC_SEND)
        return 0

    @virtual(blocking=True)
    def receive(self, timeout_ms: int) -> int:
        """Take the oldest message, waiting for one; return it packed, or -EAGAIN on timeout."""
        timeout = timeout_ms / 1000 if timeout_ms > 0 else None
        with self.cond:
            if not self.k.wait(self.cond, lambda: self.messages, timeout, deactivate=True):
                return -EAGAIN
            payload, reply_port = self.messages.popleft()
            self.received += 1
        self.k.trace(TracePoint.IPC_RECEIVE)
        return pack(reply_port, payload)

    @virtual
    def queued(self) -> int:
        """Return how many messages wait to be received."""
        return len(self.messages)
