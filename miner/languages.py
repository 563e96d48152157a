"""Which language a file is written in, by its name: the rule every stage shares.

Extensions are case-sensitive, as K42's were: ``.C``/``.H`` are C++ while ``.c`` is C. ``.h``
headers are ambiguous, so a study chooses their language (``header_language``). A study may
also map further extensions (``".inl"``) or globs (``"os/kernel/*.def"``) to a language, or to
``""`` to leave matching files uncleaned. Files in no known language get ``None``: the miner
keeps their raw diff only and the contexts stage skips them.

Example::

    >>> language_of("os/kernel/mem/FCMDefault.C")
    'cpp'
    >>> language_of("sys/kern/kern_exec.c")
    'c'
    >>> language_of("include/Obj.h", header_language="cpp")
    'cpp'
    >>> language_of("lib/x.inl", overrides={".inl": "cpp"})
    'cpp'
    >>> language_of("README") is None
    True
"""

from __future__ import annotations

from collections.abc import Mapping
from fnmatch import fnmatchcase

LANGUAGES: tuple[str, ...] = ("c", "cpp", "python")
"""Every language dsukit cleans and parses."""

CPP_EXTENSIONS: frozenset[str] = frozenset(
    {".C", ".H", ".cc", ".cpp", ".cxx", ".hh", ".hpp", ".c++", ".h++", ".ipp", ".tcc"}
)

_EXTENSIONS: dict[str, str] = {ext: "cpp" for ext in CPP_EXTENSIONS} | {".c": "c", ".py": "python"}
_GLOB_CHARS = frozenset("*?[")


class UnknownLanguage(ValueError):
    """A study named a language dsukit does not know."""


def check_language(language: str, what: str) -> None:
    """Raise :class:`UnknownLanguage` unless ``language`` is one of :data:`LANGUAGES`."""
    if language not in LANGUAGES:
        known = ", ".join(LANGUAGES)
        raise UnknownLanguage(f"{what} names language {language!r}; known languages: {known}.")


def extension_of(name: str) -> str:
    """Return the extension of a file name with its dot (``""`` if none; dot-files have none)."""
    base = name.rsplit("/", 1)[-1]
    dot = base.rfind(".")
    return base[dot:] if dot > 0 else ""


def language_of(
    path: str, header_language: str = "c", overrides: Mapping[str, str] | None = None
) -> str | None:
    """Return the language of the file at ``path`` (``c``, ``cpp``, ``python``), or ``None``.

    :param header_language: the language of ``.h`` files in this study.
    :param overrides: extension (``".inl"``) or glob -> language, checked first, in order; a
        glob without ``/`` matches the file name, one with ``/`` the whole path. The language
        ``""`` means "do not clean".
    """
    check_language(header_language, "header_language")
    if overrides:
        chosen = _override_of(path, overrides)
        if chosen is not None:
            return chosen or None
    extension = extension_of(path)
    if extension == ".h":
        return header_language
    return _EXTENSIONS.get(extension)


def _override_of(path: str, overrides: Mapping[str, str]) -> str | None:
    name = path.rsplit("/", 1)[-1]
    for pattern, language in overrides.items():
        if language:
            check_language(language, f"override {pattern!r}")
        if _GLOB_CHARS.isdisjoint(pattern) and pattern.startswith("."):
            matched = extension_of(name) == pattern or name.endswith(pattern)
        else:
            matched = fnmatchcase(path if "/" in pattern else name, pattern)
        if matched:
            return language
    return None
