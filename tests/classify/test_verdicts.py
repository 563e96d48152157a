"""The three measures, the shape and the predicted kind of whole transactions, C++ and C."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from classify.config import StudyConfig
from classify.facts import ContextFact, FileFacts, InterfaceFact, TransactionFacts, UnitRegistry
from classify.verdicts import classify_transaction, shape_of

FCM = "os/kernel/mem/FCMFile.C"
EXC = "os/kernel/exception/ExceptionLocal.C"
VFS = "sys/kern/vfs_syscalls.c"
GLOBAL_DECL = frozenset({"declaration"})


def txn(
    *contexts: ContextFact,
    interfaces: tuple[InterfaceFact, ...] = (),
    when: int = 2004,
    extra: tuple[FileFacts, ...] = (),
) -> TransactionFacts:
    paths = sorted({c.path for c in contexts})
    files = tuple(FileFacts(p) for p in paths) + extra
    return TransactionFacts(
        7,
        "k7",
        "Change things",
        datetime(when, 6, 1),
        files=files,
        contexts=contexts,
        interfaces=interfaces,
    )


def method(name: str, change: str = "modified", path: str = FCM) -> ContextFact:
    return ContextFact(path, "function", name, change)


ADAPTABLE = InterfaceFact(FCM, "FCMFile", "getFrame", "parameter-added", True)
NOT_ADAPTABLE = InterfaceFact(
    FCM, "FCMFile", "unmap", "virtual-removed", False, "removed functionality"
)

# (facts, measure 1, measure 2, measure 3, kind, kind rule)
CASES = {
    "cpp-unit-method": (txn(method("FCMFile::getFrame")), True, True, True, "plain", "plain"),
    "cpp-unit-method-before-cutoff": (
        txn(method("FCMFile::getFrame"), when=2001),
        True,
        True,
        None,
        "plain",
        "plain",
    ),
    "cpp-method-added-with-adaptor": (
        txn(
            method("FCMFile::getFrame"),
            ContextFact(FCM, "class", "FCMFile", "modified"),
            interfaces=(ADAPTABLE,),
        ),
        True,
        True,
        True,
        "adaptor",
        "adaptor",
    ),
    "cpp-interface-no-adaptor": (
        txn(method("FCMFile::unmap", "deleted"), interfaces=(NOT_ADAPTABLE,)),
        False,
        False,
        False,
        "not-updatable",
        "interface",
    ),
    "cpp-exception-handler": (
        txn(method("FCMFile::getFrame"), method("ExceptionLocal::handleFault", path=EXC)),
        False,
        False,
        False,
        "not-updatable",
        "outside",
    ),
    "cpp-test-and-init-relaxed": (
        txn(method("FCMFile::getFrame"), method("testFCM"), method("Scheduler::init")),
        False,
        True,
        True,
        "plain",
        "plain",
    ),
    "cpp-encapsulated-relaxed": (
        txn(method("PageList::append")),
        False,
        True,
        True,
        "plain",
        "plain",
    ),
    "c-table-function-with-declarations": (
        txn(
            method("ffs_read", path=VFS),
            ContextFact(VFS, "global", "<global>", "modified", global_kinds=GLOBAL_DECL),
        ),
        False,
        True,
        True,
        "plain",
        "plain",
    ),
    "c-static-data": (
        txn(
            method("vn_close", path=VFS),
            ContextFact(VFS, "global", "<global>", "modified", global_kinds=frozenset({"data"})),
        ),
        False,
        False,
        False,
        "not-updatable",
        "static-data",
    ),
    "c-enum-ruled-out-after-outside-code": (
        txn(
            ContextFact(VFS, "global", "<global>", "modified", global_kinds=frozenset({"enum"})),
            method("sys_open", path=VFS),
        ),
        False,
        False,
        False,
        "not-updatable",
        "outside",
    ),
    "c-not-code-file": (
        txn(
            method("vn_close", path=VFS),
            extra=(FileFacts("sys/conf/files.conf", status="not-code"),),
        ),
        False,
        False,
        False,
        "not-updatable",
        "not-code",
    ),
    "c-prototype-change-adaptable": (
        txn(
            method("vn_open", path=VFS),
            interfaces=(InterfaceFact(VFS, "vn_open", None, "prototype-changed", True),),
        ),
        True,
        True,
        True,
        "adaptor",
        "adaptor",
    ),
    "harmless-interface-change": (
        txn(
            method("FCMFile::getFrame"),
            interfaces=(InterfaceFact(FCM, "FCMFile", "getFrame", "parameter-renamed", True),),
        ),
        True,
        True,
        True,
        "plain",
        "plain",
    ),
    "no-contexts": (txn(extra=(FileFacts("sys/kern/a.c"),)), False, False, False, "plain", "plain"),
}


@pytest.mark.parametrize("name", CASES)
def test_verdict(name: str, config: StudyConfig, registry: UnitRegistry) -> None:
    facts, m1, m2, m3, kind, rule = CASES[name]
    verdict = classify_transaction(facts, config, registry)
    assert verdict.in_population
    assert (verdict.measure1.value, verdict.measure2.value, verdict.measure3.value) == (m1, m2, m3)
    assert (verdict.kind, verdict.kind_reason.rule) == (kind, rule)
    for measure in (verdict.measure1, verdict.measure2):
        assert measure.reasons, "every measure says why"


def test_failing_measure_names_every_context_against_it(
    config: StudyConfig, registry: UnitRegistry
) -> None:
    facts, *_ = CASES["cpp-exception-handler"]
    verdict = classify_transaction(facts, config, registry)
    assert [r.rule for r in verdict.measure1.reasons] == ["outside"]
    assert "ExceptionLocal::handleFault" in verdict.kind_reason.text


def test_relaxed_measure_lists_what_it_forgave(config: StudyConfig, registry: UnitRegistry) -> None:
    facts, *_ = CASES["cpp-test-and-init-relaxed"]
    verdict = classify_transaction(facts, config, registry)
    assert [r.rule for r in verdict.measure2.reasons] == ["relaxed", "unit-method", "test", "init"]
    assert {r.rule for r in verdict.measure1.reasons} == {"test", "init"}


def test_measure_3_without_cutoff_is_not_applicable(
    config: StudyConfig, registry: UnitRegistry
) -> None:
    facts, *_ = CASES["cpp-unit-method"]
    verdict = classify_transaction(facts, replace(config, cutoff=None), registry)
    assert verdict.measure3.value is None
    assert verdict.measure3.reasons[0].rule == "no-cutoff"


def test_out_of_population_has_no_measures(config: StudyConfig, registry: UnitRegistry) -> None:
    facts = txn(method("main", path="usr/bin/ls.c"))
    verdict = classify_transaction(facts, config, registry)
    assert not verdict.in_population
    assert verdict.population_reason.rule == "outside-population"
    assert (verdict.measure1, verdict.kind) == (None, None)
    assert verdict.purpose.purpose


def test_contexts_outside_the_population_do_not_count(
    config: StudyConfig, registry: UnitRegistry
) -> None:
    facts = txn(method("FCMFile::getFrame"), method("main", path="usr/bin/ls.c"))
    verdict = classify_transaction(facts, config, registry)
    assert verdict.measure1.value is True
    assert verdict.contexts_modified == 1


@pytest.mark.parametrize(
    ("changes", "shape"),
    [
        ((), "none"),
        (("modified", "modified"), "modifies"),
        (("added", "modified"), "adds"),
        (("deleted",), "deletes"),
        (("added", "deleted", "modified"), "adds+deletes"),
    ],
)
def test_shape(changes: tuple[str, ...], shape: str) -> None:
    assert shape_of(tuple(method(f"f{i}", change) for i, change in enumerate(changes))) == shape


def test_interface_subject_names_a_prototype_once() -> None:
    assert InterfaceFact("a.c", "f", "f", "prototype-removed", False).subject == "f"
    assert InterfaceFact("a.H", "A", "g", "virtual-removed", False).subject == "A::g"
    assert InterfaceFact("a.H", "A", None, "class-removed", False).subject == "A"


@pytest.mark.parametrize(
    ("language", "subject"),
    [("python", "PMRoot.getFrame"), ("cpp", "PMRoot::getFrame"), (None, "PMRoot::getFrame")],
)
def test_interface_subject_uses_its_languages_separator(
    language: str | None, subject: str, config: StudyConfig, registry: UnitRegistry
) -> None:
    change = InterfaceFact(FCM, "PMRoot", "getFrame", "parameter-added", True, "", language)
    assert change.subject == subject
    facts = txn(method("FCMFile::getFrame"), interfaces=(change,))
    verdict = classify_transaction(facts, config, registry)
    assert f"parameter-added of {subject})" in verdict.kind_reason.text


def test_python_annotations_alone_need_no_adaptor(
    config: StudyConfig, registry: UnitRegistry
) -> None:
    annotated = InterfaceFact(FCM, "FCMFile", "getFrame", "annotation-added", True, "", "python")
    retyped = replace(annotated, kind="parameter-type-changed")
    plain = classify_transaction(
        txn(method("FCMFile::getFrame"), interfaces=(annotated,)), config, registry
    )
    adaptor = classify_transaction(
        txn(method("FCMFile::getFrame"), interfaces=(annotated, retyped)), config, registry
    )
    assert (plain.kind, adaptor.kind) == ("plain", "adaptor")
