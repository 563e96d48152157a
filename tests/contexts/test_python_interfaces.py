"""Python class interfaces and their changes: tables of old and new sources and expected changes.

The extraction is also checked against Python itself as an oracle: every source of the tables
is executed (annotations left unevaluated) and the slots we number must be the runtime's own
order of each class's namespace after its primary base's, and each method's parameters must be
what :func:`inspect.signature` says (names, kinds, literal defaults). A last test runs the
contexts stage on a real git repository mined by the miner.
"""

from __future__ import annotations
import __future__

import ast
import inspect
import subprocess
import textwrap
import types
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from contexts.file_analysis import touched_names
from contexts.interface_changes import interface_changes
from contexts.interface_model import ClassInfo, Method
from contexts.interfaces import interface_of
from contexts.line_contexts import LineContext
from contexts.models import ClassInterface, InterfaceChange
from contexts.python_interfaces import CONSTRUCTORS, KEYWORD_ONLY, normalise_annotation
from contexts.stage import run
from contexts.vtables import PYTHON_CLASS, merge_interfaces
from miner.api import mine
from miner.db import open_database


def _source(text: str) -> bytes:
    return textwrap.dedent(text).encode()


PM = """\
class PM(Updatable):
    @virtual
    def getFrame(self) -> int:
        raise NotImplementedError

    @virtual
    def freeFrame(self, frame: int) -> int:
        raise NotImplementedError

    @virtual
    def framesInUse(self) -> int:
        raise NotImplementedError


class PMRoot(PM):
    def __init__(self, k, frames: int) -> None:
        self.k = k
        self.free: list[int] = list(range(frames))

    def getFrame(self) -> int:
        return self.free.pop()

    def freeFrame(self, frame: int) -> int:
        self.free.append(frame)
        return 0

    def framesInUse(self) -> int:
        return 0

    def framesFree(self) -> int:
        return len(self.free)
"""


@dataclass(frozen=True)
class Pair:
    """An old and a new Python source and the interface changes expected between them."""

    name: str
    old: str
    new: str
    changes: frozenset[tuple[str, str | None, str, int | None, int | None, bool]]
    """``(scope, member, kind, old slot, new slot, adaptor-expressible)`` of each change."""


def _pair(name: str, old: str, new: str, *changes: tuple) -> Pair:
    return Pair(name, old, new, frozenset(changes))


PAIRS = [
    _pair("body-only", PM, PM.replace("return len(self.free)", "return len(self.free) + 0")),
    _pair(
        "comments-and-spacing",
        PM,
        PM.replace(
            "def freeFrame(self, frame: int)",
            "def freeFrame(\n        self,  # the page manager\n        frame :int,\n    )",
        ),
    ),
    _pair(
        "virtual-added-at-end",
        PM,
        PM + "\n    def framesTotal(self) -> int:\n        return 0\n",
        ("PMRoot", "framesTotal", "virtual-added-at-end", None, 4, True),
    ),
    _pair(
        "virtual-added-shifting",
        PM,
        PM.replace(
            "    def framesFree(",
            "    def reserve(self, n: int) -> int:\n        return 0\n\n    def framesFree(",
        ),
        ("PMRoot", "reserve", "virtual-added-shifting", None, 3, True),
    ),
    _pair(
        "base-gains-a-method-shifting-every-subclass",
        PM,
        PM.replace(
            "    @virtual\n    def framesInUse",
            "    @virtual\n    def reclaim(self, count: int) -> int:\n"
            "        raise NotImplementedError\n\n    @virtual\n    def framesInUse",
        ),
        ("PM", "reclaim", "virtual-added-shifting", None, 2, True),
        ("PMRoot", "reclaim", "virtual-added-shifting", None, 2, True),
    ),
    _pair(
        "base-gains-a-method-at-its-end-shifting-the-subclass-only",
        PM,
        PM.replace(
            "class PMRoot(PM):",
            "    @virtual\n    def reclaim(self, count: int) -> int:\n"
            "        raise NotImplementedError\n\n\nclass PMRoot(PM):",
        ),
        ("PM", "reclaim", "virtual-added-at-end", None, 3, True),
        ("PMRoot", "reclaim", "virtual-added-shifting", None, 3, True),
    ),
    _pair(
        "override-gains-a-parameter-keeping-its-slot",
        PM,
        PM.replace(
            "    def getFrame(self) -> int:\n        return",
            "    def getFrame(self, size: int) -> int:\n        return",
        ),
        ("PMRoot", "getFrame", "parameter-added", None, None, True),
    ),
    _pair(
        "parameter-added-with-default",
        PM,
        PM.replace("def framesFree(self)", "def framesFree(self, exact: bool = False)"),
        ("PMRoot", "framesFree", "parameter-added", None, None, True),
    ),
    _pair(
        "parameter-removed",
        PM,
        PM.replace(
            "    def freeFrame(self, frame: int) -> int:\n        self.free",
            "    def freeFrame(self) -> int:\n        self.free",
        ),
        ("PMRoot", "freeFrame", "parameter-removed", None, None, True),
    ),
    _pair(
        "parameter-renamed",
        PM,
        PM.replace(
            "def freeFrame(self, frame: int) -> int:\n        self",
            "def freeFrame(self, f: int) -> int:\n        self",
        ),
        ("PMRoot", "freeFrame", "parameter-renamed", None, None, True),
    ),
    _pair(
        "parameter-annotation-changed",
        PM,
        PM.replace(
            "def freeFrame(self, frame: int) -> int:\n        self",
            "def freeFrame(self, frame: str) -> int:\n        self",
        ),
        ("PMRoot", "freeFrame", "parameter-type-changed", None, None, True),
    ),
    _pair(
        "annotations-added-where-there-were-none",
        "class A:\n    def f(self, a, *args, b=1, **kw): ...\n",
        "class A:\n    def f(self, a: int, *args: str, b: int = 1, **kw: bool) -> None: ...\n",
        ("A", "f", "annotation-added", None, None, True),
    ),
    _pair(
        "annotations-dropped",
        "class A:\n    def f(self, a: int, *, b: 'A') -> list[int]: ...\n",
        "class A:\n    def f(self, a, *, b): ...\n",
        ("A", "f", "annotation-removed", None, None, True),
    ),
    _pair(
        "annotation-added-beside-real-changes",
        "class A:\n    def f(self, a, b) -> int: ...\n",
        "class A:\n    def f(self, a: int, b, c=0) -> str: ...\n",
        ("A", "f", "annotation-added", None, None, True),
        ("A", "f", "parameter-added", None, None, True),
        ("A", "f", "return-type-changed", None, None, True),
    ),
    _pair(
        "public-function-annotated",
        "def run(a, b=1): ...\n",
        "def run(a: int, b: int = 1) -> bool: ...\n",
    ),
    _pair(
        "parameter-became-keyword-only",
        PM,
        PM.replace(
            "def freeFrame(self, frame: int) -> int:\n        self",
            "def freeFrame(self, *, frame: int) -> int:\n        self",
        ),
        ("PMRoot", "freeFrame", "parameter-type-changed", None, None, True),
    ),
    _pair(
        "var-keywords-added",
        PM,
        PM.replace("def framesFree(self)", "def framesFree(self, **options)"),
        ("PMRoot", "framesFree", "parameter-added", None, None, True),
    ),
    _pair(
        "return-annotation-changed",
        PM,
        PM.replace("def framesFree(self) -> int", "def framesFree(self) -> float"),
        ("PMRoot", "framesFree", "return-type-changed", None, None, True),
    ),
    _pair(
        "same-types-spelt-differently",
        "from typing import List, Optional\nclass A:\n"
        "    def f(self, a: Optional[int]) -> List[int]: ...\n"
        "    def g(self) -> 'tuple[int, bool]': ...\n",
        "Pair = tuple[int, bool]\nclass A:\n"
        "    def f(self, a: int | None) -> list[int]: ...\n"
        "    def g(self) -> Pair: ...\n",
    ),
    _pair(
        "type-alias-redefined",
        "Op = tuple[int, int]\nclass A:\n    def next(self) -> Op: ...\n",
        "Op = tuple[int, int, bool]\nclass A:\n    def next(self) -> Op: ...\n",
        ("A", "next", "return-type-changed", None, None, True),
    ),
    _pair(
        "virtual-removed",
        PM,
        PM.replace("    def framesFree(self) -> int:\n        return len(self.free)\n", ""),
        ("PMRoot", "framesFree", "virtual-removed", 3, None, False),
    ),
    _pair(
        "virtual-renamed",
        PM,
        PM.replace("def framesFree(", "def framesAvailable("),
        ("PMRoot", "framesAvailable", "virtual-renamed", 3, 3, True),
    ),
    _pair(
        "virtual-moved",
        "class A:\n    def f(self): ...\n    def g(self, x): ...\n    def h(self): ...\n",
        "class A:\n    def g(self, x): ...\n    def f(self): ...\n    def h(self): ...\n",
        ("A", "g", "virtual-moved", 1, 0, True),
    ),
    _pair(
        "became-static",
        "class A:\n    def f(self, x: int) -> int: ...\n",
        "class A:\n    @staticmethod\n    def f(x: int) -> int: ...\n",
        ("A", "f", "became-static", None, None, True),
    ),
    _pair(
        "constructor-gains-a-parameter",
        PM,
        PM.replace(
            "def __init__(self, k, frames: int)", "def __init__(self, k, frames: int, *, big=False)"
        ),
        ("PMRoot", "__init__", "parameter-added", None, None, True),
    ),
    _pair(
        "data-members",
        "class A:\n    limit = 4\n    size: int\n"
        "    def __init__(self):\n        self.a = 1\n"
        "        if True:\n            self.b: int = 2\n",
        "class A:\n    size: str\n"
        "    def __init__(self):\n        self.a = 1\n        self.a2, self.c = 2, 3\n",
        ("A", "limit", "data-member-removed", None, None, True),
        ("A", "b", "data-member-removed", None, None, True),
        ("A", "a2", "data-member-added", None, None, True),
        ("A", "c", "data-member-added", None, None, True),
        ("A", "size", "data-member-type-changed", None, None, True),
    ),
    _pair(
        "class-renamed",
        "class Pager:\n    def page(self, n: int) -> int: ...\n",
        "class PageManager:\n    def page(self, n: int) -> int: ...\n",
        ("Pager", None, "class-renamed", None, None, True),
    ),
    _pair(
        "class-split",
        "class Pager:\n    def page(self, n): ...\n    def flush(self): ...\n",
        "class Reader:\n    def page(self, n): ...\nclass Flusher:\n    def flush(self): ...\n",
        ("Pager", None, "class-removed", None, None, False),
    ),
    _pair(
        "bases-changed",
        "class A(Base):\n    def f(self): ...\n",
        "class A(Base, Mixin):\n    def f(self): ...\n",
        ("A", None, "bases-changed", None, None, False),
    ),
    _pair(
        "nested-class",
        "class Outer:\n    class Inner:\n        def f(self): ...\n",
        "class Outer:\n    class Inner:\n        def f(self): ...\n        def g(self): ...\n",
        ("Outer.Inner", "g", "virtual-added-at-end", None, 1, True),
    ),
    _pair(
        "public-functions",
        "def run(a, b=1): ...\ndef stop(): ...\ndef _helper(x): ...\n",
        "def run(a, b=1, c=2): ...\ndef _helper(x, y): ...\n",
        ("run", "run", "prototype-changed", None, None, True),
        ("stop", "stop", "prototype-removed", None, None, False),
    ),
    _pair(
        "overload-stubs-and-property-setters-add-no-slot",
        "class A:\n    @property\n    def size(self) -> int: ...\n    def g(self): ...\n",
        "from typing import overload\nclass A:\n    @property\n    def size(self) -> int: ...\n"
        "    @size.setter\n    def size(self, value: int) -> None: ...\n"
        "    @overload\n    def g(self, x: int) -> int: ...\n    def g(self): ...\n",
    ),
]


def _changes(old: bytes, new: bytes) -> frozenset[tuple]:
    found = interface_changes(interface_of(old, "python"), interface_of(new, "python"))
    return frozenset(
        (c.scope, c.member, c.kind, c.old_slot, c.new_slot, c.adaptor_expressible) for c in found
    )


@pytest.mark.parametrize("pair", PAIRS, ids=[pair.name for pair in PAIRS])
def test_interface_changes_of_python_pairs(pair: Pair) -> None:
    assert _changes(_source(pair.old), _source(pair.new)) == pair.changes


@pytest.mark.parametrize(
    ("definition", "signature", "names", "defaults"),
    [
        ("def f(self): ...", "f()", [], []),
        ("def f(self, a, b: int = 3) -> str: ...", "str f(Any, int)", ["a", "b"], [None, "3"]),
        (
            "def f(self, a, /, b, *args: int, c, d='x', **kw: str) -> None: ...",
            "None f(Any, Any, *int, keyword Any, keyword Any, **str)",
            ["a", "b", "args", "c", "d", "kw"],
            [None, None, None, None, "'x'", None],
        ),
        (
            "def f(self, *, key: Optional[Callable[[int], str]] = None): ...",
            "f(keyword Callable[[int], str] | None)",
            ["key"],
            ["None"],
        ),
        ("@staticmethod\ndef f(a: 'PM') -> 'PM': ...", "PM f(PM)", ["a"], [None]),
        ("@classmethod\ndef f(cls, a: typing.List[int]): ...", "f(list[int])", ["a"], [None]),
        ("async def f(self, a: Union[int, str, None]): ...", "f(int | str | None)", ["a"], [None]),
    ],
)
def test_method_signatures(
    definition: str, signature: str, names: list[str], defaults: list[str | None]
) -> None:
    source = "class A:\n" + textwrap.indent(definition, "    ") + "\n"
    method = interface_of(source.encode(), "python").classes["A"].methods[0]
    assert method.signature == signature
    assert [p.name for p in method.parameters] == names
    assert [p.default for p in method.parameters] == defaults


@pytest.mark.parametrize(
    ("annotation", "normalised"),
    [
        ("Optional[Dict[str, List[int]]]", "dict[str, list[int]] | None"),
        ("typing.Tuple[int, ...]", "tuple[int, ...]"),
        ("Union[A, Optional[B]]", "A | B | None"),
        ("'Node'", "Node"),
        ("list[ 'Node' ]", "list[Node]"),
        ("mymodule.List[int]", "mymodule.List[int]"),
        ("Listing", "Listing"),
        ("Op", "tuple[int, bool]"),
        ("dict[Key, Op]", "dict[str, tuple[int, bool]]"),
    ],
)
def test_annotations_are_normalised(annotation: str, normalised: str) -> None:
    aliases = {"Op": "tuple[int, bool]", "Key": "str"}
    assert normalise_annotation(annotation, aliases) == normalised


CLASS_SOURCE = """\
from abc import abstractmethod
Frames = list[int]
type Count = int
if True:
    class Base(Generic[T], metaclass=Meta, version=2):
        '''Doc.'''
        limit: Count = 4
        __slots__ = ('a',)

        def __init__(self, k, frames: Frames) -> None:
            self.k = k
            self.frames = frames
            for _ in k:
                self.k, self.seen = 1, 2

            def helper():
                self.not_a_member = 1

        @abstractmethod
        def get(self) -> Count: ...

        @virtual(blocking=True)
        def wait(self, t: float = 0.5) -> None: ...

        def get(self, n: int) -> Count: ...

        class Factory:
            def make(self) -> 'Base': ...


def public(a: Frames) -> Count: ...
def _private(): ...
"""


def test_class_interface_of_a_python_class() -> None:
    found = interface_of(_source(CLASS_SOURCE), "python")
    info = found.classes["Base"]
    assert info.kind == PYTHON_CLASS
    assert info.bases == ("Generic",)
    # __init__ is a constructor (not virtual); 'get' defined twice keeps its first position.
    assert [(m.name, m.virtual, m.pure) for m in info.methods] == [
        ("__init__", False, False),
        ("get", True, False),
        ("wait", True, False),
    ]
    assert info.methods[0].signature == "None __init__(Any, list[int])"
    assert info.methods[1].signature == "int get(int)"
    assert [(s.slot, s.method.name) for s in info.vtable] == [(0, "get"), (1, "wait")]
    assert [(m.type, m.name) for m in info.members] == [
        ("int", "limit"),
        ("Any", "k"),
        ("Any", "frames"),
        ("Any", "seen"),
    ]
    assert found.classes["Base.Factory"].methods[0].signature == "Base make()"
    assert {name: p.signature for name, p in found.prototypes.items()} == {
        "public": "int public(list[int])"
    }


def test_abstract_methods_are_pure() -> None:
    found = interface_of(b"class A:\n    @abc.abstractmethod\n    def f(self): ...\n", "python")
    assert found.classes["A"].methods[0].pure


def test_inherited_slots_across_files_override_by_name() -> None:
    base = interface_of(_source(PM.split("class PMRoot")[0]), "python")
    derived = interface_of(_source("class PMRoot" + PM.split("class PMRoot")[1]), "python")
    alone = derived.classes["PMRoot"].vtable
    assert [(s.slot, s.method.name) for s in alone] == [
        (0, "getFrame"),
        (1, "freeFrame"),
        (2, "framesInUse"),
        (3, "framesFree"),
    ]
    changed = interface_of(
        _source(
            "class PMRoot"
            + PM.split("class PMRoot")[1].replace("def getFrame(self)", "def getFrame(self, size)")
        ),
        "python",
    )
    merged = merge_interfaces([base, changed])
    # The override keeps the base's slot although its parameters differ (no overloading).
    assert [(s.slot, s.method.signature, s.owner) for s in merged.classes["PMRoot"].vtable] == [
        (0, "int getFrame(Any)", "PMRoot"),
        (1, "int freeFrame(int)", "PMRoot"),
        (2, "int framesInUse()", "PMRoot"),
        (3, "int framesFree()", "PMRoot"),
    ]


@pytest.mark.parametrize(
    ("written", "resolved"),
    [("pm.PM", "PM"), ("kernel.pm.PM", "PM"), ("Outer.Inner", "Outer.Inner"), ("pm.Gone", None)],
)
def test_a_dotted_base_resolves_to_its_last_part(written: str, resolved: str | None) -> None:
    base = interface_of(
        b"class PM:\n    def f(self): ...\n"
        b"class Outer:\n    class Inner:\n        def h(self): ...\n",
        "python",
    )
    derived = interface_of(f"class Leaf({written}):\n    def g(self): ...\n".encode(), "python")
    table = merge_interfaces([base, derived]).classes["Leaf"].vtable
    inherited = {"PM": ["f"], "Outer.Inner": ["h"], None: []}[resolved]
    assert [s.method.name for s in table] == [*inherited, "g"]
    assert [s.slot for s in table] == list(range(len(table)))


def test_cpp_overloads_still_take_new_slots() -> None:
    source = b"class A { virtual int f(); };\nclass B : public A { virtual int f(int); };\n"
    table = interface_of(source, "cpp").classes["B"].vtable
    assert [(s.slot, s.method.signature) for s in table] == [(0, "int f()"), (1, "int f(int)")]


def test_python_method_contexts_touch_their_classes() -> None:
    from contexts.file_analysis import SideAnalysis

    side = SideAnalysis(
        contexts={3: LineContext("function", "Outer.Inner.f"), 9: LineContext("function", "A::g")},
        existing=frozenset(),
        error_share=0.0,
    )
    assert touched_names([side]) == {"Outer.Inner.f", "Outer.Inner", "Outer", "A::g", "A"}


# The oracle: Python's own view of the same sources.


_MODULE = "pair"


def _runtime_namespace(source: str) -> dict:
    namespace: dict = {
        "__name__": _MODULE,
        "Updatable": type("Updatable", (), {}),
        "Base": type("Base", (), {}),
        "Mixin": type("Mixin", (), {}),
        "virtual": lambda function: function,
    }
    flags = __future__.annotations.compiler_flag  # annotations stay unevaluated strings
    exec(compile(source, "<pair>", "exec", flags=flags, dont_inherit=True), namespace)  # noqa: S102
    return namespace


_METHOD_TYPES = (types.FunctionType, staticmethod, classmethod, property)


def _runtime_slots(cls: type, ours: dict[str, ClassInfo]) -> list[str]:
    base = cls.__bases__[0]
    table = _runtime_slots(base, ours) if base.__qualname__ in ours else []
    for name, value in vars(cls).items():
        if isinstance(value, _METHOD_TYPES) and name not in CONSTRUCTORS and name not in table:
            table.append(name)
    return table


def _runtime_function(value: object) -> types.FunctionType:
    if isinstance(value, staticmethod | classmethod):
        return value.__func__
    return value.fget if isinstance(value, property) else value


def _check_parameters(ours: Method, value: object) -> None:
    parameters = list(inspect.signature(_runtime_function(value)).parameters.values())
    if not isinstance(value, staticmethod):
        parameters = parameters[1:]
    assert [p.name for p in ours.parameters] == [p.name for p in parameters]
    kinds = {
        inspect.Parameter.VAR_POSITIONAL: "*",
        inspect.Parameter.VAR_KEYWORD: "**",
        inspect.Parameter.KEYWORD_ONLY: KEYWORD_ONLY,
    }
    for own, theirs in zip(ours.parameters, parameters, strict=True):
        assert own.type.startswith(kinds.get(theirs.kind, "")), (own, theirs)
        if theirs.default is inspect.Parameter.empty:
            assert own.default is None
        else:
            assert ast.literal_eval(own.default) == theirs.default


def _classes(namespace: dict, prefix: str = "") -> dict[str, type]:
    found = {}
    for name, value in list(namespace.items()):
        if (
            isinstance(value, type)
            and value.__module__ == _MODULE
            and value.__qualname__ == prefix + name
        ):
            found[value.__qualname__] = value
            found |= _classes(dict(vars(value)), value.__qualname__ + ".")
    return found


def _check_against_runtime(source: str) -> None:
    ours = interface_of(source.encode(), "python")
    namespace = _runtime_namespace(source)
    classes = _classes(namespace)
    assert set(ours.classes) == set(classes)
    for name, cls in classes.items():
        info = ours.classes[name]
        assert [s.method.name for s in info.vtable] == _runtime_slots(cls, ours.classes)
        for method in info.methods:
            _check_parameters(method, vars(cls)[method.name])
    public = {
        name
        for name, value in namespace.items()
        if isinstance(value, types.FunctionType)
        and value.__module__ == _MODULE
        and not name.startswith("_")
    }
    assert set(ours.prototypes) == public
    for name, method in ours.prototypes.items():
        parameters = inspect.signature(namespace[name]).parameters
        assert [p.name for p in method.parameters] == list(parameters)


SOURCES = sorted({pair.old for pair in PAIRS} | {pair.new for pair in PAIRS})


@pytest.mark.parametrize("source", SOURCES, ids=[f"source{i}" for i in range(len(SOURCES))])
def test_slots_and_parameters_agree_with_python_itself(source: str) -> None:
    _check_against_runtime(source)


# The stage: a Python base class recorded by one transaction numbers a later one's slots.


def _commit(repo: Path, files: dict[str, str], message: str) -> None:
    for name, text in files.items():
        (repo / name).write_text(text)
    subprocess.run(["git", "add", "."], cwd=repo, check=True)
    subprocess.run(["git", "commit", "-q", "-m", message], cwd=repo, check=True)


@pytest.mark.parametrize("base_name", ["PM", "pm.PM"])
def test_stage_numbers_python_slots_with_a_base_from_an_earlier_transaction(
    tmp_path: Path, db_url: str, base_name: str
) -> None:
    """The base may be named through its module (``pm.PM``): its last dotted part finds it."""
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True)
    base, derived = PM.split("class PMRoot")
    derived = derived.replace("(PM):", f"({base_name}):", 1)
    _commit(repo, {"pm.py": base, "root.py": "class PMRoot" + derived}, "page managers")
    changed = derived.replace("def getFrame(self)", "def getFrame(self, size: int)")
    _commit(repo, {"root.py": "class PMRoot" + changed + _RESERVE}, "frame size; reserve")
    engine = open_database(db_url)
    mine(repo, engine)
    with Session(engine) as session:
        run(session, progress=False)
        rows = session.scalars(select(InterfaceChange).order_by(InterfaceChange.id)).all()
        recorded = session.scalars(select(ClassInterface.name)).all()
    # reserve's slot counts PM's three slots, read from the first transaction's record of PM;
    # getFrame keeps PM's slot 0 although its parameters changed.
    assert [(r.path, r.scope, r.member, r.kind, r.new_slot) for r in rows] == [
        ("root.py", "PMRoot", "getFrame", "parameter-added", None),
        ("root.py", "PMRoot", "reserve", "virtual-added-at-end", 4),
    ]
    assert {"PM", "PMRoot"} <= set(recorded)


_RESERVE = "\n    def reserve(self, n: int) -> int:\n        return 0\n"


_FRAGMENTS = [
    "class A(B):\n",
    "class C:\n",
    "    def f(self, a: int = 1, *args, b, **kw) -> str:\n",
    "    async def g(cls, /, x: 'T'):\n",
    "    @staticmethod\n",
    "    @x.setter\n",
    "        self.a: int = 1\n",
    "    limit = 4\n",
    "Op = tuple[int, Op]\n",
    "type T = Optional[Union[int, \n",
    "def run(*, key=None):\n",
    "        return 0\n",
    "    pass\n",
    "(",
    ")",
    ":",
    "[",
    "'",
    "@",
]


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.lists(st.sampled_from(_FRAGMENTS), max_size=25))
def test_any_python_text_gives_interfaces_without_failing(fragments: list[str]) -> None:
    found = interface_of("".join(fragments).encode(), "python")
    for info in found.classes.values():
        assert [slot.slot for slot in info.vtable] == list(range(len(info.vtable)))


@pytest.mark.parametrize(
    ("language", "old", "new", "kind"),
    [
        (
            "cpp",
            "struct Any {};\nclass A {\npublic:\n    virtual int f(Any x);\n};\n",
            "struct Any {};\nclass A {\npublic:\n    virtual int f(int x);\n};\n",
            "parameter-type-changed",
        ),
        (
            "cpp",
            "struct Any {};\nclass A {\npublic:\n    virtual Any f();\n};\n",
            "struct Any {};\nclass A {\npublic:\n    virtual int f();\n};\n",
            "return-type-changed",
        ),
        ("c", "typedef int Any;\nint run(Any a);\n", "typedef int Any;\nint run(long a);\n", None),
    ],
)
def test_a_type_named_any_is_a_real_type_outside_python(
    language: str, old: str, new: str, kind: str | None
) -> None:
    """Only Python's unannotated ``Any`` is an absent annotation: C and C++ keep their rules."""
    found = interface_changes(
        interface_of(old.encode(), language), interface_of(new.encode(), language)
    )
    kinds = [c.kind for c in found]
    assert "annotation-added" not in kinds
    if kind is not None:
        assert kinds == [kind]
    else:
        assert kinds == ["prototype-changed"]
        assert "parameter-type-changed" in found[0].reason
