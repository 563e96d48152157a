"""The rules: which transactions are in the population, and how each changed context is judged.

A context change is judged once, into a category that says whether it is allowed by the
study's strict measure (only methods of dynamically-updatable units), by the relaxed measure
(test, debug and trace code, initialisation code, encapsulated simple classes and declarative
global changes forgiven), and whether it rules out a dynamic update altogether. Every judgement
carries a :class:`Reason`: a rule name, the subject (file and context) and one sentence.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase

from classify.config import StudyConfig
from classify.facts import (
    ENUM_BASES,
    ContextFact,
    FileFacts,
    TransactionFacts,
    UnitRegistry,
    bare_name,
    split_owner,
)

GLOB_CHARS = frozenset("*?[")
VERBS = {"added": "adds", "modified": "modifies", "deleted": "deletes"}


@dataclass(frozen=True)
class Reason:
    """Why a rule decided as it did."""

    rule: str
    subject: str
    text: str


@dataclass(frozen=True)
class ContextJudgement:
    """How one changed context counts for the measures and the predicted kind."""

    context: ContextFact
    category: str
    strict_ok: bool
    """Allowed by measure 1."""
    relaxed_ok: bool
    """Allowed by measure 2."""
    blocks_update: bool
    """Rules out a dynamic update."""
    reason: Reason


# category: (strict_ok, relaxed_ok, blocks_update)
CATEGORIES: dict[str, tuple[bool, bool, bool]] = {
    "unit-method": (True, True, False),
    "unit-body": (True, True, False),
    "c-unit": (True, True, False),
    "unit-deleted": (False, False, False),
    "encapsulated": (False, True, False),
    "test": (False, True, False),
    "debug": (False, True, False),
    "init": (False, True, False),
    "global": (False, True, False),
    "static-data": (False, False, True),
    "enum": (False, False, True),
    "outside": (False, False, True),
    "not-code": (False, False, True),
}


def path_matches(path: str, patterns: tuple[str, ...]) -> bool:
    """Say whether ``path`` is under one of ``patterns`` (a prefix, or a glob if it has ``*?[``)."""
    for pattern in patterns:
        if GLOB_CHARS & set(pattern):
            if fnmatchcase(path, pattern):
                return True
        elif (
            path.startswith(pattern if pattern.endswith("/") else pattern + "/") or path == pattern
        ):
            return True
    return False


def name_matches(name: str, patterns: tuple[str, ...]) -> bool:
    """Say whether a qualified name, or its last component, matches one of the globs."""
    bare = bare_name(name)
    return any(fnmatchcase(name, p) or fnmatchcase(bare, p) for p in patterns)


def in_population_paths(path: str, config: StudyConfig) -> bool:
    """Say whether a file belongs to the studied code."""
    population = config.population
    if population.paths and not path_matches(path, population.paths):
        return False
    return not path_matches(path, population.exclude)


def population_files(facts: TransactionFacts, config: StudyConfig) -> tuple[FileFacts, ...]:
    """Return the transaction's studied files whose cleaned diff is not empty."""
    return tuple(
        f
        for f in facts.files
        if in_population_paths(f.path, config) and not f.functionally_equivalent
    )


def population_reason(facts: TransactionFacts, config: StudyConfig) -> tuple[bool, Reason]:
    """Decide whether the transaction is in the population, and say why (or why not)."""
    where = ", ".join(config.population.paths) or "any path"
    if not facts.files:
        return False, Reason(
            "no-files", facts.key, "It changes no files (a merge's changes count on its branch)."
        )
    studied = [f for f in facts.files if in_population_paths(f.path, config)]
    if not studied:
        return False, Reason(
            "outside-population", facts.files[0].path, f"It touches no file under {where}."
        )
    if all(f.functionally_equivalent for f in studied):
        return False, Reason(
            "functionally-equivalent",
            studied[0].path,
            "Its cleaned diff is empty, or touches only code under #if 0: nothing that runs.",
        )
    changed = [f.path for f in studied if not f.functionally_equivalent]
    return True, Reason(
        "in-population", changed[0], f"It changes {len(changed)} file(s) under {where}."
    )


def is_unit_class(name: str, config: StudyConfig, registry: UnitRegistry) -> str | None:
    """Return why the class ``name`` is a dynamically-updatable unit, or ``None``."""
    units = config.units
    if name_matches(name, units.classes):
        return f"{name} is named an updatable unit"
    bare = bare_name(name)
    for base in sorted(registry.ancestors(name) | registry.ancestors(bare)):
        if name_matches(base, units.bases):
            return f"{name} derives from {base}"
    if name in registry.marked or bare in registry.marked:
        return f"{name} declares {' or '.join(units.markers)} in its body"
    return None


def encapsulating_unit(name: str, config: StudyConfig, registry: UnitRegistry) -> str | None:
    """Return the unit a simple class ``name`` lives in (configured, or by nesting), or ``None``."""
    for pattern, owner in config.units.encapsulated:
        if name_matches(name, (pattern,)) and is_unit_class(owner, config, registry):
            return owner
    outer, _ = split_owner(name)
    while outer:
        if is_unit_class(outer, config, registry):
            return outer
        outer, _ = split_owner(outer)
    return None


def c_unit_reason(context: ContextFact, config: StudyConfig, registry: UnitRegistry) -> str | None:
    """Return why a free function is updatable (its file, its name, a table), or ``None``."""
    units = config.units
    if path_matches(context.path, units.c_paths):
        return f"{context.path} is an updatable file"
    if name_matches(context.name, units.c_functions):
        return f"{context.name} is named an updatable function"
    if context.name in registry.table_functions:
        return f"{context.name} is reached through a function-pointer table"
    return None


def _owner_class(context: ContextFact) -> str | None:
    if context.kind == "class":
        return context.name
    return split_owner(context.name)[0]


def _judgement(context: ContextFact, category: str, text: str) -> ContextJudgement:
    strict_ok, relaxed_ok, blocks = CATEGORIES[category]
    subject = f"{context.path}: {context.name}"
    if context.uncertain:
        text += " (its context is uncertain: the line is inside a parse error)"
    return ContextJudgement(
        context, category, strict_ok, relaxed_ok, blocks, Reason(category, subject, text)
    )


def _global_judgement(context: ContextFact) -> ContextJudgement:
    kinds = context.global_kinds or frozenset({"unknown"})
    if "enum" in kinds:
        return _judgement(context, "enum", f"It changes an enumeration in {context.path}.")
    if "data" in kinds:
        return _judgement(context, "static-data", f"It changes static data in {context.path}.")
    if "unexamined" in kinds:
        text = f"It changes the global context of {context.path} (not examined: other code"
        return _judgement(context, "global", text + " already rules the change out).")
    listed = ", ".join(sorted(kinds))
    return _judgement(
        context, "global", f"It changes the global context of {context.path} ({listed})."
    )


def _relaxation(context: ContextFact, config: StudyConfig) -> tuple[str, str] | None:
    relax = config.relaxations
    if path_matches(context.path, relax.test_paths):
        return "test", f"{context.path} is test code."
    if name_matches(context.name, relax.test_names):
        return "test", f"{context.name} is test code by its name."
    # Tracing *code* is forgiven; a class named for tracing (a static trace-point enumeration,
    # say) is not.
    if context.kind == "function" and name_matches(context.name, relax.debug_names):
        return "debug", f"{context.name} is debugging or tracing code by its name."
    if context.kind == "function" and context.init_marked:
        return "init", f"{context.name} is initialisation code by its marker."
    if context.kind == "function" and name_matches(context.name, relax.init_names):
        return "init", f"{context.name} is initialisation code by its name."
    return None


def judge_context(
    context: ContextFact, config: StudyConfig, registry: UnitRegistry
) -> ContextJudgement:
    """Judge one changed context against the study's units and relaxations."""
    if context.kind == "global":
        return _global_judgement(context)
    owner = _owner_class(context)
    why = is_unit_class(owner, config, registry) if owner else None
    if why:
        what = "method" if context.kind == "function" else "declaration"
        if context.change == "deleted":
            return _judgement(
                context, "unit-deleted", f"It deletes the {what} {context.name} ({why})."
            )
        category = "unit-method" if context.kind == "function" else "unit-body"
        return _judgement(
            context, category, f"It {VERBS[context.change]} the {what} {context.name} ({why})."
        )
    if owner is None and context.kind == "function":
        why = c_unit_reason(context, config, registry)
        if why:
            category = "unit-deleted" if context.change == "deleted" else "c-unit"
            return _judgement(
                context, category, f"It {VERBS[context.change]} {context.name} ({why})."
            )
    if owner and ENUM_BASES & {bare_name(b) for b in registry.ancestors(owner)}:
        return _judgement(context, "enum", f"It changes the enumeration {owner} in {context.path}.")
    holder = encapsulating_unit(owner, config, registry) if owner else None
    if holder:
        return _judgement(
            context, "encapsulated", f"{owner} is a simple class inside the unit {holder}."
        )
    relaxed = _relaxation(context, config)
    if relaxed:
        return _judgement(context, *relaxed)
    return _judgement(
        context,
        "outside",
        f"{context.name} in {context.path} is outside every dynamically-updatable unit.",
    )


def judge_file(file: FileFacts) -> ContextJudgement | None:
    """Judge a studied file the contexts stage found no code in (``None`` if it is code)."""
    if file.status in ("parsed", None):
        return None
    context = ContextFact(file.path, "file", file.path, "modified")
    what = {
        "not-code": "is not program code",
        "binary": "is binary",
        "missing": "could not be read",
    }
    return _judgement(
        context,
        "not-code",
        f"{file.path} {what.get(file.status, file.status)}: no context can be updated.",
    )
