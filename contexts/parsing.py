"""Parsing a source text with tree-sitter after the study's pre-pass, and where the parse failed.

One parser per language (``c``, ``cpp``, ``python``) from the grammar wheels. :func:`parse`
applies the pre-pass substitutions and blanks ``#if 0`` code (both keep every byte and line in
place), parses, and records which rows lie inside ``ERROR`` or ``MISSING`` nodes: the contexts
of those rows are a best guess, and the share of them is what a study reports per file.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import tree_sitter_c
import tree_sitter_cpp
import tree_sitter_python
from tree_sitter import Language, Node, Parser, Tree

from contexts.prepass import (
    DEFAULT_SUBSTITUTIONS,
    CompiledSubstitution,
    Substitution,
    apply_substitutions,
    blank_lines,
    compile_substitutions,
    dead_lines,
)

LANGUAGES = ("c", "cpp", "python")


class UnknownLanguage(Exception):
    """No grammar is known for the language asked for."""


@dataclass(frozen=True)
class ContextsOptions:
    """What a study decides about its sources: pre-pass rules and the language of ``.h`` files."""

    substitutions: tuple[Substitution, ...] = DEFAULT_SUBSTITUTIONS
    header_language: str = "c"
    """Language of ``.h`` files: ``c`` or ``cpp``."""


DEFAULT_OPTIONS = ContextsOptions()


@dataclass(frozen=True)
class ParsedSource:
    """A parsed text: the tree, the text it was parsed from, and rows dead or inside errors."""

    language: str
    text: bytes
    """The text after the pre-pass (same length and lines as the original)."""
    tree: Tree
    n_lines: int
    error_rows: frozenset[int]
    """0-based rows inside parse errors."""
    dead_rows: frozenset[int]
    """0-based rows under ``#if 0``."""

    @property
    def error_share(self) -> float:
        """Share of the text's lines that lie inside parse errors."""
        return len(self.error_rows) / self.n_lines if self.n_lines else 0.0


@cache
def language_object(language: str) -> Language:
    """Return the tree-sitter grammar of ``language``."""
    grammars = {
        "c": tree_sitter_c.language,
        "cpp": tree_sitter_cpp.language,
        "python": tree_sitter_python.language,
    }
    if language not in grammars:
        raise UnknownLanguage(
            f"no grammar for language {language!r} (known: {', '.join(LANGUAGES)})"
        )
    return Language(grammars[language]())


@cache
def _parser(language: str) -> Parser:
    return Parser(language_object(language))


@cache
def _compiled(substitutions: tuple[Substitution, ...]) -> tuple[CompiledSubstitution, ...]:
    return compile_substitutions(substitutions)


def line_count(text: bytes) -> int:
    """Return the number of lines of ``text`` (a final line without newline counts)."""
    if not text:
        return 0
    return text.count(b"\n") + (0 if text.endswith(b"\n") else 1)


def prepared_text(
    source: bytes, language: str, options: ContextsOptions = DEFAULT_OPTIONS
) -> tuple[bytes, frozenset[int]]:
    """Return the text to parse (substituted, ``#if 0`` blanked) and the dead rows."""
    if language == "python":
        return source, frozenset()
    text = apply_substitutions(source, _compiled(options.substitutions))
    dead = dead_lines(text)
    return blank_lines(text, dead), dead


def parse(source: bytes, language: str, options: ContextsOptions = DEFAULT_OPTIONS) -> ParsedSource:
    """Parse ``source`` as ``language`` after the pre-pass."""
    text, dead = prepared_text(source, language, options)
    tree = _parser(language).parse(text)
    n_lines = line_count(source)
    return ParsedSource(language, text, tree, n_lines, error_rows(tree.root_node, n_lines), dead)


# Well-formed nodes of these kinds inside an ERROR node stand on their own: their rows are sure.
_SELF_CONTAINED = frozenset(
    {
        "function_definition",
        "declaration",
        "type_definition",
        "field_declaration",
        "class_specifier",
        "struct_specifier",
        "union_specifier",
        "enum_specifier",
        "namespace_definition",
        "template_declaration",
        "linkage_specification",
        "preproc_include",
        "preproc_def",
        "preproc_function_def",
        "preproc_call",
        "comment",
        "class_definition",
        "decorated_definition",
    }
)


def error_rows(root: Node, n_lines: int) -> frozenset[int]:
    """Return the 0-based rows (below ``n_lines``) of tokens the parser could not place.

    Those are the rows of ``MISSING`` nodes, of the tokens directly inside an ``ERROR`` node and
    of its fragments (statements, expressions) whose enclosing definition is lost; a complete
    definition or declaration inside an ``ERROR`` node keeps its rows certain.
    """
    if not root.has_error:
        return frozenset()
    rows: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_missing or (node.is_error and node.child_count == 0):
            rows.update(range(node.start_point.row, node.end_point.row + 1))
        elif node.is_error:
            for child in node.children:
                if child.has_error:
                    stack.append(child)
                elif child.type not in _SELF_CONTAINED:
                    rows.update(range(child.start_point.row, child.end_point.row + 1))
        else:
            stack.extend(child for child in node.children if child.has_error)
    return frozenset(row for row in rows if row < n_lines)
