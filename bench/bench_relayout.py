"""Benchmark: C and C++ cleaning of a git history, fresh and incremental, in lines per second.

Reads every change of a C or C++ file in a git history, oldest first as the mining stage does
(one ``git log --raw -p``, both sides' texts with ``git cat-file --batch``), and turns git's
own hunks into matching blocks (:func:`miner.hunks.blocks_from_hunks`; a raw line diff where
they do not fit). Then, timed apart, with nothing else in the timed loops:

- *fresh*: :func:`miner.cleaning.clean` of every ``--fresh-step``-th change's new side;
- *incremental*: the replay the mining stage makes: :func:`miner.cleaning.clean_edited` of
  each new side from its path's previous cleaned version (a fresh clean, timed apart, where
  the old side is not that version: a file's first change, a rename, a branch; a file's
  first version is cleaned afresh within this time, as the stage does).

Times are CPU seconds of this process (``time.process_time``), the best of ``--repeat`` runs,
since the machine is shared; lines/s count new-side lines.

With ``--baseline COMMIT`` it also loads the cleaning modules of that commit (``c_tokens``,
``c_layout``, ``c_incremental``, ``cleaning``) beside the working tree's and times both in the
same run, alternately, printing the ratios. ``--profile`` prints a cProfile of the working
tree's incremental replay instead. Not part of the test suite.

Example::

    git init -q /tmp/mirgit && find ../shared/data/cvs/mirbsd/src -name '*,v' \\
        | cvs-fast-export | git -C /tmp/mirgit fast-import --quiet
    python3 bench/bench_relayout.py /tmp/mirgit --baseline 69b9468 --repeat 3
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import importlib
import pstats
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from miner.cleaning import decode_source  # noqa: E402
from miner.git_log import log_format, parse_commit, split_commits  # noqa: E402
from miner.hunks import blocks_from_hunks  # noqa: E402
from miner.languages import language_of  # noqa: E402
from miner.line_diff import Block, matching_blocks, split_lines  # noqa: E402

CLEANING_MODULES = ("c_tokens", "c_layout", "c_incremental", "cleaning")
_MARKER = "bench-relayout-marker"


@dataclass(frozen=True)
class Change:
    """One change of a C or C++ file: its path, language, both sides' blob ids and the blocks."""

    path: str
    language: str
    old_oid: str | None
    new_oid: str
    blocks: list[Block]
    from_hunks: bool


@dataclass
class History:
    """The changes in history order, and every blob's text and lines by blob id."""

    changes: list[Change]
    texts: dict[str, str]
    lines: dict[str, list[str]]


def read_history(repo: Path, ref: str) -> History:
    """Read every C or C++ change of ``ref``'s history (oldest first) with both sides' texts."""
    command = [
        "git", "-C", str(repo), "log", "--raw", "-p", "-z", "--no-abbrev", "--full-index",
        "--diff-merges=off", "--no-color", "--no-ext-diff", "--no-textconv", "--date-order",
        "--reverse", f"--format={log_format(_MARKER)}", ref,
    ]  # fmt: skip
    output = subprocess.run(command, capture_output=True, check=True).stdout
    found: list[tuple[str, str, str | None, str, str | None]] = []
    for segment in split_commits([output], _MARKER.encode("ascii")):
        for raw, patch in parse_commit(segment).changes:
            path = raw.path.decode("utf-8", "surrogateescape")
            language = language_of(path)
            if language not in ("c", "cpp") or raw.new_oid is None or raw.old_mode == "160000":
                continue
            hunks = decode_source(patch.hunks) if patch and patch.hunks else None
            found.append((path, language, raw.old_oid, raw.new_oid, hunks))
    oids = {oid for _, _, old, new, _ in found for oid in (old, new) if oid is not None}
    texts = {oid: decode_source(data) for oid, data in _read_blobs(repo, sorted(oids)).items()}
    lines = {oid: split_lines(text) for oid, text in texts.items()}
    changes = []
    for path, language, old, new, hunks in found:
        old_lines = lines[old] if old is not None else []
        blocks = blocks_from_hunks(hunks, old_lines, lines[new]) if hunks else None
        from_hunks = blocks is not None
        if blocks is None:
            blocks = matching_blocks(old_lines, lines[new])
        changes.append(Change(path, language, old, new, blocks, from_hunks))
    return History(changes, texts, lines)


def _read_blobs(repo: Path, oids: list[str]) -> dict[str, bytes]:
    request = "".join(oid + "\n" for oid in oids).encode("ascii")
    command = ["git", "-C", str(repo), "cat-file", "--batch"]
    output = subprocess.run(command, input=request, capture_output=True, check=True).stdout
    blobs: dict[str, bytes] = {}
    position = 0
    for oid in oids:
        header_end = output.index(b"\n", position)
        size = int(output[position:header_end].split()[2])
        blobs[oid] = output[header_end + 1 : header_end + 1 + size]
        position = header_end + 2 + size
    return blobs


def load_baseline(commit: str, directory: Path) -> ModuleType:
    """Import the cleaning modules of ``commit`` as package ``baseline_miner``; return cleaning."""
    root = Path(__file__).resolve().parent.parent
    package = directory / "baseline_miner"
    package.mkdir()
    (package / "__init__.py").write_text("")
    for name in CLEANING_MODULES:
        spec = f"{commit}:miner/{name}.py"
        source = subprocess.run(
            ["git", "-C", str(root), "show", spec], capture_output=True, check=True, text=True
        ).stdout
        for other in CLEANING_MODULES:
            source = source.replace(
                f"from miner.{other} import", f"from baseline_miner.{other} import"
            )
        (package / f"{name}.py").write_text(source)
    sys.path.insert(0, str(directory))
    return importlib.import_module("baseline_miner.cleaning")


def time_fresh(cleaning: ModuleType, history: History, step: int) -> tuple[float, int]:
    """Return the seconds of cleaning every ``step``-th change's new side afresh, and its lines."""
    clean, texts = cleaning.clean, history.texts
    work = [(texts[change.new_oid], change.language) for change in history.changes[::step]]
    start = time.process_time()
    for text, language in work:
        clean(text, language)
    seconds = time.process_time() - start
    return seconds, sum(len(history.lines[change.new_oid]) for change in history.changes[::step])


def time_incremental(cleaning: ModuleType, history: History) -> tuple[float, float, int]:
    """Replay the history as the miner does; return the seconds of the incremental cleans,
    the seconds of the fresh cleans that start a chain, and how many those were."""
    clean, clean_edited = cleaning.clean, cleaning.clean_edited
    texts, lines = history.texts, history.lines
    last: dict[str, tuple[str, object]] = {}
    edited_s = fresh_s = 0.0
    starts = 0
    for change in history.changes:
        previous = last.get(change.path)
        if previous is None or previous[0] != change.old_oid:
            starts += 1
            begin = time.process_time()
            old = clean(texts[change.old_oid], change.language) if change.old_oid else None
            fresh_s += time.process_time() - begin
            previous = (change.old_oid or "", old)
        new_text = texts[change.new_oid]
        begin = time.process_time()
        if previous[1] is None:
            cleaned = clean(new_text, change.language)
        else:
            cleaned = clean_edited(
                previous[1], new_text, lines[change.new_oid], change.blocks, change.language
            )
        edited_s += time.process_time() - begin
        last[change.path] = (change.new_oid, cleaned)
    return edited_s, fresh_s, starts


def main() -> None:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("repo", type=Path)
    parser.add_argument("--ref", default="master")
    parser.add_argument("--baseline", help="a commit whose cleaning modules to time beside")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each; the best counts")
    parser.add_argument("--fresh-step", type=int, default=4, help="clean every n-th change afresh")
    parser.add_argument("--profile", action="store_true", help="profile the incremental replay")
    args = parser.parse_args()
    begin = time.process_time()
    history = read_history(args.repo, args.ref)
    new_lines = sum(len(history.lines[change.new_oid]) for change in history.changes)
    hunked = sum(change.from_hunks for change in history.changes)
    print(
        f"{len(history.changes)} C/C++ changes ({hunked} with git's hunks as blocks), "
        f"{new_lines} new-side lines; read in {time.process_time() - begin:.1f} s"
    )
    gc.collect()
    gc.freeze()  # the history's objects: no run should pay for scanning them
    current = importlib.import_module("miner.cleaning")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(time_incremental, current, history)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
        return
    with tempfile.TemporaryDirectory() as directory:
        candidates = [("working tree", current)]
        if args.baseline:
            baseline = load_baseline(args.baseline, Path(directory))
            candidates.insert(0, (f"baseline {args.baseline}", baseline))
        results = _run(candidates, history, args.repeat, args.fresh_step)
    _report(results, new_lines)


def _run(
    candidates: list[tuple[str, ModuleType]], history: History, repeat: int, step: int
) -> dict[str, tuple[float, int, float, float, int]]:
    """Time each candidate ``repeat`` times, alternately; keep each one's best times."""
    best: dict[str, tuple[float, int, float, float, int]] = {}
    for _ in range(repeat):
        for label, module in candidates:
            fresh, fresh_lines = time_fresh(module, history, step)
            gc.collect()
            edited, chain_fresh, starts = time_incremental(module, history)
            gc.collect()
            if label in best:
                old = best[label]
                fresh, edited, chain_fresh = (
                    min(old[0], fresh),
                    min(old[2], edited),
                    min(old[3], chain_fresh),
                )
            best[label] = (fresh, fresh_lines, edited, chain_fresh, starts)
    return best


def _report(results: dict[str, tuple[float, int, float, float, int]], new_lines: int) -> None:
    print(f"{'implementation':28} {'fresh s':>8} {'lines/s':>9} {'incr. s':>8} {'lines/s':>9}")
    for label, (fresh, fresh_lines, edited, chain_fresh, starts) in results.items():
        print(
            f"{label:28} {fresh:8.2f} {fresh_lines / fresh:9.0f} {edited:8.2f} "
            f"{new_lines / edited:9.0f}   (+{chain_fresh:.2f} s fresh for {starts} chain starts)"
        )
    if len(results) == 2:
        (base_fresh, _, base_edited, _, _), (fresh, _, edited, _, _) = results.values()
        print(f"speed-up: fresh {base_fresh / fresh:.2f}x, incremental {base_edited / edited:.2f}x")


if __name__ == "__main__":
    main()
