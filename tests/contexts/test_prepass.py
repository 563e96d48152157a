"""The same-length pre-pass, ``#if 0`` detection, and contexts settings files."""

from __future__ import annotations

from pathlib import Path

import pytest

from contexts.prepass import (
    DEFAULT_SUBSTITUTIONS,
    Substitution,
    apply_substitutions,
    compile_substitutions,
    dead_lines,
    literal_hint,
)
from contexts.settings import SettingsError, load_options

DEFAULTS = compile_substitutions(DEFAULT_SUBSTITUTIONS)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (b"__xpublic:", b"public:   "),
        (b"f(__in uval a, __out uval &b, __inx c)", b"f(     uval a,       uval &b, __inx c)"),
        (b'__asm __volatile("nop");', b'__asm__ volatile("nop");'),
        (
            b"f(__inbuf(len) char *b, __in uval len) __xa(none);",
            b"f(             char *b,      uval len)           ;",
        ),
        (b"class A : public B __xbase(Obj) {", b"class A : public B              {"),
        (b"static __dead void", b"static        void"),
        (b"int foo __P((int, char *));", b"int foo (int, char *)     ;"),
        (b"DEFINE_FACTORY_BEGIN(Factory)", b"struct Factory {             "),
        (b"DEFINE_FACTORY_END(Factory)", b"};                         "),
        (b"__BEGIN_DECLS\nint x;", b"             \nint x;"),
    ],
)
def test_default_substitutions_keep_every_byte_in_place(source: bytes, expected: bytes) -> None:
    result = apply_substitutions(source, DEFAULTS)
    assert result == expected
    assert len(result) == len(source)


def test_a_longer_replacement_leaves_the_text_alone() -> None:
    rules = compile_substitutions([Substitution(r"\bIN\b", "longer")])
    assert apply_substitutions(b"f(IN x)", rules) == b"f(IN x)"


@pytest.mark.parametrize(
    ("pattern", "hint"),
    [
        (r"\bDEFINE_FACTORY_END\s*\(\s*\w+\s*\)", b"DEFINE_FACTORY_END"),
        (r"__(?<!\w__)(in|out)\b", b"__"),
        (r"\bFOO_BAR?x", b"FOO_BA"),
        (r"a|b", None),
    ],
)
def test_literal_hints_are_words_every_match_contains(pattern: str, hint: bytes | None) -> None:
    assert literal_hint(pattern) == hint


def test_dead_lines_follow_nesting_and_else() -> None:
    source = b"""\
int a;
#if 0
#ifdef X
dead();
#endif
#else
alive();
#endif
# if (0) /* off */
off();
#elif 1
on();
#endif
"""
    assert dead_lines(source) == frozenset({1, 2, 3, 4, 5, 8, 9, 10})


def test_an_unclosed_if_0_is_dead_to_the_end() -> None:
    assert dead_lines(b"a\n#if 0\nb\nc") == frozenset({1, 2, 3})


def test_settings_from_a_study_file_and_a_prepass_file(tmp_path: Path) -> None:
    study = tmp_path / "dsukit.toml"
    study.write_text(
        "[contexts]\nheader_language = 'cpp'\n[contexts.prepass]\n'\\bDEFINE_REFS\\(\\w+\\)' = ''\n"
    )
    extra = tmp_path / "prepass.toml"
    extra.write_text("[substitutions]\n'\\bFAR\\b' = ''\n")
    options = load_options(study, None, extra)
    assert options.header_language == "cpp"
    assert options.substitutions[: len(DEFAULT_SUBSTITUTIONS)] == DEFAULT_SUBSTITUTIONS
    assert [rule.pattern for rule in options.substitutions[len(DEFAULT_SUBSTITUTIONS) :]] == [
        r"\bDEFINE_REFS\(\w+\)",
        r"\bFAR\b",
    ]
    assert load_options(study, "c").header_language == "c"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[contexts]\nheader_language = 'java'\n", "must be"),
        ("[contexts.prepass]\n'(' = ''\n", "regular expression"),
        ("[contexts]\nprepass = 3\n", "table of pattern"),
        ("not toml [", "cannot be read as TOML"),
    ],
)
def test_bad_settings_name_the_file(tmp_path: Path, text: str, message: str) -> None:
    study = tmp_path / "dsukit.toml"
    study.write_text(text)
    with pytest.raises(SettingsError, match=message):
        load_options(study)
