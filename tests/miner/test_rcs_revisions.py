"""Tests of revision text reconstruction, checked against RCS's own ``co`` on real files."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from miner.rcs import parse_rcs
from miner.rcs_revisions import (
    RevisionError,
    RevisionTexts,
    apply_edit_script,
    check_revisions,
    collapse_keywords,
    edited_length,
    split_lines,
)
from tests.conftest import SHARED_DATA

MIRBSD = SHARED_DATA / "cvs" / "mirbsd" / "src"
REAL_FILES = [
    "kern/c/Makefile.inc,v",  # 32 revisions, trunk and a release branch, $MirOS$ keywords
    "kern/include/zlib.h,v",  # vendor branch 1.1.117 on top of trunk changes
    "bin/pax/ar_io.c,v",  # vendor branch 1.1.1 and a local branch from it (1.1.1.9.2.x)
    "bin/rm/rm.c,v",  # OpenBSD import, later local changes
    "bin/ed/test/ascii.d,v",  # a NUL byte
    "bin/mksh/mksh.ico,v",  # expand @b@, binary
]


def _co(path: Path, revision: str) -> bytes:
    result = subprocess.run(
        ["co", "-q", "-p", "-ko", f"-r{revision}", str(path)], capture_output=True, check=True
    )
    return result.stdout


@pytest.mark.skipif(not MIRBSD.exists(), reason="needs ../shared/data/cvs/mirbsd")
@pytest.mark.parametrize("name", REAL_FILES)
@pytest.mark.parametrize("budget", [1_000_000, 50], ids=["all-cached", "checkpoints"])
def test_every_revision_matches_co(name: str, budget: int) -> None:
    path = MIRBSD / name
    texts = RevisionTexts(parse_rcs(path.read_bytes()), max_cached_lines=budget)
    for revision in sorted(texts.rcs.deltas, key=lambda r: [int(p) for p in r.split(".")]):
        if texts.rcs.deltas[revision].state == "dead":
            continue
        assert texts.text(revision) == _co(path, revision), f"{name} {revision}"


@pytest.mark.parametrize(
    ("source", "script", "expected"),
    [
        (b"a\nb\nc\n", b"d2 1\n", b"a\nc\n"),
        (b"a\nb\nc\n", b"a3 2\nx\ny\n", b"a\nb\nc\nx\ny\n"),
        (b"a\nb\nc\n", b"a0 1\nfirst\n", b"first\na\nb\nc\n"),
        (b"a\nb\nc\n", b"d1 1\na1 1\nB\nd3 1\n", b"B\nb\n"),
        (b"a\nb", b"d2 1\na2 1\nno newline", b"a\nno newline"),
        (b"a\rb\nc\n", b"d2 1\n", b"a\rb\n"),
        (b"", b"a0 2\nx\ny\n", b"x\ny\n"),
    ],
    ids=["delete", "append-end", "prepend", "replace", "no-final-newline", "lone-cr", "empty"],
)
def test_apply_edit_script(source: bytes, script: bytes, expected: bytes) -> None:
    lines = apply_edit_script(split_lines(source), script)
    assert b"".join(lines) == expected
    assert edited_length(len(split_lines(source)), script) == len(split_lines(expected))


@pytest.mark.parametrize(
    "script",
    [b"d4 1\n", b"x1 1\n", b"a1 3\nonly one\n", b"d2 1\nd1 1\n", b"a9 1\nx\n"],
    ids=["delete-past-end", "unknown-command", "short-add", "out-of-order", "add-past-end"],
)
def test_bad_edit_scripts_raise(script: bytes) -> None:
    with pytest.raises(ValueError):
        apply_edit_script(split_lines(b"a\nb\nc\n"), script)
    with pytest.raises(ValueError):
        edited_length(3, script)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (b"/* $Id: foo.c,v 1.3 2007/02/06 18:58:06 tg Exp $ */\n", b"/* $Id$ */\n"),
        (b"$MirOS: src/kern/Makefile.inc,v 1.4 2008/08/01 14:43:45 tg Exp $\n", b"$MirOS$\n"),
        (b"$OpenBSD: rm.c,v 1.18 2005/06/14 19:15:35 millert Exp $", b"$OpenBSD$"),
        (
            b'__RCSID("$MirOS: src/gen/setmode.c,v 1.10+1 2008/04/19 tg Exp $");',
            b'__RCSID("$MirOS$");',
        ),
        (b".Dd $Mdocdate: May 31 2007 $\n", b".Dd $Mdocdate$\n"),
        (b"$Revision: 1.2 $ and $Date: 2001/01/01 10:00:00 $", b"$Revision$ and $Date$"),
        (b"$Id$ stays", b"$Id$ stays"),
        (b"echo $HOME: not a keyword $", b"echo $HOME: not a keyword $"),
        (b"cost: $5 and $6", b"cost: $5 and $6"),
    ],
)
def test_collapse_keywords(text: bytes, expected: bytes) -> None:
    assert collapse_keywords(text) == expected


def _two_revision_file(older_script: bytes) -> bytes:
    return (
        b"head 1.2; access; symbols; locks; strict;\n"
        b"1.2 date 2001.01.01.00.00.02; author a; state Exp; branches; next 1.1;\n"
        b"1.1 date 2001.01.01.00.00.01; author a; state Exp; branches 1.1.2.1; next;\n"
        b"1.1.2.1 date 2001.01.01.00.00.03; author a; state Exp; branches; next;\n"
        b"desc @@\n"
        b"1.2 log @two@ text @a\nb\n@\n"
        b"1.1 log @one@ text @" + older_script + b"@\n"
        b"1.1.2.1 log @branch@ text @a1 1\nc\n@\n"
    )


def test_texts_of_trunk_and_branch() -> None:
    texts = RevisionTexts(parse_rcs(_two_revision_file(b"d2 1\n")))
    assert texts.text("1.2") == b"a\nb\n"
    assert texts.text("1.1") == b"a\n"
    assert texts.text("1.1.2.1") == b"a\nc\n"
    assert check_revisions(texts.rcs) == {}


def test_a_corrupt_delta_names_the_revision_and_byte() -> None:
    data = _two_revision_file(b"d7 1\n")
    rcs = parse_rcs(data)
    unsound = check_revisions(rcs)
    assert set(unsound) == {"1.1", "1.1.2.1"}  # the branch is built from the corrupt 1.1
    offset = data.index(b"@d7 1")
    assert f"revision 1.1 (byte {offset})" in unsound["1.1"]
    assert unsound["1.1.2.1"] == unsound["1.1"]
    texts = RevisionTexts(rcs)
    assert texts.text("1.2") == b"a\nb\n"
    with pytest.raises(RevisionError, match="revision 1.1 "):
        texts.text("1.1.2.1")
