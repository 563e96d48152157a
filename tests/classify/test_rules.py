"""Every rule of the context judgement and of the population, in C++ and C."""

from __future__ import annotations

from datetime import datetime
from types import MappingProxyType

import pytest

from classify.config import StudyConfig
from classify.facts import ContextFact, FileFacts, TransactionFacts, UnitRegistry
from classify.rules import (
    CATEGORIES,
    judge_context,
    judge_file,
    name_matches,
    path_matches,
    population_reason,
)

CPP = "os/kernel/mem/FCMFile.C"
C = "sys/kern/vfs_syscalls.c"

# (context, expected category, a word the reason must contain)
CASES = [
    # C++ units: by name, by base (transitively, qualified or bare), by marker.
    (ContextFact(CPP, "function", "FCMFile::getFrame", "modified"), "unit-method", "named"),
    (
        ContextFact(CPP, "function", "ProcessDefault::kill", "added"),
        "unit-method",
        "derives from Obj",
    ),
    (ContextFact(CPP, "function", "ns::FCMComputation::map", "modified"), "unit-method", "ns::Obj"),
    (
        ContextFact(CPP, "function", "DispatcherDefault::run", "modified"),
        "unit-method",
        "DEFINE_FACTORY",
    ),
    (ContextFact(CPP, "class", "ProcessShared", "modified"), "unit-body", "declaration"),
    (ContextFact(CPP, "function", "FCMFile::oldMethod", "deleted"), "unit-deleted", "deletes"),
    (ContextFact(CPP, "class", "ProcessDefault", "deleted"), "unit-deleted", "deletes"),
    # C units: by file or directory, by name glob, through a function-pointer table.
    (
        ContextFact("sys/vfs/vfs_lookup.c", "function", "lookup", "modified"),
        "c-unit",
        "updatable file",
    ),
    (ContextFact(C, "function", "vn_close", "modified"), "c-unit", "named an updatable function"),
    (ContextFact(C, "function", "ffs_read", "added"), "c-unit", "function-pointer table"),
    (ContextFact(C, "function", "vn_open", "deleted"), "unit-deleted", "deletes"),
    # Encapsulated simple classes: configured, or nested in a unit (a factory).
    (ContextFact(CPP, "function", "PageList::add", "modified"), "encapsulated", "FCMFile"),
    (ContextFact(CPP, "class", "FCMFile::Factory", "modified"), "encapsulated", "FCMFile"),
    (
        ContextFact(CPP, "function", "ProcessDefault::Factory::create", "added"),
        "encapsulated",
        "ProcessDefault",
    ),
    # Relaxations: test code by path and by name, debugging and tracing, initialisation.
    (
        ContextFact("os/kernel/tests/testMem.C", "function", "runAll", "modified"),
        "test",
        "test code",
    ),
    (ContextFact(CPP, "function", "testFaults", "modified"), "test", "by its name"),
    (ContextFact(CPP, "function", "Scheduler::printStats", "modified"), "debug", "debugging"),
    (ContextFact(C, "function", "ktrace_emit", "modified"), "debug", "tracing"),
    (ContextFact(CPP, "function", "Scheduler::init", "modified"), "init", "by its name"),
    (ContextFact(C, "function", "vfsinit", "modified"), "outside", "outside"),
    (ContextFact(C, "function", "pci_init", "modified"), "init", "by its name"),
    (ContextFact(C, "function", "setup", "modified", init_marked=True), "init", "by its marker"),
    # Global context: declarative changes are forgiven by measure 2; data and enums are not.
    (
        ContextFact(C, "global", "<global>", "modified", global_kinds=frozenset({"preprocessor"})),
        "global",
        "preprocessor",
    ),
    (
        ContextFact(C, "global", "<global>", "modified", global_kinds=frozenset({"declaration"})),
        "global",
        "declaration",
    ),
    (ContextFact(C, "global", "<global>", "modified"), "global", "unknown"),
    (
        ContextFact(
            C, "global", "<global>", "modified", global_kinds=frozenset({"declaration", "data"})
        ),
        "static-data",
        "static data",
    ),
    (
        ContextFact(
            CPP, "global", "<global>", "modified", global_kinds=frozenset({"enum", "data"})
        ),
        "enum",
        "enumeration",
    ),
    (
        ContextFact(C, "global", "<global>", "modified", global_kinds=frozenset({"unexamined"})),
        "global",
        "not examined",
    ),
    # Outside every unit: the exception path, a non-unit class, a plain C function.
    (
        ContextFact(
            "os/kernel/exception/ExceptionLocal.C",
            "function",
            "ExceptionLocal::handleFault",
            "modified",
        ),
        "outside",
        "outside every",
    ),
    (ContextFact(CPP, "class", "Scheduler", "modified"), "outside", "outside every"),
    (ContextFact(C, "function", "sys_open", "modified"), "outside", "outside every"),
]


@pytest.mark.parametrize(
    ("context", "category", "word"), CASES, ids=lambda v: getattr(v, "name", None)
)
def test_judge_context(
    context: ContextFact, category: str, word: str, config: StudyConfig, registry: UnitRegistry
) -> None:
    judgement = judge_context(context, config, registry)
    assert judgement.category == category
    assert word in judgement.reason.text
    assert judgement.reason.subject == f"{context.path}: {context.name}"
    assert (judgement.strict_ok, judgement.relaxed_ok, judgement.blocks_update) == CATEGORIES[
        category
    ]


def test_every_category_is_covered() -> None:
    assert {category for _, category, _ in CASES} | {"not-code"} == set(CATEGORIES)


def test_uncertain_contexts_say_so(config: StudyConfig, registry: UnitRegistry) -> None:
    context = ContextFact(CPP, "function", "Scheduler::run", "modified", uncertain=True)
    assert "uncertain" in judge_context(context, config, registry).reason.text


def test_a_base_itself_is_not_a_unit(config: StudyConfig, registry: UnitRegistry) -> None:
    assert (
        judge_context(
            ContextFact(CPP, "function", "Obj::ref", "modified"), config, registry
        ).category
        == "outside"
    )


def test_encapsulated_needs_its_owner_to_be_a_unit(config: StudyConfig) -> None:
    empty = UnitRegistry()
    context = ContextFact(CPP, "function", "Scheduler::Queue::push", "modified")
    assert judge_context(context, config, empty).category == "outside"


@pytest.mark.parametrize(
    ("status", "category"),
    [
        ("parsed", None),
        (None, None),
        ("not-code", "not-code"),
        ("binary", "not-code"),
        ("missing", "not-code"),
    ],
)
def test_judge_file(status: str | None, category: str | None) -> None:
    judgement = judge_file(FileFacts("os/kernel/Makefile.inc", status=status))
    assert (judgement.category if judgement else None) == category


@pytest.mark.parametrize(
    ("path", "patterns", "expected"),
    [
        ("os/kernel/mem/FCM.C", ("os/kernel/",), True),
        ("os/kernel/mem/FCM.C", ("os/kernel",), True),
        ("os/kernelx/FCM.C", ("os/kernel",), False),
        ("os/kernel", ("os/kernel",), True),
        ("lib/tests/a.c", ("*/tests/*",), True),
        ("tests/a.c", ("*/tests/*",), False),
        ("tests/a.c", ("tests/",), True),
        ("sys/vfs/vfs_lookup.c", ("sys/vfs/*.c",), True),
        ("a.c", (), False),
    ],
)
def test_path_matches(path: str, patterns: tuple[str, ...], expected: bool) -> None:
    assert path_matches(path, patterns) is expected


def test_name_matches_qualified_or_last_part() -> None:
    assert name_matches("ns::FCMFile", ("FCMFile",))
    assert name_matches("Proc::init", ("*::init",))
    assert name_matches("Proc::init", ("init*",))
    assert not name_matches("Proc::reinit", ("init*",))


def _txn(*files: FileFacts) -> TransactionFacts:
    return TransactionFacts(1, "abc123", "msg", datetime(2004, 1, 1), files=files)


@pytest.mark.parametrize(
    ("files", "inside", "rule"),
    [
        ((), False, "no-files"),
        ((FileFacts("usr/bin/ls.c"),), False, "outside-population"),
        ((FileFacts("os/kernel/Makefile"),), False, "outside-population"),
        (
            (FileFacts("os/kernel/a.C", functionally_equivalent=True),),
            False,
            "functionally-equivalent",
        ),
        (
            (FileFacts("os/kernel/a.C", functionally_equivalent=True), FileFacts("sys/b.c")),
            True,
            "in-population",
        ),
        ((FileFacts("usr/bin/ls.c"), FileFacts("sys/kern/a.c")), True, "in-population"),
    ],
)
def test_population(
    files: tuple[FileFacts, ...], inside: bool, rule: str, config: StudyConfig
) -> None:
    result, reason = population_reason(_txn(*files), config)
    assert (result, reason.rule) == (inside, rule)
    assert reason.text.endswith(".")


PY_REGISTRY = UnitRegistry(
    MappingProxyType(
        {
            "PMRoot": frozenset({"PM"}),
            "PM": frozenset({"runtime.Obj"}),
            "TracePoint": frozenset({"enum.IntEnum"}),
        }
    )
)


@pytest.mark.parametrize(
    ("context", "category"),
    [
        (ContextFact("kernel/pm.py", "function", "PMRoot.getFrame", "modified"), "unit-method"),
        (ContextFact("kernel/pm.py", "class", "PM", "modified"), "unit-body"),
        (ContextFact("kernel/pm.py", "function", "PMRoot.Stats.add", "added"), "encapsulated"),
        (ContextFact("kernel/tracing.py", "class", "TracePoint", "modified"), "enum"),
        (ContextFact("kernel/tracing.py", "function", "TraceService.emit", "modified"), "debug"),
        (ContextFact("kernel/tracing.py", "class", "TraceService", "modified"), "outside"),
        (ContextFact("kernel/exc.py", "function", "handle_page_fault", "modified"), "outside"),
    ],
    ids=lambda v: getattr(v, "name", None),
)
def test_python_names_use_dots(context: ContextFact, category: str, config: StudyConfig) -> None:
    assert judge_context(context, config, PY_REGISTRY).category == category
