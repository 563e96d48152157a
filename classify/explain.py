"""One transaction's stored verdict, written out with every reason, for a person to check.

``dsukit classify --explain KEY`` prints it; ``KEY`` is a transaction's key or a unique prefix
of it (a git commit id can be abbreviated as usual).
"""

from __future__ import annotations

import json

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from classify.models import VerdictRow
from miner.models import Transaction


class UnknownTransaction(LookupError):
    """No verdict, or more than one, matches the key given."""


def _yes_no(value: bool | None) -> str:
    return "n/a" if value is None else ("yes" if value else "no")


def explain(engine: Engine, key: str) -> str:
    """Return the verdict of the transaction whose key is (or starts with) ``key``, as text.

    :raises UnknownTransaction: naming the key when none or several match.
    """
    with Session(engine) as session:
        query = (
            select(Transaction, VerdictRow)
            .join(VerdictRow, VerdictRow.transaction_id == Transaction.id)
            .where(Transaction.key.startswith(key, autoescape=True))
            .limit(2)
        )
        found = session.execute(query).all()
        if len(found) != 1:
            what = "no classified transaction" if not found else "more than one transaction"
            raise UnknownTransaction(f"{what} has a key starting with {key!r}")
        txn, row = found[0]
        return "\n".join(_lines(txn, row))


def _lines(txn: Transaction, row: VerdictRow) -> list[str]:
    lines = [
        f"transaction {txn.key} ({txn.commit_time:%Y-%m-%d %H:%M}, {txn.author})",
        f"  message: {txn.message.splitlines()[0] if txn.message else ''}",
        f"  population: {_yes_no(row.in_population)}: {row.population_reason}",
        f"  shape: {row.shape} ({row.contexts_added} added, {row.contexts_deleted} deleted, "
        f"{row.contexts_modified} modified contexts)",
    ]
    for number in (1, 2, 3):
        value = getattr(row, f"measure{number}")
        lines.append(
            f"  measure {number}: {_yes_no(value)}: {getattr(row, f'measure{number}_reason')}"
        )
    if row.kind:
        lines.append(f"  predicted: {row.kind} ({row.kind_rule}): {row.kind_reason}")
    lines.append(f"  purpose guess: {row.purpose}: {row.purpose_reason}")
    reasons = json.loads(row.reasons or "[]")
    if reasons:
        lines.append("  contexts judged:")
    for reason in reasons:
        counts = f"m1 {_yes_no(reason['measure1'])}, m2 {_yes_no(reason['measure2'])}"
        blocks = ", rules out a live update" if reason["blocks_update"] else ""
        lines.append(f"    [{reason['rule']}] {reason['text']} ({counts}{blocks})")
    return lines
