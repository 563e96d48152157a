"""The study configuration: one readable TOML file (``dsukit.toml``) per study, validated on load.

It declares which transactions form the population, which code is dynamically updatable (C++
classes by name, by base class or by a marker in their body; C files, directories, functions
and function-pointer tables), which code the study's relaxations forgive (test, debugging and
tracing code, initialisation code, simple classes encapsulated in an updatable unit), the date
cutoff, the purpose keywords, and the contexts stage's pre-pass substitutions. Every problem is
reported as a :class:`ConfigError` naming the file and the key. The hashes of its sections let
the classify stage recompute only what a changed configuration affects.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

DEFAULT_CONFIG_FILE = "dsukit.toml"

DEFAULT_PURPOSE_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("reverted", ("revert", "back out", "backed out", "backout", "undo ")),
    ("merge", ("merge ", "merged ", "merging ")),
    ("security-fix", ("security", "vulnerab", "exploit", "cve-", "overflow", "privilege")),
    ("performance", ("perf", "faster", "speed", "optimi", "scalab", "latency", "throughput")),
    (
        "bug-fix",
        ("fix", "bug", "crash", "panic", "leak", "race", "deadlock", "broken", "wrong", "correct"),
    ),
    (
        "cleanup",
        (
            "clean",
            "refactor",
            "restructur",
            "reorgani",
            "rename",
            "simplif",
            "tidy",
            "unused",
            "style",
            "move ",
        ),
    ),
    ("new-feature", ("add", "support", "implement", "new ", "introduc", "enable")),
)
"""Purposes in the order they are tried, each with the log-message keywords that suggest it."""

DEFAULT_DEBUG_CALLS = (
    "printf",
    "cprintf",
    "err_printf",
    "printk",
    "DPRINTF",
    "TRACE",
    "trace",
    "tassert",
    "passert",
    "assert",
    "debug",
    "log",
)
DEFAULT_HEADER_SUFFIXES = (".h", ".H", ".hh", ".hpp", ".hxx", ".h++")
DEFAULT_NO_ADAPTOR_NEEDED = (
    "parameter-renamed",
    "parameter-default-changed",
    "annotation-added",
    "annotation-removed",
    "data-member-added",
    "data-member-removed",
    "data-member-type-changed",
)


class ConfigError(Exception):
    """The study configuration is unreadable or invalid; the message names the file and key."""


@dataclass(frozen=True)
class PopulationConfig:
    """Which transactions count: those touching a file under ``paths`` and not ``exclude``."""

    paths: tuple[str, ...] = ()
    """Path prefixes or globs; empty means every path."""
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True)
class UnitsConfig:
    """The dynamically-updatable units."""

    classes: tuple[str, ...] = ()
    """C++ class names or globs (qualified names, e.g. ``FCM*``)."""
    bases: tuple[str, ...] = ()
    """Every class deriving from one of these, transitively, is a unit (not the base itself)."""
    markers: tuple[str, ...] = ()
    """A class whose body contains one of these words is a unit (e.g. ``DEFINE_FACTORY_BEGIN``)."""
    c_paths: tuple[str, ...] = ()
    """C files or directories (prefixes or globs) whose every function is updatable."""
    c_tables: tuple[str, ...] = ()
    """Struct types of function-pointer tables (``file_operations``) naming unit functions."""
    c_functions: tuple[str, ...] = ()
    """C function names or globs reached only indirectly."""
    encapsulated: tuple[tuple[str, str], ...] = ()
    """(simple class name or glob, owning unit): updated together with its owner."""


@dataclass(frozen=True)
class RelaxationsConfig:
    """Code that the study's second measure does not count against a transaction."""

    test_paths: tuple[str, ...] = ("test/", "tests/", "*/test/*", "*/tests/*")
    test_names: tuple[str, ...] = ("test*", "*::test*", "*Test*")
    debug_names: tuple[str, ...] = (
        "*debug*",
        "*Debug*",
        "*::print*",
        "print*",
        "*trace*",
        "*Trace*",
        "dump*",
        "*::dump*",
    )
    init_names: tuple[str, ...] = ("init*", "*::init*", "*::Init*", "*_init", "*_init_*")
    init_markers: tuple[str, ...] = ("__init",)
    """Words on a function's definition marking it initialisation code (Linux ``__init``)."""


@dataclass(frozen=True)
class InterfacesConfig:
    """Interface-change kinds that need no adaptor (state transfer or nothing covers them)."""

    no_adaptor_needed: tuple[str, ...] = DEFAULT_NO_ADAPTOR_NEEDED


@dataclass(frozen=True)
class PurposeConfig:
    """How the purpose of a change is guessed from its log message and shape."""

    keywords: tuple[tuple[str, tuple[str, ...]], ...] = DEFAULT_PURPOSE_KEYWORDS
    debug_calls: tuple[str, ...] = DEFAULT_DEBUG_CALLS
    header_suffixes: tuple[str, ...] = DEFAULT_HEADER_SUFFIXES


@dataclass(frozen=True)
class ContextsConfig:
    """Carried for the contexts stage: the ``.h`` language and the pre-pass substitutions
    (regular expression = replacement, padded with spaces to the match's length)."""

    header_language: str = "c"
    prepass: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class StudyConfig:
    """One study's whole configuration."""

    name: str = "study"
    cutoff: datetime | None = None
    """Measure 3 looks only at transactions committed at or after this (UTC, naive)."""
    population: PopulationConfig = field(default_factory=PopulationConfig)
    units: UnitsConfig = field(default_factory=UnitsConfig)
    relaxations: RelaxationsConfig = field(default_factory=RelaxationsConfig)
    interfaces: InterfacesConfig = field(default_factory=InterfacesConfig)
    purpose: PurposeConfig = field(default_factory=PurposeConfig)
    contexts: ContextsConfig = field(default_factory=ContextsConfig)
    source: str | None = None
    """The file it was read from (not part of any hash)."""

    def section_hashes(self) -> dict[str, str]:
        """Return a short hash per part of the configuration that drives a different result."""
        parts = {
            "rules": (self.population, self.units, self.relaxations, self.interfaces),
            "cutoff": self.cutoff.isoformat() if self.cutoff else None,
            "purpose": self.purpose,
            "contexts": self.contexts,
        }
        return {name: _digest(value) for name, value in parts.items()}


def _digest(value: object) -> str:
    def plain(item: object) -> object:
        if isinstance(item, tuple):
            return [plain(x) for x in item]
        if hasattr(item, "__dataclass_fields__"):
            return plain(tuple(asdict(item).items()))  # type: ignore[arg-type]
        return item

    text = json.dumps(plain(value), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


_SECTIONS: dict[str, type] = {
    "population": PopulationConfig,
    "units": UnitsConfig,
    "relaxations": RelaxationsConfig,
    "interfaces": InterfacesConfig,
    "purpose": PurposeConfig,
    "contexts": ContextsConfig,
}


def load_config(path: Path | str | None = None) -> StudyConfig:
    """Read and validate a study configuration; ``None`` gives the defaults.

    :raises ConfigError: naming the file and the key at fault.
    """
    if path is None:
        return StudyConfig()
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise ConfigError(f"study configuration {path} does not exist") from error
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read study configuration {path}: {error}") from error
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path} is not valid TOML: {error}") from error
    return parse_config(data, str(path))


def parse_config(data: Mapping[str, Any], source: str = "dsukit.toml") -> StudyConfig:
    """Validate a parsed TOML document into a :class:`StudyConfig`."""
    reader = _Reader(source)
    reader.known(data, "", ("study", *_SECTIONS))
    study = reader.table(data, "study")
    reader.known(study, "study", ("name", "cutoff"))
    return StudyConfig(
        name=reader.string(study, "study.name", "study"),
        cutoff=reader.cutoff(study),
        population=reader.population(reader.table(data, "population")),
        units=reader.units(reader.table(data, "units")),
        relaxations=reader.plain(data, "relaxations", RelaxationsConfig),
        interfaces=reader.plain(data, "interfaces", InterfacesConfig),
        purpose=reader.purpose(reader.table(data, "purpose")),
        contexts=reader.contexts(reader.table(data, "contexts")),
        source=source,
    )


class _Reader:
    """Typed access to a TOML document whose errors name the key."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, key: str, problem: str) -> ConfigError:
        return ConfigError(f"{self.source}: key '{key}' {problem}")

    def known(self, table: Mapping[str, Any], prefix: str, names: tuple[str, ...]) -> None:
        for key in table:
            if key not in names:
                full = f"{prefix}.{key}" if prefix else key
                raise self.fail(full, f"is not a known setting (known here: {', '.join(names)})")

    def table(self, data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
        value = data.get(key.rsplit(".", 1)[-1], {})
        if not isinstance(value, Mapping):
            raise self.fail(key, "must be a table")
        return value

    def string(self, table: Mapping[str, Any], key: str, default: str) -> str:
        value = table.get(key.rsplit(".", 1)[-1], default)
        if not isinstance(value, str) or not value:
            raise self.fail(key, "must be a non-empty string")
        return value

    def strings(
        self, table: Mapping[str, Any], key: str, default: tuple[str, ...]
    ) -> tuple[str, ...]:
        value = table.get(key.rsplit(".", 1)[-1], default)
        if isinstance(value, tuple):
            return value
        if not isinstance(value, list) or not all(isinstance(x, str) and x for x in value):
            raise self.fail(key, "must be a list of non-empty strings")
        return tuple(value)

    def plain(self, data: Mapping[str, Any], section: str, kind: type) -> Any:
        table = self.table(data, section)
        names = tuple(kind.__dataclass_fields__)
        self.known(table, section, names)
        defaults = kind()
        return kind(
            **{n: self.strings(table, f"{section}.{n}", getattr(defaults, n)) for n in names}
        )

    def cutoff(self, study: Mapping[str, Any]) -> datetime | None:
        value = study.get("cutoff")
        if value is None:
            return None
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value)
            except ValueError as error:
                raise self.fail("study.cutoff", f"is not an ISO date: {value!r}") from error
        if isinstance(value, datetime):
            return value.replace(tzinfo=None) if value.tzinfo is None else _utc_naive(value)
        if isinstance(value, date):
            return datetime.combine(value, time())
        raise self.fail("study.cutoff", "must be a date such as 2003-01-01")

    def population(self, table: Mapping[str, Any]) -> PopulationConfig:
        self.known(table, "population", ("paths", "exclude"))
        return PopulationConfig(
            paths=self.strings(table, "population.paths", ()),
            exclude=self.strings(table, "population.exclude", ()),
        )

    def units(self, table: Mapping[str, Any]) -> UnitsConfig:
        names = tuple(UnitsConfig.__dataclass_fields__)
        self.known(table, "units", names)
        lists = {n: self.strings(table, f"units.{n}", ()) for n in names if n != "encapsulated"}
        encapsulated = self.pairs(table, "units.encapsulated")
        return UnitsConfig(**lists, encapsulated=encapsulated)

    def pairs(
        self, table: Mapping[str, Any], key: str, allow_empty: bool = False
    ) -> tuple[tuple[str, str], ...]:
        value = table.get(key.rsplit(".", 1)[-1], {})
        if not isinstance(value, Mapping):
            raise self.fail(key, 'must be a table of name = "value" pairs')
        for name, item in value.items():
            if not isinstance(item, str) or not (item or allow_empty):
                raise self.fail(f"{key}.{name}", "must be a non-empty string")
        return tuple(value.items())

    def purpose(self, table: Mapping[str, Any]) -> PurposeConfig:
        self.known(table, "purpose", ("keywords", "debug_calls", "header_suffixes", "order"))
        defaults = PurposeConfig()
        keywords = dict(defaults.keywords)
        given = self.table(table, "purpose.keywords")
        for name in given:
            keywords[name] = tuple(
                k.lower() for k in self.strings(given, f"purpose.keywords.{name}", ())
            )
        order = self.strings(table, "purpose.order", tuple(keywords))
        for name in order:
            if name not in keywords:
                raise self.fail("purpose.order", f"names '{name}', which has no keywords")
        return PurposeConfig(
            keywords=tuple((name, keywords[name]) for name in order),
            debug_calls=self.strings(table, "purpose.debug_calls", defaults.debug_calls),
            header_suffixes=self.strings(
                table, "purpose.header_suffixes", defaults.header_suffixes
            ),
        )

    def contexts(self, table: Mapping[str, Any]) -> ContextsConfig:
        self.known(table, "contexts", ("header_language", "prepass"))
        language = self.string(table, "contexts.header_language", "c")
        if language not in ("c", "cpp"):
            raise self.fail("contexts.header_language", f'must be "c" or "cpp", not {language!r}')
        prepass = self.pairs(table, "contexts.prepass", allow_empty=True)
        for pattern, _ in prepass:
            try:
                re.compile(pattern.encode(), re.MULTILINE)
            except re.error as error:
                raise self.fail(
                    f"contexts.prepass.{pattern}", f"is not a regular expression: {error}"
                ) from error
        return ContextsConfig(header_language=language, prepass=prepass)


def _utc_naive(value: datetime) -> datetime:
    from datetime import UTC

    return value.astimezone(UTC).replace(tzinfo=None)
