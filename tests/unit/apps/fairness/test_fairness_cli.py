"""`quod fairness ...` end to end through the CLI dispatcher."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from quod.apps.fairness.synthetic import BASE_MODEL, FIX_C, classification
from quod.cli.main import main


def _jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    recs = classification(1200, 5)
    for r in recs:
        r["prediction"] = int(r["x1"] >= 0.5)
    out = {
        "eval": _jsonl(tmp_path / "eval.jsonl", recs),
        "holdout": _jsonl(tmp_path / "h.jsonl", classification(1200, 1)),
        "audit": _jsonl(tmp_path / "a.jsonl", classification(1200, 2)),
        "base": tmp_path / "base.json",
        "sub": tmp_path / "sub.json",
        "groups": tmp_path / "groups.json",
    }
    out["base"].write_text(json.dumps(BASE_MODEL))
    c = {"name": "c", "where": {"field": "region", "equals": "c"}, "provenance": "self-reported"}
    out["sub"].write_text(json.dumps({"submitter": "alice", "group": c, "model": FIX_C}))
    out["groups"].write_text(
        json.dumps({"groups": [c, {"name": "older", "where": {"field": "age", "range": [60, None]}}]})
    )
    return out


def test_eval_writes_reports(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    html, js = tmp_path / "r.html", tmp_path / "r.json"
    args = [
        "fairness",
        "eval",
        str(files["eval"]),
        "--group-by",
        "region",
        "--html",
        str(html),
        "--json",
        str(js),
    ]
    assert main([*args, "--n-boot", "200"]) == 0
    assert "region=c" in capsys.readouterr().out
    assert html.read_text().startswith("<!DOCTYPE html>")
    assert (
        main(["fairness", "eval", str(files["eval"]), "--groups", str(files["groups"]), "--n-boot", "200"])
        == 0
    )
    assert (
        main(["fairness", "eval", str(files["eval"]), "--group-by", "region", "--fail-if-gap-above", "0.2"])
        == 3
    )
    assert main(["fairness", "lastmile", str(js), str(files["eval"]), "--condition", "region"]) == 0


def test_bad_input_is_one_line_with_location(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"region": "a", "label": 1, "prediction": 1}\n{"region": "b", "label": 1\n')
    assert main(["fairness", "eval", str(bad), "--group-by", "region"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "bad.jsonl:2:" in err and "Q1001" in err
    groups = tmp_path / "g.json"
    groups.write_text(json.dumps({"groups": [{"name": "x", "where": {"field": "region", "is": "a"}}]}))
    ok = tmp_path / "ok.jsonl"
    ok.write_text('{"region": "a", "label": 1, "prediction": 1}\n')
    assert main(["fairness", "eval", str(ok), "--groups", str(groups)]) == 1
    assert "$.groups[0].where: unknown predicate key(s) ['is']" in capsys.readouterr().err
    assert main(["fairness", "eval", str(ok)]) == 1  # neither --group-by nor --groups


def test_bounty_workflow(files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = str(tmp_path / "bounty")
    init = ["fairness", "bounty", "init", d, "--base", str(files["base"]), "--holdout", str(files["holdout"])]
    assert main([*init, "--audit", str(files["audit"]), "--n-boot", "300"]) == 0
    assert main(["fairness", "bounty", "submit", d, str(files["sub"])]) == 0
    reply = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert reply["decision"] == "accepted" and "err_f" not in reply
    assert main(["fairness", "bounty", "merge", d]) == 0
    assert "merged" in capsys.readouterr().out
    assert main(["fairness", "bounty", "log", d, "--head"]) == 0
    head = capsys.readouterr().out.strip()
    assert main(["fairness", "bounty", "verify", d, "--head", head]) == 0
    out = tmp_path / "pred.jsonl"
    assert main(["fairness", "bounty", "predict", d, str(files["eval"]), "--out", str(out)]) == 0
    assert len(out.read_text().splitlines()) == 1200
    ledger = tmp_path / "bounty" / "ledger.jsonl"
    ledger.write_text(ledger.read_text().replace('"alice"', '"mallory"'))
    assert main(["fairness", "bounty", "verify", d]) == 1
    assert "problem:" in capsys.readouterr().err


def test_bench_preset_reads_the_bench_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = ["file,family,backend,status,time,expected,flags,note"]
    for fam, solved in (("jobshop", 4), ("fischer", 12)):
        for i in range(12):
            status = "sat" if i < solved else "timeout"
            lines.append(f"{fam}{i}.smt2,{fam},z3,{status},{1.5 + i:.3f},sat,,")
    csv = tmp_path / "results.csv"
    csv.write_text("\n".join(lines) + "\n")
    md = tmp_path / "bench.md"
    assert main(["fairness", "eval", str(csv), "--preset", "bench", "--min-n", "5", "--md", str(md)]) == 0
    out = capsys.readouterr().out
    assert "z3: solved rate by family" in out and "family=jobshop" in out
    assert (tmp_path / "bench-z3.md").exists()
