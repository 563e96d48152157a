"""Benchmark: the CVS source against ``cvs-fast-export`` on the same ``,v`` files, in one run.

Both read every ``,v`` file, group revisions into commits and rebuild the text of every
revision: ``cvs-fast-export`` writing a fast-import stream (to ``/dev/null``), dsukit's
:class:`~miner.cvs_source.CvsSource` scanning the whole history and then reading every file
version once in commit order, as the mining stage does. It also times the grouping-quality
measurement. Not part of the test suite.

Run from the project root::

    python3 bench/bench_cvs.py ../shared/data/cvs/mirbsd/src
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from miner.cvs_source import CvsSource  # noqa: E402
from miner.grouping_quality import (  # noqa: E402
    commitid_revisions,
    evaluate_revisions,
    evaluate_window,
)
from miner.transactions import WindowRule  # noqa: E402


def time_cvs_fast_export(location: Path, files: list[str]) -> float:
    """Seconds ``cvs-fast-export`` takes over ``files`` (relative to ``location``)."""
    started = time.perf_counter()
    with open("/dev/null", "wb") as sink:
        subprocess.run(
            ["cvs-fast-export", "-q"],
            input="\n".join(files).encode(),
            stdout=sink,
            stderr=subprocess.DEVNULL,
            cwd=location,
            check=False,
        )
    return time.perf_counter() - started


def time_cvs_source(location: Path) -> tuple[float, float, int, int, int, int]:
    """Seconds to scan and to read every version once; transactions, changes, versions, bytes."""
    started = time.perf_counter()
    source = CvsSource(location)
    scan = source.scan(frozenset())
    records = list(scan.records)
    scanned = time.perf_counter()
    seen: set[tuple[str | None, str]] = set()
    total = 0
    for record in records:
        for change in record.files:
            for side, version in (("old", change.old_version), ("new", change.new_version)):
                if version is None or (change.rcs_file, version) in seen:
                    continue
                seen.add((change.rcs_file, version))
                total += len(source.read_version(change, side) or b"")
    read = time.perf_counter()
    changes = sum(len(record.files) for record in records)
    return scanned - started, read - scanned, len(records), changes, len(seen), total


def main() -> None:
    """Run both on the location given and print the figures side by side."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("location", type=Path, help="a CVS module directory of ,v files")
    location = parser.parse_args().location.resolve()
    files = CvsSource(location).files
    fast_export = time_cvs_fast_export(location, files)
    scan, read, transactions, changes, versions, size = time_cvs_source(location)
    ours = scan + read
    print(f"{len(files)} ,v files under {location}")
    print(f"cvs-fast-export (to /dev/null):   {fast_export:7.2f} s")
    print(
        f"dsukit CvsSource scan + read:     {ours:7.2f} s  (scan {scan:.2f} s, read {read:.2f} s; "
        f"{transactions} transactions, {changes} file changes, {versions} versions, "
        f"{size / 1e6:.0f} MB of text)"
    )
    print(f"ratio dsukit / cvs-fast-export:   {ours / fast_export:7.2f}x  (target: at most 2x)")
    started = time.perf_counter()
    quality = evaluate_window(location)
    print(f"grouping quality, the rule dsukit mine uses ({time.perf_counter() - started:.2f} s):")
    print(quality.summary())
    print_variants(location)


VARIANTS = [
    ("plain Zimmermann-Weissgerber window", False, WindowRule(file_once=False)),
    ("+ import pairs folded", True, WindowRule(file_once=False)),
    ("+ a file once per group (default)", True, WindowRule()),
    ("+ commits may span branches", True, WindowRule(same_branch=False)),
    ("default, fixed window", True, WindowRule(fixed=True)),
]


def print_variants(location: Path) -> None:
    """Print exact share, precision and recall of each refinement of the window rule."""
    print("window rule variants (200 s):")
    revisions = {fold: commitid_revisions(location, fold) for fold in (False, True)}
    for name, fold, rule in VARIANTS:
        quality = evaluate_revisions(revisions[fold], rule)
        print(
            f"  {name:40s} exact {quality.exact_groups}/{quality.commitid_groups} "
            f"({quality.share:.1%})  precision {quality.precision:.3f}  recall {quality.recall:.3f}"
        )


if __name__ == "__main__":
    main()
