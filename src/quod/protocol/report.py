"""Human-readable rendering of results (the JSON forms are `as_dict()` on each result)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from quod.protocol.explore import CheckResult, Step, Violation


def render_trace(trace: Sequence[Step], loop_start: int | None = None) -> str:
    """Each step with the fields that changed (the first state in full)."""
    lines: list[str] = []
    prev: dict[str, Any] | None = None
    for i, st in enumerate(trace):
        mark = " <- the behaviour loops back here" if loop_start is not None and i == loop_start else ""
        lines.append(f"  {i}: {st.action}{mark}")
        for k, v in st.state.items():
            if prev is None or prev.get(k) != v:
                lines.append(f"       {k} = {_short(v)}")
        prev = st.state
    if loop_start is not None:
        lines.append(f"  (then back to step {loop_start}, forever)")
    return "\n".join(lines)


def _short(v: Any) -> str:
    text = json.dumps(v, separators=(", ", ": "))
    return text if len(text) <= 160 else text[:157] + "..."


def render_violation(v: Violation) -> str:
    where = f" at {v.span}" if v.span is not None else ""
    head = f"violation ({v.kind}): {v.message}{where}"
    if not v.trace:
        return head
    return f"{head}\ntrace of {len(v.trace) - 1} step(s):\n{render_trace(v.trace, v.loop_start)}"


def _depth_line(r: CheckResult) -> str:
    st = r.stats
    if st.complete:
        return f"depth of the complete state graph search: {st.depth}"
    if any(v.kind not in ("eventually", "hot") for v in r.violations):
        return f"search stopped at the first violation (depth {st.depth})"
    return f"search stopped at depth {st.depth} by a budget"


def render_check(r: CheckResult) -> str:
    st = r.stats
    out = [
        f"model {r.model} {r.params}",
        f"{st.generated} states generated, {st.distinct} distinct states found, {st.queue} left on queue",
        _depth_line(r),
        f"{st.elapsed:.2f} s, {st.states_per_s:,.0f} states/s"
        + (", symmetry reduction on" if st.symmetry else "")
        + (
            f", fingerprints (collision probability {st.collision_probability:.1e})"
            if st.fingerprints != "exact"
            else ""
        ),
    ]
    out += [f"note: {n}" for n in r.notes]
    if r.ok:
        out.append("no violation found" + ("" if st.complete else " (search incomplete)"))
    for v in r.violations:
        out.append(render_violation(v))
    return "\n".join(out)


def write_json(doc: dict[str, Any], path: str | None) -> None:
    if path is None:
        return
    text = json.dumps(doc, indent=1, default=str) + "\n"
    if path == "-":
        print(text, end="")
    else:
        Path(path).write_text(text)


__all__ = ["render_check", "render_trace", "render_violation", "write_json"]
