"""Open a history source by its location, and read file versions back for later stages.

:func:`open_source` tells a git repository from a CVS repository (a directory of ``,v`` files)
and returns the matching :class:`~miner.records.HistorySource`. :func:`read_file_version`
rebuilds the source a :class:`~miner.models.Repository` row was mined from (kind, location,
options) and reads one side of a stored file revision; open sources are cached, so repeated
calls share one ``git cat-file --batch`` process (git) or one parsed-file cache (CVS).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from miner.git_source import GitSource, check_readable, git_repository_root
from miner.models import FileRevision, Repository
from miner.options import MineOptions
from miner.records import FileChange, HistorySource
from miner.source_errors import NotARepository, SourceError

KINDS = ("git", "cvs")
_CVS_MARKERS = ("CVSROOT", "Attic")
_OPEN_SOURCES = 8


class UnknownSourceKind(SourceError):
    """A source kind other than ``git`` or ``cvs`` was asked for."""


def looks_like_cvs(location: Path) -> bool:
    """Return whether ``location`` holds ``,v`` files or CVSROOT/Attic directories (first found)."""
    for _directory, directories, files in os.walk(location):
        if any(name.endswith(",v") for name in files):
            return True
        if any(name in _CVS_MARKERS for name in directories):
            return True
        directories[:] = [name for name in directories if name != ".git"]
    return False


def detect_kind(location: Path) -> str:
    """Return ``git`` or ``cvs`` for ``location``, or raise :class:`NotARepository`."""
    check_readable(location)
    root = git_repository_root(location)
    if root is not None and root.resolve() == location.resolve():
        return "git"
    if looks_like_cvs(location):
        return "cvs"
    if root is not None:
        return "git"  # inside a work tree: GitSource names the top level to use instead
    raise NotARepository(f"{location} is neither a git repository nor a CVS repository")


def open_source(
    location: Path, kind: str | None = None, options: MineOptions | None = None
) -> HistorySource:
    """Open the git or CVS repository at ``location`` (kind detected unless given)."""
    options = options or MineOptions()
    kind = kind or detect_kind(location)
    if kind == "git":
        return GitSource(location, options)
    if kind == "cvs":
        from miner.cvs_source import CvsSource  # the CVS source is optional until it lands

        check_readable(location)
        return CvsSource(location, options)
    raise UnknownSourceKind(f"unknown source kind {kind!r}: use one of {', '.join(KINDS)}")


@lru_cache(maxsize=_OPEN_SOURCES)
def _cached_source(kind: str, location: str, options_json: str) -> HistorySource:
    return open_source(Path(location), kind, MineOptions.from_json(options_json))


def source_for(repository: Repository) -> HistorySource:
    """Return the (cached) open source a repository row was mined from."""
    return _cached_source(repository.kind, repository.location, repository.options or "{}")


def file_change_of(file_revision: FileRevision) -> FileChange:
    """Rebuild the source's view of a stored file revision."""
    return FileChange(
        path=file_revision.path,
        path_raw=file_revision.path_raw,
        old_path=file_revision.old_path,
        change_kind=file_revision.change_kind,
        old_version=file_revision.old_version,
        new_version=file_revision.new_version,
        rcs_file=file_revision.rcs_file,
        is_binary=file_revision.is_binary,
        is_submodule=file_revision.is_submodule,
    )


TextReader = Callable[[Repository, FileRevision, str], "bytes | None"]
"""Reads one side (``old``/``new``) of a stored file revision; :func:`read_file_version` is one."""


def read_file_version(
    repository: Repository, file_revision: FileRevision, side: str
) -> bytes | None:
    """Return the bytes of the ``old`` or ``new`` side of a stored file revision.

    :param side: ``old`` or ``new``; ``None`` comes back for an absent side (added/deleted).
    """
    if side not in ("old", "new"):
        raise ValueError(f"side must be 'old' or 'new', not {side!r}")
    return source_for(repository).read_version(file_change_of(file_revision), side)
