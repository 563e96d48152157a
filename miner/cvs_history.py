"""Turn one parsed ``,v`` file into the file changes of its revisions, ready for grouping.

For every revision: its predecessor in history (on the trunk the older revision, on a branch
the one before it, or the revision the branch sprouts from), its branch's name, and what it did
to the file: ``added`` (first revision, or alive again after a ``dead`` one), ``modified``, or
``deleted`` (state ``dead``). A dead revision after nothing or after another dead one changes
nothing and is left out. The two revisions a ``cvs import`` of a new file writes (trunk ``1.1``
and vendor ``1.1.1.1``: same second, same author, same text) become one change.
Revisions whose text cannot be rebuilt (missing or corrupt delta text, or built from one) are
left out and named in :attr:`FileHistory.problems`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from miner.rcs import RcsFile
from miner.rcs_revisions import RevisionTexts, check_revisions, is_trunk
from miner.records import FileChange
from miner.transactions import CvsRevision

_ADDED_ON_BRANCH = re.compile(rb"file [^\n]+ was added on branch [^\n]+ on \d{4}-\d\d-\d\d")


@dataclass(frozen=True)
class FileHistory:
    """The changes of one ``,v`` file."""

    revisions: tuple[CvsRevision, ...]
    changes: dict[str, FileChange]
    """By revision number of each of :attr:`revisions`."""
    problems: tuple[str, ...]


def working_path(rcs_file: str) -> str:
    """The file's path in a checkout: ``,v`` stripped and an ``Attic/`` directory dropped."""
    directory, _, name = rcs_file.rpartition("/")
    if name.endswith(",v"):
        name = name[:-2]
    parts = [part for part in directory.split("/") if part]
    if parts and parts[-1] == "Attic":
        parts.pop()
    return "/".join([*parts, name])


def branch_names(rcs: RcsFile) -> dict[str, str]:
    """Map branch numbers (``1.2.2``, vendor ``1.1.1``) to the first symbol naming them."""
    names: dict[str, str] = {}
    for name, number in rcs.symbols:
        parts = number.split(".")
        if len(parts) >= 4 and len(parts) % 2 == 0 and parts[-2] == "0":
            branch = ".".join(parts[:-2] + parts[-1:])
        elif len(parts) % 2 == 1:
            branch = number
        else:
            continue
        names.setdefault(branch, name)
    return names


def branch_of(revision: str, names: dict[str, str]) -> str | None:
    """The branch name (else number) ``revision`` is on; ``None`` on the trunk."""
    if is_trunk(revision):
        return None
    number = revision.rpartition(".")[0]
    return names.get(number, number)


def predecessors(rcs: RcsFile) -> dict[str, str]:
    """Map every revision to the one it follows in history.

    The first trunk commit after vendor imports (``1.2``) was made from a working file that
    held the newest import before it: until that commit the vendor branch is the default
    branch, whatever ``next`` says (``1.2`` always points to ``1.1``). Its predecessor is that
    import, so that the vendor's own changes are not counted in the local commit.
    """
    previous: dict[str, str] = {}
    for delta in rcs.deltas.values():
        if delta.next is not None:
            if is_trunk(delta.revision):
                previous[delta.revision] = delta.next
            else:
                previous[delta.next] = delta.revision
        for branch in delta.branches:
            previous[branch] = delta.revision
    base = _vendor_base_of_first_commit(rcs)
    if base is not None:
        previous["1.2"] = base
    return previous


def _vendor_base_of_first_commit(rcs: RcsFile) -> str | None:
    """The newest vendor-branch revision older than ``1.2``, if imports preceded it."""
    first_commit, paired = rcs.deltas.get("1.2"), import_pair(rcs)
    if first_commit is None or paired is None or rcs.deltas["1.2"].next != "1.1":
        return None
    base, current, steps = None, paired, 0
    while current is not None and rcs.deltas[current].date <= first_commit.date:
        base, current, steps = current, rcs.deltas[current].next, steps + 1
        if steps > len(rcs.deltas):
            return None  # a cycle outside the tree under the head: never rebuilt anyway
    return base if base != paired else None


def import_pair(rcs: RcsFile) -> str | None:
    """The vendor revision (``1.1.1.1``) that trunk ``1.1`` was imported with, if any."""
    trunk = rcs.deltas.get("1.1")
    if trunk is None or trunk.state == "dead":
        return None
    for branch in trunk.branches:
        parts = branch.split(".")
        vendor = rcs.deltas[branch]
        text = rcs.texts.get(branch)
        if (
            len(parts) == 4
            and int(parts[2]) % 2 == 1
            and vendor.date == trunk.date
            and vendor.author == trunk.author
            and text is not None
            and not text.text
        ):
            return branch
    return None


def file_history(
    rcs_file: str, rcs: RcsFile, binary: bool, fold_imports: bool = True
) -> FileHistory:
    """Return the changes of the parsed file ``rcs``, stored at ``rcs_file`` (relative path).

    :param binary: every revision is binary (expand mode ``b``); otherwise a revision is binary
        when its text holds a NUL byte (checked only in files that hold one at all).
    :param fold_imports: make an import pair (trunk ``1.1``, vendor ``1.1.1.1``) one change.
    """
    path = working_path(rcs_file)
    names = branch_names(rcs)
    previous = predecessors(rcs)
    unsound = check_revisions(rcs)
    paired = import_pair(rcs) if fold_imports else None
    folded = {paired: ("1.1",)} if paired else {}
    has_nul = not binary and any(b"\0" in text.text for text in rcs.texts.values())
    texts = RevisionTexts(rcs) if has_nul else None
    revisions, changes = [], {}
    for number, delta in rcs.deltas.items():
        if number in unsound:
            continue
        if (paired and number == "1.1") or _branch_add_placeholder(rcs, number):
            continue
        before = None if number in folded else previous.get(number)
        if before in unsound:
            before = None  # its text cannot be read: from here on the file reads as new
        change_kind = _change_kind(rcs, number, before)
        if change_kind is None:
            continue
        kind, old, new = change_kind
        is_binary = binary or (texts is not None and new is not None and b"\0" in texts.text(new))
        changes[number] = FileChange(
            path=escaped_path(path),
            path_raw=_raw(path),
            change_kind=kind,
            old_version=old,
            new_version=new,
            rcs_file=escaped_path(rcs_file),
            is_binary=is_binary,
        )
        log = rcs.texts[number].log if number in rcs.texts else b""
        revisions.append(
            CvsRevision(
                rcs_file=rcs_file,
                revision=number,
                time=delta.date,
                author=delta.author,
                log=log,
                branch=branch_of(number, names),
                commitid=delta.commitid,
                folded=folded.get(number, ()),
            )
        )
    return FileHistory(tuple(revisions), changes, _describe(unsound))


def _branch_add_placeholder(rcs: RcsFile, number: str) -> bool:
    """Whether ``number`` is the dead revision CVS writes when a file is added on a branch.

    Adding on a branch a file that the branch point already has on the trunk makes CVS write
    a dead first branch revision ("file X was added on branch B on DATE"), then the real one.
    The dead one deletes nothing anyone had: it is not a change.
    """
    if is_trunk(number) or not number.endswith(".1") or rcs.deltas[number].state != "dead":
        return False
    text = rcs.texts.get(number)
    return text is not None and _ADDED_ON_BRANCH.match(text.log) is not None


def _change_kind(
    rcs: RcsFile, number: str, before: str | None
) -> tuple[str, str | None, str | None] | None:
    """Return ``(kind, old, new)`` of ``number`` after ``before``; ``None`` if nothing changes."""
    alive_before = before is not None and rcs.deltas[before].state != "dead"
    if rcs.deltas[number].state == "dead":
        return ("deleted", before, None) if alive_before else None
    return ("modified", before, number) if alive_before else ("added", None, number)


def _describe(unsound: dict[str, str]) -> tuple[str, ...]:
    """One clause per fault, naming the revisions it leaves out."""
    by_reason: dict[str, list[str]] = {}
    for number, reason in unsound.items():
        by_reason.setdefault(reason, []).append(number)
    return tuple(
        f"revision{'s' if len(numbers) > 1 else ''} {', '.join(numbers)} "
        f"{'were' if len(numbers) > 1 else 'was'} left out because {reason}"
        for reason, numbers in by_reason.items()
    )


def _raw(path: str) -> bytes | None:
    raw = os.fsencode(path)
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw
    return None


def escaped_path(path: str) -> str:
    """A path as text: bytes that are not UTF-8 become backslash escapes."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")
