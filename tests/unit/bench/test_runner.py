"""`quod bench`: real subprocess runs, validation, outputs."""

from __future__ import annotations

import json
from pathlib import Path

from quod.bench.runner import Record, par2, validate
from quod.cli.main import main

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "smt"


def test_bench_end_to_end(tmp_path: Path) -> None:
    out = tmp_path / "out"
    code = main(
        ["bench", str(EXAMPLES), "--backends", "z3,cvc5", "--timeout", "20", "--jobs", "2", "--out", str(out)]
    )
    assert code == 0
    doc = json.loads((out / "results.json").read_text())
    recs = doc["records"]
    assert len(recs) == 4
    assert all(r["status"] == r["expected"] for r in recs)
    assert (out / "cactus.png").read_bytes()[:4] == b"\x89PNG"
    assert "Cactus plot" in (out / "report.html").read_text()


def test_validate_flags_wrong_answers_and_disagreements() -> None:
    recs = [
        Record("a.smt2", "f", "z3", "sat", 1.0, expected="sat"),
        Record("a.smt2", "f", "eager", "unsat", 1.0, expected="sat"),
        Record("b.smt2", "f", "z3", "unsat", 1.0),
        Record("b.smt2", "f", "cvc5", "sat", 1.0),
        Record("c.smt2", "f", "z3", "timeout", 10.0, expected="unsat"),
    ]
    problems = validate(recs)
    assert any(p.startswith("WRONG: eager") for p in problems)
    assert sum(p.startswith("DISAGREEMENT") for p in problems) == 2
    assert "WRONG" in recs[1].flags and "WRONG" not in recs[0].flags
    assert recs[4].flags == []


def test_par2_penalizes_unsolved() -> None:
    recs = [Record("a", "f", "z3", "sat", 1.0), Record("b", "f", "z3", "timeout", 10.0)]
    assert par2(recs, 10.0) == (1.0 + 20.0) / 2
