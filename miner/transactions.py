"""Group CVS file revisions into transactions: by commitid, else by a sliding time window.

CVS commits each file separately; since CVS 1.12 every file revision of one ``cvs commit`` carries
the same ``commitid``. Older revisions are grouped by the Zimmermann-Weissgerber rule: same
author, same log message, same branch, each revision within ``window_seconds`` of the previous
one of the group (or of its first one, with ``fixed=True``), and a file at most once per
transaction. Two refinements, each a fact about how CVS writes revisions rather than a tuned
threshold, make the window closer to the commits people made:

- a ``cvs import`` of a new file writes two revisions at the same second, the trunk ``1.1``
  ("Initial revision") and the vendor branch's ``1.1.1.1`` (the import message); the caller
  folds them into one revision (:attr:`CvsRevision.folded`), so they are one change of one group;
- ``cvs commit`` writes the files of one commit in one pass, directory by directory, each
  directory's files in name order. A candidate member that would go back to an earlier
  directory or an earlier name in the same directory after the group's last member
  therefore starts a new commit: the same author re-using a message ("sync", "regen") within
  the window is told apart from one commit this way (``order_split``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class CvsRevision:
    """One file revision as grouping sees it."""

    rcs_file: str
    """The ``,v`` file, relative to the repository location."""
    revision: str
    time: datetime
    author: str
    log: bytes
    branch: str | None
    """Branch name or number; ``None`` on the trunk."""
    commitid: str | None = None
    folded: tuple[str, ...] = ()
    """Revisions of the same file folded into this one (the trunk ``1.1`` of an import pair)."""

    @property
    def members(self) -> tuple[tuple[str, str], ...]:
        """The ``(rcs_file, revision)`` pairs this revision stands for."""
        return ((self.rcs_file, self.revision),) + tuple((self.rcs_file, r) for r in self.folded)


@dataclass(frozen=True)
class RevisionGroup:
    """File revisions forming one transaction, in time order."""

    revisions: tuple[CvsRevision, ...]
    grouping: str
    """``commitid``, ``window`` or ``fixed-window``."""
    key: str = field(init=False)

    def __post_init__(self) -> None:
        first = self.revisions[0]
        if self.grouping == "commitid" and first.commitid:
            key = first.commitid
        else:
            members = sorted(m for revision in self.revisions for m in revision.members)
            text = "\n".join(f"{path}\t{number}" for path, number in members)
            key = "cvs-" + hashlib.sha1(text.encode("utf-8", "surrogateescape")).hexdigest()
        object.__setattr__(self, "key", key)

    @property
    def first_time(self) -> datetime:
        return self.revisions[0].time

    @property
    def last_time(self) -> datetime:
        return self.revisions[-1].time


@dataclass(frozen=True)
class WindowRule:
    """How revisions without a commitid are grouped."""

    window_seconds: int = 200
    fixed: bool = False
    """Measure the window from the group's first revision, not its latest one."""
    order_split: bool = True
    """Start a new group when a member would go back in CVS's commit order (see the module)."""

    @property
    def name(self) -> str:
        return "fixed-window" if self.fixed else "window"


def commit_order_key(rcs_file: str) -> tuple[str, str]:
    """The order in which ``cvs commit`` writes files: by directory, then by name in it."""
    directory, _, name = rcs_file.rpartition("/")
    if directory.endswith("Attic") and (directory == "Attic" or directory.endswith("/Attic")):
        directory = directory[: -len("Attic")].rstrip("/")
    return directory, name


def group_transactions(
    revisions: Iterable[CvsRevision], rule: WindowRule | None = None, use_commitids: bool = True
) -> list[RevisionGroup]:
    """Group ``revisions`` into transactions, in commit order (by last time, then key).

    :param use_commitids: group revisions that carry a commitid by it; with ``False`` every
        revision is grouped by the window (to measure the window against the commitids).
    """
    rule = rule or WindowRule()
    by_commitid: dict[str, list[CvsRevision]] = {}
    windowed: list[CvsRevision] = []
    for revision in revisions:
        if use_commitids and revision.commitid:
            by_commitid.setdefault(revision.commitid, []).append(revision)
        else:
            windowed.append(revision)
    groups = [
        RevisionGroup(tuple(sorted(members, key=_time_order)), "commitid")
        for members in by_commitid.values()
    ]
    groups += _window_groups(windowed, rule)
    groups.sort(key=lambda group: (group.last_time, group.first_time, group.key))
    return groups


def _time_order(revision: CvsRevision) -> tuple[datetime, tuple[str, str], str]:
    return revision.time, commit_order_key(revision.rcs_file), revision.revision


def _window_groups(revisions: list[CvsRevision], rule: WindowRule) -> list[RevisionGroup]:
    open_groups: dict[tuple[str, bytes, str | None], list[CvsRevision]] = {}
    done: list[list[CvsRevision]] = []
    for revision in sorted(revisions, key=_time_order):
        signature = (revision.author, revision.log, revision.branch)
        group = open_groups.get(signature)
        if group is not None and not _fits(group, revision, rule):
            done.append(group)
            group = None
        if group is None:
            open_groups[signature] = [revision]
        else:
            group.append(revision)
    done.extend(open_groups.values())
    return [RevisionGroup(tuple(group), rule.name) for group in done]


def _fits(group: list[CvsRevision], revision: CvsRevision, rule: WindowRule) -> bool:
    anchor = group[0] if rule.fixed else group[-1]
    if (revision.time - anchor.time).total_seconds() > rule.window_seconds:
        return False
    if any(member.rcs_file == revision.rcs_file for member in group):
        return False
    return not (
        rule.order_split
        and commit_order_key(revision.rcs_file) < commit_order_key(group[-1].rcs_file)
    )
