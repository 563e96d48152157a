"""File representatives: a process's handle on an open file, in front of its file cache manager.

A ``FileRep`` checks offsets, counts reads and writes, and forwards to the file's ``FCM``
through the table. Closing a file (:meth:`FileRep.close`) writes it back with a forced sync.
"""

from __future__ import annotations

from sample_kernel.errno import EINVAL
from sample_kernel.fcm import FCM, FILE_WORDS
from sample_kernel.services import KernelServices
from update_runtime import Updatable, virtual

FCM_READ = FCM.slot("readWord")
FCM_WRITE = FCM.slot("writeWord")
FCM_SYNC = FCM.slot("sync")


class FileRep(Updatable):
    """An open file: offsets are checked here, data lives in the file's FCM."""

    def __init__(self, k: KernelServices, file_id: int, fcm: int) -> None:
        self.k = k
        self.file_id = file_id
        self.fcm = fcm
        self.reads = 0
        self.writes = 0

    @virtual
    def read(self, offset: int) -> int:
        """Return the word at ``offset``."""
        if not 0 <= offset < FILE_WORDS:
            return -EINVAL
        self.reads += 1
        return self.k.ott[self.fcm][FCM_READ](offset)

    @virtual
    def write(self, offset: int, word: int) -> int:
        """Write ``word`` at ``offset``; return 0 or -EINVAL."""
        if not 0 <= offset < FILE_WORDS:
            return -EINVAL
        self.writes += 1
        return self.k.ott[self.fcm][FCM_WRITE](offset, word)

    @virtual
    def sync(self, forced: int) -> int:
        """Write the file back (waiting for the disk if ``forced``)."""
        return self.k.ott[self.fcm][FCM_SYNC](forced)

    @virtual
    def fcmRef(self) -> int:
        """Return the reference of the file's cache manager."""
        return self.fcm
