"""Run the mining stage with Python's cyclic garbage collector seldom.

The stage allocates millions of short-lived strings, lists and tuples (lines, tokens, rows)
but makes almost no reference cycles, so the collector's frequent passes find nothing while
costing time in proportion to what the cleaning cache holds: on the MirOS history they took
about a sixth of the stage's CPU. Reference counting still frees everything as before; only
cycles wait longer.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

THRESHOLDS = (100_000, 50, 100)
"""Allocations before a young collection, and how many of each generation before an older one
(CPython's defaults are 700, 10, 10)."""


@contextmanager
def seldom_collected() -> Iterator[None]:
    """Raise the collector's thresholds while the block runs, then restore them."""
    before = gc.get_threshold()
    gc.set_threshold(*THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def collect_seldom() -> None:
    """Raise the collector's thresholds for good (a worker process that only cleans)."""
    gc.set_threshold(*THRESHOLDS)
