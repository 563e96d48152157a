"""Benchmark: lines/s of tree-sitter parse alone, and of parse plus line-to-context mapping.

Reads the head revision of every C source and header (``.c``, ``.h``) under the given RCS
directories with ``co -p`` (package ``rcs``), then, side by side in one run, times:
tree-sitter's parse alone; our parse (pre-pass plus parse plus error rows); the whole of
``contexts_of`` for every line; and that plus the interfaces (the stage's work per side).
Prints lines/s for each, their ratios, and the mean share of lines inside parse errors. Not
part of the test suite.

Example::

    python3 bench/bench_contexts.py ../shared/data/cvs/mirbsd/src/{kern,bin}
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from contexts.file_analysis import analyse_side  # noqa: E402
from contexts.interfaces import clear_prototype_cache  # noqa: E402
from contexts.line_contexts import contexts_of_parsed  # noqa: E402
from contexts.parsing import _parser, line_count, parse  # noqa: E402

DEFAULT_DIRS = [Path(__file__).resolve().parents[2] / "shared/data/cvs/mirbsd/src/kern"]


def head_texts(
    directories: list[Path], suffixes: tuple[str, ...] = (".c,v", ".h,v")
) -> list[bytes]:
    """Return the head revision's text of every ``,v`` file with one of ``suffixes``."""
    texts = []
    for directory in directories:
        for path in sorted(directory.rglob("*,v")):
            if path.name.endswith(suffixes) and "Attic" not in path.parts:
                result = subprocess.run(
                    ["co", "-q", "-p", str(path)], capture_output=True, check=False
                )
                if result.returncode == 0 and result.stdout:
                    texts.append(result.stdout)
    return texts


def cold_analysis(text: bytes, language: str) -> None:
    """Analyse one side as the stage does, without prototypes cached by an earlier repeat."""
    clear_prototype_cache()
    analyse_side(text, language, None)


def best_times(measured: dict, texts: list[bytes], repeats: int) -> dict[str, float]:
    """Return, per measure, the sum over texts of its best CPU time on that text.

    Measures take turns on each text, and each text's best of ``repeats`` counts: on a shared
    machine, load from elsewhere then hits every measure alike and is mostly filtered out.
    CPU time of this process is used, not wall time.
    """
    best = {name: [float("inf")] * len(texts) for name in measured}
    for _ in range(repeats):
        for index, text in enumerate(texts):
            for name, function in measured.items():
                start = time.process_time()
                function(text)
                best[name][index] = min(best[name][index], time.process_time() - start)
    return {name: sum(times) for name, times in best.items()}


def main() -> None:
    """Run the benchmark and print its figures."""
    arguments = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    arguments.add_argument("directories", nargs="*", type=Path, default=DEFAULT_DIRS)
    arguments.add_argument("--language", default="c", choices=["c", "cpp"])
    arguments.add_argument("--repeats", type=int, default=5)
    options = arguments.parse_args()
    texts = head_texts(options.directories)
    lines = sum(line_count(text) for text in texts)
    language = options.language
    measured = {
        "tree-sitter parse alone": _parser(language).parse,
        "pre-pass + parse + error rows": lambda text: parse(text, language),
        "contexts of every line": lambda text: contexts_of_parsed(parse(text, language)),
        "+ interfaces (the stage's work)": lambda text: cold_analysis(text, language),
    }
    best = best_times(measured, texts, options.repeats)
    print(f"{len(texts)} files, {lines} lines, {language}; ", end="")
    print(f"per file, the best CPU time of {options.repeats} runs")
    alone = best["tree-sitter parse alone"]
    for name, seconds in best.items():
        print(
            f"{name:<31} {lines / seconds:>10,.0f} lines/s  ({alone / seconds:.2f} of parse alone)"
        )
    shares = [parse(text, language).error_share for text in texts]
    with_errors = sum(1 for share in shares if share)
    print(f"mean share of lines in parse errors {sum(shares) / len(shares):.4f}; ", end="")
    print(f"files with errors: {with_errors} of {len(shares)}")


if __name__ == "__main__":
    main()
