"""A guess of a change's purpose from its log message and its shape.

The study's "ignore" candidates come first, from the change itself: merges, reverted changes
(a later transaction's cleaned diff undoes it, or its message says it reverts), whitespace or
comment only, preprocessor only, debugging output only, header reorganisation. Then the log
message's keywords, tried in the study's order (security fix, performance, bug fix, cleanup,
new feature by default), and last the shape (a change that only adds contexts is a new
feature, one that only deletes is a cleanup). Every guess says why.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from classify.config import PurposeConfig
from classify.facts import DiffLine, TransactionFacts

PURPOSES = (
    "bug-fix",
    "security-fix",
    "performance",
    "new-feature",
    "cleanup",
    "reverted",
    "merge",
    "whitespace-comment",
    "debug-output",
    "header-reorganisation",
    "preprocessor-only",
    "other",
)
IGNORE_PURPOSES = frozenset(
    {
        "reverted",
        "merge",
        "whitespace-comment",
        "debug-output",
        "header-reorganisation",
        "preprocessor-only",
    }
)
BRACES = re.compile(r"^[{}\s;]*$")


@dataclass(frozen=True)
class PurposeGuess:
    """A guessed purpose and the one sentence saying why."""

    purpose: str
    reason: str


Signature = tuple[tuple[str, str, str], ...]
FLIP = {"+": "-", "-": "+"}


def diff_signature(lines: Iterable[DiffLine]) -> Signature:
    """Return an order-free signature of a cleaned diff (what it adds and removes, per file)."""
    return tuple(sorted((line.path, line.sign, line.text.strip()) for line in lines))


def signature_digests(lines: Iterable[DiffLine]) -> tuple[str, str] | None:
    """Return short digests of a cleaned diff's signature and of its inverse (``None`` if empty)."""
    signature = diff_signature(lines)
    if not signature:
        return None
    inverse = tuple(sorted((path, FLIP[sign], text) for path, sign, text in signature))
    return _digest(signature), _digest(inverse)


def _digest(signature: Signature) -> str:
    return hashlib.sha256(repr(signature).encode()).hexdigest()[:24]


def find_reverts(digests: Sequence[tuple[str, str, str]]) -> dict[str, str]:
    """Pair each transaction undone by a later one with it, both ways.

    :param digests: ``(key, digest, inverse digest)`` in commit order, from
        :func:`signature_digests`.
    """
    seen: dict[str, str] = {}
    pairs: dict[str, str] = {}
    for key, digest, inverse in digests:
        earlier = seen.pop(inverse, None)
        if earlier is not None:
            pairs[earlier] = key
            pairs[key] = earlier
        else:
            seen[digest] = key
    return pairs


def _keyword(message: str, words: Iterable[str]) -> str | None:
    lowered = message.lower()
    for word in words:
        if re.search(r"(?<![a-z0-9])" + re.escape(word.lower()), lowered):
            return word
    return None


def _is_debug_line(text: str, calls: tuple[str, ...]) -> bool:
    if BRACES.match(text):
        return True
    names = "|".join(re.escape(call) for call in calls)
    pattern = rf"^\s*(?:if\s*\(.*\)\s*)?(?:[\w.>:-]+(?:\.|->|::))?\w*(?:{names})\w*\s*\("
    return re.match(pattern, text) is not None


def _shape_of_lines(facts: TransactionFacts, settings: PurposeConfig) -> PurposeGuess | None:
    lines = [line for line in facts.diff_lines if line.text.strip()]
    if not lines:
        if facts.files and all(f.functionally_equivalent for f in facts.files):
            return PurposeGuess(
                "whitespace-comment", "Its cleaned diff is empty: whitespace or comments only."
            )
        return None
    if all(line.path.endswith(settings.header_suffixes) for line in lines):
        added = Counter(line.text.strip() for line in lines if line.sign == "+")
        removed = Counter(line.text.strip() for line in lines if line.sign == "-")
        if added == removed:
            return PurposeGuess(
                "header-reorganisation", "It only moves lines between or within headers."
            )
        if all(re.match(r"\s*#\s*include\b", line.text) for line in lines):
            return PurposeGuess(
                "header-reorganisation", "It only changes which headers are included."
            )
    if all(line.text.lstrip().startswith("#") for line in lines):
        return PurposeGuess("preprocessor-only", "Every changed line is a preprocessor directive.")
    if all(_is_debug_line(line.text, settings.debug_calls) for line in lines):
        return PurposeGuess(
            "debug-output", "Every changed line prints or asserts debugging output."
        )
    return None


def guess_purpose(facts: TransactionFacts, shape: str, settings: PurposeConfig) -> PurposeGuess:
    """Guess why the change was made.

    :param shape: the transaction's shape (``adds``, ``deletes``, ``adds+deletes``, ``modifies``,
        ``none``), as :func:`classify.verdicts.shape_of` gives it.
    """
    if facts.is_merge:
        return PurposeGuess("merge", "It is a merge commit.")
    if facts.reverted_by:
        return PurposeGuess(
            "reverted", f"Its cleaned diff is exactly undone by {facts.reverted_by}."
        )
    by_lines = _shape_of_lines(facts, settings)
    if by_lines:
        return by_lines
    for purpose, words in settings.keywords:
        word = _keyword(facts.message, words)
        if word:
            return PurposeGuess(purpose, f'Its log message says "{word.strip()}".')
    if shape == "adds":
        return PurposeGuess(
            "new-feature", "It only adds program contexts and its message names no purpose."
        )
    if shape == "deletes":
        return PurposeGuess(
            "cleanup", "It only deletes program contexts and its message names no purpose."
        )
    return PurposeGuess("other", "Neither its message nor its shape suggests a purpose.")
