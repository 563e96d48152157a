"""The study's three automatic measures of a transaction, each a yes/no with its deciding reasons.

1. *strict*: it only modifies or adds methods (and declarations) of dynamically-updatable units;
2. *relaxed*: the same once test, debugging, tracing and initialisation code, simple classes
   encapsulated in a unit and declarative global changes no longer count against it;
3. *after cutoff*: measure 2 for transactions committed at or after the study's date cutoff
   (not applicable, ``None``, before it or when no cutoff is configured).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from classify.rules import ContextJudgement, Reason


@dataclass(frozen=True)
class MeasureResult:
    """One measure of one transaction: yes, no, or not applicable, and the reasons that decided."""

    value: bool | None
    reasons: tuple[Reason, ...]

    def summary(self) -> str:
        """Return the deciding reasons as one line."""
        return " ".join(reason.text for reason in self.reasons)


NO_CONTEXTS = Reason(
    "no-contexts", "", "No changed program context was recorded for its studied files."
)


def _measure(judgements: Sequence[ContextJudgement], allowed: str, name: str) -> MeasureResult:
    if not judgements:
        return MeasureResult(False, (NO_CONTEXTS,))
    failing = tuple(j.reason for j in judgements if not getattr(j, allowed))
    if failing:
        return MeasureResult(False, failing)
    forgiven = sum(1 for j in judgements if not j.strict_ok)
    text = f"All {len(judgements)} changed context(s) count as updatable"
    text += f", {forgiven} of them only by a relaxation." if forgiven else "."
    return MeasureResult(True, (Reason(name, "", text), *(j.reason for j in judgements)))


def measure_strict(judgements: Sequence[ContextJudgement]) -> MeasureResult:
    """Measure 1: only modified or added methods of dynamically-updatable units."""
    return _measure(judgements, "strict_ok", "strict")


def measure_relaxed(judgements: Sequence[ContextJudgement]) -> MeasureResult:
    """Measure 2: measure 1 with the study's relaxations applied."""
    return _measure(judgements, "relaxed_ok", "relaxed")


def measure_after_cutoff(
    relaxed: MeasureResult, commit_time: datetime, cutoff: datetime | None
) -> MeasureResult:
    """Measure 3: measure 2, for transactions committed at or after the cutoff."""
    if cutoff is None:
        return MeasureResult(
            None, (Reason("no-cutoff", "", "The study configures no date cutoff."),)
        )
    if commit_time < cutoff:
        text = f"It was committed before the cutoff {cutoff:%Y-%m-%d}."
        return MeasureResult(None, (Reason("before-cutoff", "", text),))
    return relaxed
