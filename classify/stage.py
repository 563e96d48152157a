"""The classify stage: an automatic verdict for every mined transaction, stored with its reasons.

``run(session, config)`` reads the miner's and the contexts stage's tables and writes only the
``verdict`` table. It is incremental: a transaction is (re)computed when it has no verdict yet,
or when the part of the configuration its verdict depends on changed since it was stored:
the rules (population, units, relaxations, interfaces) or the units found in the history
change everything; the date cutoff changes only measure 3; the purpose settings (or a newly
found revert) change only the purpose guess. Transactions whose studied files the contexts
stage has not processed yet wait for it. Work is committed in batches, so an interrupted run
loses nothing already done and the next run finishes the job.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import groupby

from sqlalchemy import select
from sqlalchemy.orm import Session
from tqdm import tqdm

from classify.config import StudyConfig
from classify.facts import UnitRegistry
from classify.loading import (
    TextCache,
    TextReader,
    build_registry,
    diff_lines_of,
    load_facts,
    purpose_facts,
)
from classify.measures import MeasureResult, measure_after_cutoff
from classify.models import VerdictRow
from classify.purpose import find_reverts, guess_purpose, signature_digests
from classify.rules import in_population_paths
from classify.verdicts import Verdict, classify_transaction
from contexts.models import ContextsDone
from miner.models import FileRevision, Transaction

log = logging.getLogger(__name__)
BATCH = 200
RULES_VERSION = 3
"""Bumped whenever the rules' or the purpose guess's code changes what it decides, so that
stored verdicts are recomputed after an upgrade."""


@dataclass(frozen=True)
class ClassifyStats:
    """What a run of the stage did."""

    transactions: int
    classified: int
    """Verdicts computed for the first time."""
    recomputed: int
    """Verdicts recomputed wholly because the rules or the units found in the history changed."""
    updated: int
    """Verdicts of which only measure 3 or the purpose guess was recomputed."""
    unchanged: int
    waiting: int
    """Transactions whose studied files the contexts stage has not processed yet."""
    changed: tuple[str, ...]
    """The parts of the configuration (or history) that changed since the stored verdicts."""
    seconds: float
    unreadable: int = 0

    def summary(self) -> str:
        """Return the one-line summary the CLI prints."""
        text = (
            f"{self.transactions} transactions: {self.classified} classified, "
            f"{self.recomputed} recomputed, {self.updated} partly updated, "
            f"{self.unchanged} unchanged, {self.waiting} waiting for dsukit contexts"
        )
        if self.changed:
            text += f" (changed since the last run: {', '.join(self.changed)})"
        if self.unreadable:
            text += f"; {self.unreadable} file versions could not be read"
        return text + f" in {self.seconds:.1f} s"


@dataclass(frozen=True)
class Hashes:
    """The hashes a verdict is computed under."""

    rules: str
    units: str
    cutoff: str
    purpose: str
    contexts: str


def _short(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def registry_digest(registry: UnitRegistry) -> str:
    """Return a short hash of what the history says about units."""
    text = json.dumps(
        [
            sorted((name, sorted(bases)) for name, bases in registry.bases.items()),
            sorted(registry.marked),
            sorted(registry.table_functions),
        ]
    )
    return _short(text)


def run(
    session: Session,
    config: StudyConfig,
    *,
    reader: TextReader | None = None,
    progress: bool | None = False,
) -> ClassifyStats:
    """Classify every transaction that needs it, and return what was done.

    :param reader: reads a file revision's side back (default: :mod:`miner.sources`).
    :param progress: show a progress bar (``None``: only on a terminal).
    """
    # Transactions and verdicts loaded once stay usable across the per-batch commits.
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        return _run(session, config, reader, progress)
    finally:
        session.expire_on_commit = expire


def _run(
    session: Session, config: StudyConfig, reader: TextReader | None, progress: bool | None
) -> ClassifyStats:
    started = time.monotonic()
    texts = TextCache(session, reader)
    registry = build_registry(session, config, texts)
    hashes = _hashes(config, registry)
    transactions = list(
        session.scalars(select(Transaction).order_by(Transaction.commit_time, Transaction.id))
    )
    reverts = _reverts(session, transactions)
    stored = {row.transaction_id: row for row in session.scalars(select(VerdictRow))}
    changed = _changed_parts(stored.values(), hashes)
    if "contexts settings" in changed:
        log.warning("the [contexts] settings changed: re-run dsukit contexts on a fresh database")
    plan = _plan(transactions, stored, hashes, reverts, _ready(session, transactions, config))
    counts = plan.counts
    bar = tqdm(
        total=len(plan.full) + len(plan.partial),
        desc="classify",
        unit="txn",
        disable=_no_bar(progress),
    )
    for batch in _batches(plan.full):
        for facts in load_facts(session, batch, config, registry, texts, reverts):
            verdict = classify_transaction(facts, config, registry)
            counts["recomputed" if facts.id in stored else "classified"] += 1
            _store(session, stored.get(facts.id), verdict, hashes, facts.reverted_by)
        session.commit()
        bar.update(len(batch))
    for batch in _batches(plan.partial):
        _update_partly(session, batch, config, hashes, reverts)
        counts["updated"] += len(batch)
        session.commit()
        bar.update(len(batch))
    bar.close()
    return ClassifyStats(
        len(transactions),
        counts["classified"],
        counts["recomputed"],
        counts["updated"],
        counts["unchanged"],
        counts["waiting"],
        changed,
        time.monotonic() - started,
        texts.failures,
    )


def _hashes(config: StudyConfig, registry: UnitRegistry) -> Hashes:
    parts = config.section_hashes()
    return Hashes(
        _short(f"{RULES_VERSION}:{parts['rules']}"),
        registry_digest(registry),
        parts["cutoff"],
        _short(f"{RULES_VERSION}:{parts['purpose']}"),
        parts["contexts"],
    )


@dataclass
class _Plan:
    """Which transactions to classify wholly, which to update partly, and the other counts."""

    full: list[Transaction] = field(default_factory=list)
    partial: list[Transaction] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def _plan(
    transactions: Sequence[Transaction],
    stored: dict[int, VerdictRow],
    hashes: Hashes,
    reverts: dict[str, str],
    ready: dict[int, bool],
) -> _Plan:
    plan = _Plan()
    for txn in transactions:
        state = _state(stored.get(txn.id), hashes, reverts.get(txn.key))
        if state == "full" and not ready[txn.id]:
            plan.counts["waiting"] += 1
        elif state == "full":
            plan.full.append(txn)
        elif state == "partial":
            plan.partial.append(txn)
        else:
            plan.counts["unchanged"] += 1
    return plan


def _no_bar(progress: bool | None) -> bool | None:
    return None if progress is None else not progress


def _batches(items: Sequence[Transaction]) -> Iterator[Sequence[Transaction]]:
    for start in range(0, len(items), BATCH):
        yield items[start : start + BATCH]


def _state(row: VerdictRow | None, hashes: Hashes, reverted_by: str | None) -> str:
    if row is None or row.rules_hash != hashes.rules or row.units_hash != hashes.units:
        return "full"
    if (
        row.cutoff_hash != hashes.cutoff
        or row.purpose_hash != hashes.purpose
        or row.reverted_by != reverted_by
        or row.contexts_hash != hashes.contexts
    ):
        return "partial"
    return "same"


def _changed_parts(
    rows: Iterator[VerdictRow] | Sequence[VerdictRow], hashes: Hashes
) -> tuple[str, ...]:
    names = (
        ("rules", "rules settings (or dsukit's rules)"),
        ("units", "units found in the history"),
        ("cutoff", "date cutoff"),
        ("purpose", "purpose settings (or dsukit's purpose rules)"),
        ("contexts", "contexts settings"),
    )
    changed: set[str] = set()
    for row in rows:
        for part, label in names:
            if getattr(row, f"{part}_hash") != getattr(hashes, part):
                changed.add(label)
    return tuple(label for _, label in names if label in changed)


def _ready(
    session: Session, transactions: Sequence[Transaction], config: StudyConfig
) -> dict[int, bool]:
    """Say per transaction whether every studied file with a change has been through contexts."""
    done = set(session.scalars(select(ContextsDone.file_revision_id)))
    ready = {txn.id: True for txn in transactions}
    query = select(
        FileRevision.id,
        FileRevision.transaction_id,
        FileRevision.path,
        FileRevision.functionally_equivalent,
    )
    for file_id, transaction_id, path, equivalent in session.execute(query):
        if not equivalent and file_id not in done and in_population_paths(path, config):
            ready[transaction_id] = False
    return ready


def _reverts(session: Session, transactions: Sequence[Transaction]) -> dict[str, str]:
    """Pair transactions whose cleaned diffs undo each other (one transaction's lines in memory)."""
    query = (
        select(FileRevision.transaction_id, FileRevision.path, FileRevision.cleaned_diff)
        .where(FileRevision.cleaned_diff.is_not(None))
        .order_by(FileRevision.transaction_id)
    )
    by_txn: dict[int, tuple[str, str]] = {}
    rows = session.execute(query.execution_options(yield_per=500))
    for transaction_id, group in groupby(rows, key=lambda row: row[0]):
        lines = [line for _, path, cleaned in group for line in diff_lines_of(path, cleaned)]
        pair = signature_digests(lines)
        if pair:
            by_txn[transaction_id] = pair
    digests = [(txn.key, *by_txn[txn.id]) for txn in transactions if txn.id in by_txn]
    return find_reverts(digests)


def _reason_text(result: MeasureResult | None) -> str:
    return result.summary() if result else ""


def _store(
    session: Session,
    row: VerdictRow | None,
    verdict: Verdict,
    hashes: Hashes,
    reverted_by: str | None,
) -> None:
    row = row or VerdictRow(transaction_id=verdict.transaction_id)
    row.rules_hash, row.units_hash, row.cutoff_hash = hashes.rules, hashes.units, hashes.cutoff
    row.purpose_hash, row.contexts_hash = hashes.purpose, hashes.contexts
    row.in_population = verdict.in_population
    row.population_rule = verdict.population_reason.rule
    row.population_reason = verdict.population_reason.text
    row.shape = verdict.shape
    row.contexts_added = verdict.contexts_added
    row.contexts_deleted = verdict.contexts_deleted
    row.contexts_modified = verdict.contexts_modified
    for number, result in enumerate((verdict.measure1, verdict.measure2, verdict.measure3), 1):
        setattr(row, f"measure{number}", result.value if result else None)
        setattr(row, f"measure{number}_reason", _reason_text(result))
    row.kind = verdict.kind
    row.kind_rule = verdict.kind_reason.rule if verdict.kind_reason else None
    row.kind_reason = verdict.kind_reason.text if verdict.kind_reason else None
    row.purpose = verdict.purpose.purpose
    row.purpose_reason = verdict.purpose.reason
    row.reverted_by = reverted_by
    row.reasons = json.dumps(
        [
            {
                "rule": j.reason.rule,
                "subject": j.reason.subject,
                "text": j.reason.text,
                "measure1": j.strict_ok,
                "measure2": j.relaxed_ok,
                "blocks_update": j.blocks_update,
            }
            for j in verdict.judgements
        ]
    )
    session.add(row)


def _update_partly(
    session: Session,
    batch: Sequence[Transaction],
    config: StudyConfig,
    hashes: Hashes,
    reverts: dict[str, str],
) -> None:
    """Recompute measure 3 and the purpose guess of verdicts whose rules did not change."""
    ids = [txn.id for txn in batch]
    rows = {
        row.transaction_id: row
        for row in session.scalars(select(VerdictRow).where(VerdictRow.transaction_id.in_(ids)))
    }
    for facts in purpose_facts(session, batch, reverts):
        row = rows[facts.id]
        if row.in_population:
            relaxed = MeasureResult(row.measure2, ())
            after = measure_after_cutoff(relaxed, facts.commit_time, config.cutoff)
            row.measure3 = after.value
            row.measure3_reason = after.summary() or row.measure2_reason
        guess = guess_purpose(facts, row.shape, config.purpose)
        row.purpose, row.purpose_reason = guess.purpose, guess.reason
        row.reverted_by = facts.reverted_by
        row.cutoff_hash, row.purpose_hash = hashes.cutoff, hashes.purpose
        row.contexts_hash = hashes.contexts
