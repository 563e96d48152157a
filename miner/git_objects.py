"""Read git blobs through one long-lived ``git cat-file --batch`` process.

Starting a git process per blob is what makes naive miners slow; one batch process answers
every request over a pipe, and :meth:`BlobReader.read_many` asks for many objects at once.
The reader is lazy (the process starts on first use) and closes with its owner.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import subprocess
from pathlib import Path
from typing import IO

logger = logging.getLogger(__name__)
_REQUEST_CHUNK = 256
"""Object ids asked for at once: their lines fit the pipe's buffer, so writing never blocks."""


def blob_id(data: bytes, like: str) -> str:
    """Return the id git gives a blob holding ``data``, in the object format of the id ``like``.

    A repository's ids are SHA-1 (40 hex digits) or, in a SHA-256 repository, 64 digits.
    """
    digest = hashlib.sha256() if len(like) == 64 else hashlib.sha1(usedforsecurity=False)
    digest.update(b"blob %d\0" % len(data))
    digest.update(data)
    return digest.hexdigest()


class GitObjectError(RuntimeError):
    """The ``git cat-file`` process failed or answered something unexpected."""


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

    def read(self, oid: str) -> bytes | None:
        """Return the bytes of object ``oid``, or ``None`` if the repository lacks it."""
        return self.read_many([oid])[oid]

    def read_many(self, oids: list[str]) -> dict[str, bytes | None]:
        """Return the bytes of several objects, asking for a chunk of them at a time.

        One request per chunk instead of one per object saves a pipe round trip per object.
        """
        found: dict[str, bytes | None] = {}
        process = self._start()
        assert process.stdin is not None and process.stdout is not None
        for start in range(0, len(oids), _REQUEST_CHUNK):
            chunk = oids[start : start + _REQUEST_CHUNK]
            try:
                process.stdin.write(b"".join(oid.encode("ascii") + b"\n" for oid in chunk))
                process.stdin.flush()
                for oid in chunk:
                    found[oid] = self._answer(process.stdout, oid)
            except (BrokenPipeError, OSError) as error:
                self.close()
                raise GitObjectError(
                    f"git cat-file stopped while reading {chunk[0]}: {error}"
                ) from error
        return found

    def _answer(self, stdout: IO[bytes], oid: str) -> bytes | None:
        header = stdout.readline()
        fields = header.split()
        if len(fields) == 2 and fields[1] == b"missing":
            return None
        if len(fields) != 3:
            self.close()
            raise GitObjectError(f"git cat-file answered {header[:80]!r} for {oid}")
        return _read_exactly(stdout, int(fields[2]) + 1)[:-1]

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
