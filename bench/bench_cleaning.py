"""Benchmark: lines/s of cleaning and of file diffs, beside difflib alone, on real C history.

Reads consecutive trunk revisions of the C sources and headers (``.c``, ``.h``) under the given
RCS directories with ``co -p`` (package ``rcs``), then, side by side in one run, times over the
same versions and the same consecutive pairs:

- tokenizing alone (the floor of any Python cleaner: one ``re.findall``);
- ``clean()`` of every version;
- ``difflib.unified_diff`` of every pair's raw lines (what a plain Python miner would do);
- ``diff_file()`` of every pair, raw and cleaned (each side cleaned afresh);
- ``CleaningCache.diff()`` of every pair in history order (each version cleaned once), which
  is what the mining stage does.

Prints lines/s (lines of the new sides for diffs) and the ratios, and the share of pairs found
functionally equivalent.

With ``--git REPO`` it also replays that repository's history (``--ref``, default ``master``)
through :class:`CleaningCache` as the mining stage does (every changed file, cleaned where it has
a language), beside ``git log -p`` of the same history: the stage's target is within 3x of it.
Not part of the test suite.

Example::

    python3 bench/bench_cleaning.py ../shared/data/cvs/mirbsd/src/{kern,bin}
    (cd ../shared/data/cvs/mirbsd/src && find bin kern -name '*,v' | cvs-fast-export) \\
        | (git init -q /tmp/mirgit && cd /tmp/mirgit && git fast-import --quiet)
    python3 bench/bench_cleaning.py --git /tmp/mirgit
"""

from __future__ import annotations

import argparse
import difflib
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from miner.c_tokens import tokenize_c  # noqa: E402
from miner.cleaning import clean, decode_source  # noqa: E402
from miner.diffing import CleaningCache, diff_file  # noqa: E402
from miner.languages import language_of  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared/data/cvs/mirbsd/src"
DEFAULT_DIRS = [DATA / "kern", DATA / "bin"]
_TRUNK_RE = re.compile(rb"^revision (1\.\d+)\s*$", re.MULTILINE)


def trunk_histories(
    directories: list[Path], max_revisions: int, per_file: int
) -> list[tuple[str, list[bytes]]]:
    """Return, per ``,v`` file, up to ``per_file`` trunk revision texts, oldest first."""
    histories: list[tuple[str, list[bytes]]] = []
    total = 0
    for directory in directories:
        for path in sorted(directory.rglob("*,v")):
            if not path.name.endswith((".c,v", ".h,v")) or total >= max_revisions:
                continue
            log = subprocess.run(["rlog", str(path)], capture_output=True, check=False).stdout
            revisions = sorted(
                {m.decode() for m in _TRUNK_RE.findall(log)}, key=lambda r: int(r.split(".")[1])
            )[-per_file:]
            texts = [_checkout(path, revision) for revision in revisions]
            texts = [text for text in texts if text is not None]
            if len(texts) >= 2:
                histories.append((path.name[:-2], texts))
                total += len(texts)
    return histories


def _checkout(path: Path, revision: str) -> bytes | None:
    result = subprocess.run(
        ["co", "-q", "-p", f"-r{revision}", str(path)], capture_output=True, check=False
    )
    return result.stdout if result.returncode == 0 else None


def timed(function: Callable[[], object]) -> float:
    """Return the seconds one call of ``function`` takes."""
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def main() -> None:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dirs", nargs="*", type=Path, default=DEFAULT_DIRS)
    parser.add_argument("--max-revisions", type=int, default=1500)
    parser.add_argument("--per-file", type=int, default=60)
    parser.add_argument("--git", type=Path, help="also replay this git repository's history")
    parser.add_argument("--ref", default="master")
    args = parser.parse_args()
    if args.git:
        replay_git(args.git, args.ref)
        return
    histories = trunk_histories(args.dirs, args.max_revisions, args.per_file)
    versions = [(name, text) for name, texts in histories for text in texts]
    pairs = [
        (name, a, b) for name, texts in histories for a, b in zip(texts, texts[1:], strict=False)
    ]
    texts = [decode_source(text) for _, text in versions]
    lines = sum(text.count("\n") for text in texts)
    pair_lines = sum(b.count(b"\n") for _, _, b in pairs)
    print(f"{len(histories)} files, {len(versions)} versions, {lines} lines, {len(pairs)} pairs")

    tokenize_s = timed(lambda: [tokenize_c(text) for text in texts])
    named = [(language_of(name), text) for (name, _), text in zip(versions, texts, strict=True)]
    clean_s = timed(lambda: [clean(text, language) for language, text in named])
    difflib_s = timed(lambda: [_difflib(a, b) for _, a, b in pairs])
    results: list = []
    diff_s = timed(lambda: results.extend(diff_file(a, b, n, language_of(n)) for n, a, b in pairs))
    cache_s = timed(lambda: _cached(histories))

    print(f"{'step':38} {'seconds':>8} {'lines/s':>10}")
    for label, seconds, count in [
        ("tokenize only (re.findall)", tokenize_s, lines),
        ("clean() every version", clean_s, lines),
        ("difflib.unified_diff raw, per pair", difflib_s, pair_lines),
        ("diff_file() raw+cleaned, per pair", diff_s, pair_lines),
        ("CleaningCache.diff() in history order", cache_s, pair_lines),
    ]:
        print(f"{label:38} {seconds:8.2f} {count / seconds:10.0f}")
    print(f"clean / tokenize time: {clean_s / tokenize_s:.1f}x")
    print(f"diff_file / difflib time: {diff_s / difflib_s:.2f}x")
    print(f"cached diffs / difflib time: {cache_s / difflib_s:.2f}x")
    equivalent = sum(result.functionally_equivalent for result in results)
    print(f"functionally equivalent pairs: {equivalent} of {len(results)}")


def replay_git(repo: Path, ref: str) -> None:
    """Time ``git log -p`` and the replay of the same history's file changes through the cache."""
    log_s = timed(
        lambda: subprocess.run(["git", "-C", str(repo), "log", "-p", ref], capture_output=True)
    )
    raw = subprocess.run(
        ["git", "-C", str(repo), "log", "--raw", "--no-abbrev", "--reverse", "--format=", ref],
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8", "surrogateescape")
    changes = []
    for line in raw.splitlines():
        meta, _, path = line.partition("\t")
        fields = meta.split()
        if len(fields) == 5 and fields[0].startswith(":"):
            changes.append((fields[2], fields[3], path.split("\t")[-1]))
    blobs: list[tuple[bytes | None, bytes | None]] = []
    read_s = timed(lambda: blobs.extend(_read_blobs(repo, changes)))
    cache = CleaningCache()
    diff_s = timed(
        lambda: [
            cache.diff(old, old_data, new, new_data, path, language_of(path))
            for (old, new, path), (old_data, new_data) in zip(changes, blobs, strict=True)
        ]
    )
    print(f"{len(changes)} file changes of {ref} in {repo}")
    print(f"git log -p: {log_s:.2f} s; reading both sides' blobs: {read_s:.2f} s")
    print(f"CleaningCache.diff of every change: {diff_s:.2f} s ({diff_s / log_s:.2f}x git log -p)")
    print(f"cache hits {cache.hits}, misses {cache.misses}")


def _read_blobs(
    repo: Path, changes: list[tuple[str, str, str]]
) -> list[tuple[bytes | None, bytes | None]]:
    process = subprocess.Popen(
        ["git", "-C", str(repo), "cat-file", "--batch"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert process.stdin is not None and process.stdout is not None
    stdin, stdout = process.stdin, process.stdout

    def read(blob: str) -> bytes | None:
        if not blob.strip("0"):
            return None
        stdin.write(blob.encode() + b"\n")
        stdin.flush()
        size = int(stdout.readline().split()[2])
        data = stdout.read(size)
        stdout.read(1)
        return data

    result = [(read(old), read(new)) for old, new, _ in changes]
    stdin.close()
    process.wait()
    return result


def _difflib(old: bytes, new: bytes) -> str:
    a = decode_source(old).splitlines(keepends=True)
    b = decode_source(new).splitlines(keepends=True)
    return "".join(difflib.unified_diff(a, b, "a", "b"))


def _cached(histories: list[tuple[str, list[bytes]]]) -> None:
    cache = CleaningCache()
    for name, texts in histories:
        language = language_of(name)
        for index in range(len(texts) - 1):
            key = f"{name}@{index}"
            cache.diff(key, texts[index], f"{name}@{index + 1}", texts[index + 1], name, language)


if __name__ == "__main__":
    main()
