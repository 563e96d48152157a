"""Facts the rules need that only the source text holds.

* which classes carry a marker in their body (``DEFINE_FACTORY_BEGIN``), found with a scan of
  the brace structure of the comment-free text, robust to the macros that defeat a grammar;
* which C functions a function-pointer table of a configured struct type names;
* whether a function's definition carries an initialisation marker such as ``__init``;
* what each changed line of the global context is (preprocessor, declaration, static data,
  enumeration), from the tree-sitter C or C++ grammar.

The contexts tables record the context of each line but not these facts, so the classify stage
reads the file versions again through :func:`miner.sources.read_file_version`.
"""

from __future__ import annotations

import ast
import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache

import tree_sitter_c
import tree_sitter_cpp
from tree_sitter import Language, Node, Parser

from contexts.prepass import (
    DEFAULT_SUBSTITUTIONS,
    CompiledSubstitution,
    Substitution,
    apply_substitutions,
    compile_substitutions,
)

NOISE = re.compile(
    rb"//[^\n]*|/\*.*?\*/|\"(?:\\.|[^\"\\\n])*\"|'(?:\\.|[^'\\\n])*'|^[ \t]*#(?:[^\n]*\\\n)*[^\n]*",
    re.DOTALL | re.MULTILINE,
)
CLASS_HEAD = re.compile(
    rb"\b(?:class|struct|union)\s+(?:[A-Z_][A-Z0-9_]*\s+)?([\w:]+)\s*(?:final\s*)?(?::[^;{}=]*)?$"
)
NAMESPACE_HEAD = re.compile(rb"\bnamespace\s+(\w+)\s*$")
C_WORDS = frozenset(
    b"void int char long short unsigned signed const volatile struct union enum sizeof static "
    b"NULL return if else".split()
)


@dataclass(frozen=True)
class Scope:
    """A brace-delimited region: a class, namespace, enum or other block, with its byte range."""

    kind: str
    name: str
    start: int
    end: int


def blank_noise(text: bytes) -> bytes:
    """Replace comments, string and char literals and preprocessor lines by spaces (same length)."""
    return NOISE.sub(lambda m: re.sub(rb"[^\n]", b" ", m.group()), text)


def scopes_of(text: bytes) -> list[Scope]:
    """Return every braced scope of a C or C++ text, classes and namespaces qualified."""
    clean = blank_noise(text)
    scopes: list[Scope] = []
    stack: list[tuple[str, str, int]] = []
    last_stop = 0
    for match in re.finditer(rb"[{};]", clean):
        char, at = match.group(), match.start()
        if char == b"{":
            head = clean[last_stop:at].strip()
            stack.append((*_head_kind(head, stack), at))
        elif char == b"}" and stack:
            kind, name, start = stack.pop()
            scopes.append(Scope(kind, name, start, at))
        last_stop = at + 1
    return scopes


def _head_kind(head: bytes, stack: list[tuple[str, str, int]]) -> tuple[str, str]:
    outer = "::".join(name for kind, name, _ in stack if kind in ("class", "namespace"))
    for kind, pattern in (("class", CLASS_HEAD), ("namespace", NAMESPACE_HEAD)):
        match = pattern.search(head)
        if match and b"=" not in head and b"(" not in head.split(b":")[0]:
            name = match.group(1).decode("utf-8", "replace")
            return kind, f"{outer}::{name}" if outer else name
    if re.search(rb"\benum\b", head):
        return "enum", ""
    return "block", ""


def classes_with_markers(text: bytes, markers: Iterable[str]) -> frozenset[str]:
    """Return the qualified classes whose own body contains one of ``markers``."""
    words = [m.encode() for m in markers]
    if not words or not any(word in text for word in words):
        return frozenset()
    clean = blank_noise(text)
    classes = [s for s in scopes_of(text) if s.kind == "class"]
    found: set[str] = set()
    pattern = rb"\b(?:" + b"|".join(re.escape(w) for w in words) + rb")\b"
    for match in re.finditer(pattern, clean):
        around = [s for s in classes if s.start < match.start() < s.end]
        if around:
            found.add(max(around, key=lambda s: s.start).name)
    return frozenset(found)


def table_functions(text: bytes, struct_types: Iterable[str]) -> frozenset[str]:
    """Return the identifiers named in initialisers of tables of the given struct types."""
    types = [t.encode() for t in struct_types]
    if not types or not any(t in text for t in types):
        return frozenset()
    clean = blank_noise(text)
    head = rb"\bstruct\s+(?:" + b"|".join(re.escape(t) for t in types) + rb")\s+[\w\s\[\]*]*=\s*\{"
    found: set[str] = set()
    for match in re.finditer(head, clean):
        depth, at = 1, match.end()
        while depth and at < len(clean):
            depth += {ord("{"): 1, ord("}"): -1}.get(clean[at], 0)
            at += 1
        body = clean[match.end() : at]
        for name in re.findall(rb"(?<![.\w])\s*([A-Za-z_]\w*)\b(?!\s*=)", body):
            if name not in C_WORDS:
                found.add(name.decode())
    return frozenset(found)


def init_marked(text: bytes, function: str, markers: Iterable[str]) -> bool:
    """Say whether the definition of ``function`` carries one of the initialisation markers."""
    words = [m.encode() for m in markers]
    bare = re.split(r"::|\.", function)[-1].encode()
    if not words or not any(word in text for word in words):
        return False
    marker = rb"\b(?:" + b"|".join(re.escape(w) for w in words) + rb")\b"
    return (
        re.search(marker + rb"[^;{}()]*\b" + re.escape(bare) + rb"\s*\(", blank_noise(text))
        is not None
    )


def python_class_bases(text: bytes) -> dict[str, tuple[str, ...]]:
    """Return each Python class (nested ones as ``Outer.Inner``) with its base names.

    The contexts stage records interfaces of C and C++ classes only; Python's come from ``ast``.
    """
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return {}
    found: dict[str, tuple[str, ...]] = {}

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                name = f"{prefix}{child.name}"
                found[name] = tuple(ast.unparse(b).split("[", 1)[0] for b in child.bases)
                visit(child, f"{name}.")
            elif not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                visit(child, prefix)

    visit(tree, "")
    return found


@cache
def _parser(language: str) -> Parser:
    grammar = tree_sitter_cpp if language == "cpp" else tree_sitter_c
    return Parser(Language(grammar.language()))


CONTAINERS = frozenset(
    {"translation_unit", "declaration_list", "linkage_specification", "namespace_definition"}
)


def apply_prepass(text: bytes, substitutions: Iterable[tuple[str, str]]) -> bytes:
    """Apply the contexts stage's default pre-pass and the study's substitutions."""
    rules = (*DEFAULT_SUBSTITUTIONS, *(Substitution(p, r) for p, r in substitutions))
    return apply_substitutions(text, _compiled(rules))


@cache
def _compiled(rules: tuple[Substitution, ...]) -> tuple[CompiledSubstitution, ...]:
    return compile_substitutions(rules)


def global_line_kinds(
    text: bytes, language: str, lines: Iterable[int], prepass: Iterable[tuple[str, str]] = ()
) -> dict[int, str]:
    """Say what each given 1-based line of the global context is.

    :returns: per line ``preprocessor``, ``declaration``, ``data``, ``enum`` or ``unknown``.
    """
    wanted = sorted(set(lines))
    if language not in ("c", "cpp"):
        return dict.fromkeys(wanted, "unknown")
    source = apply_prepass(text, tuple(prepass))
    rows = source.split(b"\n")
    if all(line <= len(rows) and rows[line - 1].lstrip().startswith(b"#") for line in wanted):
        return dict.fromkeys(wanted, "preprocessor")  # no parse needed: directives only
    root = _parser(language).parse(source).root_node
    items = sorted(_items(root), key=lambda item: item[0])
    starts = [item[0] for item in items]
    widths = [len(row) for row in rows]
    result = {}
    for line in wanted:
        row = line - 1
        item = _covering(items, starts, row)
        if item is None:
            result[line] = "unknown"
        elif item[3] is not None:
            result[line] = item[3]
        elif item[2].has_error:
            result[line] = _line_kind(rows[row])
        else:
            width = widths[row] if row < len(widths) else 0
            result[line] = _node_kind(item[2], row, width)
    return result


def _line_kind(line: bytes) -> str:
    """Guess from the text alone, where the grammar failed (macros it cannot know)."""
    text = line.strip()
    if re.search(rb"\benum\b", text):
        return "enum"
    if b"=" in text.replace(b"==", b""):
        return "data"
    if b"(" in text and text.endswith((b";", b",")):
        return "declaration"
    return "unknown"


Item = tuple[int, int, Node, "str | None"]
"""First row, last row, the top-level node, and its kind when the node alone decides it."""


def _last_row(node: Node) -> int:
    end = node.end_point
    return max(node.start_point.row, end.row if end.column > 0 else end.row - 1)


def _items(node: Node) -> Iterator[Item]:
    """Yield the top-level declarations and directives, looking inside namespaces and #ifs."""
    for child in node.children:
        first, last = child.start_point.row, _last_row(child)
        if child.type in CONTAINERS:
            yield from _items(child)
        elif child.type.startswith("preproc_if") or child.type in ("preproc_else", "preproc_elif"):
            condition = child.child_by_field_name("condition")
            disabled = condition is not None and condition.text.strip() == b"0"
            yield first, last, child, "preprocessor"
            if not disabled:
                yield from _items(child)
        elif child.type.startswith("preproc_") or child.type == "#endif":
            yield first, last, child, "preprocessor"
        else:
            yield first, last, child, None


def _covering(items: list[Item], starts: list[int], row: int) -> Item | None:
    """Return the innermost item covering ``row`` (the one starting last)."""
    for index in range(bisect_right(starts, row) - 1, -1, -1):
        if items[index][1] >= row:
            return items[index]
    return None


def _node_kind(node: Node, row: int, width: int) -> str:
    if _in_enumerator_list(node, row, width):
        return "enum"
    if node.type == "declaration":
        return _declaration_kind(node)
    if node.type in (
        "type_definition",
        "template_declaration",
        "alias_declaration",
        "using_declaration",
        "struct_specifier",
        "class_specifier",
        "union_specifier",
        "enum_specifier",
        ";",
    ):
        return "declaration"
    return "unknown"


def _in_enumerator_list(node: Node, row: int, width: int) -> bool:
    """Say whether the row lies in an enumeration's body (its head and braces included)."""
    inner: Node | None = node.descendant_for_point_range((row, 0), (row, max(width, 1)))
    while inner is not None:
        if inner.type == "enumerator_list" or (
            inner.type == "enum_specifier" and inner.child_by_field_name("body") is not None
        ):
            return True
        if inner == node:
            return False
        inner = inner.parent
    return False


def _declaration_kind(node: Node) -> str:
    storage = {c.text for c in node.children if c.type == "storage_class_specifier"}
    declarators = node.children_by_field_name("declarator")
    initialised = any(d.type == "init_declarator" for d in declarators)
    if not declarators or (b"extern" in storage and not initialised):
        return "declaration"
    if all(_is_function_declarator(d) for d in declarators):
        return "declaration"
    if not initialised and b"(" in (node.text or b""):
        return "declaration"  # a prototype behind macros: ZEXTERN int f OF((int));
    return "data"


def _is_function_declarator(node: Node) -> bool:
    """Say whether a declarator declares a function (through pointers and parentheses)."""
    while node.type in ("pointer_declarator", "reference_declarator", "parenthesized_declarator"):
        inner = node.child_by_field_name("declarator") or (
            node.named_children[-1] if node.named_children else None
        )
        if inner is None:
            return False
        node = inner
    return node.type == "function_declarator"
