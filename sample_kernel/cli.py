"""``dsukit replay``: replay the sample kernel's history as live updates under load."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from miner.cli_options import db_option, open_db_for_cli
from miner.db import session_scope
from sample_kernel.catalogue import changes
from sample_kernel.demo import DemoConfig, DemoResult, run_demo
from sample_kernel.history import HistoryError, write_history
from sample_kernel.recording import replay_record
from sample_kernel.workload import WorkloadError
from update_runtime.replays import record_replay


def _print_result(result: DemoResult) -> None:
    report = result.report
    for outcome in result.outcomes:
        click.echo(f"[{outcome.started:6.2f} s] {outcome.summary}")
        if outcome.refused is None:
            before = report.mean_jobs_per_minute(outcome.started - 2.0, outcome.started)
            after = report.mean_jobs_per_minute(outcome.started, outcome.started + 1.0)
            click.echo(
                f"           jobs/min: {before:,.0f} in the 2 s before, {after:,.0f} in the 1 s "
                "after (one run; bench/bench_kernel.py measures the dip)"
            )
    lat = report.latency
    click.echo(
        f"calls: {lat.calls}; latency p50 {lat.p50:.0f} us, p90 {lat.p90:.0f} us, "
        f"p99 {lat.p99:.0f} us, max {lat.max:.0f} us"
    )
    click.echo("jobs: " + ", ".join(f"{kind} {n}" for kind, n in report.jobs_by_kind.items()))


@click.command("replay")
@db_option
@click.option(
    "--demo", is_flag=True, help="Boot the sample kernel and apply its history under load."
)
@click.option(
    "--list", "list_", is_flag=True, help="List the kernel's changes and their ground truth."
)
@click.option(
    "--duration",
    type=click.FloatRange(min=2.0),
    default=12.0,
    show_default=True,
    help="Seconds the workload runs; the update schedule stretches with it.",
)
@click.option(
    "--history",
    "history_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write the kernel's history as a git repository in this new directory.",
)
@click.option("--seed", type=int, default=42, show_default=True, help="Seed of the job mix.")
@click.option(
    "--png",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("replay-timeline.png"),
    show_default=True,
    help="Where to write the timeline figure.",
)
def replay_command(
    db: str | None,
    demo: bool,
    list_: bool,
    history_dir: Path | None,
    duration: float,
    seed: int,
    png: Path,
) -> None:
    """Replay the sample kernel's changes as live updates while a workload runs.

    With --demo: boots the simulated PPC64 object kernel, starts an AIM7-style
    workload (clients stepping up), applies the study's three updates (lazy
    FCMFile queue change; PMRoot frame-size change with an adaptor; PM vtable
    shift with one adaptor for every subclass), a bug fix, and two changes the
    runtime must refuse; prints phase timings, throughput around each update and
    call latency; writes a PNG timeline (jobs/min with update phases; objects
    pending conversion; p99 call latency); records the run in the study
    database (tables replay_run, replay_update, replay_sample).

    With --history DIR: writes the kernel's versions as a git repository (one
    commit per change) for the miner.

    Example:

        dsukit replay --demo --duration 12 --png timeline.png --db study.sqlite
        dsukit replay --history kernel-history && dsukit mine kernel-history
    """
    if history_dir is not None:
        try:
            commits = write_history(history_dir)
        except HistoryError as error:
            raise click.ClickException(str(error)) from error
        click.echo(f"wrote the kernel's history: {len(commits)} commits in {history_dir}")
        if not (demo or list_):
            return
    if list_:
        for item in changes():
            study = " (study)" if item.study else ""
            click.echo(f"{item.name}: {item.kind}{study}: {item.summary}; {item.reason}")
        if not demo:
            return
    if not demo:
        raise click.UsageError(
            "nothing to replay: pass --demo (or --list to see the changes, --history DIR to "
            "write them as a git repository)"
        )
    from sample_kernel.timeline import write_timeline  # matplotlib only when drawing

    engine = open_db_for_cli(db)
    config = DemoConfig(seed=seed).scaled(duration)
    started_at = datetime.now(UTC).replace(tzinfo=None)
    try:
        result = run_demo(config)
    except WorkloadError as error:
        raise click.ClickException(f"the workload failed during the demo: {error}") from error
    _print_result(result)
    write_timeline(result, png)
    applied = sum(1 for o in result.outcomes if o.refused is None)
    refused = len(result.outcomes) - applied
    summary = (
        f"replayed {applied} updates live ({refused} refused) under {result.report.jobs} jobs "
        f"in {duration:g} s"
    )
    with session_scope(engine) as session:
        run_id = record_replay(session, replay_record(result, started_at, summary))
    click.echo(f"{summary}; timeline written to {png}; recorded as replay run {run_id}")


commands = [replay_command]
