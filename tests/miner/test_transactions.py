"""Tests of transaction grouping: commitids, the sliding and fixed windows, their refinements."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from miner.cvs_source import CvsSource
from miner.options import MineOptions
from miner.transactions import CvsRevision, RevisionGroup, WindowRule, group_transactions
from tests.miner.cvs_fixtures import rcs_history

T0 = datetime(2001, 5, 1, 12, 0, 0)


def rev(
    path: str,
    seconds: int,
    author: str = "alice",
    log: bytes = b"fix\n",
    number: str = "1.2",
    branch: str | None = None,
    commitid: str | None = None,
) -> CvsRevision:
    return CvsRevision(path, number, T0 + timedelta(seconds=seconds), author, log, branch, commitid)


def groups_of(revisions: list[CvsRevision], rule: WindowRule | None = None) -> list[set[str]]:
    return [
        {f"{r.rcs_file}:{r.revision}" for r in group.revisions}
        for group in group_transactions(revisions, rule)
    ]


def test_commitids_group_whatever_the_times() -> None:
    revisions = [rev("a,v", 0, commitid="C1"), rev("b,v", 5000, commitid="C1"), rev("c,v", 1)]
    groups = group_transactions(revisions)
    assert [(g.grouping, len(g.revisions)) for g in groups] == [("window", 1), ("commitid", 2)]
    assert groups[1].key == "C1"


def test_two_authors_interleaved_within_the_window_stay_apart() -> None:
    revisions = [
        rev("a,v", 0, "alice"),
        rev("b,v", 10, "bob"),
        rev("c,v", 20, "alice"),
        rev("d,v", 30, "bob"),
    ]
    assert groups_of(revisions) == [{"a,v:1.2", "c,v:1.2"}, {"b,v:1.2", "d,v:1.2"}]


def test_one_author_reusing_a_message_far_apart_makes_two_transactions() -> None:
    revisions = [rev("a,v", 0, log=b"sync\n"), rev("b,v", 3600, log=b"sync\n")]
    assert groups_of(revisions) == [{"a,v:1.2"}, {"b,v:1.2"}]


def test_different_messages_or_branches_split() -> None:
    revisions = [rev("a,v", 0), rev("b,v", 1, log=b"other\n"), rev("c,v", 2, branch="BR")]
    assert len(groups_of(revisions)) == 3
    assert len(groups_of(revisions, WindowRule(same_branch=False))) == 2


@pytest.mark.parametrize(
    ("fixed", "expected"),
    [(False, [{"a,v:1.2", "b,v:1.2", "c,v:1.2"}]), (True, [{"a,v:1.2", "b,v:1.2"}, {"c,v:1.2"}])],
    ids=["sliding", "fixed"],
)
def test_sliding_and_fixed_windows(fixed: bool, expected: list[set[str]]) -> None:
    revisions = [rev("a,v", 0), rev("b,v", 150), rev("c,v", 300)]
    assert groups_of(revisions, WindowRule(200, fixed)) == expected


def test_a_gap_longer_than_the_window_splits() -> None:
    revisions = [rev("a,v", 0), rev("b,v", 201)]
    assert len(groups_of(revisions, WindowRule(200))) == 2
    assert len(groups_of(revisions, WindowRule(300))) == 1


def test_a_file_appears_at_most_once_per_transaction() -> None:
    revisions = [rev("a,v", 0, number="1.2"), rev("b,v", 5), rev("a,v", 10, number="1.3")]
    assert groups_of(revisions) == [{"a,v:1.2", "b,v:1.2"}, {"a,v:1.3"}]
    assert len(groups_of(revisions, WindowRule(file_once=False))) == 1


def test_a_file_on_two_branches_can_share_a_cross_branch_commit() -> None:
    revisions = [rev("a,v", 0, number="1.5"), rev("a,v", 2, number="1.4.2.1", branch="STABLE")]
    assert len(groups_of(revisions, WindowRule(same_branch=False))) == 1


def test_keys_are_digests_of_the_members_and_stable() -> None:
    one = RevisionGroup((rev("a,v", 0), rev("b,v", 1)), "window")
    two = RevisionGroup((rev("b,v", 1), rev("a,v", 0)), "window")
    assert one.key == two.key and one.key.startswith("cvs-")
    assert RevisionGroup((rev("a,v", 0),), "window").key != one.key


def test_an_import_pair_counts_its_folded_trunk_revision_in_the_key() -> None:
    plain = RevisionGroup((rev("a,v", 0, number="1.1.1.1"),), "window")
    folded_revision = CvsRevision("a,v", "1.1.1.1", T0, "alice", b"import\n", "V", None, ("1.1",))
    assert folded_revision.members == (("a,v", "1.1.1.1"), ("a,v", "1.1"))
    assert RevisionGroup((folded_revision,), "window").key != plain.key


def test_window_grouping_on_rcs_files_with_chosen_times_and_authors(tmp_path: Path) -> None:
    """End to end: ``ci -d -w`` writes revisions without commitids; the source groups them."""
    module = tmp_path / "module"
    rcs_history(
        module,
        "a.c",
        [
            (b"a\n", T0, "alice", "start"),
            (b"a\nb\n", T0 + timedelta(seconds=100), "alice", "sync"),
            (b"a\nb\nc\n", T0 + timedelta(seconds=250), "alice", "sync"),
        ],
    )
    rcs_history(
        module / "sub",
        "b.c",
        [
            (b"x\n", T0 + timedelta(seconds=1), "alice", "start"),
            (b"x\ny\n", T0 + timedelta(seconds=120), "bob", "sync"),
            (b"x\ny\nz\n", T0 + timedelta(seconds=150), "alice", "sync"),
        ],
    )
    records = list(CvsSource(module).scan(frozenset()).records)
    members = [
        (r.author, r.message, r.grouping, sorted((f.path, f.new_version) for f in r.files))
        for r in records
    ]
    assert members == [
        ("alice", "start", "window", [("a.c", "1.1"), ("sub/b.c", "1.1")]),
        ("bob", "sync", "window", [("sub/b.c", "1.2")]),
        ("alice", "sync", "window", [("a.c", "1.2"), ("sub/b.c", "1.3")]),
        ("alice", "sync", "window", [("a.c", "1.3")]),
    ]
    fixed = list(CvsSource(module, MineOptions(fixed_window=True)).scan().records)
    assert all(r.grouping == "fixed-window" for r in fixed)
