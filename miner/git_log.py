"""Parse the byte stream of one ``git log --raw -p -z`` into commits and file changes.

The git source runs a single ``git log`` over the whole history and parses its output
incrementally, so that memory stays flat however long the history is. Each commit starts with
a per-run marker (a random nonce, so no file content can fake it) followed by NUL-separated
header fields, then git's ``--raw -z`` records (exact paths as bytes, modes, blob ids, status),
then the unified patches. A sample of one commit's bytes (``\\0`` is NUL, ``M`` the marker)::

    \\0M\\0<id>\\0<parents>\\0Ann\\0ann@x\\01700000000 +0100\\0Cy\\0cy@x\\01700000000 +0100\\0msg
    \\0\\n:100644 100644 <old blob> <new blob> M\\0src/a.c\\0\\0diff --git a/src/a.c b/src/a.c
    index <old blob>..<new blob> 100644
    --- a/src/a.c
    +++ b/src/a.c
    @@ -1 +1 @@ ...

Patches are matched to raw records by their ``index`` line's blob ids; a record without a
matching patch gets no raw diff (the stage then diffs the blobs itself).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

SUBMODULE_MODE = "160000"
HEADER_FIELDS = ("%H", "%P", "%an", "%ae", "%ad", "%cn", "%ce", "%cd", "%B")
STATUS_KINDS = {
    "A": "added",
    "D": "deleted",
    "M": "modified",
    "R": "renamed",
    "C": "copied",
    "T": "type-changed",
}


class GitLogFormatError(ValueError):
    """The ``git log`` output did not have the expected shape."""


@dataclass(frozen=True)
class RawChange:
    """One ``--raw`` record: modes, blob ids, status and paths (bytes, exactly as stored)."""

    old_mode: str
    new_mode: str
    old_oid: str | None
    new_oid: str | None
    status: str
    path: bytes
    old_path: bytes | None = None


@dataclass(frozen=True)
class Patch:
    """The patch git printed for one file: hunks only (from the first ``@@``), or binary."""

    hunks: bytes
    is_binary: bool
    lines_added: int
    lines_deleted: int


@dataclass(frozen=True)
class GitCommit:
    """One commit's header fields (bytes) and its file changes, each with its patch if any."""

    oid: str
    parents: tuple[str, ...]
    author: bytes
    author_email: bytes
    author_date: bytes
    committer: bytes
    committer_email: bytes
    committer_date: bytes
    message: bytes
    changes: tuple[tuple[RawChange, Patch | None], ...]


def log_format(marker: str) -> str:
    """Return the ``--format`` string that starts each commit with ``marker``."""
    return "%x00" + marker + "%x00" + "%x00".join(HEADER_FIELDS)


def split_commits(chunks: Iterable[bytes], marker: bytes) -> Iterator[bytes]:
    """Yield each commit's bytes (after its marker) from a stream of output chunks."""
    separator = b"\0" + marker + b"\0"
    buffer = bytearray()
    search_from = 0
    for chunk in chunks:
        buffer += chunk
        while True:
            found = buffer.find(separator, search_from)
            if found < 0:
                search_from = max(0, len(buffer) - len(separator))
                break
            if found > 0:
                yield bytes(buffer[:found])
            del buffer[: found + len(separator)]
            search_from = 0
    if buffer:
        yield bytes(buffer)


def parse_commit(segment: bytes) -> GitCommit:
    """Parse one commit's bytes (header fields, raw records, patches)."""
    parts = segment.split(b"\0", len(HEADER_FIELDS))
    if len(parts) < len(HEADER_FIELDS):
        raise GitLogFormatError(f"truncated commit header: {segment[:80]!r}")
    oid, parents, author, email, adate, committer, cemail, cdate, message = parts[:9]
    rest = parts[9] if len(parts) > 9 else b""
    raws, patch_text = parse_raw_records(rest.lstrip(b"\n"))
    patches = index_patches(patch_text)
    changes = tuple((raw, patches.pop((raw.old_oid, raw.new_oid), None)) for raw in raws)
    return GitCommit(
        oid=oid.decode("ascii"),
        parents=tuple(parents.decode("ascii").split()),
        author=author,
        author_email=email,
        author_date=adate,
        committer=committer,
        committer_email=cemail,
        committer_date=cdate,
        message=message,
        changes=changes,
    )


def _oid(text: str) -> str | None:
    return None if not text.strip("0") else text


def parse_raw_records(data: bytes) -> tuple[list[RawChange], bytes]:
    """Parse the ``--raw -z`` records at the start of ``data``; return them and what follows."""
    records: list[RawChange] = []
    position = 0
    while data.startswith(b":", position):
        meta_end = data.index(b"\0", position)
        old_mode, new_mode, old_oid, new_oid, status = (
            data[position + 1 : meta_end].decode("ascii").split(" ")
        )
        first_end = data.index(b"\0", meta_end + 1)
        first = data[meta_end + 1 : first_end]
        position = first_end + 1
        second = None
        if status[0] in "RC":
            second_end = data.index(b"\0", position)
            second = data[position:second_end]
            position = second_end + 1
        path, old_path = (second, first) if second is not None else (first, None)
        records.append(
            RawChange(old_mode, new_mode, _oid(old_oid), _oid(new_oid), status, path, old_path)
        )
    return records, data[position:].lstrip(b"\0\n")


def index_patches(text: bytes) -> dict[tuple[str | None, str | None], Patch]:
    """Split a commit's patch text into per-file patches keyed by (old blob, new blob)."""
    patches: dict[tuple[str | None, str | None], Patch] = {}
    if not text:
        return patches
    for section in text.split(b"\ndiff --git "):
        key, patch = parse_patch_section(section)
        if key is not None:
            patches.setdefault(key, patch)
    return patches


def parse_patch_section(section: bytes) -> tuple[tuple[str | None, str | None] | None, Patch]:
    """Parse one file's patch: its blob-id key (``None`` if it has no index line) and hunks."""
    hunk_start = section.find(b"\n@@ ")
    header = section if hunk_start < 0 else section[:hunk_start]
    key = None
    for line in header.split(b"\n"):
        if line.startswith(b"index "):
            ids = line[6:].split(b" ", 1)[0]
            old, _, new = ids.partition(b"..")
            key = (_oid(old.decode("ascii")), _oid(new.decode("ascii")))
            break
    if hunk_start < 0:
        return key, Patch(b"", b"\nBinary files " in header or header.startswith(b"Binary"), 0, 0)
    hunks = section[hunk_start + 1 :]
    if not hunks.endswith(b"\n"):
        hunks += b"\n"
    added = hunks.count(b"\n+") + hunks.startswith(b"+")
    deleted = hunks.count(b"\n-") + hunks.startswith(b"-")
    return key, Patch(hunks, False, added, deleted)


def parse_date(raw_date: bytes) -> tuple[datetime, int]:
    """Turn git's raw date (``1700000000 +0130``) into (naive UTC time, offset in minutes)."""
    seconds, _, zone = raw_date.decode("ascii").partition(" ")
    sign = -1 if zone.startswith("-") else 1
    digits = zone.lstrip("+-") or "0000"
    offset = sign * (int(digits[:-2] or 0) * 60 + int(digits[-2:]))
    when = datetime.fromtimestamp(int(seconds), UTC).replace(tzinfo=None)
    return when, offset


def changed_line_numbers(hunks: str) -> tuple[list[int], list[int]]:
    """Return the old-side line numbers deleted and the new-side line numbers added by hunks."""
    deleted: list[int] = []
    added: list[int] = []
    old_line = new_line = 0
    for line in hunks.split("\n"):
        head = line[:1]
        if head == "@":
            old_part, new_part = line.split(" ")[1:3]
            old_line = int(old_part[1:].split(",")[0])
            new_line = int(new_part[1:].split(",")[0])
        elif head == "-":
            deleted.append(old_line)
            old_line += 1
        elif head == "+":
            added.append(new_line)
            new_line += 1
        elif head == " ":
            old_line += 1
            new_line += 1
    return deleted, added
