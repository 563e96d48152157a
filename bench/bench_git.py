"""Benchmark the git miner side by side with ``git log -p`` and a plain PyDriller loop.

The history is real: the MirOS BSD CVS repository in ``../shared/data/cvs/mirbsd/src``
converted with ``cvs-fast-export | git fast-import`` (or any git repository given with
``--repo``). In one run this prints, for the same commits of ``HEAD``:

- ``git log -p`` alone (git's own streaming diff, output thrown away);
- the git source alone (dsukit's one ``git log --raw -p -z`` parsed into records with their
  patches, which is all the stage reads from git when it mines a history from its start: each
  new version is built from the one before and git's patch; no cleaning, no database);
- ``dsukit mine`` (the whole stage: source, cleaning and diffing, SQLite), in a subprocess
  whose RSS is sampled as it goes (memory must stay flat as history grows), with one process
  and with ``--jobs`` worker processes;
- a PyDriller loop reading the same diffs and file versions (``diff``, ``source_code``,
  ``source_code_before`` of every modified file).

Run: ``python3 bench/bench_git.py`` (add ``--repo DIR`` to reuse a converted repository,
``--no-repack`` to measure the raw ``git fast-import`` pack instead of a repacked one).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))
MIRBSD = PROJECT_ROOT.parent / "shared" / "data" / "cvs" / "mirbsd" / "src"

STAGE_SCRIPT = """
import json, sys
from pathlib import Path
from sqlalchemy.orm import Session
from miner import stage
from miner.db import open_database
from miner.options import MineOptions
from miner.sources import open_source
options = MineOptions(refs=(sys.argv[2],))
source = open_source(Path(sys.argv[1]), "git", options)
with Session(open_database(sys.argv[3])) as session:
    stats = stage.run(session, source, options, False, jobs=int(sys.argv[4]))
print(json.dumps({"transactions": stats.transactions, "files": stats.file_revisions,
                  "seconds": stats.seconds, "diff_seconds": stats.diff_seconds}))
"""


def convert_mirbsd(target: Path, repack: bool = True) -> Path:
    """Convert the MirOS ``,v`` files into a git repository with cvs-fast-export.

    :param repack: repack the result as ``git fast-import``'s manual advises ("PACKFILE
        OPTIMIZATION": its packs are not optimal; ``git repack -a -d -f``). The raw import
        holds 134 MiB of poorly chosen deltas (6 MiB repacked), which makes every reader of
        blobs slower, ``git log -p`` by 40%; no clone looks like that.
    """
    files = sorted(str(p) for p in MIRBSD.rglob("*,v"))
    subprocess.run(["git", "init", "-q", str(target)], check=True)
    export = subprocess.run(
        ["cvs-fast-export"], input="\n".join(files).encode(), capture_output=True, check=True
    )
    subprocess.run(
        ["git", "-C", str(target), "fast-import", "--quiet"], input=export.stdout, check=True
    )
    subprocess.run(["git", "-C", str(target), "checkout", "-q", "-f", "master"], check=False)
    if repack:
        subprocess.run(["git", "-C", str(target), "repack", "-a", "-d", "-f", "-q"], check=True)
    return target


def git_lines(repo: Path, *args: str) -> list[str]:
    result = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=True)
    return result.stdout.decode().split()


def cpu_seconds() -> float:
    """CPU time of this process and of its children that have ended."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def time_git_log_p(repo: Path, tip: str) -> tuple[float, float]:
    """Wall and CPU seconds for ``git log -p`` over the history of ``tip``, output discarded."""
    started, cpu = time.perf_counter(), cpu_seconds()
    with open(os.devnull, "wb") as sink:
        subprocess.run(["git", "-C", str(repo), "log", "-p", tip], stdout=sink, check=True)
    return time.perf_counter() - started, cpu_seconds() - cpu


def time_source_only(repo: Path, tip: str) -> tuple[float, float]:
    """Wall and CPU seconds for dsukit's git source: every record with its patches."""
    from miner.git_source import GitSource
    from miner.options import MineOptions

    started, cpu = time.perf_counter(), cpu_seconds()
    source = GitSource(repo, MineOptions(refs=(tip,)))
    for _record in source.scan(frozenset()).records:
        pass
    source.close()
    return time.perf_counter() - started, cpu_seconds() - cpu


def _rss_mib(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    line = next((x for x in status.splitlines() if x.startswith("VmRSS:")), "VmRSS: 0 kB")
    return int(line.split()[1]) / 1024


def _stored(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=30) as connection:
            return connection.execute("SELECT count(*) FROM txn").fetchone()[0]
    except sqlite3.Error:
        return 0


def run_stage(repo: Path, tip: str, workdir: Path, jobs: int) -> dict:
    """Run the whole stage in a subprocess; return its figures and its RSS along the way."""
    db = workdir / f"stage-{tip[:8]}-{jobs}.sqlite"
    process = subprocess.Popen(
        [sys.executable, "-c", STAGE_SCRIPT, str(repo), tip, f"sqlite:///{db}", str(jobs)],
        stdout=subprocess.PIPE,
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
    )
    samples: list[tuple[int, float]] = []
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        samples.append((_stored(db), _rss_mib(process.pid)))
        time.sleep(0.5)
    assert process.stdout is not None
    if status != 0:
        raise SystemExit(f"the stage failed on {tip}")
    figures = json.loads(process.stdout.read())
    figures["rss"] = samples
    figures["cpu"] = usage.ru_utime + usage.ru_stime
    return figures


def rss_at(samples: list[tuple[int, float]], done: int) -> float:
    """Return the largest RSS seen before ``done`` transactions were stored."""
    return max((rss for count, rss in samples if count <= done), default=0.0)


def time_pydriller(repo: Path, commits: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds for a plain PyDriller loop reading diffs and both sides of files."""
    from pydriller import Repository

    started, cpu = time.perf_counter(), cpu_seconds()
    for commit in Repository(str(repo), only_commits=commits).traverse_commits():
        for modified in commit.modified_files:
            _ = (modified.diff, modified.source_code, modified.source_code_before)
    return time.perf_counter() - started, cpu_seconds() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, help="a git repository (default: convert MirOS)")
    parser.add_argument("--commits", type=int, help="only the first N commits of HEAD")
    parser.add_argument("--jobs", type=int, default=2, help="also run the stage with N workers")
    parser.add_argument(
        "--no-repack", action="store_true", help="keep the converted history's raw import pack"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        repo = args.repo or convert_mirbsd(workdir / "mirbsd", repack=not args.no_repack)
        history = git_lines(repo, "rev-list", "--reverse", "HEAD")[: args.commits]
        tip, n = history[-1], len(history)
        print(f"history: {repo}, the first {n} commits of HEAD (up to {tip[:12]})")
        log = time_git_log_p(repo, tip)
        source = time_source_only(repo, tip)
        stage = run_stage(repo, tip, workdir, 1)
        parallel = run_stage(repo, tip, workdir, args.jobs) if args.jobs > 1 else None
        pydriller = time_pydriller(repo, history)
        rows = [
            ("git log -p", *log),
            ("dsukit git source (records with their patches)", *source),
            ("dsukit mine (whole stage, 1 process)", stage["seconds"], stage["cpu"]),
            ("PyDriller loop (diff + both sides of each file)", *pydriller),
        ]
        if parallel:
            rows.insert(
                3, (f"dsukit mine --jobs {args.jobs}", parallel["seconds"], parallel["cpu"])
            )
        for name, seconds, cpu in rows:
            print(f"{name:50s} {seconds:7.1f} s {n / seconds:7.1f} commits/s  CPU {cpu:7.1f} s")
        report_ratios(rows, stage, n)


def report_ratios(rows: list[tuple[str, float, float]], stage: dict, n: int) -> None:
    """Print the ratios the targets are about, by wall time and by CPU time, for each way of
    running the stage."""
    times = {name.split(" (")[0]: (seconds, cpu) for name, seconds, cpu in rows}
    log, source = times["git log -p"], times["dsukit git source"]
    pydriller = times["PyDriller loop"]
    for label, index in (("wall", 0), ("CPU", 1)):
        for name, mine in times.items():
            if name.startswith("dsukit mine"):
                print(
                    f"{label}: {name} is {pydriller[index] / mine[index]:.1f}x as fast as "
                    f"PyDriller (target >= 8x) and takes {mine[index] / log[index]:.1f}x the "
                    "time of git log -p (target <= 3x)"
                )
        print(
            f"{label}: the git source alone is {pydriller[index] / source[index]:.1f}x as fast "
            f"as PyDriller and takes {source[index] / log[index]:.1f}x git log -p's time"
        )
    share = stage["diff_seconds"] / stage["seconds"]
    print(f"stage time spent reading versions, cleaning and diffing (1 process): {share:.0%}")
    quarters = [rss_at(stage["rss"], n * q // 4) for q in (1, 2, 3, 4)]
    print("peak RSS after 1/4, 1/2, 3/4, all of the history: "
          + ", ".join(f"{rss:.0f}" for rss in quarters) + " MiB")  # fmt: skip


if __name__ == "__main__":
    main()
