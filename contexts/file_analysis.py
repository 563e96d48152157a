"""What one changed file contributes: contexts of its changed lines, context changes, interfaces.

Pure functions over the two sides' texts and the changed line numbers (no database). A context
present only on the new side is *added*, only on the old side *deleted*, else *modified*; its
line counts are the changed lines that fall in it on each side. Lines under ``#if 0`` are not
code and count in no context.
"""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field

from contexts.interface_model import ClassInfo, DataMember, Interfaces, Method, Parameter
from contexts.interfaces import interfaces_of_parsed
from contexts.line_contexts import GLOBAL, LineContext, pick_lines, row_contexts, scopes
from contexts.parsing import DEFAULT_OPTIONS, ContextsOptions, parse
from contexts.vtables import PYTHON_CLASS


@dataclass(frozen=True)
class SideAnalysis:
    """One side of a changed file: its changed lines' contexts and what exists on that side."""

    contexts: dict[int, LineContext]
    """Context of each changed line (1-based)."""
    existing: frozenset[tuple[str, str]]
    """``(kind, name)`` of every context the side's text has, the global one included."""
    error_share: float
    interfaces: Interfaces = field(default_factory=Interfaces)


@dataclass(frozen=True)
class ContextDelta:
    """One context of one file changed by a transaction."""

    kind: str
    name: str
    change: str
    """``added``, ``deleted`` or ``modified``."""
    lines_added: int
    lines_deleted: int
    uncertain: bool


@dataclass(frozen=True)
class SideModel:
    """What one side's text yields whatever lines changed: worth keeping for the next change."""

    rows: tuple[LineContext, ...]
    """Context of every row (0-based)."""
    existing: frozenset[tuple[str, str]]
    error_share: float
    interfaces: Interfaces


def model_side(text: bytes, language: str, options: ContextsOptions = DEFAULT_OPTIONS) -> SideModel:
    """Parse one side's text: per-row contexts, the contexts it has, its interfaces."""
    parsed = parse(text, language, options)
    found = scopes(parsed)
    existing = {(scope.context.kind, scope.context.name) for scope in found}
    existing.add((GLOBAL.kind, GLOBAL.name))
    return SideModel(
        rows=tuple(row_contexts(parsed, found)),
        existing=frozenset(existing),
        error_share=parsed.error_share,
        interfaces=interfaces_of_parsed(parsed),
    )


def analyse_model(model: SideModel, lines: Iterable[int] | None) -> SideAnalysis:
    """Return a side's analysis for the changed ``lines`` (all when ``None``)."""
    return SideAnalysis(
        contexts=pick_lines(model.rows, lines),
        existing=model.existing,
        error_share=model.error_share,
        interfaces=model.interfaces,
    )


class ModelCache:
    """The last few analysed versions: a version a change adds is the next change's old side."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self.models: OrderedDict[tuple, SideModel] = OrderedDict()

    def get(self, key: tuple) -> SideModel | None:
        """Return the model stored under ``key``, if any, marking it recently used."""
        model = self.models.get(key)
        if model is not None:
            self.models.move_to_end(key)
        return model

    def put(self, key: tuple, model: SideModel) -> SideModel:
        """Store ``model`` under ``key`` (dropping the least recently used) and return it."""
        self.models[key] = model
        if len(self.models) > self.size:
            self.models.popitem(last=False)
        return model


def analyse_side(
    text: bytes,
    language: str,
    lines: Iterable[int] | None,
    options: ContextsOptions = DEFAULT_OPTIONS,
) -> SideAnalysis:
    """Parse one side and find the contexts of ``lines`` (all when ``None``), what contexts
    exist, and its interfaces."""
    return analyse_model(model_side(text, language, options), lines)


def context_changes(old: SideAnalysis | None, new: SideAnalysis | None) -> list[ContextDelta]:
    """Aggregate the changed lines of both sides into per-context changes, in first-seen order."""
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for side, index in ((new, 0), (old, 1)):
        for context in side.contexts.values() if side else ():
            if context.not_code:
                continue
            entry = counts[(context.kind, context.name)]
            entry[index] += 1
            entry[2] |= context.uncertain
    deltas = []
    for (kind, name), (added, deleted, uncertain) in counts.items():
        in_old = old is not None and (kind, name) in old.existing
        in_new = new is not None and (kind, name) in new.existing
        change = "modified" if in_old == in_new else "added" if in_new else "deleted"
        deltas.append(ContextDelta(kind, name, change, added, deleted, bool(uncertain)))
    return deltas


def touched_names(sides: Sequence[SideAnalysis | None]) -> set[str]:
    """Return the classes and functions whose contexts hold changed lines (with owning classes)."""
    names: set[str] = set()
    for side in sides:
        for context in side.contexts.values() if side else ():
            if context.kind == "global":
                continue
            names.add(context.name)
            owner = _owner(context.name)
            while owner:
                names.add(owner)
                owner = _owner(owner)
    return names


def _owner(name: str) -> str:
    """Return the scope a qualified name is in: ``A::B`` in C++, ``A.B`` in Python."""
    scope, separator, _ = name.rpartition("::")
    return scope if separator else name.rpartition(".")[0]


def class_detail(info: ClassInfo) -> dict:
    """Return the JSON-ready detail of a class interface: bases, vtable, methods, members."""
    return {
        "bases": list(info.bases),
        "vtable": [
            {
                "slot": s.slot,
                "name": s.method.name,
                "signature": s.method.signature,
                "owner": s.owner,
            }
            for s in info.vtable
        ],
        "methods": [
            {
                "name": m.name,
                "signature": m.signature,
                "return_type": m.return_type,
                "parameters": [asdict(p) for p in m.parameters],
                "virtual": m.virtual,
                "pure": m.pure,
                "static": m.static,
                "const": m.const,
            }
            for m in info.methods
        ],
        "members": [{"type": m.type, "name": m.name} for m in info.members],
    }


def class_from_detail(name: str, kind: str, detail: dict) -> ClassInfo:
    """Rebuild a class (vtable unresolved) from the detail :func:`class_detail` wrote."""
    methods = tuple(
        Method(
            name=m["name"],
            return_type=m["return_type"],
            parameters=tuple(Parameter(**p) for p in m["parameters"]),
            virtual=m["virtual"],
            pure=m["pure"],
            static=m["static"],
            const=m["const"],
            python=kind == PYTHON_CLASS,
        )
        for m in detail.get("methods", ())
    )
    members = tuple(DataMember(m["type"], m["name"]) for m in detail.get("members", ()))
    return ClassInfo(name, kind, tuple(detail.get("bases", ())), methods, members)
