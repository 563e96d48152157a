"""`dsukit demo` runs the whole pipeline on the bundled sample kernel, and again reuses it."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from dsukit import cli


def test_demo_analyses_the_sample_kernel_and_a_rerun_adds_nothing(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    first = CliRunner().invoke(cli, ["demo", "--out", str(out), "--no-replay"])
    assert first.exit_code == 0, first.output
    assert "history: 7 commits" in first.output
    assert "mine: 7 transactions" in first.output
    assert "population: 7" in first.output
    assert "measures 1 / 2 / 3:" in first.output
    assert (
        (out / "dsukit.toml").read_text().startswith("# Study configuration for the sample kernel")
    )

    again = CliRunner().invoke(cli, ["demo", "--out", str(out), "--no-replay"])
    assert again.exit_code == 0, again.output
    assert "history:" not in again.output
    assert "mine: 0 transactions" in again.output
    assert "7 unchanged" in again.output
