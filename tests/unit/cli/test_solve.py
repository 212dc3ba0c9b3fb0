"""`quod solve` end to end through the real CLI entry point."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from quod.cli.main import main

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "smt"


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("backend", ["z3", "cvc5"])
def test_examples_answer_their_status(backend: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["solve", str(EXAMPLES / "scheduling.smt2"), "--backend", backend], capsys)
    assert code == 0
    assert out.splitlines()[0] == "sat"
    assert "(define-fun s1 () Int" in out
    code, out, _ = run(["solve", str(EXAMPLES / "scheduling-too-tight.smt2"), "--backend", backend], capsys)
    assert code == 0 and out.strip() == "unsat"


def test_commands_and_unsat_cores(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "cores.smt2"
    f.write_text(
        "(set-option :produce-unsat-cores true)(set-logic QF_LIA)(declare-const x Int)"
        "(assert (! (> x 0) :named pos))(assert (! (< x 0) :named neg))(assert (! (< x 9) :named small))"
        '(check-sat)(get-unsat-core)(get-model)(echo "done")'
    )
    code, out, _ = run(["solve", str(f)], capsys)
    lines = out.splitlines()
    assert lines[0] == "unsat"
    assert lines[1] == "(pos neg)"
    assert lines[2].startswith("(error ")  # no model after unsat
    assert lines[3] == '"done"'
    assert code == 1  # an (error ...) response makes the exit code non-zero


def test_push_pop_and_get_value(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "inc.smt2"
    f.write_text(
        "(set-logic QF_LIA)(declare-fun x () Int)(assert (>= x 3))(push 1)(assert (< x 3))(check-sat)(pop 1)"
        "(check-sat)(get-value ((+ x 1)))"
    )
    code, out, _ = run(["solve", str(f), "--backend", "cvc5"], capsys)
    lines = out.splitlines()
    assert lines[:2] == ["unsat", "sat"]
    value = int(lines[2].strip("()").split()[-1])
    assert value >= 4
    assert code == 0


@pytest.mark.parametrize(
    "text,where",
    [
        ("(assert (> x 1))", "<stdin>:1:12"),  # unknown symbol x
        ("(declare-fun x () Int)\n(assert (+ x))", "<stdin>:2:9"),
        ("(set-logic NOT_A_LOGIC)", "<stdin>:1:12"),
        ("(declare-fun x () Int)(assert (> x 1)", "<stdin>:1:"),
    ],
)
def test_bad_input_one_line_with_location(text: str, where: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "quod.cli.main", "solve", "-"], input=text, capture_output=True, text=True
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(where), proc.stderr
    assert proc.stdout == ""


def test_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["solve", "/nonexistent/x.smt2"], capsys)
    assert code == 1 and "Q0002" in err


def test_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(
        sys, "stdin", io.StringIO("(declare-const p Bool)(assert (and p (not p)))(check-sat)")
    )
    code, out, _ = run(["solve", "-"], capsys)
    assert code == 0 and out.strip() == "unsat"


CERTIFY = Path(__file__).resolve().parents[3] / "examples" / "certify"


@pytest.mark.parametrize(("name", "status"), [("pigeons.smt2", "unsat"), ("schedule.smt2", "sat")])
def test_certify_then_check(
    name: str, status: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = tmp_path / "cert"
    code, out, err = run(["solve", str(CERTIFY / name), "--certify", str(bundle)], capsys)
    assert (code, out.strip()) == (0, status)
    assert f"quod check {bundle}" in err
    code, out, _ = run(["check", str(bundle)], capsys)
    assert (code, out.strip()) == (0, "verified")


def test_certify_refuses_what_it_cannot_certify(tmp_path: Path) -> None:
    cases = [
        ([str(CERTIFY / "schedule.smt2"), "--backend", "cvc5"], "cannot certify"),
        ([str(CERTIFY / "schedule.smt2"), "--workers", "2"], "--workers"),
        ([str(EXAMPLES.parent / "smtlib" / "incremental.smt2")], "push"),
    ]
    for argv, needle in cases:
        proc = subprocess.run(
            [sys.executable, "-m", "quod", "solve", *argv, "--certify", str(tmp_path / "c")],
            capture_output=True,
            text=True,
        )
        assert proc.returncode == 1
        assert needle in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "c").exists()
