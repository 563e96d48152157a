"""Read git blobs through one long-lived ``git cat-file --batch`` process.

Starting a git process per blob is what makes naive miners slow; one batch process answers
every request over a pipe. The reader is lazy (the process starts on first use), bounded
(a blob larger than the caller's limit is drained, not kept) and closes with its owner.
"""

from __future__ import annotations

import contextlib
import logging
import subprocess
from pathlib import Path
from typing import IO

logger = logging.getLogger(__name__)
_DRAIN_CHUNK = 1 << 20


class GitObjectError(RuntimeError):
    """The ``git cat-file`` process failed or answered something unexpected."""


class BlobTooLarge(Exception):
    """A blob is larger than the caller's limit; ``size`` says how large."""

    def __init__(self, oid: str, size: int) -> None:
        super().__init__(f"blob {oid} has {size} bytes")
        self.oid = oid
        self.size = size


class BlobReader:
    """Answer blob reads from one ``git cat-file --batch`` process of a repository."""

    def __init__(self, repository: Path) -> None:
        self.repository = repository
        self._process: subprocess.Popen[bytes] | None = None

    def _start(self) -> subprocess.Popen[bytes]:
        if self._process is None or self._process.poll() is not None:
            self._process = subprocess.Popen(
                ["git", "-C", str(self.repository), "cat-file", "--batch"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        return self._process

    def read(self, oid: str, max_bytes: int | None = None) -> bytes | None:
        """Return the bytes of object ``oid``, or ``None`` if the repository lacks it.

        :param max_bytes: raise :class:`BlobTooLarge` (after draining it) for a larger object.
        """
        process = self._start()
        assert process.stdin is not None and process.stdout is not None
        try:
            process.stdin.write(oid.encode("ascii") + b"\n")
            process.stdin.flush()
            header = process.stdout.readline()
        except (BrokenPipeError, OSError) as error:
            self.close()
            raise GitObjectError(f"git cat-file stopped while reading {oid}: {error}") from error
        fields = header.split()
        if len(fields) == 2 and fields[1] == b"missing":
            return None
        if len(fields) != 3:
            self.close()
            raise GitObjectError(f"git cat-file answered {header[:80]!r} for {oid}")
        size = int(fields[2])
        if max_bytes is not None and size > max_bytes:
            _drain(process.stdout, size + 1)
            raise BlobTooLarge(oid, size)
        data = _read_exactly(process.stdout, size + 1)
        return data[:-1]

    def close(self) -> None:
        """Stop the batch process (it restarts on the next read)."""
        process, self._process = self._process, None
        if process is None:
            return
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                stream.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.close()


def _read_exactly(stream: IO[bytes], size: int) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise GitObjectError(f"git cat-file output ended after {len(data)} of {size} bytes")
    return data


def _drain(stream: IO[bytes], size: int) -> None:
    while size > 0:
        got = stream.read(min(size, _DRAIN_CHUNK))
        if not got:
            raise GitObjectError("git cat-file output ended while skipping a large object")
        size -= len(got)
