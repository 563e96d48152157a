"""Fixtures that build real git repositories with the real ``git`` command.

:class:`GitRepo` drives ``git`` with a fixed identity and explicit dates, so every repository
(and every commit id) is the same on every run. ``history_repo`` holds one commit of each kind
the miner must handle; ``long_repo`` is 150 commits of C code made with
``git fast-import`` (fast), for incremental and kill-and-resume tests.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

BASE_TIME = 1_100_000_000
GIT_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_AUTHOR_NAME": "Ann Author",
    "GIT_AUTHOR_EMAIL": "ann@example.org",
    "GIT_COMMITTER_NAME": "Carl Committer",
    "GIT_COMMITTER_EMAIL": "carl@example.org",
}


@dataclass
class GitRepo:
    """A git repository under construction, with deterministic commit dates."""

    path: Path
    clock: int = BASE_TIME

    def git(self, *args: str, env: dict[str, str] | None = None) -> str:
        """Run git in the repository and return its stdout."""
        result = subprocess.run(
            ["git", "-C", str(self.path), *args],
            env={**os.environ, **GIT_ENV, **(env or {})},
            capture_output=True,
            check=True,
        )
        return result.stdout.decode("utf-8", "surrogateescape").strip()

    def write(self, name: str | bytes, content: str | bytes) -> None:
        """Write a file (creating directories); names may be raw bytes."""
        target = Path(os.fsdecode(os.path.join(os.fsencode(self.path), os.fsencode(name))))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content.encode() if isinstance(content, str) else content)

    def commit(
        self,
        message: str | bytes,
        tz: str = "+0000",
        author: str | None = None,
        env: dict[str, str] | None = None,
    ) -> str:
        """Stage everything and commit at the next tick of the clock; return the commit id."""
        self.clock += 60
        env = {
            **(env or {}),
            "GIT_AUTHOR_DATE": f"@{self.clock} {tz}",
            "GIT_COMMITTER_DATE": f"@{self.clock} +0000",
        }
        if author:
            env["GIT_AUTHOR_NAME"] = author
        self.git("add", "-A")
        message_file = self.path.parent / f"{self.path.name}.msg"
        message_file.write_bytes(message.encode() if isinstance(message, str) else message)
        self.git("commit", "-q", "--allow-empty", "-F", str(message_file), env=env)
        return self.git("rev-parse", "HEAD")

    def commit_raw(self, message: bytes) -> str:
        """Commit with a message of exactly these bytes (``git commit`` would re-encode them)."""
        self.clock += 60
        self.git("add", "-A")
        tree, parent = self.git("write-tree"), self.git("rev-parse", "HEAD")
        header = (
            f"tree {tree}\nparent {parent}\n"
            f"author Ann Author <ann@example.org> {self.clock} +0000\n"
            f"committer Carl Committer <carl@example.org> {self.clock} +0000\n\n"
        )
        result = subprocess.run(
            ["git", "-C", str(self.path), "hash-object", "-t", "commit", "-w", "--stdin"],
            input=header.encode() + message,
            capture_output=True,
            check=True,
        )
        commit = result.stdout.decode().strip()
        self.git("update-ref", "HEAD", commit)
        return commit

    def merge(self, branch: str, message: str) -> str:
        """Merge ``branch`` into the current branch with a merge commit."""
        self.clock += 60
        env = {
            "GIT_AUTHOR_DATE": f"@{self.clock} +0000",
            "GIT_COMMITTER_DATE": f"@{self.clock} +0000",
        }
        self.git("merge", "-q", "--no-ff", "-m", message, branch, env=env)
        return self.git("rev-parse", "HEAD")


def init_repo(path: Path) -> GitRepo:
    """Create an empty repository whose first branch is ``main``."""
    path.mkdir(parents=True)
    repo = GitRepo(path)
    repo.git("init", "-q", "-b", "main")
    return repo


C_V1 = b"int add(int a, int b)\n{\n\treturn a + b;\n}\n"
C_V2_COMMENT = b"/* add two ints */\nint add(int a, int b)\n{\n    return a + b;\n}\n"
C_V3_REAL = b"/* add two ints */\nint add(int a, int b)\n{\n    return a + b + 1;\n}\n"
BINARY = bytes(range(256)) * 4
LATIN1_PATH = b"docs/caf\xe9.txt"
LATIN1_MESSAGE = b"r\xe9sum\xe9 of the week\n"


@dataclass(frozen=True)
class HistoryRepo:
    """The repository of every kind of change, and the commit id of each step."""

    repo: GitRepo
    commits: dict[str, str]

    @property
    def path(self) -> Path:
        return self.repo.path


def build_history(root: Path) -> HistoryRepo:
    """Build a repository with one commit of each kind the miner must handle."""
    sub = init_repo(root / "sub")
    sub.write("lib.c", "int lib;\n")
    sub_first = sub.commit("sub one")
    repo = init_repo(root / "repo")
    c: dict[str, str] = {}
    repo.write("src/add.c", C_V1)
    repo.write("README", "hello\n")
    repo.write("docs/guide.txt", "one\ntwo\nthree\n")
    c["initial"] = repo.commit("Initial import\n\nThree files.", tz="+0530")
    repo.write("src/add.c", C_V2_COMMENT)
    c["comment"] = repo.commit("Comment and re-indent add()", tz="-0800")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("src/feature.c", "int feature(void) { return 1; }\n")
    c["feature"] = repo.commit("Add feature", author="Bob Branch")
    repo.git("checkout", "-q", "main")
    repo.write("README", "hello\nworld\n")
    c["readme"] = repo.commit("Extend README")
    c["merge"] = repo.merge("feature", "Merge branch feature")
    repo.git("mv", "docs/guide.txt", "docs/manual.txt")
    repo.write("docs/manual.txt", "one\ntwo\nthree\nfour\n")
    c["rename"] = repo.commit("Rename the guide")
    repo.write("src/add.c", C_V3_REAL)
    repo.write("src/add_copy.c", C_V2_COMMENT)
    c["copy"] = repo.commit("Copy add.c and change it")
    repo.git("rm", "-q", "README")
    c["delete"] = repo.commit("Remove README")
    repo.write("img/logo.bin", BINARY)
    c["binary"] = repo.commit("Add a binary file")
    repo.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", str(sub.path), "sub")
    c["submodule"] = repo.commit("Add submodule")
    repo.write(LATIN1_PATH, b"caf\xe9 cr\xe8me\n")
    c["latin1"] = repo.commit_raw(LATIN1_MESSAGE)
    repo.write("docs/notes.txt", "notes\n")
    c["declared_latin1"] = repo.commit(
        LATIN1_MESSAGE, env={"GIT_CONFIG_PARAMETERS": "'i18n.commitEncoding=ISO-8859-1'"}
    )
    c["sub_first"] = sub_first
    return HistoryRepo(repo, c)


@pytest.fixture(scope="session")
def history_repo(tmp_path_factory: pytest.TempPathFactory) -> HistoryRepo:
    """The repository of every kind of change (read-only for tests: copy it to change it)."""
    return build_history(tmp_path_factory.mktemp("history"))


def fast_import_history(path: Path, commits: int, files: int = 4) -> GitRepo:
    """Build ``commits`` commits of C code on ``main`` with ``git fast-import``."""
    repo = init_repo(path)
    stream: list[bytes] = []
    for number in range(commits):
        index = number % files
        body = "".join(
            f"int f{index}_{line}(void) {{ return {line + number}; }}\n" for line in range(30)
        )
        data = body.encode()
        when = BASE_TIME + number * 3600
        stream += [
            b"commit refs/heads/main\n",
            f"committer Ann Author <ann@example.org> {when} +0000\n".encode(),
            f"data <<END\nchange {number}\nEND\n".encode(),
            f"M 100644 inline src/file{index}.c\ndata {len(data)}\n".encode() + data + b"\n",
        ]
    subprocess.run(
        ["git", "-C", str(path), "fast-import", "--quiet"],
        input=b"".join(stream),
        env={**os.environ, **GIT_ENV},
        check=True,
    )
    repo.git("checkout", "-q", "-f", "main")
    return repo


@pytest.fixture
def long_repo(tmp_path: Path) -> GitRepo:
    """A hundred and fifty commits of small C files, one file changed each."""
    return fast_import_history(tmp_path / "long", 150)


def git_diff_hunks(directory: Path, old: bytes, new: bytes) -> bytes:
    """Return the hunks (from the first ``@@``) of ``git diff --no-index`` of two texts."""
    (directory / "old").write_bytes(old)
    (directory / "new").write_bytes(new)
    patch = subprocess.run(
        ["git", "diff", "--no-index", "--no-color", "old", "new"],
        cwd=directory,
        capture_output=True,
        check=False,
    ).stdout
    return patch[patch.index(b"@@") :] if b"@@" in patch else b""
