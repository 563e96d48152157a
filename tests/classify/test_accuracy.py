"""The confusion matrix of purpose guesses against analysts' labels."""

from __future__ import annotations

import pytest

from classify.accuracy import confusion_matrix

# Fixture labels: (predicted, labelled) for ten hand-labelled transactions.
PAIRS = [
    ("bug-fix", "bug-fix"),
    ("bug-fix", "bug-fix"),
    ("bug-fix", "new-feature"),
    ("new-feature", "new-feature"),
    ("cleanup", "cleanup"),
    ("other", "bug-fix"),
    ("other", "cleanup"),
    ("whitespace-comment", "whitespace-comment"),
    ("bug-fix", "bug-fix"),
    ("performance", "bug-fix"),
]


def test_counts_accuracy_precision_recall() -> None:
    matrix = confusion_matrix(PAIRS)
    assert matrix.labels == (
        "bug-fix",
        "cleanup",
        "new-feature",
        "other",
        "performance",
        "whitespace-comment",
    )
    assert matrix.total == 10 and matrix.correct == 6
    frame = matrix.frame()
    assert frame.loc["bug-fix", "bug-fix"] == 3
    assert frame.loc["new-feature", "bug-fix"] == 1
    assert frame.loc["bug-fix", "other"] == 1
    assert frame.values.sum() == 10
    accuracy = matrix.accuracy()
    assert accuracy.share == 0.6 and accuracy.low < 0.6 < accuracy.high
    assert matrix.precision("bug-fix") == pytest.approx(3 / 4)
    assert matrix.recall("bug-fix") == pytest.approx(3 / 5)
    assert matrix.precision("other") == 0
    assert matrix.recall("performance") is None


def test_extra_labels_and_no_pairs() -> None:
    matrix = confusion_matrix([], labels=["merge"])
    assert matrix.labels == ("merge",)
    assert matrix.accuracy() is None
    assert matrix.precision("merge") is None
