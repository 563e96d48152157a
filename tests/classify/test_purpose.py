"""The purpose guess: every ignore candidate, the message keywords, the shape, and reverts."""

from __future__ import annotations

import tomllib
from datetime import datetime

import pytest

from classify.config import PurposeConfig, parse_config
from classify.facts import DiffLine, FileFacts, TransactionFacts
from classify.purpose import PURPOSES, find_reverts, guess_purpose, signature_digests

SETTINGS = PurposeConfig()


def facts(
    message: str = "Update",
    lines: tuple[tuple[str, str, str], ...] = (("a.c", "+", "x = 1;"),),
    **extra: object,
) -> TransactionFacts:
    diff = tuple(DiffLine(*line) for line in lines)
    files = tuple(FileFacts(path) for path in sorted({line.path for line in diff}))
    return TransactionFacts(
        1,
        "k1",
        message,
        datetime(2004, 1, 1),
        files=extra.pop("files", files),
        diff_lines=diff,
        **extra,
    )


# (facts, shape, expected purpose, a word of the reason)
CASES = {
    "merge": (facts("Merge branch 'x'", is_merge=True), "modifies", "merge", "merge commit"),
    "reverted-by-diff": (facts("Tune the cache", reverted_by="k9"), "modifies", "reverted", "k9"),
    "reverted-by-message": (facts('Revert "Tune the cache"'), "modifies", "reverted", "revert"),
    "whitespace-comment": (
        facts("Fix comments", lines=(), files=(FileFacts("a.c", functionally_equivalent=True),)),
        "none",
        "whitespace-comment",
        "empty",
    ),
    "preprocessor-only": (
        facts("Fix build", lines=(("a.c", "+", "#ifdef DEBUG"), ("a.c", "+", "#endif"))),
        "modifies",
        "preprocessor-only",
        "preprocessor",
    ),
    "debug-output": (
        facts(
            "Fix crash",
            lines=(
                ("a.C", "+", 'err_printf("frame %lx\\n", addr);'),
                ("a.C", "-", 'tassert(x, err_printf("bad"));'),
                ("a.C", "+", "}"),
            ),
        ),
        "modifies",
        "debug-output",
        "debugging",
    ),
    "debug-output-kernel-printf": (
        facts("x", lines=(("k.c", "+", 'if (debug) printf("%d", n);'),)),
        "modifies",
        "debug-output",
        "debugging",
    ),
    "header-moves": (
        facts("Fix headers", lines=(("a.h", "-", "int f(void);"), ("b.h", "+", "int f(void);"))),
        "modifies",
        "header-reorganisation",
        "moves",
    ),
    "header-includes": (
        facts(
            "Fix headers",
            lines=(
                ("a.H", "-", "#include <x.H>"),
                ("a.H", "+", "#include <y.H>"),
                ("a.H", "+", "#  include <z.H>"),
            ),
        ),
        "modifies",
        "header-reorganisation",
        "included",
    ),
    "security": (
        facts("Fix buffer overflow in sysctl (security)"),
        "modifies",
        "security-fix",
        "security",
    ),
    "performance": (facts("Faster page lookup; fix typo"), "modifies", "performance", "faster"),
    "bug-fix": (facts("Fixed a race in the dispatcher"), "modifies", "bug-fix", "fix"),
    "no-prefix-match": (facts("Update prefix handling"), "modifies", "other", "Neither"),
    "cleanup": (facts("Restructure the FCM code"), "modifies", "cleanup", "restructur"),
    "feature": (facts("Implement lazy state transfer"), "modifies", "new-feature", "implement"),
    "shape-adds": (facts("Update"), "adds", "new-feature", "adds"),
    "shape-deletes": (facts("Update"), "deletes", "cleanup", "deletes"),
    "other": (facts("Update"), "modifies", "other", "Neither"),
}


@pytest.mark.parametrize("name", CASES)
def test_guess(name: str) -> None:
    value, shape, purpose, word = CASES[name]
    guess = guess_purpose(value, shape, SETTINGS)
    assert guess.purpose == purpose
    assert word.lower() in guess.reason.lower()


def test_every_purpose_has_a_case() -> None:
    assert {purpose for _, _, purpose, _ in CASES.values()} == set(PURPOSES)


def test_study_keywords_and_order_apply() -> None:
    config = parse_config(
        tomllib.loads(
            "[purpose]\norder = ['bug-fix', 'performance']\n"
            "[purpose.keywords]\nperformance = ['tune']"
        )
    )
    assert (
        guess_purpose(facts("Fix and tune the cache"), "modifies", config.purpose).purpose
        == "bug-fix"
    )
    assert (
        guess_purpose(facts("Tune the cache"), "modifies", config.purpose).purpose == "performance"
    )
    assert guess_purpose(facts("Implement x"), "modifies", config.purpose).purpose == "other"


def _digests(key: str, *lines: tuple[str, str, str]) -> tuple[str, str, str]:
    pair = signature_digests(DiffLine(*line) for line in lines)
    assert pair is not None
    return (key, *pair)


def test_reverts_pair_a_change_with_its_inverse_in_any_line_order() -> None:
    history = [
        _digests("a", ("f.c", "+", "x = 1;"), ("f.c", "-", "x = 0;")),
        _digests("b", ("g.c", "+", "y();")),
        _digests("c", ("f.c", "-", "x = 1;"), ("f.c", "+", "x = 0;")),
        _digests("d", ("g.c", "+", "y();")),
    ]
    assert find_reverts(history) == {"a": "c", "c": "a"}
    assert signature_digests([]) is None


def test_a_reapplied_change_can_be_reverted_again() -> None:
    change = (("f.c", "+", "x = 1;"),)
    undo = (("f.c", "-", "x = 1;"),)
    history = [
        _digests("a", *change),
        _digests("b", *undo),
        _digests("c", *change),
        _digests("d", *undo),
    ]
    assert find_reverts(history) == {"a": "b", "b": "a", "c": "d", "d": "c"}
