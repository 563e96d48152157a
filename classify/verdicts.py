"""The verdict of one transaction: population, shape, the three measures, the predicted kind of
dynamic update and the purpose guess, each with its reasons.

The predicted kind follows the relaxed view of the code (test, debug, initialisation code and
declarative global changes do not rule an update out) and is one of ``plain`` (no interface
change), ``adaptor`` (every interface change can be expressed by an adaptor) or
``not-updatable``, naming the first thing that rules it out, in this order: code outside the
updatable units (or a studied file that is not code), an interface change no adaptor can
express, a change to static data or an enumeration.
"""

from __future__ import annotations

from dataclasses import dataclass

from classify.config import StudyConfig
from classify.facts import ContextFact, TransactionFacts, UnitRegistry
from classify.measures import (
    MeasureResult,
    measure_after_cutoff,
    measure_relaxed,
    measure_strict,
)
from classify.purpose import PurposeGuess, guess_purpose
from classify.rules import (
    ContextJudgement,
    Reason,
    in_population_paths,
    judge_context,
    judge_file,
    population_files,
    population_reason,
)

KINDS = ("plain", "adaptor", "not-updatable")
BLOCK_ORDER = {"outside": 0, "not-code": 0, "interface": 1, "static-data": 2, "enum": 2}


@dataclass(frozen=True)
class Verdict:
    """Everything the stage decides about one transaction."""

    transaction_id: int
    key: str
    in_population: bool
    population_reason: Reason
    shape: str
    contexts_added: int
    contexts_deleted: int
    contexts_modified: int
    measure1: MeasureResult | None
    measure2: MeasureResult | None
    measure3: MeasureResult | None
    kind: str | None
    kind_reason: Reason | None
    purpose: PurposeGuess
    judgements: tuple[ContextJudgement, ...] = ()


def shape_of(contexts: tuple[ContextFact, ...]) -> str:
    """Name a change's shape: ``adds``, ``deletes``, ``adds+deletes``, ``modifies`` or ``none``."""
    changes = {context.change for context in contexts}
    adds, deletes = "added" in changes, "deleted" in changes
    if adds and deletes:
        return "adds+deletes"
    if adds:
        return "adds"
    if deletes:
        return "deletes"
    return "modifies" if changes else "none"


def predicted_kind(
    facts: TransactionFacts, judgements: tuple[ContextJudgement, ...], config: StudyConfig
) -> tuple[str, Reason]:
    """Predict the kind of dynamic update the transaction needs, and say why."""
    blockers = [(BLOCK_ORDER[j.category], j.reason) for j in judgements if j.blocks_update]
    interfaces = [
        i
        for i in facts.interfaces
        if in_population_paths(i.path, config) and i.kind not in config.interfaces.no_adaptor_needed
    ]
    for change in interfaces:
        if not change.adaptor_expressible:
            why = f": {change.reason}" if change.reason else ""
            what = f"{change.kind} of {change.subject}"
            text = f"No adaptor can express the interface change {what}{why}."
            blockers.append((BLOCK_ORDER["interface"], Reason("interface", change.subject, text)))
    if blockers:
        first = min(blockers, key=lambda item: item[0])[1]
        return "not-updatable", first
    if interfaces:
        kinds = ", ".join(sorted({f"{i.kind} of {i.subject}" for i in interfaces}))
        return "adaptor", Reason(
            "adaptor", facts.key, f"An adaptor can express every interface change ({kinds})."
        )
    return "plain", Reason(
        "plain", facts.key, "No interface changes: the new code replaces the old as it is."
    )


def classify_transaction(
    facts: TransactionFacts, config: StudyConfig, registry: UnitRegistry
) -> Verdict:
    """Decide the verdict of one transaction."""
    studied = population_files(facts, config)
    paths = {f.path for f in studied}
    contexts = tuple(c for c in facts.contexts if c.path in paths)
    shape = shape_of(contexts)
    purpose = guess_purpose(facts, shape, config.purpose)
    counts = {
        change: sum(1 for c in contexts if c.change == change)
        for change in ("added", "deleted", "modified")
    }
    inside, why = population_reason(facts, config)
    if not inside:
        return Verdict(
            facts.id,
            facts.key,
            False,
            why,
            shape,
            *counts.values(),
            None,
            None,
            None,
            None,
            None,
            purpose,
        )
    file_judgements = tuple(j for j in map(judge_file, studied) if j is not None)
    judgements = file_judgements + tuple(judge_context(c, config, registry) for c in contexts)
    strict, relaxed = measure_strict(judgements), measure_relaxed(judgements)
    after = measure_after_cutoff(relaxed, facts.commit_time, config.cutoff)
    kind, kind_reason = predicted_kind(facts, judgements, config)
    return Verdict(
        facts.id,
        facts.key,
        True,
        why,
        shape,
        *counts.values(),
        strict,
        relaxed,
        after,
        kind,
        kind_reason,
        purpose,
        judgements,
    )
