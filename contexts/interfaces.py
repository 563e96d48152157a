"""Class interfaces and namespace-scope prototypes of a C or C++ source, with vtable slots.

(Python sources are read by :mod:`contexts.python_interfaces`; :func:`interface_of` takes
either.)

Per class, struct or union with a body (qualified like its context): base classes; methods in
declaration order with normalised signatures (parameter names and defaults kept apart from the
types); data members in layout order (static members are not layout); vtable slots as
:mod:`contexts.vtables` numbers them. Namespace-scope functions that are not ``static``
contribute their prototypes. The values themselves are in :mod:`contexts.interface_model`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from tree_sitter import Node

from contexts.interface_model import ClassInfo, DataMember, Interfaces, Method, Parameter
from contexts.line_contexts import (
    function_declarator,
    function_name_parts,
    is_macro_name,
    node_text,
    qualified_parts,
)
from contexts.parsing import DEFAULT_OPTIONS, ContextsOptions, ParsedSource, parse
from contexts.python_interfaces import python_interfaces
from contexts.vtables import resolve_vtables

_SPECIFIERS = re.compile(
    r"\b(virtual|static|inline|__inline|explicit|extern|friend|constexpr)\b\s*"
)
_ARRAY_SUFFIX = re.compile(r"\s*\[[^\]]*\]$")
_NOT_TYPE = re.compile(r"\b(register|restrict|__restrict|__restrict__)\b")
_ATTRIBUTES = re.compile(r"__attribute__\s*\(\(.*?\)\)\s*")
_CONTAINERS = frozenset(
    {
        "translation_unit",
        "declaration_list",
        "linkage_specification",
        "preproc_if",
        "preproc_ifdef",
        "preproc_else",
        "preproc_elif",
        "preproc_elifdef",
        "template_declaration",
    }
)
_CLASS_KINDS = {
    "class_specifier": "class",
    "struct_specifier": "struct",
    "union_specifier": "union",
}


@lru_cache(maxsize=8192)  # the same few spellings recur all through a code base
def normalise_type(text: str) -> str:
    """Collapse a type's spelling: one space between words, ``char *`` and ``T &`` style.

    ``register`` and ``restrict`` (in any spelling) are dropped: they are not part of the type
    a caller passes.
    """
    text = _ATTRIBUTES.sub("", re.sub(r"\s+", " ", text)).strip()
    text = _NOT_TYPE.sub("", text)
    text = re.sub(r"\s*([*&]+)\s*", r" \1 ", text)
    text = re.sub(r"\s*(::|<|>|,|\(|\)|\[|\])\s*", r"\1", text)
    text = re.sub(r",", ", ", text)
    return re.sub(r"\s+", " ", text).strip()


def _innermost_name(declarator: Node | None) -> Node | None:
    while declarator is not None and declarator.type not in ("identifier", "field_identifier"):
        inner = declarator.child_by_field_name("declarator")
        if inner is None:
            named = [
                child
                for child in declarator.named_children
                if "declarator" in child.type or child.type.endswith("identifier")
            ]
            inner = named[0] if named else None
        declarator = inner
    return declarator


def _slice(source: bytes, start: int, end: int) -> str:
    return source[start:end].decode("utf-8", "replace")


def parameter_of(node: Node, source: bytes) -> Parameter | None:
    """Return the parameter a ``parameter_list`` child declares (``None`` for a lone ``void``)."""
    if node.type == "variadic_parameter" or node.type == "...":
        return Parameter("...")
    default = node.child_by_field_name("default_value")
    end = node.end_byte if default is None else default.start_byte
    name = _innermost_name(node.child_by_field_name("declarator"))
    if name is not None:
        text = _slice(source, node.start_byte, name.start_byte) + _slice(source, name.end_byte, end)
    else:
        text = _slice(source, node.start_byte, end)
    text = _ARRAY_SUFFIX.sub(" *", normalise_type(text.rstrip().rstrip("=")))  # arrays decay
    if text == "void" and name is None:
        return None
    return Parameter(
        text,
        node_text(name) if name is not None else None,
        node_text(default) if default is not None else None,
    )


def _old_style_parameters(definition: Node, parameters: Node, source: bytes) -> list[Parameter]:
    """Return a K&R definition's parameters, typed by the declarations before its body."""
    types = {
        member.name: member.type
        for child in definition.named_children
        if child.type == "declaration"
        for member in _data_members(child, source)
    }
    names = [node_text(child) for child in parameters.named_children if child.type == "identifier"]
    return [Parameter(types.get(name, "int"), name) for name in names]  # undeclared means int


def method_of(declaration: Node, source: bytes) -> Method | None:
    """Return the function a declaration or definition declares, if it declares one."""
    declarator = function_declarator(declaration.child_by_field_name("declarator"))
    parts = function_name_parts(declaration)
    if declarator is None or not parts or declarator.type != "function_declarator":
        return None
    name_node = declarator.child_by_field_name("declarator")
    parameters = declarator.child_by_field_name("parameters")
    found = (
        [parameter_of(child, source) for child in parameters.named_children] if parameters else []
    )
    if any(
        child.type == "identifier" for child in (parameters.named_children if parameters else ())
    ):
        found = _old_style_parameters(declaration, parameters, source)
    specifiers = [
        child
        for child in declaration.children
        if child.start_byte < (name_node or declarator).start_byte
    ]
    words = {
        node_text(child)
        for child in specifiers
        if child.type in ("virtual", "storage_class_specifier")
    }
    return_text = (
        _SPECIFIERS.sub("", _slice(source, declaration.start_byte, name_node.start_byte))
        if name_node
        else ""
    )
    default = declaration.child_by_field_name("default_value")
    return Method(
        name=parts[-1],
        return_type=normalise_type(return_text),
        parameters=tuple(parameter for parameter in found if parameter is not None),
        virtual="virtual" in words,
        pure=default is not None and node_text(default) == "0",
        static="static" in words,
        const=any(
            child.type == "type_qualifier" and node_text(child) == "const"
            for child in declarator.children
        ),
    )


def _data_members(declaration: Node, source: bytes) -> Iterator[DataMember]:
    if any(
        child.type == "storage_class_specifier" and node_text(child) == "static"
        for child in declaration.children
    ):
        return
    type_node = declaration.child_by_field_name("type")
    if type_node is None:
        return
    base_type = _slice(source, declaration.start_byte, type_node.end_byte)
    for declarator in declaration.children_by_field_name("declarator"):
        name = _innermost_name(declarator)
        if name is None:
            continue
        suffix = _slice(source, declarator.start_byte, name.start_byte) + _slice(
            source, name.end_byte, declarator.end_byte
        )
        yield DataMember(normalise_type(base_type + " " + suffix), node_text(name))


def _bases(specifier: Node) -> tuple[str, ...]:
    clause = next(
        (child for child in specifier.named_children if child.type == "base_class_clause"), None
    )
    if clause is None:
        return ()
    return tuple(
        "::".join(qualified_parts(child))
        for child in clause.named_children
        if child.type != "access_specifier"
    )


def _class_of(specifier: Node, name: str, source: bytes) -> tuple[ClassInfo, list[Node]]:
    methods: list[Method] = []
    members: list[DataMember] = []
    nested: list[Node] = []
    for child in specifier.child_by_field_name("body").named_children:
        if child.type in ("field_declaration", "declaration", "function_definition"):
            method = method_of(child, source)
            if method is not None and not is_macro_name(method.name):
                methods.append(method)
            elif method is None and child.type == "field_declaration":
                members.extend(_data_members(child, source))
            type_node = child.child_by_field_name("type")
            if type_node is not None and type_node.type in _CLASS_KINDS:
                nested.append(type_node)
        elif child.type in _CLASS_KINDS:
            nested.append(child)
    kind = _CLASS_KINDS[specifier.type]
    return ClassInfo(name, kind, _bases(specifier), tuple(methods), tuple(members)), nested


def _walk(node: Node, prefix: str, source: bytes, found: Interfaces) -> None:
    for child in node.named_children:
        kind = child.type
        if kind in _CLASS_KINDS or (
            kind in ("declaration", "type_definition") and _class_type(child) is not None
        ):
            _add_class(child if kind in _CLASS_KINDS else _class_type(child), prefix, source, found)
        elif kind in ("declaration", "function_definition"):
            _add_prototype(child, prefix, source, found)
        elif kind == "namespace_definition":
            name, body = child.child_by_field_name("name"), child.child_by_field_name("body")
            if body is not None:
                _walk(
                    body,
                    prefix + node_text(name) + "::" if name is not None else prefix,
                    source,
                    found,
                )
        elif kind in _CONTAINERS:
            _walk(child, prefix, source, found)


def _class_type(declaration: Node) -> Node | None:
    type_node = declaration.child_by_field_name("type")
    return type_node if type_node is not None and type_node.type in _CLASS_KINDS else None


def _add_class(specifier: Node, prefix: str, source: bytes, found: Interfaces) -> None:
    name, body = specifier.child_by_field_name("name"), specifier.child_by_field_name("body")
    if name is None or body is None:
        return
    qualified = prefix + "::".join(qualified_parts(name))
    info, nested = _class_of(specifier, qualified, source)
    found.classes[qualified] = info
    for inner in nested:
        _add_class(inner, qualified + "::", source, found)


def _is_static(declaration: Node) -> bool:
    return any(
        child.type == "storage_class_specifier" and child.text == b"static"
        for child in declaration.children
    )


_PROTOTYPE_CACHE: dict[bytes, Method | None] = {}
_PROTOTYPE_CACHE_SIZE = 50_000


def clear_prototype_cache() -> None:
    """Forget the prototypes read so far (benchmarks use it to time a cold read)."""
    _PROTOTYPE_CACHE.clear()


def _add_prototype(declaration: Node, prefix: str, source: bytes, found: Interfaces) -> None:
    # Cheap checks first: most declarations are data, static or methods defined out of class.
    if function_declarator(declaration.child_by_field_name("declarator")) is None:
        return
    parts = function_name_parts(declaration)
    if not parts or len(parts) != 1 or is_macro_name(parts[0]) or _is_static(declaration):
        return
    body = declaration.child_by_field_name("body")
    header = source[declaration.start_byte : body.start_byte if body else declaration.end_byte]
    if header not in _PROTOTYPE_CACHE:  # both sides of a change share most function headers
        if len(_PROTOTYPE_CACHE) >= _PROTOTYPE_CACHE_SIZE:
            _PROTOTYPE_CACHE.clear()
        _PROTOTYPE_CACHE[header] = method_of(declaration, source)
    method = _PROTOTYPE_CACHE[header]
    if method is not None:
        found.prototypes[prefix + method.name] = method


def interfaces_of_parsed(parsed: ParsedSource) -> Interfaces:
    """Return the interfaces of a parsed C, C++ or Python text (nothing for other languages)."""
    found = Interfaces()
    if parsed.language in ("c", "cpp"):
        _walk(parsed.tree.root_node, "", parsed.text, found)
    elif parsed.language == "python":
        found = python_interfaces(parsed.tree.root_node)
    return resolve_vtables(found)


def interface_of(
    source: bytes, language: str, options: ContextsOptions = DEFAULT_OPTIONS
) -> Interfaces:
    """Return the classes and prototypes ``source`` declares, with vtable slots resolved."""
    return interfaces_of_parsed(parse(source, language, options))
