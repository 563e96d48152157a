"""Facts read from source text: marked classes, function tables, init markers, global kinds."""

from __future__ import annotations

import pytest

from classify.source_facts import (
    classes_with_markers,
    global_line_kinds,
    init_marked,
    table_functions,
)

K42_HEADER = b"""\
// FCMFile.H: a K42-style header; a comment { with a brace
#include <mem/FCMCommon.H>
namespace k42 {
class FCMFile : public FCMCommon<CacheSync> {
__xpublic:
    virtual SysStatus getFrame(uval addr, __in uval size);
    DEFINE_FACTORY_BEGIN(Factory)
        virtual SysStatus create(ObjRef &ref);
    DEFINE_FACTORY_END(Factory)
    struct Node { int x; DEFINE_FACTORY_BEGIN_NOT(y) };
};
}
class Plain { const char *s = "DEFINE_FACTORY_BEGIN"; };
template <class T> class Tmpl { DEFINE_FACTORY_BEGIN(F) DEFINE_FACTORY_END(F) };
"""

BSD_C = b"""\
#include <sys/file.h>
static int vn_read(struct file *fp);
struct fileops vnops = { vn_read, vn_write, (void *)vn_ioctl, NULL };
static const struct file_operations foo_fops = {
	.owner = THIS_MODULE,
	.read = foo_read,
};
enum vtype {
  VNON,
  VREG = 1,
};
static int table[3] = { 1, 2, 3 };
extern int nfiles;
int counter;
typedef int T;
static int __init foo_init(void) { return 0; }
#define NVNODE 10
#if 0
int dead;
#endif
struct vattr;
FILE *gzfopen(const char *, const char *);
ZEXTERN int ZEXPORTVA gzprintf OF((gzFile file, const char *format, ...));
int (*handler)(int) = NULL;
"""


def test_classes_with_markers() -> None:
    assert classes_with_markers(K42_HEADER, ["DEFINE_FACTORY_BEGIN"]) == {"k42::FCMFile", "Tmpl"}
    assert classes_with_markers(K42_HEADER, []) == frozenset()
    assert classes_with_markers(BSD_C, ["DEFINE_FACTORY_BEGIN"]) == frozenset()


def test_table_functions() -> None:
    assert {"vn_read", "vn_write", "vn_ioctl", "foo_read"} <= table_functions(
        BSD_C, ["fileops", "file_operations"]
    )
    assert "owner" not in table_functions(BSD_C, ["file_operations"])
    assert "NULL" not in table_functions(BSD_C, ["fileops"])
    assert table_functions(BSD_C, ["vnodeops"]) == frozenset()


def test_init_marked() -> None:
    assert init_marked(BSD_C, "foo_init", ["__init"])
    assert not init_marked(BSD_C, "vn_read", ["__init"])
    assert not init_marked(BSD_C, "foo_init", [])


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        (1, "preprocessor"),
        (2, "declaration"),
        (3, "data"),
        (5, "data"),
        (8, "enum"),
        (9, "enum"),
        (10, "enum"),
        (12, "data"),
        (13, "declaration"),
        (14, "data"),
        (15, "declaration"),
        (17, "preprocessor"),
        (18, "preprocessor"),
        (19, "preprocessor"),
        (21, "declaration"),
        (22, "declaration"),
        (23, "declaration"),
        (24, "data"),
        (99, "unknown"),
    ],
)
def test_global_line_kinds_in_c(line: int, kind: str) -> None:
    assert global_line_kinds(BSD_C, "c", [line])[line] == kind


def test_global_line_kinds_in_kernel_cpp_use_the_prepass() -> None:
    text = (
        b"#include <a.H>\nclass A : public Obj {\n__xpublic:\n  DEFINE_FACTORY_BEGIN(F)\n"
        b"  DEFINE_FACTORY_END(F)\n};\nstatic uval count = 3;\n"
    )
    assert global_line_kinds(text, "cpp", [1, 2, 7]) == {
        1: "preprocessor",
        2: "declaration",
        7: "data",
    }
    assert global_line_kinds(text, "python", [1]) == {1: "unknown"}
