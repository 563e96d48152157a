"""Tests of running the stage with the garbage collector seldom."""

from __future__ import annotations

import gc

import pytest

from miner.collector import THRESHOLDS, seldom_collected


def test_thresholds_are_raised_inside_and_restored_after_even_on_error() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), seldom_collected():
        assert gc.get_threshold() == THRESHOLDS
        raise RuntimeError("stop")
    assert gc.get_threshold() == before
