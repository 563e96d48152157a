"""Tests of the language rule: case-sensitive extensions, the header choice, study overrides."""

from __future__ import annotations

import pytest

from miner.languages import UnknownLanguage, extension_of, language_of


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("os/kernel/mem/FCMDefault.C", "cpp"),
        ("os/kernel/mem/FCMDefault.H", "cpp"),
        ("a.cc", "cpp"),
        ("a.cpp", "cpp"),
        ("a.cxx", "cpp"),
        ("a.hh", "cpp"),
        ("a.hpp", "cpp"),
        ("a.c++", "cpp"),
        ("a.h++", "cpp"),
        ("a.ipp", "cpp"),
        ("a.tcc", "cpp"),
        ("sys/kern/kern_exec.c", "c"),
        ("sys/sys/proc.h", "c"),
        ("tools/gen.py", "python"),
        ("a.CC", None),
        ("a.Cpp", None),
        ("a.PY", None),
        ("Makefile", None),
        ("README.txt", None),
        (".c", None),
        ("dir.c/file", None),
        ("archive.tar.gz", None),
    ],
)
def test_language_by_extension(path: str, expected: str | None) -> None:
    assert language_of(path) == expected


@pytest.mark.parametrize("header_language", ["c", "cpp"])
def test_header_language_is_a_study_choice(header_language: str) -> None:
    assert language_of("include/Obj.h", header_language=header_language) == header_language
    assert language_of("include/Obj.H", header_language=header_language) == "cpp"


@pytest.mark.parametrize(
    ("path", "overrides", "expected"),
    [
        ("lib/x.inl", {".inl": "cpp"}, "cpp"),
        ("lib/x.INL", {".inl": "cpp"}, None),
        ("os/kernel/gen/a.def", {"os/kernel/*.def": "c"}, "c"),
        ("other/a.def", {"os/kernel/*.def": "c"}, None),
        ("deep/dir/stub.h", {"stub*.h": "cpp"}, "cpp"),
        ("deep/dir/real.h", {"stub*.h": "cpp"}, "c"),
        ("vendor/gen.c", {"vendor/*": ""}, None),
        ("x.c", {".c": "cpp", "*.c": "python"}, "cpp"),
    ],
)
def test_overrides(path: str, overrides: dict[str, str], expected: str | None) -> None:
    assert language_of(path, overrides=overrides) == expected


def test_unknown_languages_are_refused() -> None:
    with pytest.raises(UnknownLanguage, match="fortran"):
        language_of("a.h", header_language="fortran")
    with pytest.raises(UnknownLanguage, match="'.f'"):
        language_of("a.f", overrides={".f": "fortran"})


@pytest.mark.parametrize(
    ("name", "expected"), [("a.c", ".c"), ("d.x/a", ""), (".profile", ""), ("a.b.C", ".C")]
)
def test_extension_of(name: str, expected: str) -> None:
    assert extension_of(name) == expected


def test_docstring_examples() -> None:
    import doctest

    import miner.languages

    assert doctest.testmod(miner.languages).failed == 0
