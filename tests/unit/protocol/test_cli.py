from __future__ import annotations

import json
from pathlib import Path

from quod.cli.main import main

from .conftest import EXAMPLES

TPC = str(EXAMPLES / "two_phase_commit.py")


def test_check_exit_codes_and_report(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    rep = tmp_path / "r.json"
    assert main(["protocol", "check", TPC, "-q", "--report", str(rep)]) == 0
    doc = json.loads(rep.read_text())
    assert doc["result"] == "ok" and doc["statistics"]["distinct_states"] > 0
    assert main(["protocol", "check", TPC, "--model", "TwoPhaseCommitBuggy", "-q", "--report", str(rep)]) == 1
    doc = json.loads(rep.read_text())
    assert doc["result"] == "violation" and doc["violations"][0]["trace"][0]["action"] == "init"
    out = capsys.readouterr().out
    assert "violation (invariant)" in out


def test_prove_simulate_monitor(tmp_path: Path) -> None:
    cert = tmp_path / "c.smt2"
    assert main(["protocol", "prove", TPC, "-q", "-p", "N=2", "--certificate", str(cert)]) == 0
    assert cert.read_text().count("(check-sat)") >= 3
    sched = tmp_path / "s.json"
    args = ["protocol", "simulate", TPC, "--model", "TwoPhaseCommitBuggy", "-q", "--seed", "3"]
    assert main([*args, "--schedule-out", str(sched)]) == 1
    assert main(["protocol", "simulate", TPC, "--replay", str(sched), "-q"]) == 1
    logs = EXAMPLES / "logs"
    cfg = ["--config", str(logs / "monitor.json")]
    assert main(["protocol", "monitor", TPC, str(logs / "2pc_good.jsonl"), *cfg]) == 0
    assert main(["protocol", "monitor", TPC, str(logs / "2pc_bad.jsonl"), *cfg]) == 1


def test_bad_input_is_one_line_error(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "m.py"
    bad.write_text("from quod.protocol import Protocol\nclass M(Protocol):\n    def init(self)\n")
    assert main(["protocol", "check", str(bad)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "m.py:3:" in err[0] and "Q0701" in err[0]
    assert main(["protocol", "check", str(tmp_path / "missing.py")]) == 1
    assert main(["protocol", "check", TPC, "-p", "N=x"]) == 1
    assert main(["protocol", "check", TPC, "--model", "Nope"]) == 1
