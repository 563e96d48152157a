"""Every dsukit command answers --help with a description and an example."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from dsukit import cli


def _all_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [prefix]
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += _all_commands(command, prefix + (name,))
        else:
            found.append(prefix + (name,))
    return found


@pytest.mark.parametrize("path", _all_commands(cli), ids=lambda p: " ".join(p) or "dsukit")
def test_every_command_has_help_with_example(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example" in result.output
