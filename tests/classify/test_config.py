"""The study configuration: defaults, the example file, and errors that name the key."""

from __future__ import annotations

import tomllib
from datetime import datetime
from pathlib import Path

import pytest

from classify.config import ConfigError, StudyConfig, load_config, parse_config

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "dsukit.toml"


def test_defaults_without_a_file() -> None:
    config = load_config(None)
    assert config == StudyConfig()
    assert config.population.paths == ()
    assert "init*" in config.relaxations.init_names
    assert [name for name, _ in config.purpose.keywords][:2] == ["reverted", "merge"]


def test_example_file_loads_with_every_section() -> None:
    config = load_config(EXAMPLE)
    assert config.name == "K42 kernel"
    assert config.cutoff == datetime(2003, 1, 1)
    assert config.population.paths == ("os/kernel/",)
    assert config.units.bases == ("Obj",)
    assert config.units.markers == ("DEFINE_FACTORY_BEGIN",)
    assert config.units.encapsulated == (("PageList", "FCMFile"),)
    assert config.contexts.header_language == "cpp"
    assert dict(config.purpose.keywords)["bug-fix"][0] == "fix"
    assert config.source == str(EXAMPLE)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[units]\nclases = ['A']", "units.clases"),
        ("[population]\npaths = 'os/kernel/'", "population.paths"),
        ("[population]\npaths = ['']", "population.paths"),
        ("[study]\ncutoff = 'last year'", "study.cutoff"),
        ("[study]\ncutoff = 2003", "study.cutoff"),
        ("[study]\nname = 3", "study.name"),
        ("[units.encapsulated]\nNode = 3", "units.encapsulated.Node"),
        ("units = 3", "units"),
        ("[contexts]\nheader_language = 'rust'", "contexts.header_language"),
        ("[contexts.prepass]\n'__x(' = ''", "contexts.prepass.__x("),
        ("[purpose]\norder = ['bug-fix', 'gardening']", "purpose.order"),
        ("[purpose.keywords]\nbug-fix = 'fix'", "purpose.keywords.bug-fix"),
        ("[relaxations]\ninit_names = [1]", "relaxations.init_names"),
        ("[interfaces]\nharmless = []", "interfaces.harmless"),
        ("colour = 'blue'", "colour"),
    ],
)
def test_errors_name_the_key(text: str, key: str) -> None:
    with pytest.raises(ConfigError, match=f"key '{key.replace('(', '[(]')}'"):
        parse_config(tomllib.loads(text), "study.toml")


def test_unreadable_files_are_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[units\n")
    with pytest.raises(ConfigError, match="bad.toml is not valid TOML"):
        load_config(bad)


def test_cutoff_accepts_dates_datetimes_and_iso_strings() -> None:
    for text in ("cutoff = 2003-01-01", "cutoff = 2003-01-01T00:00:00", "cutoff = '2003-01-01'"):
        assert parse_config(tomllib.loads(f"[study]\n{text}")).cutoff == datetime(2003, 1, 1)
    aware = parse_config(tomllib.loads("[study]\ncutoff = 2003-01-01T02:00:00+02:00"))
    assert aware.cutoff == datetime(2003, 1, 1)


def test_purpose_keywords_replace_one_list_and_keep_the_order() -> None:
    config = parse_config(tomllib.loads("[purpose.keywords]\nperformance = ['Tune']"))
    keywords = dict(config.purpose.keywords)
    assert keywords["performance"] == ("tune",)
    assert keywords["bug-fix"] == dict(StudyConfig().purpose.keywords)["bug-fix"]


@pytest.mark.parametrize(
    ("text", "changed"),
    [
        ("[units]\nbases = ['Obj']", {"rules"}),
        ("[population]\npaths = ['kern/']", {"rules"}),
        ("[relaxations]\ntest_paths = ['t/']", {"rules"}),
        ("[study]\ncutoff = 2001-01-01", {"cutoff"}),
        ("[purpose]\ndebug_calls = ['kprintf']", {"purpose"}),
        ("[contexts]\nheader_language = 'cpp'", {"contexts"}),
        ("[study]\nname = 'renamed'", set()),
    ],
)
def test_section_hashes_change_only_for_their_part(text: str, changed: set[str]) -> None:
    before = StudyConfig().section_hashes()
    after = parse_config(tomllib.loads(text)).section_hashes()
    assert {name for name in before if before[name] != after[name]} == changed
