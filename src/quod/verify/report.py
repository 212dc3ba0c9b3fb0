"""Compiler-style output of verification results (text and JSON)."""

from __future__ import annotations

import json
from typing import Any

from quod.core.errors import Diagnostic, Severity
from quod.verify.verifier import FileResult, FunctionResult, ObResult


def _fmt_value(v: Any) -> str:
    s = repr(v)
    return s if len(s) <= 120 else s[:117] + "..."


def _cex(r: ObResult) -> str:
    if not r.counterexample:
        return "  counterexample: (no inputs)"
    parts = ", ".join(f"{k} = {_fmt_value(v)}" for k, v in r.counterexample.items())
    return f"  counterexample: {parts}"


def _result_lines(r: ObResult) -> list[str]:
    ob = r.ob
    lines: list[str] = []
    if ob.probe:
        if r.status == "vacuous":
            lines.append(Diagnostic("Q0630", ob.message, ob.span, Severity.WARNING).render())
        return lines
    if r.status == "failed":
        lines.append(Diagnostic(ob.code, ob.message, ob.span).render())
        for span, note in ob.related:
            lines.append(
                Diagnostic(ob.code, note, span, Severity.NOTE).render().replace(f"note[{ob.code}]", "note")
            )
        lines.append(_cex(r))
        if not r.model_checked and not r.confirmation.startswith("confirmed"):
            lines.append("  (the solver's model could not be fully evaluated by the kernel)")
        if r.confirmation:
            lines.append(f"  {r.confirmation}")
    elif r.status == "unknown":
        lines.append(
            Diagnostic("Q0632", f"could not decide: {ob.message} ({r.reason or 'unknown'})", ob.span).render()
        )
    if r.brittle:
        spread = ""
        rl = [x for x in r.seed_rlimits if x > 0]
        if rl:
            spread = f"; resource use {min(rl)}..{max(rl)}"
        outcome = f"{r.status} with the default seed, " + ", ".join(r.seed_statuses) + " with other seeds"
        lines.append(
            Diagnostic(
                "Q0631", f"brittle obligation ({ob.message}): {outcome}{spread}", ob.span, Severity.WARNING
            ).render()
        )
    return lines


def function_summary(f: FunctionResult, timing: bool) -> str:
    real = [r for r in f.results if not r.ob.probe]
    proved = sum(1 for r in real if r.status == "proved")
    state = "verified" if f.verified else "NOT verified"
    if f.verified and f.relies_on_failing:
        names = ", ".join(f"'{n}'" for n in f.relies_on_failing)
        state = f"verified only relative to {names}, which did not verify"
    t = f", {f.time:.2f} s" if timing else ""
    cached = sum(1 for r in f.results if r.cached)
    c = f", {cached} cached" if cached and timing else ""
    return f"{f.name}: {state} ({proved}/{len(real)} obligations proved{t}{c})"


def render_text(res: FileResult, *, timing: bool = True, verbose: bool = False) -> str:
    out: list[str] = []
    for f in res.functions:
        ordered = sorted(f.results, key=lambda r: (r.ob.span.line, r.ob.span.col, r.ob.index))
        for r in ordered:
            out.extend(_result_lines(r))
        if verbose:
            out.append(function_summary(f, timing))
            if f.ivl:
                out.append(f.ivl)
    out.append(summary(res, timing))
    return "\n".join(out)


def summary(res: FileResult, timing: bool) -> str:
    real = [r for f in res.functions for r in f.results if not r.ob.probe]
    counts = {k: sum(1 for r in real if r.status == k) for k in ("proved", "failed", "unknown")}
    ok = sum(1 for f in res.functions if f.verified)
    parts = [f"{counts['proved']} proved"]
    if counts["failed"]:
        parts.append(f"{counts['failed']} failed")
    if counts["unknown"]:
        parts.append(f"{counts['unknown']} unknown")
    vac = sum(1 for f in res.functions for r in f.results if r.ob.probe and r.status == "vacuous")
    warn = f"; {vac} vacuity warning{'s' if vac != 1 else ''}" if vac else ""
    t = f" in {res.time:.2f} s" if timing else ""
    verdict = "verified" if res.verified else "NOT verified"
    return f"{res.file}: {verdict}: {ok} of {len(res.functions)} functions, {len(real)} obligations ({', '.join(parts)}){warn}{t}"


def render_json(res: FileResult) -> str:
    data: dict[str, Any] = {"file": res.file, "verified": res.verified, "time": res.time, "functions": []}
    for f in res.functions:
        data["functions"].append(
            {
                "name": f.name,
                "verified": f.verified,
                "time": f.time,
                "cpu": f.cpu,
                "obligations": [_ob_json(r) for r in f.results],
            }
        )
    return json.dumps(data, indent=2)


def _ob_json(r: ObResult) -> dict[str, Any]:
    ob = r.ob
    d: dict[str, Any] = {
        "code": ob.code,
        "message": ob.message,
        "line": ob.span.line,
        "col": ob.span.col,
        "probe": ob.probe,
        "status": r.status,
        "time": r.time,
        "cpu": r.cpu,
        "rlimit": r.rlimit,
        "cached": r.cached,
    }
    if r.counterexample is not None:
        d["counterexample"] = {k: repr(v) for k, v in r.counterexample.items()}
        d["confirmation"] = r.confirmation
        if r.solver_counterexample is not None:
            d["solver_counterexample"] = {k: repr(v) for k, v in r.solver_counterexample.items()}
    if r.reason:
        d["reason"] = r.reason
    if r.seed_statuses:
        d["seeds"] = r.seed_statuses
        d["seed_rlimits"] = r.seed_rlimits
        d["brittle"] = r.brittle
    return d
