"""The kernel works through the table: frames, files and sync, IPC, signals, processes, refusals."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from sample_kernel.errno import EAGAIN, EINVAL, ENOMEM
from sample_kernel.exception_path import handle_page_fault
from sample_kernel.ipc import IPCPort, pack
from sample_kernel.kernel import Kernel, KernelConfig, boot
from sample_kernel.pm import PMLeaf, PMRoot
from sample_kernel.process import Process
from sample_kernel.syscalls import SyscallError
from sample_kernel.tracing import TracePoint
from update_runtime import Updatable


def frames_in_use(kernel: Kernel, cls: type[Updatable], ref: int) -> int:
    with kernel.runtime.kernel_entry():
        return kernel.runtime.call(ref, cls.slot("framesInUse"))


def test_every_updatable_object_is_reached_only_through_the_table(kernel: Kernel) -> None:
    session = kernel.open_session(0)
    for ref in [session.process, session.reply_port, *session.files]:
        entry = kernel.runtime.table.entry(ref)
        assert entry.factory is not None and ref in entry.factory.live_refs()
    session.close()


def test_frames_are_owned_by_exactly_one_page_manager(kernel: Kernel) -> None:
    session = kernel.open_session(0)
    for page in range(10):
        session.fault(page)
    for page in (1, 3, 5):
        session.unmap(page)
    root = kernel.k.well_known("pm_root")
    leaves = kernel.runtime.factory("PMLeaf").live_refs()
    assert frames_in_use(kernel, PMRoot, root) == sum(
        frames_in_use(kernel, PMLeaf, r) for r in leaves
    )
    with kernel.runtime.kernel_entry():
        leaf = kernel.runtime.obj(session.process).pm
        assert kernel.runtime.call(leaf, PMLeaf.slot("freeFrame"), 99999) == -EINVAL
    session.close()
    assert frames_in_use(kernel, PMRoot, root) == 0


def test_the_root_runs_out_of_frames_with_enomem() -> None:
    kernel = boot(KernelConfig(frames=4, cache_files=0, ipc_servers=0))
    try:
        session = kernel.open_session(0)
        for page in range(4):
            session.fault(page)
        with pytest.raises(SyscallError) as raised:
            session.fault(4)
        assert raised.value.errno == ENOMEM
        session.close()
    finally:
        kernel.shutdown()


def test_process_exit_gives_every_frame_back(kernel: Kernel) -> None:
    session = kernel.open_session(0)
    child = session.spawn()
    for page in (0, 1, 2, 2):
        session.child_touch(child, page)
    root = kernel.k.well_known("pm_root")
    before = frames_in_use(kernel, PMRoot, root)
    session.exit_child(child)
    assert frames_in_use(kernel, PMRoot, root) == before - 3
    with kernel.runtime.kernel_entry():
        assert handle_page_fault(kernel.k, child, 0) == -3  # ESRCH: the process is gone
    session.close()


def test_files_read_back_and_a_forced_sync_reaches_the_disk(kernel: Kernel) -> None:
    session = kernel.open_session(3)
    session.file_write(0, 7, 2**62 + 5)
    session.file_write(1, 0, 11)
    assert session.file_read(0, 7) == 2**62 + 5
    assert kernel.device.read(6, 7) == 0
    session.file_sync(0, True)
    assert kernel.device.read(6, 7) == 2**62 + 5
    with pytest.raises(SyscallError):
        session.file_write(0, -1, 1)
    session.close()
    assert kernel.device.read(7, 0) == 11


def test_a_forced_sync_waits_for_the_disk(kernel: Kernel, wait_until: Callable[..., None]) -> None:
    session = kernel.open_session(0)
    session.file_write(0, 1, 42)
    kernel.device.pause()
    done = threading.Event()
    syncer = threading.Thread(target=lambda: (session.file_sync(0, True), done.set()))
    syncer.start()
    fcm = kernel.runtime.obj(kernel.fcms[0])
    wait_until(lambda: fcm.waiters)
    assert not done.is_set() and kernel.device.read(0, 1) == 0
    kernel.device.resume()
    syncer.join(10)
    assert done.is_set() and kernel.device.read(0, 1) == 42
    session.close()


def test_ipc_receive_blocks_until_a_message_arrives(
    kernel: Kernel, wait_until: Callable[..., None]
) -> None:
    session = kernel.open_session(0)
    assert session.ipc_call(1234) == 1235
    port = kernel.k.create("IPCPort")
    got: list[int] = []
    receiver = threading.Thread(
        target=lambda: got.append(_call(kernel, port, IPCPort.slot("receive"), 0))
    )
    receiver.start()
    wait_until(lambda: kernel.runtime.generations._waiters)
    assert not got
    assert _call(kernel, port, IPCPort.slot("send"), 77, 5) == 0
    receiver.join(10)
    assert got == [pack(5, 77)]
    assert _call(kernel, port, IPCPort.slot("receive"), 1) == -EAGAIN
    assert _call(kernel, port, IPCPort.slot("send"), 2**40, 5) == -EINVAL
    session.close()


def _call(kernel: Kernel, ref: int, number: int, *registers: int) -> int:
    with kernel.runtime.kernel_entry():
        return kernel.runtime.call(ref, number, *registers)


def test_signals_are_delivered_once_except_signal_one_in_version_1(kernel: Kernel) -> None:
    session = kernel.open_session(0)
    for signal in (1, 5, 5, 31):
        session.post_signal(signal)
    assert session.deliver_signals() == 2  # 5 twice is one pending signal; 1 is the known bug
    assert session.deliver_signals() == 0
    process = kernel.runtime.obj(session.process)
    assert process.pending == 1 << 1
    assert process.delivered[5] == 1 and process.delivered[31] == 1
    with pytest.raises(SyscallError):
        session.post_signal(32)
    session.close()


def test_trace_points_count_every_event(kernel: Kernel) -> None:
    session = kernel.open_session(0)
    before = kernel.trace.snapshot()
    session.fault(0)
    session.post_signal(3)
    after = kernel.trace.snapshot()
    assert after["PAGE_FAULT"] - before["PAGE_FAULT"] == 1
    assert after["SIGNAL_POST"] - before["SIGNAL_POST"] == 1
    assert kernel.trace.count(TracePoint.FRAME_ALLOC) >= 1
    session.close()


@pytest.mark.parametrize(
    ("method", "expected"),
    [("getFrame", 0), ("freeFrame", 1), ("framesInUse", 2), ("framesFree", 3)],
)
def test_method_numbers_follow_vtable_order(method: str, expected: int) -> None:
    assert PMRoot.slot(method) == expected


def test_process_vtable_is_inherited_first() -> None:
    assert PMLeaf.slot("releaseAll") == 3
    assert Process.vtable[:2] == ("regionRef", "postSignal")
