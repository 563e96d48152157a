"""Tests of cleaning: what must clean to the same text, what must not, and origins."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from miner.c_layout import CLayout, Emitter
from miner.c_tokens import has_raw_string, split_run, tokenize_c, tokenize_runs
from miner.cleaning import clean, decode_source
from miner.diffing import diff_file

EQUIVALENT_C = [
    pytest.param("int x = 1;\n", "int x = 1; /* one */\n", id="comment-added"),
    pytest.param("int x = 1; // a\n", "int x = 1; // b\n", id="line-comment-changed"),
    pytest.param(
        "/* $Id: a.c,v 1.1 2001/01/01 x Exp $ */\nint x;\n",
        "/* $Id: a.c,v 1.2 2002/02/02 y Exp $ */\nint x;\n",
        id="keyword-in-comment",
    ),
    pytest.param(
        'static const char rcsid[] = "$MirOS: src/a.c,v 1.1 2005/01/01 tg Exp $";\n',
        'static const char rcsid[] = "$MirOS: src/a.c,v 1.2 2006/02/02 tg Exp $";\n',
        id="keyword-in-string",
    ),
    pytest.param(
        "int f(int a)\n{\n\treturn a;\n}\n", "int f(int a) {\n    return a;\n}\n", id="brace-moved"
    ),
    pytest.param(
        "void g() {\n  if (a) {\n    b();\n  } else {\n    c();\n  }\n}\n",
        "void g()\n{\n\tif (a)\n\t{\n\t\tb();\n\t}\n\telse\n\t{\n\t\tc();\n\t}\n}\n",
        id="allman-vs-kr",
    ),
    pytest.param("x = f(a, b, c);\n", "x = f(a,\n      b,\n      c);\n", id="rewrapped-arguments"),
    pytest.param("x=a+b*c;\n", "x = a + b * c;\n", id="spacing"),
    pytest.param("int a; int b;\n", "int a;\nint b;\n", id="statements-split"),
    pytest.param("enum e { A, B, C };\n", "enum e {\n\tA,\n\tB,\n\tC\n};\n", id="enum-rewrapped"),
    pytest.param(
        "#define F(x)  ((x) + 1)\n", "#  define F(x) ((x)+1) /* inc */\n", id="macro-spacing"
    ),
    pytest.param(
        "#define LONG(a) \\\n\tdo { a; } while (0)\n",
        "#define LONG(a) do { \\\n\t\ta; \\\n\t} while (0)\n",
        id="macro-continuations",
    ),
    pytest.param(
        "int a; /* multi\nline\ncomment */ int b;\n", "int a;\nint b;\n", id="multiline-comment"
    ),
    pytest.param('s = "a /* b */ c";\n', 's = "a /* b */ c"; /**/\n', id="comment-in-string"),
    pytest.param("#if 0\nold code ( ;\n#endif\n", "#if 0\nold code (\n;\n#endif\n", id="if0"),
    pytest.param("x = 1;\r\ny = 2;\r\n", "x = 1;\ny = 2;\n", id="crlf"),
]

DIFFERENT_C = [
    pytest.param("int x = 1;\n", "int x = 2;\n", id="constant"),
    pytest.param('s = "a b";\n', 's = "a  b";\n', id="string-spacing"),
    pytest.param('s = "/* x */";\n', 's = "";\n', id="comment-like-string"),
    pytest.param("c = '\"';\n", "c = '\\'';\n", id="char-literal"),
    pytest.param("int x;\n/* int y; */\n", "int x;\nint y;\n", id="uncommented"),
    pytest.param("a = b - -c;\n", "a = b --c;\n", id="token-boundary"),
    pytest.param("#define F(x) (x)\n", "#define F (x) (x)\n", id="function-like-macro"),
    pytest.param("// a \\\nint x;\n", "// a\nint x;\n", id="spliced-line-comment"),
    pytest.param("x = y / *p;\n", "x = y /*p;\n*/;\n", id="slash-star"),
    pytest.param('s = "$Id$";\n', 's = "$Id $";\n', id="not-a-keyword"),
]

EQUIVALENT_CPP = [
    pytest.param(
        "class FCM : public Obj {\n__xpublic:\n    virtual SysStatus map(uval a) = 0;\n};\n",
        "class FCM : public Obj\n{\n__xpublic:\n  // map a page\n"
        "  virtual SysStatus map(uval a)=0;\n};\n",
        id="k42-class",
    ),
    pytest.param(
        "SysStatus\nFCM::map(uval a)\n{\n    return _SRETUVAL(a);\n}\n",
        "SysStatus FCM::map(uval a) {\n  return _SRETUVAL(a); // ok\n}\n",
        id="k42-method",
    ),
    pytest.param(
        'auto s = R"x(a /* not a comment */\n b)x";\n',
        'auto s =\n  R"x(a /* not a comment */\n b)x";\n',
        id="raw-string",
    ),
    pytest.param(
        "template <class T>\nstruct A { T v; };\n",
        "template<class T> struct A {\n  T v;\n};\n",
        id="template",
    ),
    pytest.param("int n = 1'000'000;\n", "int n = 1'000'000; // big\n", id="digit-separators"),
]

DIFFERENT_CPP = [
    pytest.param(
        'auto s = R"x(a /* c */ b)x";\n', 'auto s = R"x(a b)x";\n', id="raw-string-content"
    ),
    pytest.param("virtual void f();\n", "virtual void f(int a);\n", id="parameter-added"),
]


def _cleaned(text: str, language: str) -> tuple[str, ...]:
    return clean(text, language).lines


@pytest.mark.parametrize(("old", "new"), EQUIVALENT_C)
def test_c_equivalent(old: str, new: str) -> None:
    assert _cleaned(old, "c") == _cleaned(new, "c")


@pytest.mark.parametrize(("old", "new"), DIFFERENT_C)
def test_c_different(old: str, new: str) -> None:
    assert _cleaned(old, "c") != _cleaned(new, "c")


@pytest.mark.parametrize(("old", "new"), EQUIVALENT_CPP)
def test_cpp_equivalent(old: str, new: str) -> None:
    assert _cleaned(old, "cpp") == _cleaned(new, "cpp")


@pytest.mark.parametrize(("old", "new"), DIFFERENT_CPP)
def test_cpp_different(old: str, new: str) -> None:
    assert _cleaned(old, "cpp") != _cleaned(new, "cpp")


def test_c_origins_and_ends() -> None:
    text = (
        "/* header\n * comment */\n"  # 1-2
        "#include <a.h>\n"  # 3
        "int\nf(int a,\n  int b)\n{\n"  # 4-7
        "\tint x = a; int y = b;\n"  # 8
        "#define M(a) \\\n\t(a)\n"  # 9-10
        "\treturn x +\n\t    y;\n"  # 11-12
        "}\n"  # 13
    )
    cleaned = clean(text, "c")
    assert list(zip(cleaned.lines, cleaned.origins, cleaned.ends, strict=True)) == [
        ("#include < a . h >", 3, 3),
        ("int f ( int a , int b ) {", 4, 7),
        ("int x = a ;", 8, 8),
        ("int y = b ;", 8, 8),
        ("#define M( a ) ( a )", 9, 10),
        ("return x + y ;", 11, 12),
        ("}", 13, 13),
    ]
    assert cleaned.original_lines(range(1, 3)) == [4, 5, 6, 7, 8]


def test_directive_inside_statement_is_its_own_line() -> None:
    cleaned = clean("x = f(a,\n#ifdef B\n  b,\n#endif\n  c);\n", "c")
    assert cleaned.lines == ("x = f ( a ,", "#ifdef B", "b ,", "#endif", "c ) ;")
    assert cleaned.origins == (1, 2, 3, 4, 5)


def test_unbalanced_ifdef_braces_resynchronise() -> None:
    text = "#ifdef A\nif (a) {\n#else\nif (b && (c) {\n#endif\n\tx();\n}\nint y;\nint z;\n"
    assert clean(text, "c").lines[-2:] == ("int y ;", "int z ;")


@pytest.mark.parametrize(
    "text",
    [
        "/* unterminated",
        '"unterminated\nint x;',
        "'",
        "\\",
        "#",
        "}}}{{{",
        ")))(((",
        "\0\x01\x7f\u00e9\udcff",
        'R"abc(never closed',
        "",
    ],
)
def test_malformed_c_never_crashes(text: str) -> None:
    cleaned = clean(text, "cpp")
    assert len(cleaned.lines) == len(cleaned.origins) == len(cleaned.ends)


def test_decode_source_accepts_any_bytes() -> None:
    assert decode_source("café".encode()) == "café"
    assert decode_source(b"caf\xe9") == "caf\u00e9"
    assert decode_source(bytes(range(256)))[255] == "\u00ff"


EQUIVALENT_PYTHON = [
    pytest.param("x = 1\n", "x = 1  # one\n", id="comment"),
    pytest.param("x = f(a, b)\n", "x = f(\n    a,\n    b,\n)\n".replace(",\n)", "\n)"), id="wrap"),
    pytest.param("x = a + \\\n    b\n", "x = a + b\n", id="backslash"),
    pytest.param(
        'def f():\n    """Doc."""\n    return 1\n',
        'def f():\n    """Other doc,\n    two lines."""\n    return 1\n',
        id="docstring",
    ),
    pytest.param("if a:\n  b()\n", "if a:\n        b()\n\n\n", id="indent-width"),
    pytest.param("x=[1,2]\n", "x = [ 1, 2 ]\n", id="spacing"),
]

DIFFERENT_PYTHON = [
    pytest.param("if a:\n    b()\nc()\n", "if a:\n    b()\n    c()\n", id="indentation"),
    pytest.param("x = 1\n", "x = 2\n", id="constant"),
    pytest.param('x = f"{a}"\n', 'x = f"{b}"\n', id="f-string"),
    pytest.param("x = 1\n# y = 2\n", "x = 1\ny = 2\n", id="uncommented"),
]


@pytest.mark.parametrize(("old", "new"), EQUIVALENT_PYTHON)
def test_python_equivalent(old: str, new: str) -> None:
    assert _cleaned(old, "python") == _cleaned(new, "python")


@pytest.mark.parametrize(("old", "new"), DIFFERENT_PYTHON)
def test_python_different(old: str, new: str) -> None:
    assert _cleaned(old, "python") != _cleaned(new, "python")


def test_python_origins_and_structure() -> None:
    text = (
        "import os  # os\n\ndef f(a,\n      b):\n    '''Doc.'''\n    return (a +\n            b)\n"
    )
    cleaned = clean(text, "python")
    assert cleaned.lines == ("import os", "def f ( a , b ) :", "    return ( a + b )")
    assert cleaned.origins == (1, 3, 6) and cleaned.ends == (1, 4, 7)
    assert not cleaned.fallback


@pytest.mark.parametrize(
    "text", ["def f(:\n  x = '''open\n", "if a:\n        b\n    c\n", "x = (1,\n", "\0\udcff"]
)
def test_bad_python_falls_back_without_crashing(text: str) -> None:
    cleaned = clean(text, "python")
    assert len(cleaned.lines) == len(cleaned.origins)


def test_python_fallback_strips_comments_and_says_so() -> None:
    cleaned = clean("x = '#not'  # yes\n  y = 2\n z\n", "python")
    assert cleaned.fallback
    assert cleaned.lines == ("x = '#not'", "  y = 2", " z")


def test_k42_style_cpp_change_is_found_on_original_lines() -> None:
    old = b"class A {\npublic:\n    DEFINE_GLOBAL_NEW(A);\n    virtual void f();\n};\n"
    new = (
        b"class A\n{\npublic:\n    DEFINE_GLOBAL_NEW(A);  // alloc\n"
        b"    virtual void f(int x);\n};\n"
    )
    result = diff_file(old, new, "os/kernel/A.H", "cpp")
    assert (result.clean_lines_added, result.clean_lines_deleted) == (1, 1)
    assert result.old_changed_lines == (4,) and result.new_changed_lines == (5,)


def test_unterminated_spliced_literal_keeps_line_numbers() -> None:
    cleaned = clean("#define F(s, la'st) { \\\n  x; \\\n}\nint y;\n", "c")
    assert cleaned.lines[-1] == "int y ;" and cleaned.origins[-1] == 4
    assert cleaned.ends[0] == 3


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('auto s = R"(x)";', True),
        ('auto s = u8R"d(x)d";', True),
        ('auto s = LR"(x)";', True),
        ('f("%R");', False),
        ('f("ERR")', False),
        ('FOOR"(x)"', False),
        ("no raw here", False),
    ],
)
def test_has_raw_string(text: str, expected: bool) -> None:
    assert has_raw_string(text) is expected


C_ALPHABET = ["/*", "*/", "//", '"', "'", "\\", "\n", "#", "{", "}", "(", ")", ";", ",", " ", "x"]


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300), st.sampled_from(["c", "cpp", "python"]))
def test_any_bytes_clean_without_crashing(data: bytes, language: str) -> None:
    text = decode_source(data)
    cleaned = clean(text, language)
    lines = text.count("\n") + 1
    assert len(cleaned.lines) == len(cleaned.origins) == len(cleaned.ends)
    assert all(1 <= o <= e <= lines for o, e in zip(cleaned.origins, cleaned.ends, strict=True))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(C_ALPHABET), max_size=80))
def test_c_origins_stay_within_the_text(pieces: list[str]) -> None:
    text = "".join(pieces)
    cleaned = clean(text, "c")
    lines = text.count("\n") + 1
    assert all(1 <= o <= e <= lines for o, e in zip(cleaned.origins, cleaned.ends, strict=True))
    assert list(cleaned.origins) == sorted(cleaned.origins)


def test_docstring_example() -> None:
    import doctest

    import miner.cleaning

    assert doctest.testmod(miner.cleaning).failed == 0


RUN_ALPHABET = [
    *C_ALPHABET,
    "\t",
    "  ",
    "for",
    " for",
    "else for (",
    "$Id: x $",
    "'$Id: a'",
    " b $",
    "#define F(",
    "->",
    "a+b",
    "1'0",
    "u8",
    "L",
    'R"d(',
    ')d"',
    "\\\n",
    "/* c */",
    "// c",
]


def _layout_fields(layout: CLayout) -> tuple[object, ...]:
    return (
        list(layout.lines),
        list(layout.origins),
        list(layout.ends),
        list(layout.sync_lines),
        list(layout.sync_stacks),
        list(layout.sync_counts),
    )


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(RUN_ALPHABET), max_size=60))
def test_runs_lay_out_as_their_tokens(pieces: list[str]) -> None:
    """Runs of tokens split into the single tokens and give the layout those give."""
    text = "".join(pieces)
    runs = tokenize_runs(text)
    if not has_raw_string(text):
        assert [token for run in runs for token in split_run(run)] == tokenize_c(text)
    assert _layout_fields(Emitter().run(runs)) == _layout_fields(Emitter().run(tokenize_c(text)))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x = a + b;\n", ["\n", "x = a + b", ";", "\n"]),
        (
            "f(a, b) /* c */ + 1; // d\n",
            ["\n", "f", "(", "a", ",", "b", ")", "/* c */", "+ 1", ";", "// d", "\n"],
        ),
        ("u8'x' U8\"y\" .5 1.e+5\n", ["\n", "u8'x' U8", '"y" .5 1.e+5', "\n"]),
        ("a /* two\nlines */ b\n", ["\n", "a", "/* two\nlines */", "b", "\n"]),
        ("x = y \\\n+ z;\n", ["\n", "x = y", "\\\n", "+ z", ";", "\n"]),
    ],
)
def test_tokenize_runs(text: str, expected: list[str]) -> None:
    assert tokenize_runs(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x; else for (;;) y;\n", ("x ;", "else for ( ; ; ) y ;")),
        ('s = "a for\n(x; y);\n', ('s = "a for ( x ;', "y ) ;")),
        ("c = '$Id: a' b $;\n", ("c = '$Id: a' b $ ;",)),
        ('s = "$Id: a.c,v 1.1 $" x;\n', ('s = "$Id$" x ;',)),
    ],
)
def test_runs_keep_for_headers_and_keywords_per_token(text: str, expected: tuple[str]) -> None:
    assert clean(text, "c").lines == expected
