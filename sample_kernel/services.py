"""What every kernel object may use besides its own state: the runtime, tracing, the disk.

Kernel objects keep a :class:`KernelServices` in their state (as K42 objects reach global
services). It is the kernel itself, not part of any object's state, so exporting an object's
state shares it instead of copying it (``__deepcopy__`` returns it unchanged).

Calls between objects go through the object translation table's fast path,
``k.ott[ref][method_number](*registers)``: callers hold references and method numbers, never
objects.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sample_kernel.tracing import TracePoint, TraceService
from update_runtime import Runtime

if TYPE_CHECKING:
    from sample_kernel.device import BlockDevice


class KernelServices:
    """The runtime, the trace service, the block device and the well-known objects.

    It has no ``__dict__`` (``__slots__``), so state checksums see it as one opaque token.
    """

    __slots__ = ("runtime", "ott", "trace", "device", "_well_known")

    def __init__(self, runtime: Runtime, trace: TraceService, device: BlockDevice) -> None:
        self.runtime = runtime
        self.ott = runtime.ott
        self.trace: Callable[[TracePoint], None] = trace.trace
        self.device = device
        self._well_known: dict[str, int] = {}

    def __deepcopy__(self, memo: dict[int, Any]) -> KernelServices:
        return self

    def __repr__(self) -> str:
        return "<KernelServices>"

    def wait(
        self,
        condition: Any,
        predicate: Callable[[], object],
        timeout: float | None,
        deactivate: bool = False,
    ) -> bool:
        """Block on ``condition`` (held) until ``predicate()``; an update may interrupt it.

        :param deactivate: the blocking method was called straight from the system-call layer,
            so the waiting thread need not hold up updates of other objects (K42's deactivation).
        """
        return self.runtime.wait(condition, predicate, timeout, deactivate=deactivate)

    def create(self, type_name: str, *args: Any) -> int:
        """Create an object through its factory; return its reference."""
        return self.runtime.factory(type_name).create(self, *args)

    def destroy(self, ref: int) -> None:
        """Destroy the object at ``ref`` through its factory."""
        self.runtime.destroy(ref)

    def publish(self, name: str, ref: int) -> None:
        """Make ``ref`` the well-known object ``name`` (K42's global object references)."""
        self._well_known[name] = ref

    def well_known(self, name: str) -> int:
        """Return the reference now serving well-known object ``name`` (following adaptors)."""
        return self.runtime.translate(self._well_known[name])
