"""Per-line contexts of hand-written C, C++ and Python sources, checked line by line.

Each source marks the lines it checks with a trailing comment ``//> KIND NAME`` (``#>`` in
Python): ``f`` function, ``c`` class, ``g`` global, ``dead`` for lines under ``#if 0``, and a
leading ``?`` when the line must be flagged uncertain (inside a parse error).
"""

from __future__ import annotations

import re

import pytest

from contexts.line_contexts import GLOBAL, LineContext, contexts_of
from contexts.parsing import ContextsOptions, parse

KINDS = {"f": "function", "c": "class", "g": "global"}
MARK = re.compile(r"(?://|#)> (?:(\?) )?(\w+)(?: (\S+))?\s*$")

K42_HEADER = """\
#ifndef __FCM_FILE_H_                                            //> g
#define __FCM_FILE_H_
#include "FCMCommon.H"                                           //> g

class FCMFile : public FCMCommon __xbase(Obj) {                 //> c FCMFile
__xpublic:                                                       //> c FCMFile
    virtual SysStatus getFrame(uval addr, __in uval size);       //> c FCMFile
    virtual SysStatus putFrame(__in uval addr, __out uval &len); //> c FCMFile
    DEFINE_REFS(FCMFile);                                        //> c FCMFile
protected:
    uval count;                                                  //> c FCMFile
    DEFINE_FACTORY_BEGIN(Factory)                                //> c FCMFile::Factory
        virtual SysStatus create(uval x);                        //> c FCMFile::Factory
        virtual SysStatus destroy(ObjRef ref) {                  //> f FCMFile::Factory::destroy
            return 0;                                            //> f FCMFile::Factory::destroy
        }
    DEFINE_FACTORY_END(Factory)                                  //> c FCMFile::Factory
    virtual SysStatus detach();                                  //> c FCMFile
public:
    struct Inner {                                               //> c FCMFile::Inner
        int depth() { return 1; }                                //> f FCMFile::Inner::depth
        class Deeper { void m() { } };                           //> f FCMFile::Inner::Deeper::m
    };                                                           //> c FCMFile::Inner
    virtual ~FCMFile() { }                                       //> f FCMFile::~FCMFile
    bool operator==(const FCMFile &other) const { return true; } //> f FCMFile::operator==
};                                                               //> c FCMFile
#endif /* __FCM_FILE_H_ */                                       //> g
"""

K42_SOURCE = """\
#include "FCMFile.H"                                             //> g

SysStatus                                                        //> f FCMFile::getFrame
FCMFile::getFrame(uval addr, __in uval size)                     //> f FCMFile::getFrame
{
    uval n = size;                                               //> f FCMFile::getFrame
#if 0
    if (n > 3) {{{                                               //> dead
#else
    if (n > 3) {                                                 //> f FCMFile::getFrame
#endif
        n = 3;
    }
    return n;                                                    //> f FCMFile::getFrame
}

FCMFile::~FCMFile()                                              //> f FCMFile::~FCMFile
{
    count = 0;                                                   //> f FCMFile::~FCMFile
}

SysStatus FCMFile::Factory::create(uval x)                       //> f FCMFile::Factory::create
{
    return x;                                                    //> f FCMFile::Factory::create
}

FCMFile::operator bool() const { return count != 0; }            //> f FCMFile::operator bool

/* virtual */ SysStatus                                          //> f FCMFile::_lookup
FCMFile::_lookup(__inbuf(len) char *name, __in uval len,         //> f FCMFile::_lookup
                 __CALLER_PID caller) __xa(none)                 //> f FCMFile::_lookup
{
    return lookupInternal(name, len);                            //> f FCMFile::_lookup
}
"""

CPP_SOURCE = """\
namespace os {                                                   //> g
namespace {
int hidden(int x) { return x; }                                  //> f os::hidden
}
template <class T>                                               //> c os::Box
class Box {                                                      //> c os::Box
public:
    T value;                                                     //> c os::Box
    T get() const { return value; }                              //> f os::Box::get
    Box &operator<<(const T &v);                                 //> c os::Box
    void operator()(int) { }                                     //> f os::Box::operator()
};
template <class T>                                               //> f os::Box::operator<<
Box<T> &Box<T>::operator<<(const T &v)                           //> f os::Box::operator<<
{
    value = v;                                                   //> f os::Box::operator<<
    return *this;
}
union Word { int i; float f; };                                  //> c os::Word
struct Pair { int a, b; } origin = { 0, 0 };                     //> c os::Pair
int f(int a) {                                                   //> f os::f
    struct Local { int g() { return 1; } };                      //> f os::f
    return a;                                                    //> f os::f
}
}                                                                //> g
extern "C" {
void c_entry(void) { }                                           //> f c_entry
}
static const int table[] = { 1, 2, 3 };                          //> g
"""

C_SOURCE = """\
/* A kernel-style C file. */                                     //> g
#include <sys/param.h>                                           //> g
#define MAX(a, b) \\
    ((a) > (b) ? (a) : (b))                                      //> g

LIST_HEAD(proclist, proc) allproc;                               //> ? g
int nprocs;                                                      //> g
int foo __P((int, char *));                                      //> g

struct proc {                                                    //> c proc
    int p_pid;                                                   //> c proc
    struct {                                                     //> c proc
        int x;                                                   //> c proc
    } p_inner;
};
typedef struct vnode {                                           //> c vnode
    int v_type;                                                  //> c vnode
} vnode_t;

static __dead void                                               //> f panic
panic(const char *fmt, ...)                                      //> f panic
{
    for (;;)                                                     //> f panic
        ;
}

int                                                              //> f oldstyle
oldstyle(a, b)                                                   //> f oldstyle
    int a;                                                       //> f oldstyle
    char *b;
{
    __asm __volatile("nop");                                     //> f oldstyle
    return a;                                                    //> f oldstyle
}

#if 0                                                            //> dead
int unused(void) { return 0; }                                   //> dead
#endif                                                           //> dead

SYSCTL_HANDLER(kern_proc)                                        //> g
{
    return 0;                                                    //> g
}
"""

PYTHON_SOURCE = """\
import os                                                        #> g


class Outer:                                                     #> c Outer
    limit = 3                                                    #> c Outer

    @property                                                    #> f Outer.size
    def size(self):                                              #> f Outer.size
        def helper(x):                                           #> f Outer.size.helper
            return x                                             #> f Outer.size.helper
        return helper(1)                                         #> f Outer.size

    class Inner:                                                 #> c Outer.Inner
        def go(self):                                            #> f Outer.Inner.go
            pass


if os.name:                                                      #> g
    def maybe():                                                 #> f maybe
        return 1                                                 #> f maybe
"""

BROKEN_CPP = """\
class Broken {                                                   //> c Broken
    void ok() { }                                                //> f Broken::ok
};
void f(int x) {                                                  //> f f
    x = x + + ) ;                                                //> ? f f
    x = 2;                                                       //> f f
}
"""


def expected_of(source: str) -> dict[int, LineContext]:
    """Return the contexts the marks of ``source`` ask for."""
    expected = {}
    for number, line in enumerate(source.splitlines(), start=1):
        match = MARK.search(line)
        if match is None:
            continue
        uncertain, kind, name = match.groups()
        if kind == "dead":
            expected[number] = LineContext("global", "<global>", not_code=True)
        else:
            context = LineContext(KINDS[kind], name or "<global>")
            expected[number] = LineContext(context.kind, context.name, uncertain=bool(uncertain))
    return expected


@pytest.mark.parametrize(
    ("name", "source", "language"),
    [
        ("FCMFile.H", K42_HEADER, "cpp"),
        ("FCMFile.C", K42_SOURCE, "cpp"),
        ("templates.cc", CPP_SOURCE, "cpp"),
        ("kern_proc.c", C_SOURCE, "c"),
        ("outer.py", PYTHON_SOURCE, "python"),
        ("broken.cc", BROKEN_CPP, "cpp"),
    ],
    ids=lambda value: value if isinstance(value, str) and len(value) < 20 else "",
)
def test_marked_lines_have_their_contexts(name: str, source: str, language: str) -> None:
    expected = expected_of(source)
    assert len(expected) >= 5, name
    found = contexts_of(source.encode(), language, expected)
    mismatches = {
        line: (found[line], want) for line, want in expected.items() if found[line] != want
    }
    assert not mismatches, f"{name}: " + "; ".join(
        f"line {line}: got {got.kind} {got.name} {got.uncertain}, want {want.kind} {want.name}"
        for line, (got, want) in mismatches.items()
    )


def test_every_line_gets_a_context_and_positions_do_not_move() -> None:
    source = K42_HEADER.encode()
    contexts = contexts_of(source, "cpp")
    assert sorted(contexts) == list(range(1, source.count(b"\n") + 1))
    parsed = parse(source, "cpp")
    assert len(parsed.text) == len(source)
    assert parsed.text.count(b"\n") == source.count(b"\n")


def test_lines_out_of_range_are_global() -> None:
    assert contexts_of(b"int f() { return 0; }\n", "c", [1, 7]) == {
        1: LineContext("function", "f"),
        7: GLOBAL,
    }


def test_without_the_prepass_idl_keywords_break_the_parse() -> None:
    source = K42_HEADER.encode()
    bare = parse(source, "cpp", ContextsOptions(substitutions=()))
    assert bare.error_rows, "the IDL keywords should confuse a plain C++ grammar"
    assert not parse(source, "cpp").error_rows
    factory_line = next(
        n for n, line in enumerate(K42_HEADER.splitlines(), 1) if "create(uval x)" in line
    )
    assert contexts_of(source, "cpp", [factory_line])[factory_line].name == "FCMFile::Factory"


def test_error_share_counts_only_lines_in_errors() -> None:
    parsed = parse(BROKEN_CPP.encode(), "cpp")
    assert parsed.error_rows == frozenset({4})
    assert parsed.error_share == pytest.approx(1 / 7)
