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

import re
from collections.abc import Iterable
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
    bare = function.rsplit("::", 1)[-1].encode()
    if not words or not any(word in text for word in words):
        return False
    marker = rb"\b(?:" + b"|".join(re.escape(w) for w in words) + rb")\b"
    return (
        re.search(marker + rb"[^;{}()]*\b" + re.escape(bare) + rb"\s*\(", blank_noise(text))
        is not None
    )


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
    root = _parser(language).parse(apply_prepass(text, tuple(prepass))).root_node
    return {line: _kind_at(root, line - 1) for line in wanted}


def _covers(node: Node, row: int) -> bool:
    start, end = node.start_point, node.end_point
    return start.row <= row < end.row or row == start.row or (row == end.row and end.column > 0)


def _kind_at(node: Node, row: int) -> str:
    for child in node.children:
        if _covers(child, row):
            if child.type in CONTAINERS or child.type == "declaration_list":
                return _kind_at(child, row)
            if child.type.startswith("preproc_if") or child.type in (
                "preproc_else",
                "preproc_elif",
            ):
                condition = child.child_by_field_name("condition")
                disabled = condition is not None and condition.text.strip() == b"0"
                if row == child.start_point.row or disabled:
                    return "preprocessor"
                inner = _kind_at(child, row)
                return "preprocessor" if inner == "unknown" else inner
            return _node_kind(child, row)
    return "unknown"


def _node_kind(node: Node, row: int) -> str:
    if node.type.startswith("preproc_") or node.type == "#endif":
        return "preprocessor"
    if _has_enum_at(node, row):
        return "enum"
    if node.type == "declaration":
        return _declaration_kind(node)
    if node.type in (
        "type_definition",
        "template_declaration",
        "alias_declaration",
        "using_declaration",
    ):
        return "declaration"
    if node.type in ("struct_specifier", "class_specifier", "union_specifier", "enum_specifier"):
        return "declaration"
    if node.type == ";":
        return "declaration"
    return "unknown"


def _has_enum_at(node: Node, row: int) -> bool:
    if node.type == "enumerator_list":
        return _covers(node, row)
    return any(_covers(child, row) and _has_enum_at(child, row) for child in node.children)


def _declaration_kind(node: Node) -> str:
    storage = {c.text for c in node.children if c.type == "storage_class_specifier"}
    declarators = node.children_by_field_name("declarator")
    if b"extern" in storage and not any(d.type == "init_declarator" for d in declarators):
        return "declaration"
    if declarators and all(d.type == "function_declarator" for d in declarators):
        return "declaration"
    if not declarators:
        return "declaration"
    return "data"
