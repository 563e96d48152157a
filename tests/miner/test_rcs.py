"""Tests of the ``,v`` parser on literal samples, damaged input and real MirOS BSD files."""

from __future__ import annotations

from datetime import datetime

import pytest

from miner.rcs import RcsParseError, parse_date, parse_rcs
from tests.conftest import SHARED_DATA

MIRBSD = SHARED_DATA / "cvs" / "mirbsd" / "src"

SAMPLE = b"""head\t1.2;
branch\t1.1.1;
access;
symbols
\tRELEASE_1:1.2
\tstable:1.1.0.2
\tVENDOR:1.1.1; locks; strict;
comment\t@# @;
expand\t@kv@;
odd-newphrase\tword 1.3 @string@;


1.2
date\t2008.08.01.15.35.13;\tauthor tg;\tstate Exp;
branches;
next\t1.1;
commitid\t10048932D3F5F266E16;

1.1
date\t98.01.02.03.04.05;\tauthor alice;\tstate Exp;
branches
\t1.1.1.1;
next\t;
owner\t640;

1.1.1.1
date\t98.01.02.03.04.05;\tauthor alice;\tstate dead;
branches;
next\t;


desc
@a description@


1.2
log
@second: mail me@@example.org
@
text
@line one
line two has @@ in it
@


1.1
log
@Initial revision
@
hint\t@ignored@;
text
@d2 1
@


1.1.1.1
log
@import@
text
@@
"""


def test_parses_the_admin_header() -> None:
    rcs = parse_rcs(SAMPLE)
    assert rcs.head == "1.2"
    assert rcs.default_branch == "1.1.1"
    assert rcs.symbols == (("RELEASE_1", "1.2"), ("stable", "1.1.0.2"), ("VENDOR", "1.1.1"))
    assert rcs.expand == "kv"


def test_parses_deltas_with_newphrases_and_two_digit_years() -> None:
    rcs = parse_rcs(SAMPLE)
    assert list(rcs.deltas) == ["1.2", "1.1", "1.1.1.1"]
    newest, oldest, vendor = rcs.deltas.values()
    assert newest.date == datetime(2008, 8, 1, 15, 35, 13)
    assert newest.commitid == "10048932D3F5F266E16"
    assert newest.next == "1.1"
    assert oldest.date == datetime(1998, 1, 2, 3, 4, 5)
    assert oldest.branches == ("1.1.1.1",)
    assert oldest.next is None and oldest.commitid is None
    assert vendor.state == "dead"


def test_unescapes_strings_and_skips_deltatext_newphrases() -> None:
    rcs = parse_rcs(SAMPLE)
    assert rcs.texts["1.2"].log == b"second: mail me@example.org\n"
    assert rcs.texts["1.2"].text == b"line one\nline two has @ in it\n"
    assert rcs.texts["1.1"].text == b"d2 1\n"
    assert rcs.texts["1.1.1.1"].log == b"import"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (SAMPLE[: SAMPLE.index(b"line two")], "unterminated @-string"),
        (SAMPLE[: SAMPLE.index(b"desc")], "unexpected end of file before 'desc'"),
        (b"\x89PNG\r\n\x1a\n\x00\x00binary", "not an RCS file"),
        (b"", "not an RCS file"),
        (SAMPLE.replace(b"next\t1.1;", b"next\t1.9;"), "points to revision 1.9"),
        (SAMPLE.replace(b"date\t2008.08.01.15.35.13;", b"date\t2008.08;"), "malformed date"),
    ],
    ids=["truncated-text", "truncated-deltas", "binary", "empty", "dangling-next", "bad-date"],
)
def test_damaged_files_raise_with_a_clear_message(data: bytes, message: str) -> None:
    with pytest.raises(RcsParseError, match=message):
        parse_rcs(data)


def test_errors_name_the_byte_offset() -> None:
    truncated = SAMPLE[: SAMPLE.index(b"line two")]
    with pytest.raises(RcsParseError) as caught:
        parse_rcs(truncated)
    assert caught.value.offset == SAMPLE.index(b"@line one")
    assert f"at byte {caught.value.offset}" in str(caught.value)


def test_a_repeated_delta_text_is_reported_and_the_first_kept() -> None:
    repeated = SAMPLE + b"\n\n1.1\nlog\n@again@\ntext\n@something else@\n"
    rcs = parse_rcs(repeated)
    assert rcs.texts["1.1"].text == b"d2 1\n"
    assert len(rcs.problems) == 1 and "second delta text of revision 1.1" in rcs.problems[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2008.08.01.15.35.13", datetime(2008, 8, 1, 15, 35, 13)),
        ("99.12.31.23.59.59", datetime(1999, 12, 31, 23, 59, 59)),
    ],
)
def test_parse_date(text: str, expected: datetime) -> None:
    assert parse_date(text) == expected


@pytest.mark.skipif(not MIRBSD.exists(), reason="needs ../shared/data/cvs/mirbsd")
def test_parses_every_real_mirbsd_file_or_names_why_not() -> None:
    failures = {}
    files = sorted(MIRBSD.rglob("*,v"))
    for path in files:
        try:
            rcs = parse_rcs(path.read_bytes())
        except RcsParseError as error:
            failures[path.relative_to(MIRBSD).as_posix()] = str(error)
            continue
        assert rcs.head in rcs.deltas
    assert len(files) == 625
    # Files that were symbolic links in the real repository arrive as their link text.
    assert set(failures) == {
        "bin/mksh/mirhash.h,v",
        "bin/pax/.linked/reallocarray.inc,v",
        "bin/pax/.linked/strlfun.inc,v",
        "bin/pax/.linked/strmode.inc,v",
        "bin/pax/.linked/strtonum.inc,v",
    }
    assert all("not an RCS file" in reason for reason in failures.values())


@pytest.mark.skipif(not MIRBSD.exists(), reason="needs ../shared/data/cvs/mirbsd")
def test_real_file_with_commitids_and_vendor_branch() -> None:
    rcs = parse_rcs((MIRBSD / "kern/include/zlib.h,v").read_bytes())
    assert len(rcs.deltas) == 17
    assert any(delta.commitid for delta in rcs.deltas.values())
    assert any(number.count(".") == 3 for number in rcs.deltas)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (SAMPLE.replace(b"branches\n\t1.1.1.1;", b"branches\n\t1.2;"), "do not form a tree"),
        (SAMPLE.replace(b"next\t;\nowner", b"next\t1.1.1.1;\nowner"), "do not form a tree"),
        (SAMPLE.replace(b"1.1.1.1\ndate", b"one.two\ndate"), "revision 1.1 has 'author' twice"),
    ],
    ids=["branch-to-head", "shared-target", "not-a-number"],
)
def test_links_that_do_not_form_a_tree_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(RcsParseError, match=message):
        parse_rcs(data)
