"""The miner's command-line verb, ``dsukit mine``: a thin shell over :func:`miner.stage.run`."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from miner import stage
from miner.cli_options import db_option, open_db_for_cli
from miner.models import Repository, SkippedInput
from miner.options import DEFAULT_MAX_FILE_BYTES, MineOptions, OptionsError
from miner.source_errors import SourceError
from miner.sources import KINDS, detect_kind, open_source
from miner.stage_workers import default_jobs

_DATE_FORMATS = ["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]
_SKIPPED_SHOWN = 20


def _options(**values: object) -> MineOptions:
    try:
        return MineOptions(**values)  # type: ignore[arg-type]
    except OptionsError as error:
        raise click.BadParameter(str(error)) from error


def _check_grouping(source: Path, options: MineOptions) -> None:
    from miner.grouping_quality import evaluate_window  # the CVS engineer's module

    if detect_kind(source) != "cvs":
        raise click.ClickException(f"--check-grouping needs a CVS repository; {source} is git")
    quality = evaluate_window(source, options.window_seconds, options.fixed_window)
    click.echo(quality.summary())


def _list_skipped(engine: object, location: str) -> None:
    with Session(engine) as session:  # type: ignore[arg-type]
        rows = session.scalars(
            select(SkippedInput)
            .join(Repository)
            .where(Repository.location == location)
            .order_by(SkippedInput.path)
        ).all()
        for row in rows[:_SKIPPED_SHOWN]:
            click.echo(f"skipped {row.path}: {row.reason}", err=True)
        if len(rows) > _SKIPPED_SHOWN:
            click.echo(f"... and {len(rows) - _SKIPPED_SHOWN} more skipped inputs", err=True)


@click.command("mine")
@click.argument("source", type=click.Path(path_type=Path))
@db_option
@click.option("--kind", type=click.Choice(KINDS), help="Source kind (detected if not given).")
@click.option(
    "--branch",
    "refs",
    multiple=True,
    metavar="REF",
    help="git ref to mine (repeatable; default HEAD).",
)
@click.option(
    "--since", type=click.DateTime(_DATE_FORMATS), help="Only changes from this UTC time."
)
@click.option(
    "--until", type=click.DateTime(_DATE_FORMATS), help="Only changes up to this UTC time."
)
@click.option(
    "--path",
    "paths",
    multiple=True,
    metavar="PREFIX",
    help="Keep only files under this path prefix (repeatable).",
)
@click.option(
    "--window",
    "window_seconds",
    type=int,
    default=200,
    show_default=True,
    help="CVS: largest gap in seconds between revisions of one transaction.",
)
@click.option(
    "--fixed-window", is_flag=True, help="CVS: measure the window from the first revision."
)
@click.option(
    "--header-language",
    type=click.Choice(["c", "cpp"]),
    default="c",
    show_default=True,
    help="Language of .h files.",
)
@click.option(
    "--max-file-bytes",
    type=int,
    default=DEFAULT_MAX_FILE_BYTES,
    show_default=True,
    help="Versions larger than this are flagged too large, not diffed.",
)
@click.option(
    "--check-grouping",
    is_flag=True,
    help="CVS: only report how well the window alone reproduces commitid groups.",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(1, 64),
    default=default_jobs,
    show_default="the cores this process may use, at most 8",
    help="Worker processes that clean and diff file versions (1: none, all in this process).",
)
@click.option(
    "--progress/--no-progress", default=None, help="Show a progress bar (default: on a tty)."
)
def mine_command(  # noqa: PLR0913 (one parameter per option)
    source: Path,
    db: str | None,
    kind: str | None,
    refs: tuple[str, ...],
    since: datetime | None,
    until: datetime | None,
    paths: tuple[str, ...],
    window_seconds: int,
    fixed_window: bool,
    header_language: str,
    max_file_bytes: int,
    check_grouping: bool,
    jobs: int,
    progress: bool | None,
) -> None:
    """Mine a git or CVS repository's history into the study database.

    SOURCE is a git repository (its top directory) or a CVS repository directory of ,v files.
    Running it again imports only what is new; a run that was interrupted is finished.

    Example:

        dsukit mine ~/src/linux --db study.sqlite --path kernel/ --since 2020-01-01

        dsukit mine ../shared/data/cvs/mirbsd/src/kern --check-grouping
    """
    options = _options(
        refs=refs, since=since, until=until, paths=paths, window_seconds=window_seconds,
        fixed_window=fixed_window, header_language=header_language, max_file_bytes=max_file_bytes,
    )  # fmt: skip
    try:
        if check_grouping:
            _check_grouping(source, options)
            return
        engine = open_db_for_cli(db)
        history = open_source(source, kind, options)
        with Session(engine) as session:
            stats = stage.run(session, history, options, progress=progress, jobs=jobs)
    except SourceError as error:
        raise click.ClickException(str(error)) from error
    _list_skipped(engine, stats.location)
    click.echo(stats.summary())


commands = [mine_command]
