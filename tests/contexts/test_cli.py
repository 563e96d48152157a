"""``dsukit contexts-of``: the context of every line of one file, as the stage would see it."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from dsukit import cli

SOURCE = """\
class FCMFile : public FCMCommon {
__xpublic:
    virtual SysStatus getFrame(__in uval addr);
};
SysStatus FCMFile::getFrame(uval addr)
{
#if 0
    old();
#endif
    return addr;
}
"""


def test_contexts_of_prints_every_line(tmp_path: Path) -> None:
    path = tmp_path / "FCMFile.C"
    path.write_text(SOURCE)
    result = CliRunner().invoke(cli, ["contexts-of", str(path)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == SOURCE.count("\n")
    assert lines[2] == "3\tclass\tFCMFile"
    assert lines[5] == "6\tfunction\tFCMFile::getFrame"
    assert lines[7] == "8\tglobal\t<global>\tnot-code"
    assert "0.0% in parse errors" in result.stderr


def test_contexts_of_needs_a_language(tmp_path: Path) -> None:
    path = tmp_path / "README"
    path.write_text("text\n")
    result = CliRunner().invoke(cli, ["contexts-of", str(path)])
    assert result.exit_code != 0
    assert "no known language" in result.output
