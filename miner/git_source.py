"""The git history source: one streamed ``git log`` plus ``git cat-file --batch`` processes.

:class:`GitSource` checks the repository (not a repository, empty, shallow, unreadable, unknown
refs: each a named error), then streams ``git log --raw -p -z`` over the chosen refs, oldest
first, and turns every commit into a :class:`~miner.records.TransactionRecord`. Commits already
in the database are excluded by git itself (``^<commit>`` for every known commit, fed on
stdin), so an incremental run reads only what is new.

Choices (see the README): merges are recorded and flagged but carry no file revisions, because
every change they bring in is already recorded by the merged branch's own commits; renames and
copies are detected (``-M -C``); submodule changes are recorded (flagged, never read); paths,
names and messages that are not UTF-8 keep their raw bytes; a shallow clone is refused.
"""

from __future__ import annotations

import logging
import os
import secrets
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from miner.cleaning import decode_source_as
from miner.git_log import (
    STATUS_KINDS,
    SUBMODULE_MODE,
    GitCommit,
    Patch,
    RawChange,
    log_format,
    parse_commit,
    parse_date,
    split_commits,
)
from miner.git_objects import BlobReader, blob_id
from miner.options import MineOptions
from miner.records import FileChange, SourceScan, TransactionRecord
from miner.source_errors import (
    EmptyRepository,
    NotARepository,
    ShallowRepository,
    SourceFailed,
    UnknownRef,
    UnreadableSource,
)

logger = logging.getLogger(__name__)
_READ_CHUNK = 1 << 20


def decode(data: bytes) -> tuple[str, bytes | None]:
    """Decode UTF-8; where that fails return escaped text and the raw bytes to keep."""
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        return data.decode("utf-8", "backslashreplace"), data


def _git(location: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", "-C", str(location), *args], capture_output=True, check=False)


def check_readable(location: Path) -> None:
    """Raise :class:`UnreadableSource` unless ``location`` is a directory we may list."""
    if not location.exists():
        raise UnreadableSource(f"{location} does not exist")
    if not location.is_dir():
        raise NotARepository(f"{location} is a file, not a git or CVS repository directory")
    if not os.access(location, os.R_OK | os.X_OK):
        raise UnreadableSource(f"{location} cannot be read: permission denied")


def git_repository_root(location: Path) -> Path | None:
    """Return the repository's top level (or git dir if bare) if ``location`` is in one."""
    result = _git(location, "rev-parse", "--is-bare-repository", "--absolute-git-dir")
    if result.returncode != 0:
        return None
    is_bare, git_dir = result.stdout.decode("utf-8", "surrogateescape").splitlines()[:2]
    if is_bare == "true":
        return Path(git_dir)
    top = _git(location, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        return Path(git_dir)  # inside the .git directory of a work tree
    return Path(top.stdout.decode("utf-8", "surrogateescape").strip())


class GitSource:
    """A git repository as a :class:`~miner.records.HistorySource`."""

    kind = "git"

    def __init__(self, location: Path, options: MineOptions | None = None) -> None:
        self.options = options or MineOptions()
        check_readable(location)
        root = git_repository_root(location)
        if root is None:
            raise NotARepository(f"{location} is not a git repository")
        if root.resolve() != location.resolve():
            raise NotARepository(
                f"{location} is inside the git repository {root}: give {root} "
                f"(and --path to keep only some directories)"
            )
        self.location = root.resolve()
        self._check_history()
        self._blobs = BlobReader(self.location)
        self._single_blobs = BlobReader(self.location)
        """:meth:`read_version`'s own process: the stage's read-ahead thread may be in
        :meth:`read_versions` meanwhile, and a cat-file process serves one thread at a time."""

    def _check_history(self) -> None:
        if _git(self.location, "rev-parse", "--is-shallow-repository").stdout.strip() == b"true":
            raise ShallowRepository(
                f"{self.location} is a shallow clone, so its history is cut off: "
                f"run `git fetch --unshallow` in it first"
            )
        head = _git(self.location, "rev-parse", "-q", "--verify", "HEAD^{commit}")
        if head.returncode != 0 and not self.options.refs:
            raise EmptyRepository(f"{self.location} is an empty git repository: it has no commits")
        for ref in self.options.refs:
            if _git(self.location, "rev-parse", "-q", "--verify", f"{ref}^{{commit}}").returncode:
                raise UnknownRef(f"{self.location} has no branch, tag or commit named {ref!r}")

    def _revision_args(self) -> list[str]:
        args = [*(self.options.refs or ("HEAD",))]
        if self.options.since:
            args.append(f"--since={self.options.since.isoformat()}+00:00")
        if self.options.until:
            args.append(f"--until={self.options.until.isoformat()}+00:00")
        return args

    def _path_args(self) -> list[str]:
        return ["--", *self.options.paths] if self.options.paths else []

    def tips(self) -> list[str]:
        """Return the commit ids the chosen refs point at now."""
        refs = [f"{ref}^{{commit}}" for ref in self.options.refs or ("HEAD",)]
        result = _git(self.location, "rev-parse", *refs)
        return result.stdout.decode("ascii").split()

    def count(self, known_keys: frozenset[str]) -> int:
        """Return how many commits :meth:`scan` will yield."""
        args = ["rev-list", "--count", "--ignore-missing", "--stdin", *self._revision_args()]
        result = subprocess.run(
            ["git", "-C", str(self.location), *args, *self._path_args()],
            input=_negations(known_keys),
            capture_output=True,
            check=False,
        )
        return int(result.stdout or 0) if result.returncode == 0 else 0

    def scan(self, known_keys: frozenset[str]) -> SourceScan:
        """Stream every commit not in ``known_keys`` reachable from the refs, oldest first."""
        return SourceScan(records=self._records(known_keys), complete=False)

    def _log_command(self, marker: str) -> list[str]:
        return [
            "git", "-C", str(self.location),
            "-c", "core.quotepath=off", "-c", "log.showSignature=false", "-c", "diff.noprefix=0",
            "log", "--raw", "-p", "-z", "--no-abbrev", "--full-index", "-M", "-C",
            "--diff-merges=off", "--no-color", "--no-ext-diff", "--no-textconv", "--no-mailmap",
            "--no-relative", "--date=raw", "--date-order", "--reverse",
            f"--format={log_format(marker)}", "--ignore-missing", "--stdin",
            *self._revision_args(), *self._path_args(),
        ]  # fmt: skip

    def _records(self, known_keys: frozenset[str]) -> Iterator[TransactionRecord]:
        marker = "dsukit-" + secrets.token_hex(16)
        with tempfile.TemporaryFile() as errors:
            process = subprocess.Popen(
                self._log_command(marker),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=errors,
            )
            assert process.stdin is not None and process.stdout is not None
            try:
                process.stdin.write(_negations(known_keys))
                process.stdin.close()
                stdout = process.stdout
                chunks = iter(lambda: stdout.read1(_READ_CHUNK), b"")
                for segment in split_commits(chunks, marker.encode("ascii")):
                    yield commit_record(parse_commit(segment), self.options.max_file_bytes)
                if process.wait() != 0:
                    errors.seek(0)
                    message = errors.read().decode("utf-8", "replace").strip()
                    raise SourceFailed(f"git log failed in {self.location}: {message}")
            finally:
                if process.poll() is None:
                    process.kill()
                process.stdout.close()
                process.wait()

    def read_version(self, change: FileChange, side: str) -> bytes | None:
        """Return the blob of the ``old`` or ``new`` side of ``change`` (``None`` if absent)."""
        oid = change.old_version if side == "old" else change.new_version
        if oid is None or change.is_submodule:
            return None
        return self._single_blobs.read(oid)

    def read_versions(self, wanted: list[tuple[FileChange, str]]) -> dict[str, bytes | None]:
        """Return the blobs of several sides at once, by blob id (one request for them all).

        This and :meth:`read_version` use separate processes, so one thread may call each at
        the same time (the stage reads ahead here while its cleaning reads what it lacks).
        """
        oids = (
            change.old_version if side == "old" else change.new_version
            for change, side in wanted
            if not change.is_submodule
        )
        return self._blobs.read_many(list(dict.fromkeys(oid for oid in oids if oid is not None)))

    def content_key(self, data: bytes, like: str) -> str:
        """Return the blob id of ``data`` (in the format of the blob id ``like``)."""
        return blob_id(data, like)

    def close(self) -> None:
        """Stop the blob reader processes."""
        self._blobs.close()
        self._single_blobs.close()


def _negations(known_keys: frozenset[str]) -> bytes:
    return b"".join(b"^" + key.encode("ascii") + b"\n" for key in sorted(known_keys))


def commit_record(commit: GitCommit, max_diff_bytes: int) -> TransactionRecord:
    """Turn one parsed commit into a transaction record."""
    author_time, author_tz = parse_date(commit.author_date)
    commit_time, commit_tz = parse_date(commit.committer_date)
    message, message_raw = decode(commit.message.rstrip(b"\n"))
    is_merge = len(commit.parents) > 1
    return TransactionRecord(
        key=commit.oid,
        author=decode(commit.author)[0],
        author_email=decode(commit.author_email)[0],
        author_time=author_time,
        author_tz=author_tz,
        committer=decode(commit.committer)[0],
        committer_email=decode(commit.committer_email)[0],
        commit_time=commit_time,
        commit_tz=commit_tz,
        first_time=author_time,
        message=message,
        message_raw=message_raw,
        parents=commit.parents,
        is_merge=is_merge,
        grouping="git",
        files=()
        if is_merge
        else tuple(file_change(r, p, max_diff_bytes) for r, p in commit.changes),
    )


def file_change(raw: RawChange, patch: Patch | None, max_diff_bytes: int) -> FileChange:
    """Turn one raw record and its patch into a file change (raw diff kept if small enough)."""
    path, path_raw = decode(raw.path)
    old_path = decode(raw.old_path)[0] if raw.old_path is not None else None
    raw_diff: str | None = None
    encoding: str | None = None
    if raw.old_oid == raw.new_oid:
        raw_diff, encoding = "", "ascii"
    elif patch is not None and len(patch.hunks) <= max_diff_bytes:
        raw_diff, encoding = decode_source_as(patch.hunks)
    return FileChange(
        path=path,
        path_raw=path_raw,
        old_path=old_path,
        change_kind=STATUS_KINDS.get(raw.status[0], "modified"),
        old_version=raw.old_oid,
        new_version=raw.new_oid,
        is_binary=patch is not None and patch.is_binary,
        is_submodule=SUBMODULE_MODE in (raw.old_mode, raw.new_mode),
        raw_diff=raw_diff,
        raw_diff_encoding=encoding,
    )
