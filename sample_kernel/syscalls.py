"""The system-call layer: one client's session, turning workload calls into calls through the table.

Each system call is one visit to the kernel (``Runtime.kernel_entry``), which is what the
runtime's thread generations count. A session owns the client's process, its open files
(``FileRep`` objects over the kernel's page cache) and an IPC port for replies. Kernel results
that signal an error (negative errno in r3) become :class:`SyscallError`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sample_kernel.exception_path import handle_page_fault, handle_unmap
from sample_kernel.file_rep import FileRep
from sample_kernel.ipc import IPCPort, unpack
from sample_kernel.process import Process
from sample_kernel.workload import FILES_PER_CLIENT

if TYPE_CHECKING:
    from sample_kernel.kernel import Kernel

FR_READ, FR_WRITE, FR_SYNC = (FileRep.slot(n) for n in ("read", "write", "sync"))
P_POST, P_DELIVER, P_EXIT = (Process.slot(n) for n in ("postSignal", "deliverSignals", "exit"))
PORT_SEND, PORT_RECEIVE = IPCPort.slot("send"), IPCPort.slot("receive")


class SyscallError(Exception):
    """A system call returned a negative errno."""

    def __init__(self, call: str, errno: int) -> None:
        super().__init__(f"system call {call} failed with errno {-errno}")
        self.call = call
        self.errno = -errno


def _check(call: str, result: int) -> int:
    if result < 0:
        raise SyscallError(call, result)
    return result


class Session:
    """One client's system calls (implements :class:`sample_kernel.workload.ClientSyscalls`)."""

    def __init__(self, kernel: Kernel, number: int) -> None:
        self.kernel = kernel
        self.k = kernel.k
        self.entry = kernel.runtime.kernel_entry
        self.ott = kernel.runtime.ott
        with self.entry():
            self.process = self.k.create("Process", kernel.next_pid(), 0)
            self.files = [
                self.k.create("FileRep", fid, kernel.fcm_for(fid))
                for fid in range(number * FILES_PER_CLIENT, (number + 1) * FILES_PER_CLIENT)
            ]
            self.reply_port = self.k.create("IPCPort")

    def file_write(self, file: int, offset: int, word: int) -> None:
        with self.entry():
            _check("write", self.ott[self.files[file]][FR_WRITE](offset, word))

    def file_read(self, file: int, offset: int) -> int:
        with self.entry():
            return self.ott[self.files[file]][FR_READ](offset)

    def file_sync(self, file: int, forced: bool) -> None:
        with self.entry():
            _check("fsync" if forced else "sync", self.ott[self.files[file]][FR_SYNC](int(forced)))

    def spawn(self) -> int:
        with self.entry():
            return self.k.create("Process", self.kernel.next_pid(), self.process)

    def child_touch(self, pid: int, page: int) -> None:
        with self.entry():
            _check("touch", handle_page_fault(self.k, pid, page))

    def exit_child(self, pid: int) -> None:
        with self.entry():
            _check("exit", self.ott[pid][P_EXIT]())
            self.k.destroy(pid)

    def ipc_call(self, word: int) -> int:
        with self.entry():
            _check("send", self.ott[self.kernel.server_port][PORT_SEND](word, self.reply_port))
            message = _check("receive", self.ott[self.reply_port][PORT_RECEIVE](0))
            return unpack(message)[1]

    def post_signal(self, signal: int) -> None:
        with self.entry():
            _check("kill", self.ott[self.process][P_POST](signal))

    def deliver_signals(self) -> int:
        with self.entry():
            return self.ott[self.process][P_DELIVER]()

    def fault(self, page: int) -> None:
        with self.entry():
            _check("fault", handle_page_fault(self.k, self.process, page))

    def unmap(self, page: int) -> None:
        with self.entry():
            _check("munmap", handle_unmap(self.k, self.process, page))

    def close(self) -> None:
        """Write the client's files back, close them, and end its process."""
        for file in range(len(self.files)):
            self.file_sync(file, True)
        with self.entry():
            for ref in self.files:
                self.k.destroy(ref)
            self.ott[self.process][P_EXIT]()
            self.k.destroy(self.process)
            self.k.destroy(self.reply_port)
