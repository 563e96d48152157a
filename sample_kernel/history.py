"""The kernel's history as a real git repository: one commit per change, its source at each.

Version 0 is the kernel's source as it is in this package. Each change of
:data:`sample_kernel.catalogue.HISTORY` is turned into a source edit taken from its update
module, so the update module stays the one place a change is written:

- a method of an update class replaces the method of the same name in the kernel class it
  updates (found by its base, ``fcm.FCMFile``, or by its name), or is inserted after the method
  that precedes it in the update class (a new virtual method lands in its vtable position);
- an update class without methods (an enumeration) replaces the kernel class of its name;
- a module-level function replaces the kernel function of its name;
- module-level constants the spliced code uses, and the kernel file lacks, are added.

Run ``python -m sample_kernel.history DEST`` to write the repository (``dsukit mine DEST`` can then
mine it like any other).
"""

from __future__ import annotations

import argparse
import ast
import logging
import os
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sample_kernel.catalogue import HISTORY, change, module_path

log = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).resolve().parent
KERNEL_FILES = (
    "errno.py",
    "tracing.py",
    "services.py",
    "device.py",
    "scheduler.py",
    "pm.py",
    "fcm.py",
    "file_rep.py",
    "region.py",
    "process.py",
    "ipc.py",
    "exception_path.py",
)
"""The kernel proper (no workload, demo or command line), as the repository holds it."""
REPO_DIR = "kernel"
START = datetime(2006, 3, 1, 10, 0, tzinfo=UTC)


class HistoryError(Exception):
    """An update module's source could not be spliced into the kernel's source."""


@dataclass(frozen=True)
class Version:
    """The kernel's source after one change: file name -> text."""

    name: str
    files: dict[str, str]


def _node_span(node: ast.AST) -> tuple[int, int]:
    """Return the 0-based first and exclusive last line of ``node``, decorators included."""
    first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
    return first - 1, node.end_lineno  # type: ignore[attr-defined]


def _segment(lines: list[str], node: ast.AST) -> list[str]:
    start, end = _node_span(node)
    return lines[start:end]


def _reindent(block: list[str], indent: str) -> list[str]:
    current = len(block[0]) - len(block[0].lstrip())
    return [indent + line[current:] if line.strip() else line for line in block]


def _kernel_target(cls: ast.ClassDef, files: dict[str, str]) -> tuple[str, str]:
    """Return (kernel file, class name) that update class ``cls`` changes."""
    for base in cls.bases:
        if isinstance(base, ast.Attribute) and isinstance(base.value, ast.Name):
            file = f"{base.value.id}.py"
            if file in files:
                return file, base.attr
    for file, text in files.items():
        if any(isinstance(n, ast.ClassDef) and n.name == cls.name for n in ast.parse(text).body):
            return file, cls.name
    raise HistoryError(f"update class {cls.name} matches no kernel class")


def _class_node(text: str, name: str) -> ast.ClassDef:
    for node in ast.parse(text).body:
        if isinstance(node, ast.ClassDef) and node.name == name:
            return node
    raise HistoryError(f"no class {name}")


def _assigned_name(node: ast.stmt) -> str | None:
    """Return the name a module-level ``NAME = ...`` or ``NAME: T = ...`` assigns, if any."""
    if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
        return node.targets[0].id
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return node.target.id
    return None


def _member_name(node: ast.stmt) -> str | None:
    if isinstance(node, ast.FunctionDef):
        return node.name
    if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
        return node.targets[0].id
    return None


def _splice_method(
    text: str, class_name: str, method: list[str], name: str, after: str | None
) -> str:
    """Replace method ``name`` of ``class_name`` with ``method``, or insert it after ``after``."""
    lines = text.splitlines(keepends=True)
    cls = _class_node(text, class_name)
    members = {_member_name(n): n for n in cls.body if _member_name(n)}
    indent = " " * (cls.col_offset + 4)
    block = _reindent(method, indent)
    if name in members:
        old = members[name]
        start, end = _node_span(old)
        if method[0].lstrip().startswith("def "):  # an override: the declaration keeps @virtual
            start = old.lineno - 1
        return "".join(lines[:start] + block + lines[end:])
    anchor = members.get(after) if after else None
    end = anchor.end_lineno if anchor is not None else cls.end_lineno  # type: ignore[union-attr]
    return "".join(lines[:end] + ["\n"] + block + lines[end:])


def _replace_top(text: str, name: str, block: list[str]) -> str:
    lines = text.splitlines(keepends=True)
    for node in ast.parse(text).body:
        if isinstance(node, ast.ClassDef | ast.FunctionDef) and node.name == name:
            start, end = _node_span(node)
            return "".join(lines[:start] + block + lines[end:])
    raise HistoryError(f"no top-level {name}")


def _add_constants(text: str, used: set[str], constants: dict[str, list[str]]) -> str:
    """Add the module-level constants in ``used`` that ``text`` does not define yet."""
    tree = ast.parse(text)
    defined = {name for n in tree.body if (name := _assigned_name(n)) is not None}
    missing = [name for name in constants if name in used and name not in defined]
    if not missing:
        return text
    lines = text.splitlines(keepends=True)
    last_import = max(n.end_lineno for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom))  # type: ignore[type-var]
    added = ["\n"] + [line for name in missing for line in constants[name]]
    return "".join(lines[:last_import] + added + lines[last_import:])


def apply_change(files: dict[str, str], update_source: str) -> dict[str, str]:
    """Return the kernel's files after splicing in the code of one update module."""
    files = dict(files)
    tree = ast.parse(update_source)
    lines = update_source.splitlines(keepends=True)
    constants = {
        name: _segment(lines, n)
        for n in tree.body
        if (name := _assigned_name(n)) is not None and name not in ("UPDATE", "CHANGE")
    }
    for node in tree.body:
        touched: str | None = None
        if isinstance(node, ast.ClassDef) and not any(
            isinstance(b, ast.Name) and b.id == "Adaptor" for b in node.bases
        ):
            try:
                file, target = _kernel_target(node, files)
            except HistoryError:
                continue
            methods = [n for n in node.body if isinstance(n, ast.FunctionDef)]
            if not methods and not isinstance(node.body[-1], ast.Expr):
                files[file] = _replace_top(files[file], target, _segment(lines, node))
                touched = file
            previous: str | None = None
            for member in node.body:
                name = _member_name(member)
                if isinstance(member, ast.FunctionDef):
                    files[file] = _splice_method(
                        files[file], target, _segment(lines, member), member.name, previous
                    )
                    touched = file
                previous = name or previous
        elif isinstance(node, ast.FunctionDef):
            for file, text in files.items():
                if any(
                    isinstance(n, ast.FunctionDef) and n.name == node.name
                    for n in ast.parse(text).body
                ):
                    files[file] = _replace_top(text, node.name, _segment(lines, node))
                    touched = file
        if touched is not None:
            used = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
            files[touched] = _add_constants(files[touched], used, constants)
    return files


def versions() -> list[Version]:
    """Return the kernel's source at version 0 and after every change, in order."""
    files = {name: (PACKAGE_DIR / name).read_text() for name in KERNEL_FILES}
    result = [Version("initial", files)]
    for name in HISTORY:
        files = apply_change(files, module_path(name).read_text())
        for file, text in files.items():
            try:
                ast.parse(text)
            except SyntaxError as error:
                raise HistoryError(
                    f"{name}: {file} does not parse after the change: {error}"
                ) from error
        result.append(Version(name, files))
    return result


def _git(dest: Path, *args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        ["git", "-C", str(dest), *args], check=True, capture_output=True, text=True, env=env
    )
    return done.stdout.strip()


def write_history(dest: Path) -> list[str]:
    """Write the kernel's history as a git repository at ``dest`` (new or empty); return commits."""
    dest = Path(dest)
    if dest.exists() and any(dest.iterdir()):
        raise HistoryError(f"{dest} exists and is not empty")
    dest.mkdir(parents=True, exist_ok=True)
    _git(dest, "init", "-q", "-b", "main")
    commits = []
    for index, version in enumerate(versions()):
        for file, text in version.files.items():
            path = dest / REPO_DIR / file
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        _git(dest, "add", "-A")
        when = (START + timedelta(days=7 * index)).isoformat()
        env = {
            **os.environ,
            "GIT_AUTHOR_DATE": when,
            "GIT_COMMITTER_DATE": when,
            "GIT_AUTHOR_NAME": "K42 Kernel Team",
            "GIT_AUTHOR_EMAIL": "kernel@k42.invalid",
            "GIT_COMMITTER_NAME": "K42 Kernel Team",
            "GIT_COMMITTER_EMAIL": "kernel@k42.invalid",
        }
        _git(dest, "commit", "-q", "-m", _message(version.name), env=env)
        commits.append(_git(dest, "rev-parse", "HEAD"))
    log.info("wrote %d commits to %s", len(commits), dest)
    return commits


def _message(name: str) -> str:
    if name == "initial":
        return "Initial import of the object kernel"
    return change(name).summary


def main() -> None:
    """Write the history repository named on the command line."""
    parser = argparse.ArgumentParser(
        description="Write the sample kernel's history as a git repository."
    )
    parser.add_argument("dest", type=Path)
    args = parser.parse_args()
    commits = write_history(args.dest)
    print(f"wrote {len(commits)} commits to {args.dest}")


if __name__ == "__main__":
    main()
