"""Benchmark the git miner side by side with ``git log -p`` and a plain PyDriller loop.

The history is real: the MirOS BSD CVS repository in ``../shared/data/cvs/mirbsd/src``
converted with ``cvs-fast-export | git fast-import`` (or any git repository given with
``--repo``). In one run this prints, for the same commits of ``HEAD``:

- ``git log -p`` alone (git's own streaming diff, output thrown away);
- the git source alone (dsukit's one ``git log --raw -p -z`` parsed into records, plus every
  code file's two sides read through ``git cat-file --batch``: no cleaning, no database);
- ``dsukit mine`` (the whole stage: source, cleaning and diffing, SQLite), in a subprocess,
  with its peak RSS, for half of the history and for all of it (memory must stay flat);
- a PyDriller loop reading the same diffs and file versions (``diff``, ``source_code``,
  ``source_code_before`` of every modified file), on the first ``--pydriller-commits``.

Run: ``python3 bench/bench_git.py`` (add ``--repo DIR`` to reuse a converted repository).
"""

from __future__ import annotations

import argparse
import json
import os
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
with Session(open_database(sys.argv[3])) as session:
    stats = stage.run(session, open_source(Path(sys.argv[1]), "git", options), options, False)
print(json.dumps({"transactions": stats.transactions, "files": stats.file_revisions,
                  "seconds": stats.seconds, "diff_seconds": stats.diff_seconds}))
"""


def convert_mirbsd(target: Path) -> Path:
    """Convert the MirOS ``,v`` files into a git repository with cvs-fast-export."""
    files = sorted(str(p) for p in MIRBSD.rglob("*,v"))
    subprocess.run(["git", "init", "-q", str(target)], check=True)
    export = subprocess.run(
        ["cvs-fast-export"], input="\n".join(files).encode(), capture_output=True, check=True
    )
    subprocess.run(
        ["git", "-C", str(target), "fast-import", "--quiet"], input=export.stdout, check=True
    )
    subprocess.run(["git", "-C", str(target), "checkout", "-q", "-f", "master"], check=False)
    return target


def git_lines(repo: Path, *args: str) -> list[str]:
    result = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=True)
    return result.stdout.decode().split()


def time_git_log_p(repo: Path, tip: str) -> float:
    """Seconds for ``git log -p`` over the history of ``tip``, output discarded."""
    started = time.perf_counter()
    with open(os.devnull, "wb") as sink:
        subprocess.run(["git", "-C", str(repo), "log", "-p", tip], stdout=sink, check=True)
    return time.perf_counter() - started


def time_source_only(repo: Path, tip: str) -> tuple[float, int]:
    """Seconds for dsukit's git source: records, plus both sides of every code file."""
    from miner.git_source import GitSource
    from miner.languages import language_of
    from miner.options import MineOptions

    started = time.perf_counter()
    source = GitSource(repo, MineOptions(refs=(tip,)))
    count = 0
    for record in source.scan(frozenset()).records:
        count += 1
        for change in record.files:
            if language_of(change.path) and not change.is_binary:
                source.read_version(change, "old")
                source.read_version(change, "new")
    source.close()
    return time.perf_counter() - started, count


def run_stage(repo: Path, tip: str, workdir: Path) -> dict[str, float]:
    """Run the whole stage in a subprocess; return its figures and peak RSS (MiB)."""
    db = workdir / f"stage-{tip[:8]}.sqlite"
    process = subprocess.Popen(
        [sys.executable, "-c", STAGE_SCRIPT, str(repo), tip, f"sqlite:///{db}"],
        stdout=subprocess.PIPE,
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
    )
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        raise SystemExit(f"the stage failed on {tip}")
    figures = json.loads(output)
    figures["rss_mib"] = usage.ru_maxrss / 1024
    return figures


def time_pydriller(repo: Path, commits: list[str]) -> float:
    """Seconds for a plain PyDriller loop reading diffs and both sides of every file."""
    from pydriller import Repository

    started = time.perf_counter()
    for commit in Repository(str(repo), only_commits=commits).traverse_commits():
        for modified in commit.modified_files:
            _ = (modified.diff, modified.source_code, modified.source_code_before)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, help="a git repository (default: convert MirOS)")
    parser.add_argument("--pydriller-commits", type=int, default=600)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        repo = args.repo or convert_mirbsd(workdir / "mirbsd")
        history = git_lines(repo, "rev-list", "--reverse", "HEAD")
        full_tip, half_tip = history[-1], history[len(history) // 2 - 1]
        n = len(history)
        print(f"history: {repo}, {n} commits on HEAD")
        log_seconds = time_git_log_p(repo, full_tip)
        source_seconds, _ = time_source_only(repo, full_tip)
        half = run_stage(repo, half_tip, workdir)
        full = run_stage(repo, full_tip, workdir)
        sample = history[: args.pydriller_commits]
        pyd_rate = len(sample) / time_pydriller(repo, sample)
        stage_rate = full["transactions"] / full["seconds"]
        rows = [
            ("git log -p", n / log_seconds),
            ("dsukit git source (records + code blobs)", n / source_seconds),
            ("dsukit mine (whole stage)", stage_rate),
            (f"PyDriller loop (first {len(sample)} commits)", pyd_rate),
        ]
        for name, rate in rows:
            print(f"{name:48s} {rate:10.1f} commits/s")
        print(f"dsukit mine / PyDriller: {stage_rate / pyd_rate:.1f}x (target >= 8x)")
        print(f"git log -p / dsukit mine: {n / log_seconds / stage_rate:.1f}x (target <= 3x)")
        share = full["diff_seconds"] / full["seconds"]
        print(f"stage time in reading versions, cleaning and diffing: {share:.0%}")
        print(
            f"peak RSS: half history ({half['transactions']} commits) {half['rss_mib']:.0f} MiB, "
            f"full ({full['transactions']}) {full['rss_mib']:.0f} MiB"
        )


if __name__ == "__main__":
    main()
