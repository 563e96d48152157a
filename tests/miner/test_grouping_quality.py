"""Tests of the window-against-commitid measurement, on built and on real MirOS repositories."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from miner.grouping_quality import evaluate_revisions, evaluate_window
from miner.transactions import CvsRevision, WindowRule
from tests.conftest import SHARED_DATA
from tests.miner.cvs_fixtures import CvsRepository

MIRBSD = SHARED_DATA / "cvs" / "mirbsd" / "src"
T0 = datetime(2010, 1, 1)


def rev(path: str, seconds: int, commitid: str, log: bytes = b"sync\n", **kw) -> CvsRevision:
    return CvsRevision(
        path,
        kw.get("number", "1.2"),
        T0 + timedelta(seconds=seconds),
        kw.get("author", "tg"),
        log,
        kw.get("branch"),
        commitid,
    )


def test_perfect_grouping_scores_one() -> None:
    revisions = [rev("a,v", 0, "C1"), rev("b,v", 1, "C1"), rev("a,v", 5000, "C2", number="1.3")]
    quality = evaluate_revisions(revisions, WindowRule())
    assert (quality.commitid_groups, quality.exact_groups, quality.window_groups) == (2, 2, 2)
    assert (quality.precision, quality.recall, quality.share) == (1.0, 1.0, 1.0)
    assert quality.misses == ()


def test_misses_are_counted_by_kind() -> None:
    revisions = [
        # a re-used message within the window, on other files: merged
        rev("a,v", 0, "C1"),
        rev("b,v", 30, "C2"),
        # one commit whose files lie further apart than the window: split
        rev("c,v", 1000, "C3", log=b"slow\n"),
        rev("d,v", 1300, "C3", log=b"slow\n"),
        # one commit across the trunk and a branch: split under the same-branch rule
        rev("e,v", 5000, "C4", log=b"both\n"),
        rev("f,v", 5001, "C4", log=b"both\n", branch="STABLE"),
    ]
    quality = evaluate_revisions(revisions, WindowRule(200))
    assert quality.commitid_groups == 4 and quality.exact_groups == 0
    assert dict(quality.misses) == {
        "merged: another commit with the same author and message, on other files": 2,
        "split: a gap longer than the window": 1,
        "split: revisions on different branches": 1,
    }
    # pairs the window made: (a,b) wrong; (e,f) is not made; truth pairs: (c,d), (e,f)
    assert quality.precision == 0.0 and quality.recall == 0.0
    crossing = evaluate_revisions(revisions, WindowRule(200, same_branch=False))
    assert crossing.exact_groups == 1 and crossing.precision == 0.5
    assert "merged" in crossing.summary() and "recovered exactly" in crossing.summary()


def test_a_real_cvs_repository_with_commitids_is_recovered(tmp_path: Path) -> None:
    repo = CvsRepository.create(tmp_path, files={"a.c": b"a\n", "b.c": b"b\n", "c/d.c": b"d\n"})
    repo.write("a.c", b"a2\n")
    repo.write("c/d.c", b"d2\n")
    repo.commit("two files")
    repo.write("b.c", b"b2\n")
    repo.commit("one file")
    quality = evaluate_window(repo.location)
    assert quality.commitid_groups == 3  # the import (with its 1.1 + 1.1.1.1 pairs) and two commits
    assert quality.exact_groups == 3 and quality.precision == 1.0 and quality.recall == 1.0


@pytest.mark.skipif(not MIRBSD.exists(), reason="needs ../shared/data/cvs/mirbsd")
def test_on_the_real_mirbsd_kernel_the_window_recovers_most_commits() -> None:
    quality = evaluate_window(MIRBSD / "kern")
    assert quality.commitid_groups == 183
    assert quality.share > 0.97 and quality.precision > 0.99 and quality.recall > 0.99
    assert sum(count for _kind, count in quality.misses) == 183 - quality.exact_groups


def test_a_commit_longer_than_a_fixed_window_is_named() -> None:
    revisions = [rev("a,v", 0, "C1"), rev("b,v", 150, "C1"), rev("c,v", 300, "C1")]
    assert evaluate_revisions(revisions, WindowRule(200)).exact_groups == 1
    fixed = evaluate_revisions(revisions, WindowRule(200, fixed=True))
    assert dict(fixed.misses) == {"split: the commit took longer than the fixed window": 1}
