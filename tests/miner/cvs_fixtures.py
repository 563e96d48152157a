"""Build real CVS and RCS repositories for tests, with the real ``cvs`` and ``rcs`` tools.

:class:`CvsRepository` drives ``cvs`` in local mode (init, import, checkout, add, commit,
remove, tag, update), so its ``,v`` files carry real commitids and the real commit times.
:func:`rcs_history` uses ``ci`` with ``-d`` and ``-w`` to write ``,v`` files whose revision
dates and authors a test chooses, which is how the time window is tested without sleeping.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, env={**os.environ, **(env or {})}
    )
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout


@dataclass
class CvsRepository:
    """A CVS repository (``root``) with one module and a working copy of it (``work``)."""

    root: Path
    module: str
    work: Path

    @classmethod
    def create(
        cls,
        base: Path,
        module: str = "mod",
        files: dict[str, bytes] | None = None,
        vendor: str = "VENDOR",
        release: str = "R1",
    ) -> CvsRepository:
        """Create the repository and import ``files`` as the module's first version."""
        root = base / "cvsroot"
        _run(["cvs", "-d", str(root), "init"], base)
        repo = cls(root, module, base / "work")
        repo.vendor_import(files or {"README": b"readme\n"}, "initial import", vendor, release)
        _run(["cvs", "-Q", "-d", str(root), "checkout", "-d", "work", module], base)
        return repo

    def vendor_import(
        self, files: dict[str, bytes], message: str, vendor: str = "VENDOR", release: str = "R2"
    ) -> None:
        """``cvs import`` ``files`` onto the vendor branch (a new release of the vendor's code)."""
        source = self.root.parent / f"import-{release}"
        for name, content in files.items():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            (source / name).write_bytes(content)
        args = ["import", "-m", message, self.module, vendor, release]
        _run(["cvs", "-Q", "-d", str(self.root), *args], source)

    @property
    def location(self) -> Path:
        """The module directory of ``,v`` files, what :class:`CvsSource` reads."""
        return self.root / self.module

    def cvs(self, *args: str) -> str:
        """Run a ``cvs`` command in the working copy."""
        return _run(["cvs", "-Q", "-d", str(self.root), *args], self.work)

    def write(self, name: str, content: bytes) -> None:
        """Write a file of the working copy."""
        (self.work / name).parent.mkdir(parents=True, exist_ok=True)
        (self.work / name).write_bytes(content)

    def add(self, *names: str, binary: bool = False) -> None:
        """Schedule new files (and their directories) for addition."""
        for name in names:
            parts = Path(name).parts
            for depth in range(1, len(parts)):
                directory = "/".join(parts[:depth])
                if not (self.work / directory / "CVS").exists():
                    self.cvs("add", directory)
        self.cvs("add", *(["-kb"] if binary else []), *names)

    def commit(self, message: str, *names: str) -> None:
        """Commit (all changes, or only ``names``) with ``message``."""
        self.cvs("commit", "-m", message, *names)

    def commit_per_directory(self) -> None:
        """Commit everything without ``-m``: CVS asks the editor for a message per directory.

        The editor writes "change in DIR"; it also moves the file's time on, because CVS
        takes an unchanged modification time for an unchanged message.
        """
        editor = self.root.parent / "per-directory-editor.sh"
        editor.write_text(
            "#!/bin/sh\n"
            'sed -n \'s/^CVS: Committing in \\(.*\\)$/change in \\1/p\' "$1" > "$1.new"\n'
            'cat "$1.new" > "$1"\n'
            'touch -d "@$(( $(date +%s) + 5 ))" "$1"\n'
        )
        editor.chmod(0o755)
        subprocess.run(
            ["cvs", "-Q", "-d", str(self.root), "commit"],
            cwd=self.work,
            env={**os.environ, "CVSEDITOR": str(editor)},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            check=True,
        )

    def remove(self, *names: str) -> None:
        """Delete files and schedule their removal."""
        for name in names:
            (self.work / name).unlink()
        self.cvs("remove", *names)


def rcs_history(
    directory: Path, name: str, revisions: list[tuple[bytes, datetime, str, str]]
) -> Path:
    """Write ``directory/name,v`` with ``ci``: one trunk revision per ``(text, date, author, log)``.

    Dates are UTC. Returns the ``,v`` file.
    """
    directory.mkdir(parents=True, exist_ok=True)
    work = directory / name
    for index, (text, date, author, log) in enumerate(revisions):
        work.write_bytes(text)
        args = ["ci", "-q", "-l", f"-d{date:%Y-%m-%d %H:%M:%S}Z", f"-w{author}", f"-m{log}"]
        if index == 0:
            args += ["-i", "-t-test file"]
        _run([*args, name], directory, env={"TZ": "UTC"})
    work.unlink()
    _run(["rcs", "-q", "-u", f"{name},v"], directory)
    return directory / f"{name},v"
