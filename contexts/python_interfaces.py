"""Class interfaces and public functions of a Python source, in the C++ interface model.

Python has no declared vtables, but every method is looked up by name at run time, which is
what a vtable slot models: a class's methods (``def`` and ``async def``, decorated or not) are
its virtual methods in declaration order, numbered after the slots it inherits, and an override
(a method of the same name, whatever its parameters: Python has no overloading) keeps its
base's slot; :mod:`contexts.vtables` does the numbering for classes of kind
:data:`~contexts.vtables.PYTHON_CLASS`. Constructors (``__init__``, ``__new__``) are methods
but not virtual, as in C++. ``@staticmethod`` and ``@classmethod`` methods are ``static``,
``@abstractmethod`` ones ``pure``; ``@overload`` stubs and property setters and deleters add
nothing (the name already has its slot); a name defined twice keeps its first position and its
last definition, as a class's namespace does.

Signatures come from the parameters and return annotations: a bound method's first parameter
(``self``, ``cls``) is dropped; an unannotated parameter is ``Any``; ``*args`` and ``**kwargs``
are typed ``*T`` and ``**T``; keyword-only parameters (after ``*`` or ``*args``) are typed
``keyword T``; names and defaults are kept apart from the types, so a renamed parameter or a
changed default is told from a changed type. Annotations are normalised: quotes of forward
references dropped, the module's type aliases (``Op = tuple[int, int]``, ``X: TypeAlias = ...``,
``type X = ...``) expanded, ``typing.`` prefixes dropped, ``List[int]`` read as ``list[int]``,
``Optional[X]`` as ``X | None`` and ``Union[A, B]`` as ``A | B``.

Data members (layout) are the class-level names assigned or annotated (dunders aside) and the
``self.x = ...`` attributes ``__init__`` assigns, in that order. Module-level public functions
(no leading underscore) are the prototypes. Nested classes are named like ``__qualname__``
(``Outer.Inner``), as Python contexts are; bases are kept as written, subscripts dropped
(``Generic[T]`` is ``Generic``), keyword arguments (``metaclass=``) not being bases.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from tree_sitter import Node

from contexts.interface_model import ClassInfo, DataMember, Interfaces, Method, Parameter
from contexts.line_contexts import node_text
from contexts.vtables import PYTHON_CLASS

CONSTRUCTORS = frozenset({"__init__", "__new__"})
UNTYPED = "Any"
"""The type of an unannotated parameter or member (PEP 484: an unannotated name is ``Any``)."""
KEYWORD_ONLY = "keyword "
"""Prefix of a keyword-only parameter's type."""

_CONTAINERS = frozenset(
    {
        "block",
        "if_statement",
        "elif_clause",
        "else_clause",
        "try_statement",
        "except_clause",
        "finally_clause",
        "with_statement",
        "ERROR",
    }
)
"""Statements whose bodies still belong to the enclosing module or class body."""
_INIT_WALKED = _CONTAINERS | {"for_statement", "while_statement", "match_statement", "case_clause"}
_STATIC_DECORATORS = frozenset({"staticmethod", "classmethod"})
_ALIAS_VALUES = frozenset({"subscript", "binary_operator", "identifier", "attribute", "none"})
_QUOTED = re.compile(r"""(['"])(.*?)\1""")
_NAME = re.compile(r"(?<![\w.])[A-Za-z_]\w*")
_TYPING_PREFIX = re.compile(r"(?<![\w.])(?:typing|typing_extensions)\.")
_BUILTIN_GENERICS = re.compile(r"(?<![\w.])(List|Dict|Set|FrozenSet|Tuple|Type)\b")
_UNION = re.compile(r"(?<![\w.])(Optional|Union)\[")
_ALIAS_DEPTH = 4


@dataclass(frozen=True)
class _Function:
    """A ``def`` with what its decorators say about it."""

    definition: Node
    decorators: tuple[str, ...]
    """Each decorator's name, dotted, without call arguments (``abc.abstractmethod``)."""

    @property
    def name(self) -> str:
        return node_text(self.definition.child_by_field_name("name"))

    def decorated(self, *names: str) -> bool:
        """Whether a decorator's last dotted part is one of ``names``."""
        return any(decorator.rpartition(".")[2] in names for decorator in self.decorators)

    @property
    def adds_nothing(self) -> bool:
        """An ``@overload`` stub, or a property's setter or deleter."""
        return self.decorated("overload") or any(
            decorator.endswith((".setter", ".deleter")) for decorator in self.decorators
        )


def _bracket_arguments(text: str, start: int) -> tuple[list[str], int]:
    """Split the top-level, comma-separated arguments of the bracket opened before ``start``."""
    depth, parts, begin = 0, [], start
    for index in range(start, len(text)):
        char = text[index]
        if char in "[(":
            depth += 1
        elif char in "])" and depth:
            depth -= 1
        elif char == "]":
            parts.append(text[begin:index].strip())
            return [part for part in parts if part], index
        elif char == "," and not depth:
            parts.append(text[begin:index].strip())
            begin = index + 1
    parts.append(text[begin:].strip())
    return [part for part in parts if part], len(text)


def _spell_unions(text: str) -> str:
    """Rewrite ``Optional[X]`` as ``X | None`` and ``Union[A, B]`` as ``A | B``."""
    match = _UNION.search(text)
    while match is not None:
        arguments, end = _bracket_arguments(text, match.end())
        if match.group(1) == "Optional":
            arguments.append("None")
        text = text[: match.start()] + " | ".join(arguments) + text[end + 1 :]
        match = _UNION.search(text)
    return text


def normalise_annotation(text: str, aliases: dict[str, str] | None = None) -> str:
    """Return the normalised spelling of a Python annotation (see the module docstring).

    :param aliases: the module's type aliases, already normalised, by name.
    """
    text = re.sub(r"\s+", " ", _QUOTED.sub(r"\2", text)).strip()
    for _ in range(_ALIAS_DEPTH if aliases else 0):
        expanded = _NAME.sub(lambda match: aliases.get(match.group(), match.group()), text)
        if expanded == text:
            break
        text = expanded
    text = _TYPING_PREFIX.sub("", text)
    text = _BUILTIN_GENERICS.sub(lambda match: match.group(1).lower(), text)
    text = _spell_unions(text)
    text = re.sub(r"\s*([\[\]])\s*", r"\1", text)
    text = re.sub(r"\s*,\s*", ", ", text)
    return re.sub(r"\s*\|\s*", " | ", text).strip()


def _statements(body: Node) -> Iterator[Node]:
    """Yield the statements of a module or class body, looking inside ``if``/``try``/``with``."""
    for child in body.named_children:
        if child.type in _CONTAINERS:
            yield from _statements(child)
        else:
            yield child


def _decorator_name(decorator: Node) -> str:
    expression = decorator.named_children[0] if decorator.named_children else decorator
    if expression.type == "call":
        expression = expression.child_by_field_name("function") or expression
    return re.sub(r"\s+", "", node_text(expression))


def _definition(statement: Node) -> tuple[Node | None, tuple[str, ...]]:
    """Return the class or function a statement defines (if any) and its decorators' names."""
    if statement.type == "decorated_definition":
        decorators = tuple(
            _decorator_name(child) for child in statement.children if child.type == "decorator"
        )
        return statement.child_by_field_name("definition"), decorators
    if statement.type in ("class_definition", "function_definition"):
        return statement, ()
    return None, ()


def _assignments(statement: Node) -> Iterator[Node]:
    """Yield the assignments an expression statement makes (``a = b = 0`` makes two)."""
    if statement.type != "expression_statement":
        return
    for child in statement.named_children:
        node: Node | None = child
        while node is not None and node.type == "assignment":
            yield node
            node = node.child_by_field_name("right")


def _targets(left: Node | None) -> Iterator[Node]:
    """Yield the single targets of an assignment's left side (tuples unpacked)."""
    if left is None:
        return
    if left.type in ("pattern_list", "tuple_pattern", "list_pattern"):
        for child in left.named_children:
            yield from _targets(child)
    else:
        yield left


def type_aliases(root: Node) -> dict[str, str]:
    """Return the module-level type aliases of a parsed module, normalised, by name."""
    aliases: dict[str, str] = {}
    for statement in _statements(root):
        if statement.type == "type_alias_statement":
            types = [child for child in statement.named_children if child.type == "type"]
            if len(types) == 2:
                aliases[node_text(types[0])] = normalise_annotation(node_text(types[1]), aliases)
        for assignment in _assignments(statement):
            left, right = (assignment.child_by_field_name(f) for f in ("left", "right"))
            annotation = assignment.child_by_field_name("type")
            declared = annotation is not None and node_text(annotation).endswith("TypeAlias")
            if left is None or left.type != "identifier" or right is None:
                continue
            if declared or (annotation is None and right.type in _ALIAS_VALUES):
                aliases[node_text(left)] = normalise_annotation(node_text(right), aliases)
    return aliases


def _parameter(node: Node, aliases: dict[str, str], keyword: bool) -> Parameter | None:
    """Return the parameter a ``parameters`` child declares (``None`` for separators)."""
    annotation = node.child_by_field_name("type")
    default = node.child_by_field_name("value")
    name_node = node.child_by_field_name("name")
    if node.type in ("identifier", "list_splat_pattern", "dictionary_splat_pattern"):
        name_node = node
    elif name_node is None and node.type == "typed_parameter":
        name_node = node.named_children[0] if node.named_children else None
    if name_node is None:
        return None
    prefix = {"list_splat_pattern": "*", "dictionary_splat_pattern": "**"}.get(name_node.type, "")
    if prefix:
        name_node = next((c for c in name_node.named_children if c.type == "identifier"), None)
        if name_node is None:  # a bare '*' in older grammars
            return None
    type_text = normalise_annotation(node_text(annotation), aliases) if annotation else UNTYPED
    if keyword and not prefix:
        type_text = KEYWORD_ONLY + type_text
    return Parameter(
        prefix + type_text, node_text(name_node), node_text(default) if default else None
    )


def _parameters(node: Node | None, aliases: dict[str, str], bound: bool) -> list[Parameter]:
    """Return a function's parameters; a bound method's first one (``self``) dropped."""
    found: list[Parameter] = []
    keyword = False
    for child in node.named_children if node is not None else ():
        if child.type == "keyword_separator":
            keyword = True
            continue
        parameter = _parameter(child, aliases, keyword)
        if parameter is None:
            continue
        keyword = keyword or parameter.type.startswith("*")
        found.append(parameter)
    if bound and found and not found[0].type.startswith(("*", KEYWORD_ONLY)):
        found = found[1:]
    return found


def method_of(function: _Function, aliases: dict[str, str], in_class: bool) -> Method:
    """Return the method (or, outside a class, the function) a ``def`` defines."""
    definition = function.definition
    static = function.decorated(*_STATIC_DECORATORS)
    returns = definition.child_by_field_name("return_type")
    return Method(
        name=function.name,
        return_type=normalise_annotation(node_text(returns), aliases) if returns else "",
        parameters=tuple(
            _parameters(
                definition.child_by_field_name("parameters"),
                aliases,
                bound=in_class and not function.decorated("staticmethod"),
            )
        ),
        virtual=in_class and function.name not in CONSTRUCTORS,
        pure=function.decorated("abstractmethod"),
        static=static,
        python=True,
    )


def _member_type(assignment: Node, aliases: dict[str, str]) -> str:
    annotation = assignment.child_by_field_name("type")
    return normalise_annotation(node_text(annotation), aliases) if annotation else UNTYPED


def _class_members(body: Node, aliases: dict[str, str]) -> Iterator[DataMember]:
    for statement in _statements(body):
        for assignment in _assignments(statement):
            for target in _targets(assignment.child_by_field_name("left")):
                name = node_text(target)
                if target.type == "identifier" and not (
                    name.startswith("__") and name.endswith("__")
                ):
                    yield DataMember(_member_type(assignment, aliases), name)


def _assigned_attributes(
    body: Node, receiver: str, aliases: dict[str, str]
) -> Iterator[DataMember]:
    """Yield, in source order, the ``receiver.x`` attributes a body assigns (nested defs aside)."""
    for statement in body.named_children:
        if statement.type in _INIT_WALKED:
            yield from _assigned_attributes(statement, receiver, aliases)
        for assignment in _assignments(statement):
            for target in _targets(assignment.child_by_field_name("left")):
                owner = target.child_by_field_name("object")
                attribute = target.child_by_field_name("attribute")
                if (
                    target.type == "attribute"
                    and owner is not None
                    and attribute is not None
                    and node_text(owner) == receiver
                ):
                    yield DataMember(_member_type(assignment, aliases), node_text(attribute))


def _instance_members(init: Node, aliases: dict[str, str]) -> list[DataMember]:
    """Return the ``self.x`` attributes ``__init__`` assigns, in source order."""
    parameters = _parameters(init.child_by_field_name("parameters"), aliases, bound=False)
    body = init.child_by_field_name("body")
    if not parameters or body is None:
        return []
    return list(_assigned_attributes(body, parameters[0].name or "", aliases))


def _bases(definition: Node) -> tuple[str, ...]:
    arguments = definition.child_by_field_name("superclasses")
    bases = []
    for child in arguments.named_children if arguments is not None else ():
        if child.type in ("keyword_argument", "list_splat", "dictionary_splat", "comment"):
            continue
        if child.type == "subscript":
            child = child.child_by_field_name("value") or child
        bases.append(re.sub(r"\s+", "", node_text(child)))
    return tuple(bases)


def _merge_members(members: list[DataMember]) -> tuple[DataMember, ...]:
    """Keep each member once, at its first position, with the first type annotated for it."""
    merged: dict[str, DataMember] = {}
    for member in members:
        known = merged.get(member.name)
        if known is None or (known.type == UNTYPED and member.type != UNTYPED):
            merged[member.name] = DataMember(member.type, member.name)
    return tuple(merged.values())


def class_of(definition: Node, name: str, aliases: dict[str, str]) -> tuple[ClassInfo, list[Node]]:
    """Return a class's interface and the nested classes its body defines."""
    body = definition.child_by_field_name("body")
    methods: dict[str, Method] = {}
    nested: list[Node] = []
    init: Node | None = None
    for statement in _statements(body) if body is not None else ():
        node, decorators = _definition(statement)
        if node is None:
            continue
        if node.type == "class_definition":
            nested.append(node)
            continue
        function = _Function(node, decorators)
        if function.adds_nothing:
            continue
        methods[function.name] = method_of(function, aliases, in_class=True)
        if function.name == "__init__":
            init = node
    members = list(_class_members(body, aliases)) if body is not None else []
    if init is not None:
        members += _instance_members(init, aliases)
    info = ClassInfo(
        name, PYTHON_CLASS, _bases(definition), tuple(methods.values()), _merge_members(members)
    )
    return info, nested


def _add_class(definition: Node, prefix: str, aliases: dict[str, str], found: Interfaces) -> None:
    name_node = definition.child_by_field_name("name")
    if name_node is None:
        return
    qualified = prefix + node_text(name_node)
    info, nested = class_of(definition, qualified, aliases)
    found.classes[qualified] = info
    for inner in nested:
        _add_class(inner, qualified + ".", aliases, found)


def python_interfaces(root: Node) -> Interfaces:
    """Return the classes and public module-level functions of a parsed Python module.

    Vtables are left empty: :func:`contexts.vtables.resolve_vtables` fills them in.
    """
    aliases = type_aliases(root)
    found = Interfaces()
    for statement in _statements(root):
        node, decorators = _definition(statement)
        if node is None:
            continue
        if node.type == "class_definition":
            _add_class(node, "", aliases, found)
            continue
        function = _Function(node, decorators)
        if not function.name.startswith("_") and not function.adds_nothing:
            found.prototypes[function.name] = method_of(function, aliases, in_class=False)
    return found
