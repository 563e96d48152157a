"""The study's automatic table: population size, each measure and each predicted kind as count,
share and 95% interval, and the headline "22% / 48% / 55%" of the three measures.

Built from the verdicts frame (:func:`classify.api.verdicts_frame`), and rendered as aligned
text, JSON or CSV.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

import pandas as pd

from classify.estimates import Share, share

MEASURES = (
    ("measure1", "measure 1: only methods of updatable units"),
    ("measure2", "measure 2: with the relaxations"),
    ("measure3", "measure 3: measure 2 after the cutoff"),
)
KIND_LABELS = (
    ("plain", "plain update"),
    ("adaptor", "update with adaptor"),
    ("not-updatable", "not updatable"),
)
BLOCK_LABELS = {
    "outside": "code outside updatable units",
    "not-code": "a file that is not code",
    "interface": "an interface change no adaptor can express",
    "static-data": "a change to static data",
    "enum": "a change to an enumeration",
}


@dataclass(frozen=True)
class TableRow:
    """One line of the table: a count out of ``n`` and its estimate (``None`` when ``n`` is 0)."""

    label: str
    count: int
    n: int
    estimate: Share | None

    def as_dict(self) -> dict[str, object]:
        """Return the row as plain values."""
        estimate = self.estimate
        return {
            "label": self.label,
            "count": self.count,
            "n": self.n,
            "share": estimate.share if estimate else None,
            "low": estimate.low if estimate else None,
            "high": estimate.high if estimate else None,
        }


@dataclass(frozen=True)
class StudyTable:
    """The automatic table of one study."""

    transactions: int
    population: int
    method: str
    rows: tuple[TableRow, ...]

    @property
    def headline(self) -> str:
        """Return the three measures' shares as ``22% / 48% / 55%`` (``n/a`` where undefined)."""
        shares = [row.estimate for row in self.rows[:3]]
        return " / ".join(f"{s.share:.0%}" if s else "n/a" for s in shares)

    def as_dict(self) -> dict[str, object]:
        """Return the table as plain values (for JSON)."""
        return {
            "transactions": self.transactions,
            "population": self.population,
            "interval": f"95% {self.method}",
            "headline": self.headline,
            "rows": [row.as_dict() for row in self.rows],
        }

    def to_json(self) -> str:
        """Render as JSON."""
        return json.dumps(self.as_dict(), indent=2)

    def to_csv(self) -> str:
        """Render as CSV, one row per line of the table."""
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=["label", "count", "n", "share", "low", "high"])
        writer.writeheader()
        for row in self.rows:
            writer.writerow(row.as_dict())
        return out.getvalue()

    def to_text(self) -> str:
        """Render as an aligned text table."""
        width = max(len(row.label) for row in self.rows)
        lines = [
            f"transactions with a verdict: {self.transactions}; population: {self.population}",
            f"{'':{width}}  {'count':>6}  {'of':>6}  share [95% {self.method} interval]",
        ]
        for row in self.rows:
            shown = row.estimate.percent() if row.estimate else "n/a"
            lines.append(f"{row.label:{width}}  {row.count:>6}  {row.n:>6}  {shown}")
        lines.append(f"measures 1 / 2 / 3: {self.headline}")
        return "\n".join(lines)


def _row(label: str, count: int, n: int, method: str) -> TableRow:
    return TableRow(label, count, n, share(count, n, method=method) if n else None)


def study_table(frame: pd.DataFrame, method: str = "wilson") -> StudyTable:
    """Build the automatic table from a verdicts frame.

    :param method: ``wilson`` or ``clopper-pearson``.
    """
    population = frame[frame["in_population"].astype(bool)]
    n = len(population)
    rows: list[TableRow] = []
    for column, label in MEASURES:
        values = population[column].dropna().astype(bool)
        rows.append(_row(label, int(values.sum()), len(values), method))
    for kind, label in KIND_LABELS:
        rows.append(_row(label, int((population["kind"] == kind).sum()), n, method))
    blocked = population[population["kind"] == "not-updatable"]
    for rule, label in BLOCK_LABELS.items():
        count = int((blocked["kind_rule"] == rule).sum())
        if count:
            rows.append(_row(f"  ruled out first by {label}", count, n, method))
    for purpose, count in population["purpose"].value_counts().sort_index().items():
        rows.append(_row(f"purpose guess: {purpose}", int(count), n, method))
    return StudyTable(len(frame), n, method, tuple(rows))
