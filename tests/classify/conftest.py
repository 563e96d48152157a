"""Fixtures of the classify tests: a kernel-style study configuration and unit registry."""

from __future__ import annotations

import tomllib
from types import MappingProxyType

import pytest

from classify.config import StudyConfig, parse_config
from classify.facts import UnitRegistry

STUDY_TOML = """
[study]
cutoff = 2003-01-01
[population]
paths = ["os/kernel/", "sys/"]
exclude = ["*/Makefile"]
[units]
classes = ["FCMFile"]
bases = ["Obj"]
markers = ["DEFINE_FACTORY_BEGIN"]
c_paths = ["sys/vfs/"]
c_tables = ["fileops"]
c_functions = ["vn_*"]
[units.encapsulated]
PageList = "FCMFile"
"""


@pytest.fixture
def config() -> StudyConfig:
    """A K42-and-BSD-style study: C++ units by name, base, marker; C units by file, name, table."""
    return parse_config(tomllib.loads(STUDY_TOML), "study.toml")


@pytest.fixture
def registry() -> UnitRegistry:
    """What a history told about classes: a two-level hierarchy under ``Obj``, a marked class."""
    bases = {
        "ProcessDefault": frozenset({"ProcessShared"}),
        "ProcessShared": frozenset({"Obj"}),
        "ns::FCMComputation": frozenset({"FCMCommon"}),
        "FCMCommon": frozenset({"ns::Obj"}),
        "Scheduler": frozenset(),
    }
    return UnitRegistry(
        MappingProxyType(bases), frozenset({"DispatcherDefault"}), frozenset({"ffs_read"})
    )
