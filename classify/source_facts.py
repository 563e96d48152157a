"""Facts the rules need that only the source text holds.

* which classes carry a marker in their body (``DEFINE_FACTORY_BEGIN``), found with a scan of
  the brace structure of the comment-free text, robust to the macros that defeat a grammar;
* which C functions a function-pointer table of a configured struct type names;
* whether a function's definition carries an initialisation marker such as ``__init``;
* what each changed line of the global context is (preprocessor, declaration, static data,
  enumeration), from the tree-sitter C or C++ grammar.

The contexts tables record the context of each line but not these facts, so the classify stage
reads the file versions again through :func:`miner.sources.read_file_version`. Class bases, C++
and Python alike, are not read here: the contexts stage's class interfaces record them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache

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
    rows = text.split(b"\n")
    if all(line <= len(rows) and rows[line - 1].lstrip().startswith(b"#") for line in wanted):
        return dict.fromkeys(wanted, "preprocessor")  # no parse needed: directives only
    rows, root = _parse(text, language, tuple(prepass))
    result = {}
    for line in wanted:
        row = line - 1
        text_row = rows[row] if row < len(rows) else b""
        result[line] = _row_kind(root, row, text_row)
    return result


@lru_cache(maxsize=16)
def _parse(
    text: bytes, language: str, prepass: tuple[tuple[str, str], ...]
) -> tuple[list[bytes], Node]:
    """Pre-pass and parse a text once (a file's new side is usually the next change's old
    side); return its rows after the pre-pass and the tree."""
    source = apply_prepass(text, prepass)
    return source.split(b"\n"), _parser(language).parse(source).root_node


PREPROC_BLOCKS = frozenset({"preproc_if", "preproc_ifdef", "preproc_else", "preproc_elif"})


def _row_kind(root: Node, row: int, line: bytes) -> str:
    """Classify one row by the top-level item that holds it (looking inside #if blocks)."""
    node: Node | None = root.descendant_for_point_range((row, 0), (row, max(len(line), 1)))
    chain: list[Node] = []
    while node is not None and node.type not in CONTAINERS:
        chain.append(node)
        node = node.parent
    if not chain and node is not None:
        chain = [c for c in node.children if _covers(c, row)][:1]
    if not chain:
        return "unknown"
    for item in reversed(chain):
        if item.type in PREPROC_BLOCKS:
            condition = item.child_by_field_name("condition")
            if row == item.start_point.row or (
                condition is not None and condition.text.strip() == b"0"
            ):
                return "preprocessor"
            continue
        if item.type.startswith("preproc_") or item.type.startswith("#"):
            return "preprocessor"
        if item.has_error:
            return _line_kind(line)
        return _node_kind(item, row, len(line))
    return "preprocessor"  # inside an #if block but in none of its items: a directive line


def _covers(node: Node, row: int) -> bool:
    start, end = node.start_point, node.end_point
    return start.row <= row < end.row or row == start.row or (row == end.row and end.column > 0)


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
