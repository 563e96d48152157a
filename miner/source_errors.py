"""Named errors a history source raises for bad input, each one sentence naming the input.

The command line turns these into one clear message; the library never prints or exits.
"""

from __future__ import annotations


class SourceError(Exception):
    """A repository cannot be mined; the message names it and says why."""


class NotARepository(SourceError):
    """The path is neither a git repository nor a CVS repository."""


class UnreadableSource(SourceError):
    """The path does not exist or cannot be read."""


class EmptyRepository(SourceError):
    """The repository has no commits (or none on the chosen refs)."""


class ShallowRepository(SourceError):
    """The git repository is a shallow clone, so its history is cut off."""


class UnknownRef(SourceError):
    """A ref given with ``--branch`` does not name a commit of the repository."""


class SourceFailed(SourceError):
    """The tool reading the repository (``git log``) failed part-way."""
