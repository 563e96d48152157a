"""The named exceptions of the update runtime; the CLI and the kernel turn them into messages."""

from __future__ import annotations


class UpdateRuntimeError(Exception):
    """Base of every error the update runtime raises."""


class RegisterOverflow(UpdateRuntimeError):
    """A call or a virtual method carries more than eight register arguments (r3..r10)."""


class RegisterValueError(UpdateRuntimeError):
    """A register holds something that is not a 64-bit integer (rejected, never wrapped)."""


class BadMethodNumber(UpdateRuntimeError):
    """A call names a method number outside the object's virtual-method table."""


class DeadReference(UpdateRuntimeError):
    """A call or a destroy names a reference that was destroyed or reclaimed."""


class NotInKernel(UpdateRuntimeError):
    """A checked call was made by a thread outside ``Runtime.kernel_entry()``."""


class UnknownClass(UpdateRuntimeError):
    """A class or type name has no factory in this runtime."""


class UpdateModuleError(UpdateRuntimeError):
    """An update module could not be loaded or does not declare a valid ``UPDATE``."""


class UpdateRefused(UpdateRuntimeError):
    """An update cannot be applied at all (bad target, missing dependency, untracked factory)."""


class NotUpdatable(UpdateRefused):
    """An update targets code that is not reached through the object translation table."""


class MissingDependency(UpdateRefused):
    """An update requires another update that is not applied."""


class QuiescenceTimeout(UpdateRuntimeError):
    """Quiescence did not come in time; the update was aborted and nothing was changed.

    :param threads: names of the threads that were still inside the kernel, with where they wait.
    """

    def __init__(self, message: str, threads: tuple[str, ...]) -> None:
        super().__init__(message)
        self.threads = threads


class TransferError(UpdateRuntimeError):
    """A state transfer cannot be done (a changed layout without a transfer function)."""


class UpdateFailed(UpdateRuntimeError):
    """An update failed while converting objects; every object was left on its old version."""


class ReversalError(UpdateRuntimeError):
    """An update cannot be reverted (not the latest on its classes, required by another, ...)."""


class AdaptorError(UpdateRuntimeError):
    """An adaptor does not cover the old interface it stands in for."""


class CallInterrupted(UpdateRuntimeError):  # noqa: N818 (named after EINTR, not an error)
    """Raised inside ``Runtime.wait`` when the object the thread waits in is being updated.

    Kernel code must let it propagate: the runtime catches it at the call boundary and re-dispatches
    the call to the new version of the object.
    """
