"""The one command-line entry point, ``dsukit``: a click group of every stage's verbs.

Each package contributes its verbs from its own ``cli.py`` as a list named ``commands``;
a package whose ``cli.py`` does not exist yet contributes nothing.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
from pathlib import Path

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


@cli.command("demo")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("dsukit-demo"),
    show_default=True,
    help="Folder for the kernel's history, the study database, its config and the timeline.",
)
@click.option(
    "--duration",
    type=click.FloatRange(min=2.0),
    default=12.0,
    show_default=True,
    help="Seconds the live-update replay's workload runs.",
)
@click.option("--no-replay", is_flag=True, help="Stop after the analysis; replay nothing.")
def demo_command(out: Path, duration: float, no_replay: bool) -> None:
    """Run the whole pipeline on the bundled sample kernel.

    Writes the sample kernel's history as a git repository, mines it, finds the contexts
    and interface changes of every change, classifies every transaction and prints the
    study's table; then replays the kernel's changes as live updates under a multi-user
    workload and writes the throughput timeline. Running it again reuses what is there.

    Example:

        dsukit demo --out dsukit-demo
    """
    from sqlalchemy.orm import Session

    import sample_kernel
    from classify.api import automatic_table, classify
    from contexts import stage as contexts_stage
    from miner.api import mine
    from miner.db import open_database
    from sample_kernel.history import write_history

    history = out / "history"
    if not (history / ".git").exists():
        commits = write_history(history)
        click.echo(f"history: {len(commits)} commits of the sample kernel in {history}")
    config = out / "dsukit.toml"
    if not config.exists():
        config.write_text((Path(sample_kernel.__file__).parent / "dsukit.toml").read_text())
    database = str(out / "study.sqlite")
    engine = open_database(database)
    click.echo(f"mine: {mine(history, engine).summary()}")
    with Session(engine) as session:
        click.echo(f"contexts: {contexts_stage.run(session, progress=False).summary()}")
    click.echo(f"classify: {classify(engine, config).summary()}")
    click.echo(automatic_table(engine).to_text())
    if not no_replay:
        click.get_current_context().invoke(
            cli.commands["replay"],
            db=database,
            demo=True,
            duration=duration,
            png=out / "replay-timeline.png",
        )


if __name__ == "__main__":
    cli()
