"""Measure how well the sliding window alone reproduces the commits that CVS commitids record.

Every file revision that carries a commitid is grouped twice: by its commitid (the truth) and by
the window rule with the commitids hidden. The result says how many commitid groups the window
recovers exactly, the pairwise precision and recall (over pairs of file revisions put in one
group), and, for every commitid group it misses, what kind of miss it is:

- ``merged: ...``: the window joined the commit with another one by the same author with the
  same log message (a re-used message such as "sync"), split further by whether the two
  commits touched the same files or not;
- ``split: ...``: the window cut the commit in two, at a point where its revisions differ in
  branch, log message or author, or lie further apart than the window (or the commit took
  longer than a fixed window);
- ``split and merged``: both at once.

That is how a user learns whether to trust the window on the part of a repository that is
older than commitids.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from miner.cvs_source import CvsSource
from miner.records import SkippedFile
from miner.transactions import (
    CvsRevision,
    RevisionGroup,
    WindowRule,
    group_transactions,
    path_order_key,
)

Member = tuple[str, str]


@dataclass(frozen=True)
class GroupingQuality:
    """The window's grouping compared with the commitids, on revisions that carry one."""

    window_seconds: int
    fixed: bool
    revisions: int
    """File revisions with a commitid (an import pair counts as one)."""
    commitid_groups: int
    window_groups: int
    exact_groups: int
    """Commitid groups the window reproduced exactly (same members, nothing more)."""
    precision: float
    """Of the pairs of file revisions the window put together, the share a commitid joins."""
    recall: float
    """Of the pairs a commitid joins, the share the window put together."""
    misses: tuple[tuple[str, int], ...]
    """Commitid groups missed, by kind of miss, most frequent first."""

    @property
    def share(self) -> float:
        """Exactly recovered commitid groups as a share of all."""
        return self.exact_groups / self.commitid_groups if self.commitid_groups else 1.0

    def summary(self) -> str:
        """Describe the result in a few lines."""
        rule = "fixed window" if self.fixed else "sliding window"
        lines = [
            f"{rule} of {self.window_seconds} s against {self.commitid_groups} commitid groups "
            f"({self.revisions} file revisions): {self.exact_groups} recovered exactly "
            f"({self.share:.1%}), pairwise precision {self.precision:.3f}, "
            f"recall {self.recall:.3f}, {self.window_groups} window groups",
        ]
        lines += [f"  missed, {kind}: {count}" for kind, count in self.misses]
        return "\n".join(lines)


def commitid_revisions(location: Path, fold_imports: bool = True) -> list[CvsRevision]:
    """Return every file revision under ``location`` that carries a commitid."""
    source = CvsSource(location, fold_imports=fold_imports)
    skipped: list[SkippedFile] = []
    return [
        revision
        for history in source.histories(skipped)
        for revision in history.revisions
        if revision.commitid
    ]


def evaluate_window(
    location: Path, window_seconds: int = 200, fixed: bool = False, rule: WindowRule | None = None
) -> GroupingQuality:
    """Compare the window's groups with the commitid groups of the repository at ``location``.

    :param rule: the whole rule to measure (its variants); by default the one ``dsukit mine``
        uses with ``window_seconds`` and ``fixed``.
    """
    revisions = commitid_revisions(location)
    return evaluate_revisions(revisions, rule or WindowRule(window_seconds, fixed))


def evaluate_revisions(revisions: list[CvsRevision], rule: WindowRule) -> GroupingQuality:
    """Compare the window's groups of ``revisions`` with their commitid groups."""
    truth = {revision.members[0]: revision.commitid or "" for revision in revisions}
    groups = group_transactions(revisions, rule, use_commitids=False)
    predicted = {r.members[0]: index for index, group in enumerate(groups) for r in group.revisions}
    by_commitid: dict[str, list[CvsRevision]] = {}
    for revision in revisions:
        by_commitid.setdefault(truth[revision.members[0]], []).append(revision)
    group_sizes = Counter(predicted.values())
    misses: Counter[str] = Counter()
    exact = 0
    for members in by_commitid.values():
        kind = _miss_kind(members, predicted, group_sizes, truth, groups, rule)
        if kind is None:
            exact += 1
        else:
            misses[kind] += 1
    precision, recall = _pairwise(revisions, truth, predicted)
    return GroupingQuality(
        window_seconds=rule.window_seconds,
        fixed=rule.fixed,
        revisions=len(revisions),
        commitid_groups=len(by_commitid),
        window_groups=len(groups),
        exact_groups=exact,
        precision=precision,
        recall=recall,
        misses=tuple(misses.most_common()),
    )


def _pairs(count: int) -> int:
    return count * (count - 1) // 2


def _pairwise(
    revisions: list[CvsRevision], truth: dict[Member, str], predicted: dict[Member, int]
) -> tuple[float, float]:
    """Pairwise precision and recall over members (an import pair's two revisions count)."""
    weight = {r.members[0]: len(r.members) for r in revisions}
    both: Counter[tuple[str, int]] = Counter()
    truth_sizes: Counter[str] = Counter()
    predicted_sizes: Counter[int] = Counter()
    for member, commitid in truth.items():
        both[(commitid, predicted[member])] += weight[member]
        truth_sizes[commitid] += weight[member]
        predicted_sizes[predicted[member]] += weight[member]
    agreed = sum(_pairs(n) for n in both.values())
    predicted_pairs = sum(_pairs(n) for n in predicted_sizes.values())
    truth_pairs = sum(_pairs(n) for n in truth_sizes.values())
    precision = agreed / predicted_pairs if predicted_pairs else 1.0
    recall = agreed / truth_pairs if truth_pairs else 1.0
    return precision, recall


def _miss_kind(
    members: list[CvsRevision],
    predicted: dict[Member, int],
    group_sizes: Counter[int],
    truth: dict[Member, str],
    groups: list[RevisionGroup],
    rule: WindowRule,
) -> str | None:
    pieces = {predicted[r.members[0]] for r in members}
    merged = sum(group_sizes[piece] for piece in pieces) > len(members)
    split = len(pieces) > 1
    if not merged and not split:
        return None
    if merged and split:
        return "split and merged"
    if merged:
        return _merge_kind(members, pieces, truth, groups)
    return _split_kind(members, predicted, rule)


def _merge_kind(
    members: list[CvsRevision],
    pieces: set[int],
    truth: dict[Member, str],
    groups: list[RevisionGroup],
) -> str:
    commitid = truth[members[0].members[0]]
    files = {r.rcs_file for r in members}
    others = [
        r for piece in pieces for r in groups[piece].revisions if truth[r.members[0]] != commitid
    ]
    if any(r.rcs_file in files for r in others):
        return "merged: another commit with the same author and message, on the same files"
    return "merged: another commit with the same author and message, on other files"


def _split_kind(members: list[CvsRevision], predicted: dict[Member, int], rule: WindowRule) -> str:
    ordered = sorted(members, key=lambda r: (r.time, path_order_key(r.rcs_file)))
    for before, after in zip(ordered, ordered[1:], strict=False):
        if predicted[before.members[0]] == predicted[after.members[0]]:
            continue
        if rule.same_branch and before.branch != after.branch:
            return "split: revisions on different branches"
        if before.log != after.log:
            return "split: different log messages"
        if before.author != after.author:
            return "split: different authors"
        if (after.time - before.time).total_seconds() > rule.window_seconds:
            return "split: a gap longer than the window"
        if rule.fixed and (after.time - ordered[0].time).total_seconds() > rule.window_seconds:
            return "split: the commit took longer than the fixed window"
        if before.rcs_file == after.rcs_file:
            return "split: the same file twice"
        return "split: other"
    return "split: other"
