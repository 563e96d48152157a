"""How well automatic guesses agree with analysts' labels: a confusion matrix and accuracy.

The web app supplies ``(predicted, labelled)`` pairs; :func:`confusion_matrix` counts them and
reports accuracy (with its Wilson interval), and per label precision and recall, so the
purpose guess's quality is stated honestly wherever labels exist.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from classify.estimates import Share, share


@dataclass(frozen=True)
class ConfusionMatrix:
    """Counts of (predicted, labelled) pairs over a fixed, sorted list of labels."""

    labels: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]
    """``counts[i][j]``: items labelled ``labels[i]`` that were predicted ``labels[j]``."""

    @property
    def total(self) -> int:
        """Return the number of pairs."""
        return sum(map(sum, self.counts))

    @property
    def correct(self) -> int:
        """Return how many predictions agree with their label."""
        return sum(self.counts[i][i] for i in range(len(self.labels)))

    def accuracy(self, method: str = "wilson") -> Share | None:
        """Return the share of correct predictions with its interval (``None`` without pairs)."""
        return share(self.correct, self.total, method=method) if self.total else None

    def precision(self, label: str) -> float | None:
        """Return the share of predictions of ``label`` that are right."""
        j = self.labels.index(label)
        predicted = sum(row[j] for row in self.counts)
        return self.counts[j][j] / predicted if predicted else None

    def recall(self, label: str) -> float | None:
        """Return the share of items labelled ``label`` that were predicted so."""
        i = self.labels.index(label)
        labelled = sum(self.counts[i])
        return self.counts[i][i] / labelled if labelled else None

    def frame(self) -> pd.DataFrame:
        """Return the matrix as a DataFrame: rows are labels, columns predictions."""
        return pd.DataFrame(
            [list(row) for row in self.counts],
            index=pd.Index(self.labels, name="labelled"),
            columns=pd.Index(self.labels, name="predicted"),
        )


def confusion_matrix(
    pairs: Iterable[tuple[str, str]], labels: Iterable[str] = ()
) -> ConfusionMatrix:
    """Count ``(predicted, labelled)`` pairs into a confusion matrix.

    :param labels: labels to show even when no pair uses them.
    """
    counted = Counter((labelled, predicted) for predicted, labelled in pairs)
    names = sorted(set(labels) | {name for pair in counted for name in pair})
    rows = tuple(tuple(counted[(row, column)] for column in names) for row in names)
    return ConfusionMatrix(tuple(names), rows)
