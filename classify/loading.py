"""Reading the miner's and the contexts stage's rows into the facts the rules work on.

:class:`TextCache` reads file versions back from their repository once each;
:func:`build_registry` gathers what the whole history says about classes (their bases, which
carry a marker) and C function tables; :func:`load_facts` builds the
:class:`~classify.facts.TransactionFacts` of a batch of transactions.
"""

from __future__ import annotations

import json
import logging
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from types import MappingProxyType

from sqlalchemy import Integer, func, select
from sqlalchemy.orm import Session

from classify.config import StudyConfig
from classify.facts import (
    ContextFact,
    DiffLine,
    FileFacts,
    InterfaceFact,
    TransactionFacts,
    UnitRegistry,
    split_owner,
)
from classify.rules import (
    c_unit_reason,
    in_population_paths,
    is_unit_class,
    judge_context,
    judge_file,
)
from classify.source_facts import (
    classes_with_markers,
    global_line_kinds,
    init_marked,
    table_functions,
)
from contexts.models import (
    ChangedLine,
    ClassInterface,
    ContextChange,
    ContextsDone,
    InterfaceChange,
)
from miner.models import FileRevision, Repository, Transaction
from miner.sources import TextReader, read_file_version

log = logging.getLogger(__name__)

C_LANGUAGES = ("c", "cpp")


class TextCache:
    """Read file versions back, keeping the most recent ones (a file's new side is usually the
    next change's old side); a failed read counts as absent."""

    def __init__(self, session: Session, reader: TextReader | None = None, size: int = 256) -> None:
        self.session = session
        self.reader = reader or read_file_version
        self.size = size
        self.texts: OrderedDict[tuple[int, str, str], bytes | None] = OrderedDict()
        self.repositories: dict[int, Repository] = {}
        self.failures = 0

    def read(self, file_revision: FileRevision, side: str) -> bytes | None:
        """Return one side's bytes, or ``None`` when absent or unreadable."""
        version = file_revision.old_version if side == "old" else file_revision.new_version
        if version is None:
            return None
        repository = self._repository(file_revision)
        key = (repository.id, file_revision.rcs_file or file_revision.path, version)
        if key in self.texts:
            self.texts.move_to_end(key)
            return self.texts[key]
        text = self._read(repository, file_revision, side)
        self.texts[key] = text
        if len(self.texts) > self.size:
            self.texts.popitem(last=False)
        return text

    def _repository(self, file_revision: FileRevision) -> Repository:
        transaction = self.session.get(Transaction, file_revision.transaction_id)
        repo_id = transaction.repository_id if transaction else -1
        if repo_id not in self.repositories:
            self.repositories[repo_id] = self.session.get(Repository, repo_id)
        return self.repositories[repo_id]

    def _read(self, repository: Repository, file_revision: FileRevision, side: str) -> bytes | None:
        try:
            return self.reader(repository, file_revision, side)
        except Exception as error:  # noqa: BLE001 (any source failure means "text unavailable")
            self.failures += 1
            log.warning("cannot read %s side of %s: %s", side, file_revision.path, error)
            return None


def bases_of_detail(detail: str) -> tuple[str, ...]:
    """Return the base class names recorded in a class interface's JSON detail."""
    try:
        data = json.loads(detail)
    except (ValueError, TypeError):
        return ()
    bases = data.get("bases", []) if isinstance(data, dict) else []
    names = (base.get("name") if isinstance(base, dict) else base for base in bases)
    # Template arguments (FCMCommon<CacheSync>) are not part of the base's name.
    return tuple(
        name.split("<", 1)[0].strip() for name in names if isinstance(name, str) and name.strip()
    )


def build_registry(session: Session, config: StudyConfig, texts: TextCache) -> UnitRegistry:
    """Gather class bases, marked classes and table functions over the whole history."""
    bases: dict[str, set[str]] = defaultdict(set)
    located: set[tuple[int, str, str]] = set()
    rows = session.execute(
        select(
            ClassInterface.name,
            ClassInterface.detail,
            ClassInterface.transaction_id,
            ClassInterface.path,
            ClassInterface.side,
            ClassInterface.kind,
        )
    )
    for name, detail, transaction_id, path, side, kind in rows:
        if kind == "prototype":
            continue
        bases[name].update(bases_of_detail(detail))
        located.add((transaction_id, path, side))
    marked = _scan_marked(session, config, texts, located) if config.units.markers else set()
    tables = _scan_tables(session, config, texts) if config.units.c_tables else set()
    return UnitRegistry(
        MappingProxyType({name: frozenset(names) for name, names in bases.items()}),
        frozenset(marked),
        frozenset(tables),
    )


def _scan_marked(
    session: Session, config: StudyConfig, texts: TextCache, located: set[tuple[int, str, str]]
) -> set[str]:
    found: set[str] = set()
    by_txn: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for transaction_id, path, side in located:
        by_txn[transaction_id].add((path, side))
    for file_revision in _file_revisions(session, by_txn):
        for path, side in by_txn[file_revision.transaction_id]:
            if path == file_revision.path:
                text = texts.read(file_revision, side) or b""
                found |= classes_with_markers(text, config.units.markers)
    return found


def _file_revisions(
    session: Session, by_txn: dict[int, set[tuple[str, str]]]
) -> list[FileRevision]:
    ids = sorted(by_txn)
    result: list[FileRevision] = []
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        result += session.scalars(
            select(FileRevision).where(FileRevision.transaction_id.in_(chunk))
        )
    return result


def _scan_tables(session: Session, config: StudyConfig, texts: TextCache) -> set[str]:
    found: set[str] = set()
    query = select(FileRevision).where(FileRevision.language.in_(C_LANGUAGES))
    for file_revision in session.scalars(query):
        if (
            file_revision.raw_diff is not None
            and not any(t in file_revision.raw_diff for t in config.units.c_tables)
            and file_revision.change_kind != "added"
        ):
            continue
        side = "old" if file_revision.change_kind == "deleted" else "new"
        found |= table_functions(texts.read(file_revision, side) or b"", config.units.c_tables)
    return found


def diff_lines_of(path: str, cleaned_diff: str | None) -> list[DiffLine]:
    """Return the added and removed lines of a unified diff."""
    lines: list[DiffLine] = []
    for line in (cleaned_diff or "").splitlines():
        if line[:1] in "+-" and not line.startswith(("+++", "---")):
            lines.append(DiffLine(path, line[0], line[1:]))
    return lines


def load_facts(
    session: Session,
    transactions: Sequence[Transaction],
    config: StudyConfig,
    registry: UnitRegistry,
    texts: TextCache,
    reverts: dict[str, str],
) -> list[TransactionFacts]:
    """Build the facts of a batch of transactions whose contexts are done."""
    ids = [t.id for t in transactions]
    files = _grouped(
        session.scalars(select(FileRevision).where(FileRevision.transaction_id.in_(ids)))
    )
    done = {
        row.file_revision_id: row.status
        for row in session.scalars(select(ContextsDone).where(ContextsDone.transaction_id.in_(ids)))
    }
    contexts = _grouped(
        session.scalars(select(ContextChange).where(ContextChange.transaction_id.in_(ids)))
    )
    interfaces = _grouped(
        session.scalars(select(InterfaceChange).where(InterfaceChange.transaction_id.in_(ids)))
    )
    dead = _dead_only(session, [f.id for group in files.values() for f in group])
    facts = []
    for txn in transactions:
        revisions = files.get(txn.id, [])
        file_facts = tuple(_file_facts(f, done, f.id in dead) for f in revisions)
        languages = {f.path: f.language for f in revisions}
        rows = contexts.get(txn.id, [])
        local = [
            _context_fact(c, revisions, {}, config, registry, texts)
            for c in rows
            if c.context_kind != "global"
        ]
        if _ruled_out(file_facts, local, config, registry):
            global_kinds = {c.path: frozenset({"unexamined"}) for c in rows}
        else:
            global_kinds = _global_kinds(session, revisions, config, texts, rows)
        facts.append(
            TransactionFacts(
                id=txn.id,
                key=txn.key,
                message=txn.message,
                commit_time=txn.commit_time,
                is_merge=txn.is_merge,
                files=file_facts,
                contexts=tuple(local)
                + tuple(
                    _context_fact(c, revisions, global_kinds, config, registry, texts)
                    for c in rows
                    if c.context_kind == "global"
                ),
                interfaces=tuple(_interface_fact(i, languages) for i in interfaces.get(txn.id, [])),
                diff_lines=tuple(
                    d for f in revisions for d in diff_lines_of(f.path, f.cleaned_diff)
                ),
                reverted_by=reverts.get(txn.key),
            )
        )
    return facts


def _ruled_out(
    files: tuple[FileFacts, ...],
    contexts: list[ContextFact],
    config: StudyConfig,
    registry: UnitRegistry,
) -> bool:
    """Say whether code outside the units already rules the transaction out (so what its
    global-context lines are cannot change its measures or its predicted kind)."""
    studied = {f.path for f in files if in_population_paths(f.path, config)}
    if any(judge_file(f) for f in files if f.path in studied and not f.functionally_equivalent):
        return True
    return any(
        judge_context(c, config, registry).category == "outside"
        for c in contexts
        if c.path in studied
    )


def _grouped(rows: Iterable) -> dict[int, list]:
    grouped: dict[int, list] = defaultdict(list)
    for row in rows:
        grouped[row.transaction_id].append(row)
    return grouped


def _dead_only(session: Session, file_ids: list[int]) -> set[int]:
    """Return the file revisions whose every changed line is under ``#if 0`` (not code)."""
    query = (
        select(ChangedLine.file_revision_id)
        .where(ChangedLine.file_revision_id.in_(file_ids))
        .group_by(ChangedLine.file_revision_id)
        .having(func.min(ChangedLine.not_code.cast(Integer)) == 1)
    )
    return set(session.scalars(query)) if file_ids else set()


def _file_facts(file_revision: FileRevision, done: dict[int, str], dead: bool = False) -> FileFacts:
    return FileFacts(
        path=file_revision.path,
        language=file_revision.language,
        status=done.get(file_revision.id),
        functionally_equivalent=file_revision.functionally_equivalent or dead,
        is_binary=file_revision.is_binary,
    )


def _interface_fact(row: InterfaceChange, languages: dict[str, str | None]) -> InterfaceFact:
    """Build one interface change's facts, with the language of the file that holds it."""
    return InterfaceFact(
        row.path,
        row.scope,
        row.member,
        row.kind,
        row.adaptor_expressible,
        row.reason or "",
        languages.get(row.path),
    )


def _global_kinds(
    session: Session,
    revisions: list[FileRevision],
    config: StudyConfig,
    texts: TextCache,
    contexts: list[ContextChange],
) -> dict[str, frozenset[str]]:
    """Say, per studied path with a global-context change, what kinds of lines changed."""
    paths = {c.path for c in contexts if c.context_kind == "global"}
    result: dict[str, frozenset[str]] = {}
    for file_revision in revisions:
        if file_revision.path not in paths or not in_population_paths(file_revision.path, config):
            continue
        lines: dict[str, list[int]] = defaultdict(list)
        query = select(ChangedLine.side, ChangedLine.line).where(
            ChangedLine.file_revision_id == file_revision.id,
            ChangedLine.context_kind == "global",
            ChangedLine.not_code.is_(False),
        )
        for side, line in session.execute(query):
            lines[side].append(line)
        kinds: set[str] = set()
        for side, numbers in lines.items():
            text = texts.read(file_revision, side)
            if text is None:
                kinds.add("unknown")
                continue
            language = file_revision.language or ""
            found = global_line_kinds(text, language, numbers, config.contexts.prepass)
            kinds.update(found.values())
        result[file_revision.path] = frozenset(kinds or {"unknown"})
    return result


def _context_fact(
    row: ContextChange,
    revisions: list[FileRevision],
    global_kinds: dict[str, frozenset[str]],
    config: StudyConfig,
    registry: UnitRegistry,
    texts: TextCache,
) -> ContextFact:
    fact = ContextFact(
        path=row.path,
        kind=row.context_kind,
        name=row.context_name,
        change=row.change,
        lines_added=row.lines_added,
        lines_deleted=row.lines_deleted,
        global_kinds=global_kinds.get(row.path, frozenset())
        if row.context_kind == "global"
        else frozenset(),
        uncertain=row.uncertain,
    )
    if (
        fact.kind != "function"
        or not config.relaxations.init_markers
        or not in_population_paths(fact.path, config)
    ):
        return fact
    owner = split_owner(fact.name)[0]
    if (owner and is_unit_class(owner, config, registry)) or (
        not owner and c_unit_reason(fact, config, registry)
    ):
        return fact
    side = "old" if fact.change == "deleted" else "new"
    for file_revision in revisions:
        if file_revision.path == fact.path:
            text = texts.read(file_revision, side) or b""
            if init_marked(text, fact.name, config.relaxations.init_markers):
                return replace(fact, init_marked=True)
    return fact


def purpose_facts(
    session: Session, transactions: Sequence[Transaction], reverts: dict[str, str]
) -> list[TransactionFacts]:
    """Build the facts the purpose guess needs (no contexts, no source text)."""
    ids = [t.id for t in transactions]
    files = _grouped(
        session.scalars(select(FileRevision).where(FileRevision.transaction_id.in_(ids)))
    )
    return [
        TransactionFacts(
            id=txn.id,
            key=txn.key,
            message=txn.message,
            commit_time=txn.commit_time,
            is_merge=txn.is_merge,
            files=tuple(_file_facts(f, {}) for f in files.get(txn.id, [])),
            diff_lines=tuple(
                d for f in files.get(txn.id, []) for d in diff_lines_of(f.path, f.cleaned_diff)
            ),
            reverted_by=reverts.get(txn.key),
        )
        for txn in transactions
    ]
