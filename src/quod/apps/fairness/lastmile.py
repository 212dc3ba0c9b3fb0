"""Last-mile check: does a customer's own data behave like the reference evaluation?

`compare(reference_report, customer_records)` re-runs the reference's exact
evaluation (same metric, same group specs, same clustering) on the customer's
records, and optionally splits them by extra conditions (background noise,
device, task family). Every customer group is compared with the reference
interval of the same group; a condition the reference did not have is compared
with the reference's overall interval. A row is flagged when the customer's
estimate falls outside the reference interval; `significant` additionally says
whether the difference survives the customer's own sampling noise (Wald test
with both standard errors, Holm-adjusted across rows). Only rows that are
outside the interval *and* significant get the status "worse" or "better";
an estimate outside the interval that could be the customer's sampling noise
is "outside-not-significant", so small customer samples do not raise alarms.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import stats
from .evaluate import evaluate
from .groups import GroupSpec, group_from_json, groups_by_field
from .records import Record, Records, as_records
from .render import fmt, fmt_ci, fmt_p, forest_plot_svg
from .report_model import GroupResult, Report


@dataclass
class LastMileRow:
    name: str
    source: str  # "group" (a reference group) or "condition"
    compared_with: str
    reference_value: float
    reference_ci: tuple[float, float]
    customer_n: int
    customer_value: float
    customer_ci: tuple[float, float]
    status: str  # consistent | worse | better | outside-not-significant | insufficient
    p_value: float | None = None
    p_adjusted: float | None = None
    significant: bool | None = None

    def to_json(self) -> dict[str, Any]:
        def num(x: float | None) -> float | None:
            return None if x is None or not math.isfinite(x) else x

        return {
            "name": self.name,
            "source": self.source,
            "compared_with": self.compared_with,
            "reference_value": num(self.reference_value),
            "reference_ci": [num(self.reference_ci[0]), num(self.reference_ci[1])],
            "customer_n": self.customer_n,
            "customer_value": num(self.customer_value),
            "customer_ci": [num(self.customer_ci[0]), num(self.customer_ci[1])],
            "status": self.status,
            "p_value": num(self.p_value),
            "p_adjusted": num(self.p_adjusted),
            "significant": self.significant,
        }


@dataclass
class LastMileResult:
    reference: Report
    customer: Report
    conditions: Report | None
    rows: list[LastMileRow]
    warnings: list[str] = field(default_factory=list)

    @property
    def flagged(self) -> list[LastMileRow]:
        """Rows where the customer does worse than the reference interval."""
        return [r for r in self.rows if r.status == "worse"]

    def to_json(self) -> dict[str, Any]:
        return {
            "format": "quod-fairness-lastmile/1",
            "metric": self.reference.metric.to_json(),
            "rows": [r.to_json() for r in self.rows],
            "flagged": [r.name for r in self.flagged],
            "warnings": list(self.warnings),
            "customer_report": self.customer.to_json(),
            "condition_report": self.conditions.to_json() if self.conditions else None,
        }


def compare(
    reference: Report | Mapping[str, Any],
    customer_records: Sequence[Record] | Records,
    conditions: Sequence[str | GroupSpec | Mapping[str, Any]] = (),
    **overrides: Any,
) -> LastMileResult:
    """Re-run the reference evaluation on customer data and flag departures."""
    ref = reference if isinstance(reference, Report) else Report.from_json(reference)
    recs = as_records(customer_records)
    params = {**ref.params, **overrides}
    warnings: list[str] = []
    cluster_by = ref.cluster_by
    if cluster_by and any(r.get(cluster_by) is None for r in recs):
        warnings.append(
            f"customer records lack the cluster field '{cluster_by}': intervals assume independence"
        )
        cluster_by = None
    cust = evaluate(recs, ref.metric, ref.group_specs, cluster_by=cluster_by, **params)
    score = ref.metric.kind == "proportion" and cluster_by is None
    rows = [_row(g.name, "group", ref.group(g.name), g, ref.metric.better, score) for g in cust.groups]
    rows.append(_row("overall", "group", ref.overall, cust.overall, ref.metric.better, score))
    cond_report = None
    specs = _condition_specs(recs, conditions)
    if specs:
        cond_report = evaluate(recs, ref.metric, specs, cluster_by=cluster_by, **params)
        for g in cond_report.groups:
            base = _find(ref, g.name) or ref.overall
            rows.append(_row(g.name, "condition", base, g, ref.metric.better, score))
    _adjust(rows, float(params.get("alpha", 0.05)))
    warnings += [w for w in cust.warnings if "insufficient" in w or "inferred" in w]
    return LastMileResult(ref, cust, cond_report, rows, warnings)


def _condition_specs(
    recs: Records, conditions: Sequence[str | GroupSpec | Mapping[str, Any]]
) -> list[GroupSpec]:
    specs: list[GroupSpec] = []
    for i, c in enumerate(conditions):
        if isinstance(c, str):
            specs += groups_by_field(recs, c, provenance="measured", kind="condition")
        elif isinstance(c, GroupSpec):
            specs.append(c)
        else:
            specs.append(group_from_json(c, f"$.conditions[{i}]"))
    return specs


def _find(report: Report, name: str) -> GroupResult | None:
    try:
        return report.group(name)
    except KeyError:
        return None


def _row(
    name: str, source: str, ref: GroupResult, cust: GroupResult, higher_better: bool, score: bool
) -> LastMileRow:
    lo, hi = ref.ci
    status = "consistent"
    if cust.status != "ok" or ref.status == "empty" or not math.isfinite(cust.value):
        status = "insufficient"
    elif math.isfinite(lo) and math.isfinite(hi) and not lo <= cust.value <= hi:
        above = cust.value > hi
        status = "outside-worse" if above != higher_better else "outside-better"  # provisional
    p = None
    if status != "insufficient":
        # For proportions the customer's variance is taken under the null (the reference
        # rate): the plug-in variance of a small sample with few errors is far too small.
        se = math.sqrt(ref.value * (1 - ref.value) / cust.n) if score else cust.se
        p = stats.wald_p(cust.value, se, ref.value, ref.se)
    return LastMileRow(
        name, source, ref.name, ref.value, ref.ci, cust.n, cust.value, cust.ci, status, p_value=p
    )


def _adjust(rows: list[LastMileRow], alpha: float) -> None:
    idx = [i for i, r in enumerate(rows) if r.p_value is not None and math.isfinite(r.p_value)]
    adj = stats.holm([rows[i].p_value or 0.0 for i in idx])
    for i, a in zip(idx, adj):
        rows[i].p_adjusted = a
        rows[i].significant = a < alpha
    for r in rows:
        if r.status.startswith("outside-"):
            r.status = r.status.removeprefix("outside-") if r.significant else "outside-not-significant"


def to_text(res: LastMileResult) -> str:
    out = [f"last-mile check: {res.reference.metric.name} (customer vs reference interval)"]
    width = max(len(r.name) for r in res.rows)
    for r in res.rows:
        sig = " (significant)" if r.significant else ""
        out.append(
            f"  {r.name:<{width}}  n={r.customer_n:<6} customer {fmt(r.customer_value)} {fmt_ci(r.customer_ci)}"
            f"  reference[{r.compared_with}] {fmt(r.reference_value)} {fmt_ci(r.reference_ci)}  {r.status}{sig}"
        )
    out += [f"warning: {w}" for w in res.warnings]
    return "\n".join(out) + "\n"


def to_markdown(res: LastMileResult) -> str:
    out = [f"# Last-mile check: {res.reference.metric.name}", ""]
    out += ["| row | compared with | customer n | customer [CI] | reference [CI] | status | p (Holm) |"]
    out += ["|---|---|---:|---|---|---|---:|"]
    for r in res.rows:
        out.append(
            f"| {r.name} | {r.compared_with} | {r.customer_n} | {fmt(r.customer_value)} {fmt_ci(r.customer_ci)} "
            f"| {fmt(r.reference_value)} {fmt_ci(r.reference_ci)} | {r.status} | {fmt_p(r.p_adjusted)} |"
        )
    if res.warnings:
        out += ["", "## Warnings", ""] + [f"- {w}" for w in res.warnings]
    return "\n".join(out) + "\n"


def to_html(res: LastMileResult) -> str:
    e = html.escape
    rows = "".join(
        f"<tr><td>{e(r.name)}</td><td>{e(r.compared_with)}</td><td>{r.customer_n}</td>"
        f"<td>{fmt(r.customer_value)} {fmt_ci(r.customer_ci)}</td>"
        f"<td>{fmt(r.reference_value)} {fmt_ci(r.reference_ci)}</td><td>{e(r.status)}</td>"
        f"<td>{fmt_p(r.p_adjusted)}</td></tr>"
        for r in res.rows
    )
    warn = "".join(f"<div class='warn'>{e(w)}</div>" for w in res.warnings)
    plot = forest_plot_svg(res.conditions or res.customer)
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Last-mile check</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:960px;margin:2em auto}"
        "td,th{border:1px solid #ccc;padding:4px 8px}table{border-collapse:collapse}"
        ".warn{background:#fff4e5;padding:.4em}</style></head><body>"
        f"<h1>Last-mile check: {e(res.reference.metric.name)}</h1>"
        "<table><tr><th>row</th><th>compared with</th><th>customer n</th><th>customer [CI]</th>"
        f"<th>reference [CI]</th><th>status</th><th>p (Holm)</th></tr>{rows}</table>{warn}"
        f"<h2>Customer data</h2>{plot}"
        f"<h2>Data</h2><pre>{e(json.dumps(res.customer.data, indent=1))}</pre></body></html>\n"
    )
