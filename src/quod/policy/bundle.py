"""Evidence bundles: everything an auditor needs to re-check a verdict.

A bundle (JSON) holds the policies (text and SHA-256), the options, the
solver versions, the verdict and, per question: the SMT-LIB script and its
hash, what each solver answered, and the evidence: a witness request (sat),
or the second solver's agreement and optionally cvc5's proof (unsat), or the
automata problem and certificate (automata engine).

`verify_bundle` trusts nothing in the bundle except the policy texts:

1. the policy hashes match and the policies parse;
2. the questions rebuilt from the policies print to the stored SMT-LIB
   (so the stored script really is the question about these policies);
3. every witness is re-checked by the concrete evaluator;
4. every unsat answer is re-derived by running cvc5 and z3 again (unless
   --no-solve), and every automata certificate is re-checked by the kernel;
5. the verdict recomputed from the re-checked answers equals the stored one.

A stored cvc5 proof is hashed and kept for a proof checker (cvc5's Ethos);
quod does not check it itself and says so.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from quod import __version__
from quod.core.errors import QuodError
from quod.kernel.automata import CertificateError, check_containment
from quod.policy.errors import PolicyError
from quod.policy.evaluate import Indeterminate
from quod.policy.model import Policy
from quod.policy.parse import parse_policy
from quod.policy.patterns import Reading
from quod.policy.queries import (
    IDENTITY_REASON,
    NOT_PUBLIC,
    Question,
    Result,
    combine_outcomes,
    compare_questions,
    compare_verdict,
    public_questions,
    public_verdict,
)
from quod.policy.requests import request_from_json
from quod.policy.solve import SAT, UNKNOWN, UNSAT, SolveOptions, sha256, smtlib_script

FORMAT = "quod-policy-evidence/1"


def solver_versions() -> dict[str, str]:
    out = {}
    try:
        from quod.backends.cvc5 import cvc5_version

        out["cvc5"] = cvc5_version()
    except Exception as e:  # a missing solver is recorded, not fatal
        out["cvc5"] = f"unavailable ({e})"
    try:
        from quod.backends.z3 import z3_version

        out["z3"] = z3_version()
    except Exception as e:
        out["z3"] = f"unavailable ({e})"
    return out


def build_bundle(result: Result, opts: SolveOptions, extra: dict[str, Any]) -> dict[str, Any]:
    checks = []
    for o in result.outcomes:
        for c in o.checks:
            d: dict[str, Any] = {
                "question": c.name.split("[")[0],
                "reading": str(o.reading),
                "status": c.status,
                "runs": [r.to_json() for r in c.runs],
                "note": c.note,
            }
            if c.assertions:
                text = c.smtlib()
                d["smtlib"], d["smtlib_sha256"] = text, sha256(text)
            if c.second is not None:
                d["second_solver"] = c.second.to_json()
            if c.witness is not None:
                d["witness"] = c.witness.to_json()
            if c.proof is not None:
                d["proof"] = {"solver": c.proof_solver, "format": "cvc5 proof (cpc)", "sha256": sha256(c.proof),
                              "text": c.proof}  # fmt: skip
            if c.certificate is not None:
                d["automata"] = {"problem": c.problem, "certificate": c.certificate}
            checks.append(d)
    return {
        "format": FORMAT,
        "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "quod_version": __version__,
        "query": result.query,
        "engine": result.options.get("engine", "smt"),
        "options": {"solvers": list(opts.solvers), "timeout": opts.timeout, **extra},
        "solvers": solver_versions(),
        "policies": [{"source": p.source, "sha256": sha256(p.text), "text": p.text} for p in result.policies],
        "verdict": result.verdict,
        "reason": result.reason,
        "checks": checks,
    }


def write_bundle(path: str | Path, result: Result, opts: SolveOptions, extra: dict[str, Any]) -> None:
    Path(path).write_text(json.dumps(build_bundle(result, opts, extra), indent=1) + "\n", encoding="utf-8")


# -- verification -------------------------------------------------------------------


@dataclass
class AuditReport:
    items: list[tuple[bool, str]] = field(default_factory=list)
    verdict: str = ""

    @property
    def ok(self) -> bool:
        return bool(self.items) and all(ok for ok, _ in self.items)

    def add(self, ok: bool, msg: str) -> None:
        self.items.append((ok, msg))

    def render(self) -> str:
        lines = [f"{'ok  ' if ok else 'FAIL'} {msg}" for ok, msg in self.items]
        lines.append(f"bundle {'VERIFIED' if self.ok else 'NOT VERIFIED'}: verdict {self.verdict}")
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "verdict": self.verdict,
            "items": [{"ok": o, "message": m} for o, m in self.items],
        }


def _bad(msg: str) -> QuodError:
    return PolicyError(msg, code="Q0806")


def _load(path: str | Path) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as e:
        raise PolicyError(f"cannot read bundle: {e}", code="Q0002") from e
    except json.JSONDecodeError as e:
        raise _bad(f"bundle is not JSON (line {e.lineno} column {e.colno}: {e.msg})") from e
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise _bad(f"not a {FORMAT} bundle")
    for k in ("query", "policies", "verdict", "checks"):
        if k not in data:
            raise _bad(f"bundle lacks '{k}'")
    return data


def _policies(data: dict[str, Any], rep: AuditReport) -> list[Policy]:
    out = []
    for i, p in enumerate(data["policies"]):
        if not isinstance(p, dict) or not isinstance(p.get("text"), str):
            raise _bad(f"$.policies[{i}] must hold the policy text")
        rep.add(sha256(p["text"]) == p.get("sha256"), f"policy {p.get('source')}: SHA-256 matches")
        out.append(parse_policy(p["text"], str(p.get("source", f"policy{i}"))))
    return out


def _questions(data: dict[str, Any], policies: list[Policy]) -> dict[tuple[str, str], Question]:
    opts = data.get("options", {})
    if data["query"] == "public":
        mp = opts.get("min_prefix")
        prefixes = {int(k): int(v) for k, v in mp.items()} if isinstance(mp, dict) else None
        qs = public_questions(policies[0], prefixes)
    else:
        qs = [q for pair in compare_questions(policies[0], policies[1]) for q in pair]
    return {(q.name, str(q.reading)): q for q in qs}


def _verify_sat(c: dict[str, Any], q: Question | None, rep: AuditReport, label: str) -> str:
    if q is None or q.confirm is None or "witness" not in c:
        rep.add(False, f"{label}: sat without a witness to re-check")
        return UNKNOWN
    try:
        ok = q.confirm(request_from_json(c["witness"]))
    except (QuodError, Indeterminate) as e:
        rep.add(False, f"{label}: witness invalid: {e}")
        return UNKNOWN
    rep.add(ok, f"{label}: witness re-checked by the concrete evaluator")
    return SAT if ok else UNKNOWN


def _verify_unsat_smt(
    c: dict[str, Any], q: Question | None, rep: AuditReport, label: str, solve: bool
) -> str:
    if "proof" in c:
        pf = c["proof"]
        rep.add(sha256(pf.get("text", "")) == pf.get("sha256"),
                f"{label}: cvc5 proof stored ({len(pf.get('text', ''))} chars; hash matches; "
                "not checked by quod: use cvc5's Ethos checker)")  # fmt: skip
    if not solve:
        rep.add(True, f"{label}: unsat not re-derived (--no-solve)")
        return UNSAT
    assert q is not None
    from quod.policy.solve import run_solver

    answers = {}
    for name in ("cvc5", "z3"):
        _, run, _ = run_solver(name, q.assertions, SolveOptions(timeout=60.0))
        answers[name] = run.result
    ok = UNSAT in answers.values() and SAT not in answers.values()
    rep.add(ok, f"{label}: re-solved: " + ", ".join(f"{k} {v}" for k, v in answers.items()))
    return UNSAT if ok else UNKNOWN


def _verify_automata(c: dict[str, Any], policies: list[Policy], rep: AuditReport, label: str) -> str:
    from quod.policy.automata import problem

    lhs, rhs = (policies[0], policies[1]) if c["question"] == "A-not-B" else (policies[1], policies[0])
    auto = c.get("automata") or {}
    expected = problem(lhs, rhs, Reading(c["reading"]))
    if auto.get("problem") != expected:
        rep.add(False, f"{label}: the automata problem does not match the policies")
        return UNKNOWN
    try:
        res = check_containment(expected, auto.get("certificate"))
    except CertificateError as e:
        rep.add(False, f"{label}: malformed certificate: {e.message}")
        return UNKNOWN
    rep.add(res.ok, f"{label}: containment certificate checked by the kernel ({res.states} states)"
            + ("" if res.ok else f": {res.reason}"))  # fmt: skip
    return UNSAT if res.ok else UNKNOWN


def verify_bundle(path: str | Path, solve: bool = True) -> AuditReport:
    data = _load(path)
    rep = AuditReport()
    policies = _policies(data, rep)
    if data["query"] == "public" and policies[0].is_identity_policy:
        rep.verdict = NOT_PUBLIC
        rep.add(data["verdict"] == NOT_PUBLIC and data.get("reason") == IDENTITY_REASON,
                "identity policy: not public by definition")  # fmt: skip
        return rep
    questions = _questions(data, policies)
    statuses: dict[tuple[str, str], str] = {}
    automata = data.get("engine") == "automata"
    for i, c in enumerate(data["checks"]):
        key = (str(c.get("question")), str(c.get("reading")))
        label = f"{key[0]} [{key[1]} reading]"
        q = questions.get(key)
        if not automata:
            if q is None:
                rep.add(False, f"$.checks[{i}]: no such question for these policies")
                continue
            same = bool(q.assertions) and sha256(smtlib_script(q.assertions)) == c.get("smtlib_sha256")
            rep.add(same, f"{label}: stored SMT-LIB is the question rebuilt from the policies")
            if not same:
                statuses[key] = UNKNOWN
                continue
        status = c.get("status")
        if status == SAT:
            statuses[key] = _verify_sat(c, q, rep, label)
        elif status == UNSAT:
            statuses[key] = (_verify_automata(c, policies, rep, label) if automata
                             else _verify_unsat_smt(c, q, rep, label, solve))  # fmt: skip
        else:
            statuses[key] = UNKNOWN
    rep.verdict = _recompute(data["query"], statuses)
    rep.add(rep.verdict == data["verdict"], f"verdict recomputed from the checked answers: {rep.verdict}")
    return rep


def _recompute(query: str, statuses: dict[tuple[str, str], str]) -> str:
    from quod.policy.queries import Outcome

    readings = sorted({r for _, r in statuses})
    outcomes = []
    for r in readings:
        o = Outcome(Reading(r))
        if query == "public":
            o.verdict, o.reason = public_verdict(statuses.get(("public", r), UNKNOWN), "")
        else:
            ab, ba = statuses.get(("A-not-B", r), UNKNOWN), statuses.get(("B-not-A", r), UNKNOWN)
            o.verdict, o.reason = compare_verdict(ab, ba)
        outcomes.append(o)
    return combine_outcomes(outcomes)[0] if outcomes else UNKNOWN


__all__ = ["FORMAT", "AuditReport", "build_bundle", "verify_bundle", "write_bundle"]
