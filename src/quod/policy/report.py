"""Results as text for people and as JSON for tools."""

from __future__ import annotations

import json
from typing import Any

from quod.policy.evaluate import decide
from quod.policy.model import Policy, Request
from quod.policy.patterns import Reading
from quod.policy.queries import CanResult, Outcome, Result
from quod.policy.solve import Check

HEADLINES = {
    ("public", "public"): "PUBLIC: an outsider can be allowed",
    ("public", "not-public"): "NOT PUBLIC",
    ("compare", "equivalent"): "A and B are EQUIVALENT",
    ("compare", "more-permissive"): "A is MORE PERMISSIVE than B",
    ("compare", "less-permissive"): "A is LESS PERMISSIVE than B",
    ("compare", "incomparable"): "A and B are INCOMPARABLE",
}
DIRECTION = {
    "A-not-B": "allowed by A, denied by B",
    "B-not-A": "allowed by B, denied by A",
    "public": "outsider",
}


def _runs(c: Check) -> str:
    parts = [f"{r.solver} {r.result} in {r.seconds:.3f}s" for r in c.runs]
    if c.second is not None:
        agree = "agrees" if c.second.result == c.status else f"says {c.second.result}"
        parts.append(f"{c.second.solver} {agree} ({c.second.seconds:.3f}s)")
    return "; ".join(parts)


def _why(policy: Policy, req: Request, reading: Reading) -> str:
    return decide(policy, req, reading).explain()


def check_json(c: Check, reading: Reading) -> dict[str, Any]:
    d: dict[str, Any] = {
        "question": c.name.split("[")[0],
        "reading": str(reading),
        "status": c.status,
        "runs": [r.to_json() for r in c.runs],
    }
    if c.second is not None:
        d["second_solver"] = c.second.to_json()
    if c.witness is not None:
        d["witness"] = c.witness.to_json()
    if c.note:
        d["note"] = c.note
    return d


def result_json(r: Result) -> dict[str, Any]:
    return {
        "query": r.query,
        "verdict": r.verdict,
        "reason": r.reason,
        "policies": [p.source for p in r.policies],
        "outcomes": [
            {
                "reading": str(o.reading),
                "verdict": o.verdict,
                "reason": o.reason,
                "approximations": o.approximations,
                "checks": [check_json(c, o.reading) for c in o.checks],
            }
            for o in r.outcomes
        ],
    }


def _outcome_lines(r: Result, o: Outcome, several: bool) -> list[str]:
    out = []
    if several:
        out.append(f"  under the {o.reading} reading of ARN wildcards: {o.verdict} ({o.reason})")
    ind = "    " if several else "  "
    for c in o.checks:
        label = DIRECTION.get(c.name.split("[")[0], c.name)
        if c.witness is not None:
            out.append(f"{ind}{label}: witness (re-checked by the concrete evaluator):")
            out.append(f"{ind}  {json.dumps(c.witness.to_json())}")
            for p in r.policies:
                name = (
                    "A"
                    if p is r.policies[0] and len(r.policies) == 2
                    else "B"
                    if len(r.policies) == 2
                    else ""
                )
                who = f"{name}: " if name else ""
                out.append(f"{ind}  {who}{_why(p, c.witness, o.reading)}")
        elif c.status == "unsat":
            out.append(f"{ind}{label}: none" + (f" ({c.note})" if c.note else ""))
        else:
            out.append(f"{ind}{label}: unknown ({c.note})")
        out.append(f"{ind}  [{_runs(c)}]")
    for a in o.approximations:
        out.append(f"{ind}note: {a}")
    return out


def render(r: Result) -> str:
    head = HEADLINES.get((r.query, r.verdict), f"UNKNOWN ({r.query})")
    lines = [f"{r.query}: {head}", f"  {r.reason}"]
    if r.query == "compare" and len(r.policies) == 2:
        lines.insert(1, f"  A = {r.policies[0].source}, B = {r.policies[1].source}")
    several = len(r.outcomes) > 1
    for o in r.outcomes:
        lines += _outcome_lines(r, o, several)
    return "\n".join(lines)


def can_json(c: CanResult) -> dict[str, Any]:
    return {
        "query": "can",
        "verdict": c.verdict,
        "reason": c.reason,
        "request": c.request.to_json(),
        "by_reading": {
            k: {"allowed": d.allowed, "allow": d.allow, "deny": d.deny} for k, d in c.decisions.items()
        },
        "encoding_agrees": c.encoding_agrees,
        "note": c.note,
    }


def render_can(c: CanResult) -> str:
    lines = [f"can: {c.verdict.upper()}", f"  {c.reason}", f"  request: {json.dumps(c.request.to_json())}"]
    if c.encoding_agrees:
        lines.append("  the solver encoding agrees with the evaluator")
    elif c.note:
        lines.append(f"  {c.note}")
    return "\n".join(lines)


__all__ = ["can_json", "check_json", "render", "render_can", "result_json"]
