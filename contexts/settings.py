"""A study's contexts settings from TOML: the language of ``.h`` files and pre-pass substitutions.

Accepts a study's ``dsukit.toml`` (its ``[contexts]`` table, ``header_language`` and
``[contexts.prepass]``) or a file of substitutions alone (a ``[substitutions]`` table, or
``pattern = replacement`` lines at the top level)::

    [contexts]
    header_language = "cpp"

    [contexts.prepass]
    '\\bDEFINE_REFS\\(\\w+\\)(?!\\s*;)' = ""

A study's substitutions are added after the defaults (:data:`DEFAULT_SUBSTITUTIONS`).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from contexts.parsing import ContextsOptions
from contexts.prepass import (
    DEFAULT_SUBSTITUTIONS,
    PrepassError,
    Substitution,
    compile_substitutions,
)

HEADER_LANGUAGES = ("c", "cpp")


class SettingsError(Exception):
    """A contexts settings file cannot be used; the message names the file and the key."""


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise SettingsError(f"settings file {path} does not exist") from error
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise SettingsError(f"settings file {path} cannot be read as TOML: {error}") from error


def _substitutions(path: Path, table: object, key: str) -> tuple[Substitution, ...]:
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        raise SettingsError(f"{path}: {key} must be a table of pattern = replacement strings")
    rules = tuple(Substitution(pattern, replacement) for pattern, replacement in table.items())
    try:
        compile_substitutions(rules)
    except PrepassError as error:
        raise SettingsError(f"{path}: {key}: {error}") from error
    return rules


def load_options(
    config: Path | None = None, header_language: str | None = None, prepass: Path | None = None
) -> ContextsOptions:
    """Build the options from a study file, a substitutions file and a ``.h`` language.

    :param config: a ``dsukit.toml`` whose ``[contexts]`` table is read.
    :param header_language: overrides the study file's.
    :param prepass: a file of further substitutions (after the study file's).
    """
    language, rules = "c", list(DEFAULT_SUBSTITUTIONS)
    if config is not None:
        table = _read(config).get("contexts", {})
        language = table.get("header_language", language)
        rules += _substitutions(config, table.get("prepass", {}), "contexts.prepass")
    if prepass is not None:
        data = _read(prepass)
        table, key = _prepass_table(data)
        rules += _substitutions(prepass, table, key)
    language = header_language or language
    if language not in HEADER_LANGUAGES:
        raise SettingsError(f'the language of .h files must be "c" or "cpp", not {language!r}')
    return ContextsOptions(substitutions=tuple(rules), header_language=language)


def _prepass_table(data: dict[str, Any]) -> tuple[object, str]:
    contexts = data.get("contexts")
    if isinstance(contexts, dict) and "prepass" in contexts:
        return contexts["prepass"], "contexts.prepass"
    if "substitutions" in data:
        return data["substitutions"], "substitutions"
    return data, "the top-level table"
