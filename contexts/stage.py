"""The contexts stage: contexts of changed lines, context changes, interfaces and their changes.

``run(session, options)`` reads the miner's transactions and file revisions, fetches each
changed file's old and new text from its repository, and writes the ``contexts/`` tables. It
takes every transaction with a file revision not yet in ``contexts_done``, clears whatever an
earlier run left of it, and writes all of its rows in one database transaction: a run that is
interrupted leaves whole transactions done or untouched, and the next run does only the rest.
Interfaces are compared per transaction over one snapshot per side, made of that side of every
C, C++ or Python file the transaction changed.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session, defer
from tqdm import tqdm

from contexts.change_kinds import InterfaceDelta
from contexts.file_analysis import (
    ModelCache,
    SideAnalysis,
    analyse_model,
    class_detail,
    class_from_detail,
    context_changes,
    model_side,
    touched_names,
)
from contexts.interface_changes import interface_changes
from contexts.interface_model import Interfaces
from contexts.models import (
    ChangedLine,
    ClassInterface,
    ContextChange,
    ContextsDone,
    InterfaceChange,
)
from contexts.parsing import DEFAULT_OPTIONS, ContextsOptions
from contexts.vtables import find_class, last_dotted_part, merge_interfaces
from miner.diffing import BadRanges, parse_ranges
from miner.languages import extension_of, language_of
from miner.models import FileRevision, Repository, Transaction
from miner.sources import TextReader, read_file_version

log = logging.getLogger(__name__)

SIDES = ("old", "new")
MAX_BASE_DEPTH = 8
"""How many levels of base classes are looked up in earlier transactions."""


class ContextsError(Exception):
    """A stored file revision cannot be analysed (its changed-line ranges are malformed)."""


@dataclass
class ContextsStats:
    """What one run of the stage did."""

    transactions: int = 0
    file_revisions: int = 0
    statuses: Counter = field(default_factory=Counter)
    changed_lines: int = 0
    context_changes: int = 0
    interface_changes: int = 0
    error_shares: list[float] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        """Return the one-line summary of the run."""
        statuses = ", ".join(f"{n} {status}" for status, n in sorted(self.statuses.items()))
        shares = self.error_shares
        mean = sum(shares) / len(shares) if shares else 0.0
        return (
            f"{self.transactions} transactions, {self.file_revisions} file revisions"
            f"{f' ({statuses})' if statuses else ''}, {self.changed_lines} changed lines, "
            f"{self.context_changes} context changes, {self.interface_changes} interface changes; "
            f"mean share of lines in parse errors {mean:.3f}; {self.seconds:.1f} s"
        )


@dataclass
class _FileResult:
    file_revision: FileRevision
    language: str | None
    status: str
    sides: dict[str, SideAnalysis | None] = field(default_factory=dict)


def pending_transactions(session: Session) -> list[int]:
    """Return the ids of transactions with a file revision the stage has not done, oldest first."""
    query = (
        select(FileRevision.transaction_id)
        .outerjoin(ContextsDone, ContextsDone.file_revision_id == FileRevision.id)
        .where(ContextsDone.file_revision_id.is_(None))
        .distinct()
        .order_by(FileRevision.transaction_id)
    )
    return list(session.scalars(query))


def run(
    session: Session,
    options: ContextsOptions = DEFAULT_OPTIONS,
    reader: TextReader | None = None,
    progress: bool | None = None,
) -> ContextsStats:
    """Analyse every transaction with file revisions not yet done; commit one transaction at a time.

    :param reader: reads one side of a file revision (default: from its repository).
    :param progress: show a progress bar on stderr (``None``: only when stderr is a terminal).
    """
    started = time.perf_counter()
    reader = reader or read_file_version
    stats = ContextsStats()
    models = ModelCache()
    with session.begin():
        pending = pending_transactions(session)
    disable = None if progress is None else not progress
    for transaction_id in tqdm(pending, desc="contexts", unit="txn", disable=disable):
        with session.begin():
            _clear(session, transaction_id)
            txn = session.get(Transaction, transaction_id)
            _analyse_transaction(session, txn, options, reader, stats, models)
        stats.transactions += 1
    stats.seconds = time.perf_counter() - started
    log.info("contexts: %s", stats.summary())
    return stats


def _clear(session: Session, transaction_id: int) -> None:
    """Remove what an earlier run wrote for this transaction (its files may have changed)."""
    done = select(ContextsDone.file_revision_id).where(
        ContextsDone.transaction_id == transaction_id
    )
    if session.scalars(done.limit(1)).first() is None:
        return  # the usual case: a transaction is written whole or not at all
    file_ids = select(FileRevision.id).where(FileRevision.transaction_id == transaction_id)
    session.execute(delete(ChangedLine).where(ChangedLine.file_revision_id.in_(file_ids)))
    for table in (ContextChange, ClassInterface, InterfaceChange, ContextsDone):
        session.execute(delete(table).where(table.transaction_id == transaction_id))


def _language(file_revision: FileRevision, options: ContextsOptions) -> str | None:
    if extension_of(file_revision.path) == ".h":
        return options.header_language
    return file_revision.language or language_of(file_revision.path, options.header_language)


def _lines(file_revision: FileRevision, side: str) -> list[int]:
    text = getattr(file_revision, f"{side}_changed_lines") or ""
    try:
        return parse_ranges(text)
    except BadRanges as error:
        raise ContextsError(
            f"file revision {file_revision.id} ({file_revision.path}): {error}"
        ) from error


def _read(
    reader: TextReader, repository: Repository, file_revision: FileRevision, side: str
) -> bytes | None:
    try:
        return reader(repository, file_revision, side)
    except Exception as error:  # noqa: BLE001 (any failure of the source means "text unavailable")
        log.warning("cannot read the %s side of %s: %s", side, file_revision.path, error)
        return None


def analyse_file(
    file_revision: FileRevision,
    repository: Repository,
    options: ContextsOptions,
    reader: TextReader,
    models: ModelCache,
) -> _FileResult:
    """Read and analyse both sides of one file revision."""
    language = _language(file_revision, options)
    if file_revision.is_binary or file_revision.is_submodule:
        return _FileResult(file_revision, language, "binary")
    if language is None:
        return _FileResult(file_revision, language, "not-code")
    lines = {side: _lines(file_revision, side) for side in SIDES}
    result = _FileResult(file_revision, language, "parsed", dict.fromkeys(SIDES))
    if not lines["old"] and not lines["new"]:
        return result
    for side in SIDES:
        version = getattr(file_revision, f"{side}_version")
        if version is None:
            continue
        place = file_revision.rcs_file or (file_revision.old_path if side == "old" else None)
        key = (repository.id, place or file_revision.path, version, language)
        model = models.get(key)
        if model is None:
            text = _read(reader, repository, file_revision, side)
            if text is None:
                result.status = "missing"
                continue
            model = models.put(key, model_side(text, language, options))
        result.sides[side] = analyse_model(model, lines[side])
    return result


def _analyse_transaction(
    session: Session,
    txn: Transaction,
    options: ContextsOptions,
    reader: TextReader,
    stats: ContextsStats,
    models: ModelCache,
) -> None:
    files = session.scalars(
        select(FileRevision)
        .where(FileRevision.transaction_id == txn.id)
        .options(defer(FileRevision.raw_diff), defer(FileRevision.cleaned_diff))
        .order_by(FileRevision.id)
    )
    results = [analyse_file(fr, txn.repository, options, reader, models) for fr in files]
    for result in results:
        _write_file(session, txn, result, stats)
    snapshots = {side: _snapshot(results, side) for side in SIDES}
    known = _known_bases(session, txn.id, [snapshots[side][0] for side in SIDES])
    old, new = (merge_interfaces([known, snapshots[side][0]]) for side in SIDES)
    deltas = interface_changes(old, new)
    places = snapshots["old"][1] | snapshots["new"][1]
    if deltas:
        session.execute(insert(InterfaceChange), [_delta_row(txn.id, d, places) for d in deltas])
    stats.interface_changes += len(deltas)
    touched = {d.scope for d in deltas}
    for result in results:
        touched |= touched_names(list(result.sides.values()))
    _write_interfaces(session, txn.id, results, touched)


def _write_file(
    session: Session, txn: Transaction, result: _FileResult, stats: ContextsStats
) -> None:
    sides = result.sides
    shares = {side: sides[side].error_share if sides.get(side) else 0.0 for side in SIDES}
    session.add(
        ContextsDone(
            file_revision_id=result.file_revision.id,
            transaction_id=txn.id,
            status=result.status,
            old_error_share=shares["old"],
            new_error_share=shares["new"],
        )
    )
    stats.file_revisions += 1
    stats.statuses[result.status] += 1
    stats.error_shares += [share for side, share in shares.items() if sides.get(side)]
    rows = [
        {
            "file_revision_id": result.file_revision.id,
            "side": side,
            "line": line,
            "context_kind": context.kind,
            "context_name": context.name,
            "uncertain": context.uncertain,
            "not_code": context.not_code,
        }
        for side in SIDES
        if sides.get(side)
        for line, context in sides[side].contexts.items()
    ]
    if rows:
        session.execute(insert(ChangedLine), rows)
    stats.changed_lines += len(rows)
    if not sides:
        return
    changes = context_changes(sides.get("old"), sides.get("new"))
    one_side_unread = result.status == "missing"  # added/deleted is then a guess
    session.add_all(
        ContextChange(
            transaction_id=txn.id,
            path=result.file_revision.path,
            context_kind=c.kind,
            context_name=c.name,
            change=c.change,
            lines_added=c.lines_added,
            lines_deleted=c.lines_deleted,
            uncertain=c.uncertain or one_side_unread,
        )
        for c in changes
    )
    stats.context_changes += len(changes)


def _snapshot(results: list[_FileResult], side: str) -> tuple[Interfaces, dict[str, str]]:
    """Merge one side's interfaces over the transaction's files; say which path holds each name."""
    parts, places = [], {}
    for result in results:
        analysis = result.sides.get(side)
        if analysis is None:
            continue
        parts.append(analysis.interfaces)
        for name in (*analysis.interfaces.classes, *analysis.interfaces.prototypes):
            places[name] = result.file_revision.path
    return merge_interfaces(parts), places


def _missing_bases(snapshots: list[Interfaces]) -> set[str]:
    classes = {name: info for snapshot in snapshots for name, info in snapshot.classes.items()}
    return {
        base
        for info in classes.values()
        for base in info.bases
        if find_class(base, classes, info.name.rpartition("::")[0]) is None
    }


def _latest_class(
    session: Session, transaction_id: int, condition: object
) -> ClassInterface | None:
    query = (
        select(ClassInterface)
        .where(
            condition,
            ClassInterface.transaction_id < transaction_id,
            ClassInterface.side == "new",
            ClassInterface.kind != "prototype",
        )
        .order_by(ClassInterface.transaction_id.desc())
        .limit(1)
    )
    return session.scalars(query).first()


def _known_bases(session: Session, transaction_id: int, snapshots: list[Interfaces]) -> Interfaces:
    """Return base classes neither side declares, as earlier transactions last recorded them."""
    known = Interfaces()
    missing = _missing_bases(snapshots)
    for _ in range(MAX_BASE_DEPTH):
        if not missing:
            break
        for name in missing:
            row = _latest_class(session, transaction_id, ClassInterface.name == name)
            if row is None:  # a base named relative to its scope: match the qualified tail
                row = _latest_class(
                    session, transaction_id, ClassInterface.name.endswith("::" + name)
                )
            if row is None and last_dotted_part(name) != name:  # pm.PMRoot: the class PMRoot
                row = _latest_class(
                    session, transaction_id, ClassInterface.name == last_dotted_part(name)
                )
            if row is not None:
                detail = json.loads(row.detail)
                known.classes[row.name] = class_from_detail(row.name, row.kind, detail)
        missing = _missing_bases([*snapshots, known]) - missing
    return known


def _delta_row(transaction_id: int, change: InterfaceDelta, places: dict[str, str]) -> dict:
    return {
        "transaction_id": transaction_id,
        "path": places.get(change.scope, ""),
        "scope": change.scope,
        "member": change.member,
        "kind": change.kind,
        "old_signature": change.old_signature,
        "new_signature": change.new_signature,
        "old_slot": change.old_slot,
        "new_slot": change.new_slot,
        "adaptor_expressible": change.adaptor_expressible,
        "reason": change.reason,
    }


def _write_interfaces(
    session: Session, transaction_id: int, results: list[_FileResult], touched: set[str]
) -> None:
    rows = []
    for result in results:
        for side, analysis in result.sides.items():
            if analysis is None:
                continue
            found = analysis.interfaces
            base = {
                "transaction_id": transaction_id,
                "side": side,
                "path": result.file_revision.path,
            }
            rows += [
                base | {"name": name, "kind": info.kind, "detail": json.dumps(class_detail(info))}
                for name, info in found.classes.items()
                if name in touched
            ]
            rows += [
                base
                | {
                    "name": name,
                    "kind": "prototype",
                    "detail": json.dumps({"signature": proto.signature}),
                }
                for name, proto in found.prototypes.items()
                if name in touched
            ]
    if rows:
        session.execute(insert(ClassInterface), rows)
