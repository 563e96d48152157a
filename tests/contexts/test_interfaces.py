"""Class interfaces and prototypes read from C and C++ sources, and the changes between them."""

from __future__ import annotations

import pytest

from contexts.interface_changes import essential_type, interface_changes
from contexts.interface_model import Parameter
from contexts.interfaces import interface_of
from contexts.vtables import merge_interfaces

K42_BASE = b"""\
class FCMCommon {
__xpublic:
    virtual ~FCMCommon();
    virtual SysStatus attach(__in uval a) = 0;
    virtual SysStatus detach();
};
"""
K42_DERIVED = b"""\
class FCMFile : public FCMCommon __xbase(Obj) {
__xpublic:
    virtual SysStatus detach();
    virtual SysStatus getFrame(uval addr, __in uval size = 0) const;
    static FCMFile *create(uval x);
__xprivate:
    virtual SysStatus _lookup(__inbuf(len) char *name, __in uval len,
                              __CALLER_PID caller) __xa(none);
    SysStatus attach(uval a);
    DEFINE_REFS(FCMFile);
protected:
    uval count, *frames;
    static uval instances;
    DEFINE_FACTORY_BEGIN(Factory)
        virtual SysStatus make(uval x);
    DEFINE_FACTORY_END(Factory)
};
"""


def test_class_interface_of_k42_style_cpp() -> None:
    found = interface_of(K42_DERIVED, "cpp")
    info = found.classes["FCMFile"]
    assert info.bases == ("FCMCommon",)
    assert [m.name for m in info.methods] == ["detach", "getFrame", "create", "_lookup", "attach"]
    get_frame = info.methods[1]
    assert get_frame.signature == "SysStatus getFrame(uval, uval) const"
    assert get_frame.parameters[1] == Parameter("uval", "size", "0")
    assert info.methods[2].static and not info.methods[2].virtual
    assert info.methods[3].signature == "SysStatus _lookup(char *, uval, __CALLER_PID)"
    assert [(m.type, m.name) for m in info.members] == [("uval", "count"), ("uval *", "frames")]
    assert "FCMFile::Factory" in found.classes
    assert [s.method.name for s in found.classes["FCMFile::Factory"].vtable] == ["make"]


def test_vtable_slots_include_inherited_ones_from_the_same_snapshot() -> None:
    alone = interface_of(K42_DERIVED, "cpp").classes["FCMFile"]
    assert [(s.slot, s.method.name) for s in alone.vtable] == [
        (0, "detach"),
        (1, "getFrame"),
        (2, "_lookup"),
    ]
    merged = merge_interfaces([interface_of(K42_BASE, "cpp"), interface_of(K42_DERIVED, "cpp")])
    table = [(s.slot, s.method.name, s.owner) for s in merged.classes["FCMFile"].vtable]
    # Itanium: the destructor takes two slots; overriders (with or without 'virtual') keep theirs.
    assert table == [
        (0, "~FCMCommon", "FCMCommon"),
        (2, "attach", "FCMFile"),
        (3, "detach", "FCMFile"),
        (4, "getFrame", "FCMFile"),
        (5, "_lookup", "FCMFile"),
    ]


def test_prototypes_are_extern_namespace_scope_functions() -> None:
    source = b"""\
extern int open_file(const char *restrict path, int flags, char buf[16]);
static int hidden(void);
int defined(register int a) { return a; }
namespace os { void start(void); }
int FCMFile::method(int x) { return x; }
"""
    found = interface_of(source, "cpp")
    assert {name: p.signature for name, p in found.prototypes.items()} == {
        "open_file": "int open_file(const char *, int, char *)",
        "defined": "int defined(int)",
        "os::start": "void start()",
    }


def test_old_style_c_definitions_take_their_parameter_types_from_the_declarations() -> None:
    source = b"int\noldstyle(a, b, c)\n    long a;\n    char *b;\n{\n    return 0;\n}\n"
    found = interface_of(source, "c")
    assert found.prototypes["oldstyle"].signature == "int oldstyle(long, char *, int)"


@pytest.mark.parametrize(
    ("spelling", "essential"),
    [
        ("const unsigned long FAR * ZEXPORT", "const unsigned long *"),
        ("FILE *", "FILE *"),
        ("const FILE *", "const FILE *"),
        ("struct tm *", "struct tm *"),
    ],
)
def test_annotation_macros_are_not_part_of_a_type(spelling: str, essential: str) -> None:
    assert essential_type(spelling) == essential


def test_c_prototype_changes() -> None:
    old = interface_of(b"int ZEXPORT f(int a);\nint g(int a);\nint h(void);\n", "c")
    new = interface_of(b"int f(int a);\nint g(int a, long b);\n", "c")
    changes = {(c.scope, c.kind, c.adaptor_expressible) for c in interface_changes(old, new)}
    assert changes == {("g", "prototype-changed", True), ("h", "prototype-removed", False)}


def test_class_split_is_a_removal_an_adaptor_cannot_hide() -> None:
    old = interface_of(
        b"class Pager { public: virtual int page(int); virtual int flush(); };", "cpp"
    )
    new = interface_of(
        b"class Reader { public: virtual int page(int); };\n"
        b"class Flusher { public: virtual int flush(); };\n",
        "cpp",
    )
    changes = interface_changes(old, new)
    assert [(c.kind, c.adaptor_expressible) for c in changes] == [("class-removed", False)]
