"""What the rules know of a transaction: small frozen records built from the earlier stages' rows.

The classify stage turns the miner's and the contexts stage's rows (and, where a rule needs it,
facts read from the source text) into these records; every rule is a pure function over them,
so that rules are tested on hand-built values.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

SEPARATOR = re.compile(r"::|\.")
"""Between the parts of a qualified name: ``::`` in C++, ``.`` in Python."""
MEMBER_SEPARATORS = {"python": "."}
"""Between a class and its member, by language, where it is not C++'s ``::``."""
ENUM_BASES = frozenset({"Enum", "IntEnum", "Flag", "IntFlag", "StrEnum"})
"""Python bases that make a class an enumeration."""


def split_owner(name: str) -> tuple[str | None, str]:
    """Split ``Outer::Inner::f`` (or ``Outer.f``) into its owner and its last part."""
    parts = SEPARATOR.split(name)
    if len(parts) == 1:
        return None, name
    last = parts[-1]
    return name[: len(name) - len(last)].rstrip(":."), last


def bare_name(name: str) -> str:
    """Return the last part of a qualified name."""
    return split_owner(name)[1]


GLOBAL_KINDS = ("preprocessor", "declaration", "data", "enum", "unknown", "unexamined")
"""What a change in the global context changed: ``data`` is static data, ``unknown`` means the
source text was not available or did not parse there, ``unexamined`` that the text was not
read because other code of the transaction already rules a live update out."""


@dataclass(frozen=True)
class FileFacts:
    """One file revision of a transaction."""

    path: str
    language: str | None = None
    status: str | None = "parsed"
    """The contexts stage's status (``parsed``, ``not-code``, ``binary``, ``missing``); ``None``
    when the contexts stage has not processed the file yet."""
    functionally_equivalent: bool = False
    is_binary: bool = False


@dataclass(frozen=True)
class ContextFact:
    """One context a transaction changed."""

    path: str
    kind: str
    """``function``, ``class`` or ``global``."""
    name: str
    change: str
    """``added``, ``deleted`` or ``modified``."""
    lines_added: int = 0
    lines_deleted: int = 0
    global_kinds: frozenset[str] = frozenset()
    """For the global context: what its changed lines are (see :data:`GLOBAL_KINDS`)."""
    init_marked: bool = False
    """A function whose definition carries an initialisation marker such as ``__init``."""
    uncertain: bool = False


@dataclass(frozen=True)
class InterfaceFact:
    """One interface change of a transaction."""

    path: str
    scope: str
    member: str | None
    kind: str
    adaptor_expressible: bool
    reason: str = ""
    language: str | None = None
    """The language of the file that holds the interface (``cpp``, ``c``, ``python``)."""

    @property
    def subject(self) -> str:
        """Name the changed interface in its language: ``Scope::member`` (``Scope.member`` in
        Python), or the scope."""
        if not self.member or self.member == self.scope:
            return self.scope
        return f"{self.scope}{MEMBER_SEPARATORS.get(self.language or '', '::')}{self.member}"


@dataclass(frozen=True)
class DiffLine:
    """One changed line of a cleaned diff: ``+`` or ``-`` and its cleaned text."""

    path: str
    sign: str
    text: str


@dataclass(frozen=True)
class TransactionFacts:
    """Everything the rules read of one transaction."""

    id: int
    key: str
    message: str
    commit_time: datetime
    is_merge: bool = False
    files: tuple[FileFacts, ...] = ()
    contexts: tuple[ContextFact, ...] = ()
    interfaces: tuple[InterfaceFact, ...] = ()
    diff_lines: tuple[DiffLine, ...] = ()
    reverted_by: str | None = None
    """The key of the transaction whose cleaned diff undoes this one, or that this one undoes."""


@dataclass(frozen=True)
class UnitRegistry:
    """What the whole history says about classes and C functions, beyond the configuration."""

    bases: Mapping[str, frozenset[str]] = field(default_factory=lambda: MappingProxyType({}))
    """Class name to the names of its direct bases, over every interface the history recorded."""
    marked: frozenset[str] = frozenset()
    """Classes whose body contains one of the configured markers."""
    table_functions: frozenset[str] = frozenset()
    """C functions named in a configured function-pointer table."""

    def ancestors(self, name: str) -> frozenset[str]:
        """Return every class ``name`` derives from, transitively (qualified or bare names)."""
        seen: set[str] = set()
        todo = [name]
        while todo:
            for base in self.bases.get(todo.pop(), frozenset()):
                if base not in seen:
                    seen.add(base)
                    todo.append(base)
                    bare = bare_name(base)
                    if bare != base:
                        todo.append(bare)
        return frozenset(seen)
