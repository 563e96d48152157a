"""Opening sources by location: git or CVS detection, bad paths, cached sources for read-back."""

from __future__ import annotations

import pytest

from miner.git_source import GitSource
from miner.models import Repository
from miner.options import MineOptions
from miner.source_errors import NotARepository
from miner.sources import UnknownSourceKind, detect_kind, open_source, source_for


def test_git_repository_is_detected(history_repo) -> None:
    assert detect_kind(history_repo.path) == "git"
    assert isinstance(open_source(history_repo.path), GitSource)


@pytest.mark.parametrize("layout", ["module/file.c,v", "CVSROOT/history", "dir/Attic/x"])
def test_cvs_directory_is_detected(tmp_path, layout: str) -> None:
    target = tmp_path / "repo" / layout
    target.parent.mkdir(parents=True)
    target.write_text("head 1.1;\n")
    assert detect_kind(tmp_path / "repo") == "cvs"


def test_neither_git_nor_cvs(tmp_path) -> None:
    (tmp_path / "notes.txt").write_text("hello\n")
    with pytest.raises(NotARepository, match=f"{tmp_path} is neither a git repository nor a CVS"):
        open_source(tmp_path)


def test_a_file_is_not_a_repository(tmp_path) -> None:
    (tmp_path / "f").write_text("x")
    with pytest.raises(NotARepository, match="is a file, not a git or CVS repository"):
        open_source(tmp_path / "f")


def test_unknown_kind(history_repo) -> None:
    with pytest.raises(UnknownSourceKind, match="unknown source kind 'svn'"):
        open_source(history_repo.path, "svn")


def test_sources_for_repository_rows_are_opened_once(history_repo) -> None:
    options = MineOptions(paths=("src/",))
    row = Repository(kind="git", location=str(history_repo.path), options=options.to_json())
    again = Repository(kind="git", location=str(history_repo.path), options=options.to_json())
    source = source_for(row)
    assert source is source_for(again)
    assert isinstance(source, GitSource) and source.options == options


def test_options_survive_json(history_repo) -> None:
    from datetime import datetime

    options = MineOptions(refs=("main", "feature"), since=datetime(2004, 1, 2, 3, 4, 5),
                          paths=("/src/",), window_seconds=300, fixed_window=True)  # fmt: skip
    assert MineOptions.from_json(options.to_json()) == options
    assert options.paths == ("src/",)
