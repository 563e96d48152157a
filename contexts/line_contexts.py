"""The program context of every line: innermost function, else class, else the global context.

For C and C++ a context is the innermost function definition, qualified as the study names it
(``Class::method``, ``ns::f``, ``Outer::Inner::m``; an out-of-class definition ``void
FCMFile::getFrame() {}`` belongs to ``FCMFile``; template arguments are dropped from qualifiers);
else the innermost named class, struct or union with a body; else ``<global>`` (preprocessor
lines, includes, declarations, data). Python contexts are named like ``__qualname__``
(``Class.method``). Lines under ``#if 0`` are global and flagged ``not_code``; lines inside a
parse error keep their best-guess context, flagged ``uncertain``. ALL-CAPS pseudo-calls that
parse as function definitions (``DEFINE_REFS(X) {...}``) are not functions.

Only declaration-level nodes are walked (function bodies are not entered in C and C++), so the
mapping costs little next to the parse itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace

from tree_sitter import Node

from contexts.parsing import DEFAULT_OPTIONS, ContextsOptions, ParsedSource, parse


@dataclass(frozen=True)
class LineContext:
    """The context of one line."""

    kind: str
    """``function``, ``class`` or ``global``."""
    name: str
    """Qualified name; ``<global>`` for the global context."""
    uncertain: bool = False
    """The line lies inside a parse error."""
    not_code: bool = False
    """The line is under ``#if 0``."""


GLOBAL = LineContext("global", "<global>")
DEAD = LineContext("global", "<global>", not_code=True)


@dataclass(frozen=True)
class Scope:
    """A function or class and the 0-based rows it spans."""

    context: LineContext
    start_row: int
    end_row: int


_CLASS_TYPES = frozenset({"class_specifier", "struct_specifier", "union_specifier"})
_C_CONTAINERS = frozenset(
    {
        "translation_unit",
        "declaration_list",
        "field_declaration_list",
        "linkage_specification",
        "preproc_if",
        "preproc_ifdef",
        "preproc_else",
        "preproc_elif",
        "preproc_elifdef",
        "ERROR",
    }
)
_C_HOLDERS = frozenset({"declaration", "type_definition", "field_declaration"})
_WRAPPING_DECLARATORS = frozenset(
    {
        "pointer_declarator",
        "reference_declarator",
        "attributed_declarator",
        "parenthesized_declarator",
    }
)
_MACRO_NAME = re.compile(r"^[A-Z][A-Z0-9_]*[A-Z0-9]$")
_SPACES = re.compile(r"\s+")
_PY_WALKED = frozenset(
    {
        "module",
        "block",
        "if_statement",
        "elif_clause",
        "else_clause",
        "for_statement",
        "while_statement",
        "try_statement",
        "except_clause",
        "finally_clause",
        "with_statement",
        "match_statement",
        "case_clause",
        "ERROR",
    }
)


def node_text(node: Node) -> str:
    """Return a node's text with runs of white space collapsed to one space."""
    return _SPACES.sub(" ", (node.text or b"").decode("utf-8", "replace")).strip()


def qualified_parts(node: Node) -> list[str]:
    """Return the parts of a (possibly qualified) C++ name, template arguments dropped."""
    if node.type == "qualified_identifier":
        scope = node.child_by_field_name("scope")
        name = node.child_by_field_name("name")
        head = qualified_parts(scope) if scope is not None else []
        return head + (qualified_parts(name) if name is not None else [])
    if node.type in ("template_type", "template_function", "template_method"):
        name = node.child_by_field_name("name")
        return qualified_parts(name) if name is not None else [node_text(node)]
    if node.type == "operator_cast":
        target = node.child_by_field_name("type")
        return ["operator " + (node_text(target) if target is not None else "")]
    text = node_text(node)
    if node.type == "operator_name":
        text = re.sub(r"\boperator\s+(?=\W)", "operator", text)
    return [text]


def function_declarator(declarator: Node | None) -> Node | None:
    """Return the ``function_declarator`` under a declarator's wrappers (pointers, references).

    A conversion operator has none: its ``operator_cast`` (or the qualified name holding it) is
    returned instead.
    """
    while declarator is not None and declarator.type != "function_declarator":
        if declarator.type == "operator_cast" or (
            declarator.type == "qualified_identifier" and "operator_cast" in _name_types(declarator)
        ):
            return declarator
        if declarator.type not in _WRAPPING_DECLARATORS:
            return None
        inner = declarator.child_by_field_name("declarator")
        if inner is None and declarator.named_child_count:  # reference_declarator has no field
            inner = declarator.named_children[-1]
        declarator = inner
    return declarator


def _name_types(qualified: Node) -> list[str]:
    types = []
    node: Node | None = qualified
    while node is not None and node.type == "qualified_identifier":
        node = node.child_by_field_name("name")
        types.append(node.type if node is not None else "")
    return types


def function_name_parts(definition: Node) -> list[str] | None:
    """Return the qualified name parts of a function definition or declaration, if it has one."""
    declarator = function_declarator(definition.child_by_field_name("declarator"))
    if declarator is None:
        return None
    if declarator.type != "function_declarator":
        return qualified_parts(declarator)
    name = declarator.child_by_field_name("declarator")
    return qualified_parts(name) if name is not None else None


def is_macro_name(name: str) -> bool:
    """Return whether ``name`` is spelled like a macro (ALL-CAPS)."""
    return bool(_MACRO_NAME.match(name))


def _class_scope(node: Node, prefix: str, start_row: int) -> tuple[Scope, str] | None:
    name = node.child_by_field_name("name")
    body = node.child_by_field_name("body")
    if name is None or body is None:
        return None
    qualified = prefix + "::".join(qualified_parts(name))
    return Scope(LineContext("class", qualified), start_row, node.end_point.row), qualified + "::"


def _c_scopes(node: Node, prefix: str, start_row: int | None = None) -> Iterator[Scope]:
    for child in node.named_children:
        kind = child.type
        first_row = child.start_point.row if start_row is None else start_row
        if kind == "function_definition":
            parts = function_name_parts(child)
            if parts and not is_macro_name(parts[-1]):
                yield Scope(
                    LineContext("function", prefix + "::".join(parts)),
                    first_row,
                    child.end_point.row,
                )
        elif kind in _CLASS_TYPES or (kind in _C_HOLDERS and _holds_class(child)):
            specifier = child if kind in _CLASS_TYPES else child.child_by_field_name("type")
            found = _class_scope(specifier, prefix, first_row)
            if found is not None:
                yield found[0]
                yield from _c_scopes(specifier.child_by_field_name("body"), found[1])
        elif kind == "namespace_definition":
            name = child.child_by_field_name("name")
            body = child.child_by_field_name("body")
            inner = prefix + node_text(name) + "::" if name is not None else prefix
            if body is not None:
                yield from _c_scopes(body, inner)
        elif kind == "template_declaration":
            yield from _c_scopes(child, prefix, first_row)
        elif kind in _C_CONTAINERS:
            yield from _c_scopes(child, prefix)


def _holds_class(node: Node) -> bool:
    specifier = node.child_by_field_name("type")
    return specifier is not None and specifier.type in _CLASS_TYPES


def _python_scopes(node: Node, prefix: str) -> Iterator[Scope]:
    for child in node.named_children:
        definition = (
            child.child_by_field_name("definition")
            if child.type == "decorated_definition"
            else child
        )
        if definition is not None and definition.type in (
            "function_definition",
            "class_definition",
        ):
            name = node_text(definition.child_by_field_name("name"))
            kind = "function" if definition.type == "function_definition" else "class"
            yield Scope(
                LineContext(kind, prefix + name), child.start_point.row, child.end_point.row
            )
            body = definition.child_by_field_name("body")
            if body is not None:
                yield from _python_scopes(body, prefix + name + ".")
        elif child.type in _PY_WALKED:
            yield from _python_scopes(child, prefix)


def scopes(parsed: ParsedSource) -> list[Scope]:
    """Return the functions and classes of a parsed text, outer before inner."""
    root = parsed.tree.root_node
    if parsed.language == "python":
        return list(_python_scopes(root, ""))
    return list(_c_scopes(root, ""))


def row_contexts(parsed: ParsedSource, found: list[Scope] | None = None) -> list[LineContext]:
    """Return the context of every row (0-based) of a parsed text.

    :param found: the text's :func:`scopes`, when the caller has them already.
    """
    n = parsed.n_lines
    rows: list[LineContext] = [GLOBAL] * n
    for scope in scopes(parsed) if found is None else found:
        end = min(scope.end_row, n - 1)
        if end >= scope.start_row:
            rows[scope.start_row : end + 1] = [scope.context] * (end + 1 - scope.start_row)
    uncertain: dict[LineContext, LineContext] = {}
    for row in parsed.error_rows:
        if row < n:
            context = rows[row]
            if context not in uncertain:
                uncertain[context] = replace(context, uncertain=True)
            rows[row] = uncertain[context]
    for row in parsed.dead_rows:
        if row < n:
            rows[row] = DEAD
    return rows


def pick_lines(rows: Sequence[LineContext], lines: Iterable[int] | None) -> dict[int, LineContext]:
    """Return ``{line: context}`` for the 1-based ``lines`` (all when ``None``) of row contexts."""
    if lines is None:
        return {row + 1: context for row, context in enumerate(rows)}
    n = len(rows)
    return {line: rows[line - 1] if 0 < line <= n else GLOBAL for line in lines}


def contexts_of_parsed(
    parsed: ParsedSource, lines: Iterable[int] | None = None
) -> dict[int, LineContext]:
    """Return ``{line: context}`` for the 1-based ``lines`` (all lines when ``None``)."""
    return pick_lines(row_contexts(parsed), lines)


def contexts_of(
    source: bytes,
    language: str,
    lines: Iterable[int] | None = None,
    options: ContextsOptions = DEFAULT_OPTIONS,
) -> dict[int, LineContext]:
    """Return the context of each 1-based line of ``source`` in ``lines`` (all when ``None``).

    :param language: ``c``, ``cpp`` or ``python``.
    """
    return contexts_of_parsed(parse(source, language, options), lines)
