"""The contexts stage's command-line verb, ``dsukit contexts``: a thin shell over :func:`run`."""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy.orm import Session

from contexts.line_contexts import contexts_of_parsed
from contexts.parsing import LANGUAGES, parse
from contexts.settings import HEADER_LANGUAGES, SettingsError, load_options
from contexts.stage import ContextsError, run
from miner.cli_options import db_option, open_db_for_cli
from miner.languages import language_of


@click.command("contexts")
@db_option
@click.option(
    "--config",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Study file (dsukit.toml) whose [contexts] table gives header_language and prepass.",
)
@click.option(
    "--header-language",
    type=click.Choice(HEADER_LANGUAGES),
    help="Language of .h files (default: the study file's, else c).",
)
@click.option(
    "--prepass",
    type=click.Path(path_type=Path, dir_okay=False),
    help="TOML file of further pre-pass substitutions (pattern = replacement).",
)
@click.option(
    "--progress/--no-progress", default=None, help="Show a progress bar (default: on a tty)."
)
def contexts_command(
    db: str | None,
    config: Path | None,
    header_language: str | None,
    prepass: Path | None,
    progress: bool | None,
) -> None:
    """Find the program context of every changed line, and interface changes.

    Reads the file revisions that `dsukit mine` stored, fetches both sides of each changed
    file from its repository, and records each changed line's innermost function, class or
    global context; per transaction, the contexts added, deleted and modified; the interfaces
    of the classes touched and their changes (virtual methods, parameters, prototypes, data
    members), each judged adaptor-expressible or not. Runs again do only what is new.

    Example:

        dsukit contexts --db study.sqlite --header-language cpp
    """
    try:
        options = load_options(config, header_language, prepass)
    except SettingsError as error:
        raise click.ClickException(str(error)) from error
    engine = open_db_for_cli(db)
    with Session(engine) as session:
        try:
            stats = run(session, options, progress=progress)
        except ContextsError as error:
            raise click.ClickException(str(error)) from error
    click.echo(f"contexts: {stats.summary()}")


@click.command("contexts-of")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option(
    "--language",
    type=click.Choice(LANGUAGES),
    help="Language of the file (default: from its name, .h per --header-language).",
)
@click.option(
    "--header-language", type=click.Choice(HEADER_LANGUAGES), default="c", show_default=True
)
@click.option(
    "--prepass",
    type=click.Path(path_type=Path, dir_okay=False),
    help="TOML file of further pre-pass substitutions (pattern = replacement).",
)
def contexts_of_command(
    file: Path, language: str | None, header_language: str, prepass: Path | None
) -> None:
    """Print the context of every line of one source file, to check what the stage will see.

    One line per source line: number, context kind, qualified name, and flags ``uncertain``
    (inside a parse error) or ``not-code`` (under ``#if 0``).

    Example:

        dsukit contexts-of os/kernel/mem/FCMFile.C
    """
    try:
        options = load_options(None, header_language, prepass)
    except SettingsError as error:
        raise click.ClickException(str(error)) from error
    language = language or language_of(str(file), options.header_language)
    if language is None:
        raise click.ClickException(f"{file} is in no known language: name one with --language")
    parsed = parse(file.read_bytes(), language, options)
    for line, context in contexts_of_parsed(parsed).items():
        flags = " ".join(
            f for f, on in (("uncertain", context.uncertain), ("not-code", context.not_code)) if on
        )
        click.echo(f"{line}\t{context.kind}\t{context.name}\t{flags}".rstrip())
    click.echo(
        f"{file}: {parsed.n_lines} lines, {parsed.error_share:.1%} in parse errors", err=True
    )


commands = [contexts_command, contexts_of_command]
