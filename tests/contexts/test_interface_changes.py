"""Interface changes between old and new C++ sources, checked against abidiff as an oracle.

Every pair is compiled with ``g++ -g -shared -fPIC`` (method bodies are generated from the
declarations) and compared with ``abidiff`` (abigail-tools). Where both look at the same thing
they must agree: whether the ABI changed at all; which kinds of change abidiff reports; the
vtable slot numbers (abidiff's ``voffset``). :data:`KNOWN_DIFFERENCES` lists, with reasons,
the pairs where abidiff sees the change differently, and the test checks that it still does.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from contexts.interface_changes import interface_changes
from contexts.interface_model import Interfaces, Method
from contexts.interfaces import interface_of


@dataclass(frozen=True)
class Pair:
    """An old and a new version of a class declaration and what we expect of them."""

    name: str
    old: str
    new: str
    kinds: tuple[str, ...]
    """Our expected change kinds, sorted."""
    abidiff: frozenset[str]
    """The categories abidiff reports (see :func:`abidiff_categories`)."""
    expressible: bool = True


BASE = "class A {\npublic:\n    virtual int f(int x);\n    virtual int g();\n    int m;\n};\n"
PAIRS = [
    Pair("unchanged", BASE, BASE.replace("int x", "int  x"), (), frozenset()),
    Pair(
        "virtual-added-at-end",
        BASE,
        BASE.replace("virtual int g();", "virtual int g();\n    virtual int h();"),
        ("virtual-added-at-end",),
        frozenset({"vtable-entry-added", "function-added"}),
    ),
    Pair(
        "virtual-added-shifting",
        BASE,
        BASE.replace("virtual int g();", "virtual int h();\n    virtual int g();"),
        ("virtual-added-shifting",),
        frozenset({"vtable-entry-added", "function-added", "vtable-offset-changed"}),
    ),
    Pair(
        "virtual-added-shifting-in-subclass",
        BASE + "class B : public A {\npublic:\n    virtual int k();\n};\n",
        BASE.replace("virtual int g();", "virtual int g();\n    virtual int h();")
        + "class B : public A {\npublic:\n    virtual int k();\n};\n",
        ("virtual-added-at-end", "virtual-added-shifting"),
        frozenset({"vtable-entry-added", "function-added", "vtable-offset-changed"}),
    ),
    Pair(
        "virtual-removed",
        BASE,
        BASE.replace("    virtual int g();\n", ""),
        ("virtual-removed",),
        frozenset({"vtable-entry-removed", "function-removed"}),
        expressible=False,
    ),
    Pair(
        "virtual-moved",
        BASE,
        BASE.replace(
            "virtual int f(int x);\n    virtual int g();",
            "virtual int g();\n    virtual int f(int x);",
        ),
        ("virtual-moved",),
        frozenset({"vtable-offset-changed"}),
    ),
    Pair(
        "virtual-destructor-added",
        BASE,
        BASE.replace("public:\n", "public:\n    virtual ~A();\n"),
        ("virtual-destructor-added",),
        frozenset({"vtable-entry-added", "function-added", "vtable-offset-changed"}),
    ),
    Pair(
        "return-type-changed",
        BASE,
        BASE.replace("virtual int g();", "virtual long g();"),
        ("return-type-changed",),
        frozenset({"return-type"}),
    ),
    Pair(
        "parameter-renamed",
        BASE,
        BASE.replace("int x", "int value"),
        ("parameter-renamed",),
        frozenset(),
    ),
    Pair(
        "data-member-added",
        BASE,
        BASE.replace("int m;", "int m;\n    long extra;"),
        ("data-member-added",),
        frozenset({"member-added", "size-changed"}),
    ),
    Pair(
        "data-member-removed",
        BASE.replace("int m;", "int m;\n    long extra;"),
        BASE,
        ("data-member-removed",),
        frozenset({"member-removed", "size-changed"}),
    ),
    Pair(
        "data-member-type-changed",
        BASE,
        BASE.replace("int m;", "long m;"),
        ("data-member-type-changed",),
        frozenset({"member-type"}),  # the vptr's alignment pads an int to 8 bytes anyway
    ),
    Pair(
        "prototype-parameter-added",
        'extern "C" int proto(int a);\n',
        'extern "C" int proto(int a, long b);\n',
        ("prototype-changed",),
        frozenset({"parameter-added"}),
    ),
    Pair(
        "prototype-return-changed",
        'extern "C" int proto(int a);\n',
        'extern "C" long proto(int a);\n',
        ("prototype-changed",),
        frozenset({"return-type"}),
    ),
    Pair(
        "became-virtual",
        BASE.replace("int m;", "int plain();\n    int m;"),
        BASE.replace("int m;", "virtual int plain();\n    int m;"),
        ("became-virtual",),
        frozenset({"became-virtual"}),
    ),
    # Pairs where abidiff sees the change through symbol names: see KNOWN_DIFFERENCES.
    Pair(
        "virtual-renamed",
        BASE,
        BASE.replace("virtual int g();", "virtual int renamed();"),
        ("virtual-renamed",),
        frozenset(
            {"vtable-entry-added", "vtable-entry-removed", "function-added", "function-removed"}
        ),
    ),
    Pair(
        "parameter-added-with-default",
        BASE,
        BASE.replace("int f(int x)", "int f(int x, int y = 0)"),
        ("parameter-added",),
        frozenset(
            {"vtable-entry-added", "vtable-entry-removed", "function-added", "function-removed"}
        ),
    ),
    Pair(
        "parameter-removed",
        BASE.replace("int f(int x)", "int f(int x, int y)"),
        BASE,
        ("parameter-removed",),
        frozenset(
            {"vtable-entry-added", "vtable-entry-removed", "function-added", "function-removed"}
        ),
    ),
    Pair(
        "parameter-type-changed",
        BASE,
        BASE.replace("int f(int x)", "int f(long x)"),
        ("parameter-type-changed",),
        frozenset(
            {"vtable-entry-added", "vtable-entry-removed", "function-added", "function-removed"}
        ),
    ),
    Pair(
        "became-const",
        BASE,
        BASE.replace("virtual int g();", "virtual int g() const;"),
        ("became-const",),
        frozenset(
            {"vtable-entry-added", "vtable-entry-removed", "function-added", "function-removed"}
        ),
    ),
    Pair(
        "class-renamed",
        BASE,
        BASE.replace("class A", "class Renamed"),
        ("class-renamed",),
        frozenset(
            {"vtable-entry-added", "vtable-entry-removed", "function-added", "function-removed"}
        ),
    ),
]

KNOWN_DIFFERENCES = {
    "virtual-renamed": "abidiff knows functions by symbol: it sees one vtable entry removed and "
    "one added at the same voffset; we pair them as a rename an adaptor hides by remapping",
    "parameter-added-with-default": "the mangled name changes, so abidiff reports a function "
    "removed and one added; we pair them by name as a parameter added (an adaptor supplies "
    "the default)",
    "parameter-removed": "as above: abidiff sees a removed and an added symbol, we see a "
    "dropped parameter",
    "parameter-type-changed": "as above: abidiff sees a removed and an added symbol, we see a "
    "retyped parameter",
    "became-const": "const is part of the mangled name: abidiff sees removed and added symbols",
    "class-renamed": "abidiff sees every method of the old class removed and of the new one added; "
    "we see one class renamed with the same members",
}

_SUMMARY = re.compile(r"Functions changes summary: (\d+) Removed, (\d+) Changed.*?, (\d+) Added")
_CATEGORIES = {
    "vtable-entry-added": re.compile(r"adds a new entry to the vtable"),
    "vtable-entry-removed": re.compile(r"removes an entry from the vtable"),
    "vtable-offset-changed": re.compile(r"vtable offset of method .* changed from"),
    "return-type": re.compile(r"return type changed"),
    "parameter-added": re.compile(r"parameter \d+ of type .* was added"),
    "parameter-removed": re.compile(r"parameter \d+ of type .* was removed"),
    "member-added": re.compile(r"data member insertion"),
    "member-removed": re.compile(r"data member deletion"),
    "member-type": re.compile(r"type of '[^']*' changed"),
    "became-virtual": re.compile(r"is now declared virtual"),
    "size-changed": re.compile(r"type '(?:class|struct) [^']*'[^\n]*:\n\s+type size changed from"),
}

pytestmark = pytest.mark.skipif(
    shutil.which("abidiff") is None or shutil.which("g++") is None,
    reason="needs abigail-tools and g++",
)


def definitions(source: str) -> str:
    """Return out-of-line definitions of every non-pure method and prototype ``source`` declares."""
    interfaces = interface_of(source.encode(), "cpp")
    lines = []
    for info in interfaces.classes.values():
        lines += [
            _definition(f"{info.name}::", method) for method in info.methods if not method.pure
        ]
    lines += [_definition("", method) for method in interfaces.prototypes.values()]
    return "\n".join(lines) + "\n"


def _definition(prefix: str, method: Method) -> str:
    parameters = ", ".join(f"{p.type} p{i}" for i, p in enumerate(method.parameters))
    body = "{ }" if method.return_type in ("", "void") else "{ return 0; }"
    const = " const" if method.const else ""
    return f"{method.return_type} {prefix}{method.name}({parameters}){const} {body}"


def compile_library(source: str, path: Path) -> Path:
    """Compile ``source`` and its generated definitions into a shared library at ``path``."""
    path.with_suffix(".cc").write_text(source + definitions(source))
    subprocess.run(
        ["g++", "-g", "-shared", "-fPIC", "-o", str(path), str(path.with_suffix(".cc"))], check=True
    )
    return path


def abidiff_categories(report: str) -> frozenset[str]:
    """Return the kinds of change an abidiff report names."""
    found = {name for name, pattern in _CATEGORIES.items() if pattern.search(report)}
    summary = _SUMMARY.search(report)
    if summary and int(summary.group(1)):
        found.add("function-removed")
    if summary and int(summary.group(3)):
        found.add("function-added")
    return frozenset(found)


@pytest.fixture(scope="module")
def abidiff_reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, str]]:
    """Compile every pair and return abidiff's exit status and report for each."""
    reports = {}
    for pair in PAIRS:
        folder = tmp_path_factory.mktemp(pair.name)
        old = compile_library(pair.old, folder / "old.so")
        new = compile_library(pair.new, folder / "new.so")
        result = subprocess.run(
            ["abidiff", str(old), str(new)], capture_output=True, text=True, check=False
        )
        reports[pair.name] = (result.returncode, result.stdout)
    return reports


def _ours(pair: Pair) -> tuple[Interfaces, Interfaces, list]:
    old, new = interface_of(pair.old.encode(), "cpp"), interface_of(pair.new.encode(), "cpp")
    return old, new, interface_changes(old, new)


@pytest.mark.parametrize("pair", PAIRS, ids=lambda pair: pair.name)
def test_our_verdict(pair: Pair) -> None:
    _, _, changes = _ours(pair)
    assert tuple(sorted(change.kind for change in changes)) == pair.kinds
    assert all(change.adaptor_expressible for change in changes) == pair.expressible


@pytest.mark.parametrize("pair", PAIRS, ids=lambda pair: pair.name)
def test_abidiff_agrees_on_whether_the_abi_changed(pair: Pair, abidiff_reports: dict) -> None:
    status, report = abidiff_reports[pair.name]
    _, _, changes = _ours(pair)
    assert bool(status & 4) == any(change.changes_abi for change in changes), report


@pytest.mark.parametrize("pair", PAIRS, ids=lambda pair: pair.name)
def test_abidiff_reports_the_expected_kinds(pair: Pair, abidiff_reports: dict) -> None:
    _, report = abidiff_reports[pair.name]
    assert abidiff_categories(report) == pair.abidiff, report
    if pair.name in KNOWN_DIFFERENCES:
        assert not {"vtable-offset-changed", "parameter-added", "parameter-removed"} & pair.abidiff


_VOFFSET = re.compile(
    r"'method virtual \w+ (\w+)::(\w+)\([^)]*\)( const)?'.*virtual at voffset (\d+)/"
)
_MOVED = re.compile(
    r"vtable offset of method virtual \w+ (\w+)::(\w+)\(.*\) changed from (\d+) to (\d+)"
)


def _slot(interfaces: Interfaces, class_name: str, method: str) -> int:
    return next(
        slot.slot for slot in interfaces.classes[class_name].vtable if slot.method.name == method
    )


@pytest.mark.parametrize("pair", PAIRS, ids=lambda pair: pair.name)
def test_vtable_slots_match_abidiff_voffsets(pair: Pair, abidiff_reports: dict) -> None:
    _, report = abidiff_reports[pair.name]
    old, new, _ = _ours(pair)
    for match in _VOFFSET.finditer(report):
        class_name, method, _, offset = match.groups()
        side = new if method in {s.method.name for s in new.classes[class_name].vtable} else old
        assert _slot(side, class_name, method) == int(offset), match.group(0)
    for match in _MOVED.finditer(report):
        class_name, method, before, after = match.groups()
        assert (_slot(old, class_name, method), _slot(new, class_name, method)) == (
            int(before),
            int(after),
        )
