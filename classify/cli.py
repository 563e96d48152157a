"""``dsukit classify``: the automatic verdict of every transaction, and the study's table."""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy.orm import Session

from classify import stage
from classify.config import DEFAULT_CONFIG_FILE, ConfigError, StudyConfig, load_config
from classify.estimates import EstimateError
from classify.explain import UnknownTransaction, explain
from miner.cli_options import db_option, open_db_for_cli
from miner.db import resolve_db_url


def find_config(config: str | None, db: str | None) -> Path | None:
    """Return the configuration to use: the one given, else ``dsukit.toml`` beside the database,
    else in the current directory, else none (the defaults)."""
    if config:
        return Path(config)
    url = resolve_db_url(db)
    candidates = [Path.cwd() / DEFAULT_CONFIG_FILE]
    if url.startswith("sqlite:///"):
        candidates.insert(0, Path(url.removeprefix("sqlite:///")).parent / DEFAULT_CONFIG_FILE)
    return next((path for path in candidates if path.is_file()), None)


def _load(path: Path | None) -> StudyConfig:
    try:
        return load_config(path)
    except ConfigError as error:
        raise click.ClickException(str(error)) from error


@click.command("classify")
@db_option
@click.option(
    "--config",
    "config_path",
    metavar="FILE",
    help=f"Study configuration (default: {DEFAULT_CONFIG_FILE} beside the database, else here).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="How to print the study's automatic table.",
)
@click.option(
    "--interval",
    type=click.Choice(["wilson", "clopper-pearson"]),
    default="wilson",
    show_default=True,
    help="The 95% confidence interval's method.",
)
@click.option(
    "--explain",
    "explain_key",
    metavar="KEY",
    help="Print one transaction's verdict with every reason (its key or a unique prefix).",
)
@click.option(
    "--progress/--no-progress", default=None, help="Show a progress bar (default: on a terminal)."
)
def classify_command(
    db: str | None,
    config_path: str | None,
    output_format: str,
    interval: str,
    explain_key: str | None,
    progress: bool | None,
) -> None:
    """Classify every transaction automatically and print the study's table.

    Each transaction gets a verdict with reasons: in the population or not, its shape, the
    study's three measures, the predicted kind of dynamic update and a purpose guess. Re-runs
    do only what is new or what a changed configuration affects, and say so. With --explain,
    print one transaction's verdict and every reason instead of the table.

    Example:

        dsukit classify --db study.sqlite --config dsukit.toml --format table

        dsukit classify --db study.sqlite --explain 3f2c9a1
    """
    path = find_config(config_path, db)
    config = _load(path)
    engine = open_db_for_cli(db)
    with Session(engine) as session:
        stats = stage.run(session, config, progress=progress)
    where = f"configuration {path}" if path else "default configuration (no dsukit.toml found)"
    click.echo(f"{stats.summary()}; {where}", err=True)
    if explain_key:
        try:
            click.echo(explain(engine, explain_key))
        except UnknownTransaction as error:
            raise click.ClickException(str(error)) from error
        return
    from classify.api import automatic_table  # pandas: imported only when a table is made

    try:
        table = automatic_table(engine, interval)
    except EstimateError as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        {"table": table.to_text, "json": table.to_json, "csv": table.to_csv}[output_format]()
    )


commands = [classify_command]
