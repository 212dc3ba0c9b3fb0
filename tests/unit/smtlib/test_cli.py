"""`python -m quod.smtlib` / `quod smtlib`."""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

import pytest

from quod.smtlib.cli import main, register

GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "smtlib"


def test_summary_lines_and_exit_status(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(GOLDEN / "arith.smt2"), str(GOLDEN / "lets.smt2")]) == 0
    out = capsys.readouterr().out
    assert "arith.smt2: 14 commands, 5 assertions, logic QF_LIRA, status sat" in out
    assert "2 of 2 files parsed" in out


def test_errors_are_one_line_with_location(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(GOLDEN / "errors")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == len(list((GOLDEN / "errors").glob("*.smt2")))
    assert all(":" in line and "error[Q02" in line for line in err)


def test_print_gives_the_normalised_script(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--print", str(GOLDEN / "lets.smt2")]) == 0
    assert capsys.readouterr().out == (GOLDEN / "lets.expected").read_text()


def test_stdin_and_roundtrip(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("(declare-const x Int)(assert (> x 0))"))
    assert main(["--roundtrip", "-"]) == 0
    assert "-: 2 commands, 1 assertions" in capsys.readouterr().out


def test_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main([str(tmp_path / "none.smt2")]) == 1
    assert "error[Q0002]" in capsys.readouterr().err


def test_register_adds_a_subcommand() -> None:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    args = parser.parse_args(["smtlib", "--quiet", "x.smt2"])
    assert args.quiet and args.paths == ["x.smt2"] and callable(args.func)
