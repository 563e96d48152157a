"""The one command-line entry point, ``dsukit``: a click group of every stage's verbs.

Each package contributes its verbs from its own ``cli.py`` as a list named ``commands``;
a package whose ``cli.py`` does not exist yet contributes nothing.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging

import click

PACKAGES = ("miner", "contexts", "classify", "webapp", "reports", "update_runtime", "sample_kernel")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="Log more (-v info, -vv debug).")
@click.version_option(package_name="dsukit")
def cli(verbose: int) -> None:
    """Measure how many of a system's changes could have been shipped as live updates.

    Example:

        dsukit mine /path/to/repo --db study.sqlite
    """
    level = {0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


def _register_package_commands(group: click.Group) -> None:
    for package in PACKAGES:
        name = f"{package}.cli"
        if importlib.util.find_spec(package) is None or importlib.util.find_spec(name) is None:
            continue
        for command in importlib.import_module(name).commands:
            group.add_command(command)


_register_package_commands(cli)

if __name__ == "__main__":
    cli()
