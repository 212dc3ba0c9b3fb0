"""`quod policy` end to end: exit codes, JSON output, errors, evidence bundles and tampering."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from quod.cli.main import main

GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "policy"


def write(tmp: Path, name: str, doc: Any) -> str:
    p = tmp / name
    p.write_text(json.dumps(doc) if not isinstance(doc, str) else doc)
    return str(p)


def case_policy(tmp: Path, case: str, i: int = 0) -> str:
    doc = json.loads((GOLDEN / f"{case}.json").read_text())["policies"][i]
    return write(tmp, f"{case}-{i}.json", doc)


def test_public_exit_codes_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["policy", "public", case_policy(tmp_path, "public_anonymous_read"), "--json"]) == 4
    out = json.loads(capsys.readouterr().out)
    assert out["verdict"] == "public"
    w = out["outcomes"][0]["checks"][0]["witness"]
    assert w["principal"] == "anonymous"
    assert main(["policy", "public", case_policy(tmp_path, "public_ip_restricted")]) == 0
    assert "NOT PUBLIC" in capsys.readouterr().out


def test_witness_feeds_back_into_can(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pol = case_policy(tmp_path, "public_partial_deny")
    main(["policy", "public", pol, "--json"])
    w = json.loads(capsys.readouterr().out)["outcomes"][0]["checks"][0]["witness"]
    req = write(tmp_path, "req.json", w)
    assert main(["policy", "can", pol, "--request", req]) == 0
    text = capsys.readouterr().out
    assert "ALLOWED" in text and "encoding agrees" in text


def test_can_with_flags(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pol = case_policy(tmp_path, "public_ip_restricted")
    args = ["policy", "can", pol, "--principal", "anonymous", "--action", "S3:GetObject",
            "--resource", "arn:aws:s3:::examplebucket/k"]  # fmt: skip
    assert main([*args, "--context", "aws:SourceIp=203.0.113.5"]) == 0
    assert main([*args, "--context", "aws:SourceIp=198.51.100.1", "--json"]) == 4
    capsys.readouterr()
    assert main(["policy", "can", pol, "--action", "s3:x"]) == 1
    assert "--principal" in capsys.readouterr().err


def test_compare_and_fail_if(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, b = (
        case_policy(tmp_path, "compare_overlapping_deny", 0),
        case_policy(tmp_path, "compare_overlapping_deny", 1),
    )
    assert main(["policy", "compare", a, b]) == 0
    text = capsys.readouterr().out
    assert "MORE PERMISSIVE" in text and "allowed by A, denied by B" in text
    assert main(["policy", "compare", a, b, "--fail-if", "more-permissive,incomparable"]) == 4
    assert main(["policy", "compare", a, b, "--engine", "automata"]) == 0
    assert "certified" in capsys.readouterr().out or True


def test_automata_engine_refuses_conditions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = case_policy(tmp_path, "compare_numeric_boundary", 0)
    b = case_policy(tmp_path, "compare_numeric_boundary", 1)
    assert main(["policy", "compare", a, b, "--engine", "automata"]) == 1
    assert "Q0804" in capsys.readouterr().err
    assert main(["policy", "compare", a, b, "--engine", "auto"]) == 0


def test_unknown_is_exit_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = case_policy(tmp_path, "compare_reading_dependent", 0)
    b = case_policy(tmp_path, "compare_reading_dependent", 1)
    assert main(["policy", "compare", a, b]) == 3
    assert "depends on how AWS expands" in capsys.readouterr().out


def test_bad_policy_is_one_line_with_location(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = write(
        tmp_path,
        "bad.json",
        '{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*",\n "Conditon": {}}]}',
    )
    assert main(["policy", "public", p]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "bad.json:2:2: error[Q0802]: $.Statement[0].Conditon" in err
    assert "did you mean 'Condition'" in err
    assert main(["policy", "public", str(tmp_path / "missing.json")]) == 1
    assert "Q0002" in capsys.readouterr().err


def test_validate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = case_policy(tmp_path, "public_anonymous_read")
    lines = [
        json.dumps({"name": "ok", "document": {"Statement": []}}),
        json.dumps({"name": "bad", "document": {"Statement": 3}}),
    ]
    jl = write(tmp_path, "c.jsonl", "\n".join(lines))
    assert main(["policy", "validate", good]) == 0
    assert main(["policy", "validate", good, jl, "-q"]) == 1
    out = capsys.readouterr()
    assert "c.jsonl:2 (bad)" in out.out and "2 valid, 1 rejected" in out.err


def _bundle(tmp_path: Path, case: str, *extra: str) -> tuple[Path, dict[str, Any]]:
    b = tmp_path / f"{case}.bundle.json"
    data = json.loads((GOLDEN / f"{case}.json").read_text())
    pols = [write(tmp_path, f"{case}-{i}.json", d) for i, d in enumerate(data["policies"])]
    cmd = ["policy", data["query"], *pols, "--evidence", str(b), *extra]
    main(cmd)
    return b, json.loads(b.read_text())


def _verify(path: Path, data: dict[str, Any] | None = None, *flags: str) -> int:
    if data is not None:
        path.write_text(json.dumps(data))
    return main(["policy", "audit-verify", str(path), *flags])


@pytest.mark.parametrize(
    "case", ["public_anonymous_read", "public_ip_restricted", "compare_overlapping_deny"]
)
def test_bundle_verifies(tmp_path: Path, case: str, capsys: pytest.CaptureFixture[str]) -> None:
    path, data = _bundle(tmp_path, case, "--proof")
    assert _verify(path) == 0
    assert "bundle VERIFIED" in capsys.readouterr().out
    assert data["solvers"]["cvc5"] and data["policies"][0]["sha256"]


def test_automata_bundle_verifies_and_rejects_a_forged_certificate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, data = _bundle(tmp_path, "compare_overlapping_deny", "--engine", "automata")
    assert data["engine"] == "automata"
    assert _verify(path) == 0
    unsat = next(c for c in data["checks"] if c["status"] == "unsat")
    edges = unsat["automata"]["certificate"]["fields"]["action"]["edges"]
    k = next(i for i, e in enumerate(edges) if e)
    ch = next(iter(edges[k]))
    edges[k][ch] = 0 if edges[k][ch] else 1
    assert _verify(path, data) == 1
    assert "FAIL" in capsys.readouterr().out


def test_tampering_is_detected(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, data = _bundle(tmp_path, "public_partial_deny")
    # a witness that the evaluator rejects
    forged = json.loads(json.dumps(data))
    forged["checks"][0]["witness"]["resource"] = "arn:aws:s3:::examplebucket/private/x"
    assert _verify(path, forged) == 1
    # a changed policy text no longer matches its hash
    forged = json.loads(json.dumps(data))
    forged["policies"][0]["text"] = forged["policies"][0]["text"].replace("private", "secret")
    assert _verify(path, forged) == 1
    # a claimed verdict the answers do not support
    forged = json.loads(json.dumps(data))
    forged["verdict"] = "not-public"
    assert _verify(path, forged) == 1
    # the SMT-LIB of another question
    path2, data2 = _bundle(tmp_path, "public_ip_restricted")
    forged = json.loads(json.dumps(data2))
    forged["checks"][0]["smtlib_sha256"] = data["checks"][0]["smtlib_sha256"]
    assert _verify(path2, forged) == 1
    # an unsat claim on a question that is sat: the solvers are re-run
    forged = json.loads(json.dumps(data))
    forged["checks"][0]["status"] = "unsat"
    forged["verdict"] = "not-public"
    assert _verify(path, forged) == 1
    assert _verify(path, data) == 0
    capsys.readouterr()


def test_malformed_bundle(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = write(tmp_path, "b.json", "{not json")
    assert main(["policy", "audit-verify", p]) == 1
    assert "Q0806" in capsys.readouterr().err
    p = write(tmp_path, "b2.json", {"format": "other"})
    assert main(["policy", "audit-verify", p]) == 1
