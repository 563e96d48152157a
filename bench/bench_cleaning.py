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
functionally equivalent. Not part of the test suite.

Example::

    python3 bench/bench_cleaning.py ../shared/data/cvs/mirbsd/src/{kern,bin}
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
    args = parser.parse_args()
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
