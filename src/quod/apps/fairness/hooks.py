"""Disaggregation hooks for the rest of quod, as plain functions over records.

Nothing in quod imports apps, so these take the records other tools write
(the benchmark runner's CSV/JSON rows, the agent evaluator's episode records)
rather than calling those tools.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .errors import FairnessError
from .evaluate import evaluate
from .records import Record, Records, as_records
from .report_model import Report

SOLVED = ("sat", "unsat")
_SOLVER_METRICS: dict[str, tuple[Mapping[str, Any], str]] = {
    "solved": ({"name": "success", "fields": {"success": "_solved"}}, "solved rate"),
    "time": (
        {"name": "mean", "fields": {"value": "time"}, "higher_is_better": False},
        "mean time of solved runs",
    ),
    "wrong": (
        {"name": "success", "fields": {"success": "_wrong"}, "higher_is_better": False},
        "wrong-answer rate",
    ),
}


def solver_results_by_family(
    rows: Sequence[Record] | Records,
    *,
    family_field: str = "family",
    backend_field: str = "backend",
    status_field: str = "status",
    metric: str = "solved",
    **params: Any,
) -> dict[str, Report]:
    """Per backend: solved rate, mean time or wrong-answer rate, disaggregated by benchmark family.

    Rows look like {file, family, backend, status, time[, expected]} (the CSV
    or JSON that `quod bench` writes). A family with few files is flagged
    insufficient like any small group. `metric` is "solved" (status sat or
    unsat), "time" (mean wall time of the solved runs; timeouts are excluded
    because their time is the limit, not a measurement) or "wrong" (share of
    solved runs whose answer contradicts a known `expected` status).
    """
    recs = as_records(rows)
    if metric not in ("solved", "time", "wrong"):
        raise FairnessError("Q1004", "solver metric must be 'solved', 'time' or 'wrong'")
    by_backend: dict[str, list[dict[str, Any]]] = {}
    for i, r in enumerate(recs):
        for f in (family_field, backend_field, status_field):
            if r.get(f) is None:
                raise FairnessError("Q1003", f"{recs.where[i]}: benchmark row lacks '{f}'")
        row = dict(r)
        status = str(r[status_field]).lower()
        row["_solved"] = status in SOLVED
        expected = str(r.get("expected") or "").lower()
        row["_wrong"] = row["_solved"] and expected in SOLVED and status != expected
        if metric == "time" and not row["_solved"]:
            continue
        if metric == "wrong" and not (row["_solved"] and expected in SOLVED):
            continue
        by_backend.setdefault(str(r[backend_field]), []).append(row)
    params.setdefault("min_n", 10)
    out: dict[str, Report] = {}
    for backend, brows in sorted(by_backend.items()):
        m, what = _SOLVER_METRICS[metric]
        rep = evaluate(brows, m, family_field, **params)
        rep.title = f"{backend}: {what} by {family_field}"
        out[backend] = rep
    return out


def agent_success_by_task_family(
    records: Sequence[Record] | Records,
    *,
    family_field: str = "task_family",
    success_field: str = "success",
    cluster_field: str | None = "task_id",
    **params: Any,
) -> Report:
    """Agent task success by task family; repeated episodes of one task are one cluster.

    Episodes of the same task are not independent (the same task is hard for
    every seed), so when `cluster_field` is present intervals come from a
    cluster bootstrap over tasks.
    """
    recs = as_records(records)
    cluster = cluster_field if cluster_field and all(r.get(cluster_field) is not None for r in recs) else None
    params.setdefault("min_n", 10)
    params.setdefault("min_clusters", 5)
    rep = evaluate(
        recs,
        {"name": "success", "fields": {"success": success_field}},
        family_field,
        cluster_by=cluster,
        **params,
    )
    rep.title = f"agent task success by {family_field}"
    return rep
