"""Disaggregated evaluation: per-group values with intervals, worst group, gaps.

`evaluate(records, metric, group_by)` returns a `Report`. Groups below the
minimum size are kept and flagged "insufficient", never dropped: they appear in
every output but are left out of the worst-group, gap and test computations
because their estimates are too noisy to rank.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import stats
from .errors import FairnessError
from .groups import GroupSpec, group_from_json, groups_by_field
from .metrics import Metric
from .records import Record, Records, as_records
from .report_model import Disparity, GroupResult, Report

__all__ = ["EvalParams", "Report", "evaluate"]


@dataclass(frozen=True)
class EvalParams:
    level: float = 0.95
    min_n: int = 30
    min_clusters: int = 10
    adjust: str = "holm"
    alpha: float = 0.05
    n_boot: int = 2000
    seed: int = 0
    ci_method: str = "auto"

    def check(self) -> None:
        bad = None
        if not 0.5 <= self.level < 1:
            bad = "level must be in [0.5, 1)"
        elif self.min_n < 1 or self.min_clusters < 1:
            bad = "min_n and min_clusters must be >= 1"
        elif self.adjust not in ("holm", "bh", "none"):
            bad = "adjust must be holm, bh or none"
        elif not 0 < self.alpha < 1:
            bad = "alpha must be in (0, 1)"
        elif self.n_boot < 100:
            bad = "n_boot must be >= 100"
        elif self.ci_method not in ("auto", "wilson", "bootstrap"):
            bad = "ci_method must be auto, wilson or bootstrap"
        if bad:
            raise FairnessError("Q1005", bad)


@dataclass
class _Prepared:
    metric: Metric
    groups: list[GroupSpec]
    num: np.ndarray
    den: np.ndarray
    cluster: np.ndarray  # cluster index per record
    n_clusters: int
    member: np.ndarray  # (records, groups) bool
    warnings: list[str] = field(default_factory=list)


def evaluate(
    records: Sequence[Record] | Records,
    metric: str | Metric | Mapping[str, Any],
    group_by: str | Sequence[GroupSpec | Mapping[str, Any]],
    *,
    cluster_by: str | None = None,
    params: EvalParams | None = None,
    **overrides: Any,
) -> Report:
    """Evaluate `metric` per group with intervals, worst group, max gap and ratio.

    `group_by` is a field name (one group per value) or a list of group specs
    (dicts in the JSON form or `GroupSpec`s; groups may overlap). With
    `cluster_by` (e.g. "speaker" or "task_id"), intervals come from a cluster
    bootstrap and tests use cluster-robust standard errors.
    """
    p = _params(params, overrides)
    recs = as_records(records)
    if len(recs) == 0:
        raise FairnessError("Q1003", "no records to evaluate")
    prep = _prepare(recs, _metric(metric), _groups(recs, group_by), cluster_by)
    results = [_group_result(prep, j, cluster_by, p) for j in range(len(prep.groups))]
    overall = _overall(prep, cluster_by, p)
    reps, nested = _bootstrap(prep, p)
    _bootstrap_cis(results, reps, prep, cluster_by, p)
    _tests(results, prep, cluster_by, p)
    disparity = _disparity(results, reps, prep.metric.better, p.level)
    warnings = prep.warnings + _warnings(results, prep, cluster_by, nested, p)
    return Report(
        metric=prep.metric,
        groups=results,
        overall=overall,
        disparity=disparity,
        group_specs=prep.groups,
        cluster_by=cluster_by,
        params=_params_json(p),
        warnings=warnings,
        methods=_methods(prep.metric, cluster_by, nested, p),
        data=_data_summary(recs, prep),
    )


def _params(params: EvalParams | None, overrides: Mapping[str, Any]) -> EvalParams:
    base = params or EvalParams()
    try:
        p = EvalParams(**{**_params_json(base), **overrides})
    except TypeError as e:
        raise FairnessError("Q1005", f"invalid evaluation parameter: {e}") from None
    p.check()
    return p


def _params_json(p: EvalParams) -> dict[str, Any]:
    return {
        "level": p.level,
        "min_n": p.min_n,
        "min_clusters": p.min_clusters,
        "adjust": p.adjust,
        "alpha": p.alpha,
        "n_boot": p.n_boot,
        "seed": p.seed,
        "ci_method": p.ci_method,
    }


def _metric(m: str | Metric | Mapping[str, Any]) -> Metric:
    return m if isinstance(m, Metric) else Metric.from_json(m)


def _groups(recs: Records, group_by: str | Sequence[GroupSpec | Mapping[str, Any]]) -> list[GroupSpec]:
    if isinstance(group_by, str):
        return groups_by_field(recs, group_by)
    out = [
        g if isinstance(g, GroupSpec) else group_from_json(g, f"$.groups[{i}]")
        for i, g in enumerate(group_by)
    ]
    if not out:
        raise FairnessError("Q1002", "no groups given")
    if len({g.name for g in out}) != len(out):
        raise FairnessError("Q1002", "group names must be unique")
    return out


def _prepare(recs: Records, metric: Metric, groups: list[GroupSpec], cluster_by: str | None) -> _Prepared:
    if len(recs) == 0:
        raise FairnessError("Q1003", "no records to evaluate")
    num, den = metric.per_example(recs)
    member = np.array([[g.contains(r) for g in groups] for r in recs], dtype=bool).reshape(
        len(recs), len(groups)
    )
    cluster, k = _clusters(recs, cluster_by)
    prep = _Prepared(metric, groups, num, den, cluster, k, member)
    prep.warnings += _missing_field_warnings(recs, groups)
    return prep


def _clusters(recs: Records, cluster_by: str | None) -> tuple[np.ndarray, int]:
    if cluster_by is None:
        return np.arange(len(recs)), len(recs)
    ids: dict[Any, int] = {}
    out = np.empty(len(recs), dtype=np.int64)
    for i, r in enumerate(recs):
        v = r.get(cluster_by)
        if v is None or not isinstance(v, (str, int, float, bool)):
            raise FairnessError(
                "Q1003", f"{recs.where[i]}: missing or non-scalar cluster field '{cluster_by}'"
            )
        out[i] = ids.setdefault(v, len(ids))
    return out, len(ids)


def _missing_field_warnings(recs: Records, groups: list[GroupSpec]) -> list[str]:
    out = []
    for g in groups:
        for f in sorted(g.where.fields()):
            miss = sum(1 for r in recs if r.get(f) is None)
            if miss:
                out.append(f"group '{g.name}': {miss} record(s) lack field '{f}' (treated as not matching)")
    return out


def _cluster_sums(prep: _Prepared, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-cluster totals of num and den over the records selected by mask."""
    c = prep.cluster[mask]
    if len(c) == 0:
        return np.zeros(0), np.zeros(0)
    uniq, inv = np.unique(c, return_inverse=True)
    n = np.bincount(inv, weights=prep.num[mask], minlength=len(uniq))
    d = np.bincount(inv, weights=prep.den[mask], minlength=len(uniq))
    return n, d


def _one_result(
    prep: _Prepared, mask: np.ndarray, spec: GroupSpec | None, cluster_by: str | None, p: EvalParams
) -> GroupResult:
    nc, dc = _cluster_sums(prep, mask)
    n = int(mask.sum())
    total_n, total_d = float(nc.sum()), float(dc.sum())
    value = total_n / total_d if total_d > 0 else math.nan
    status = "ok"
    if n == 0 or total_d <= 0:
        status = "empty"
    elif n < p.min_n or (cluster_by is not None and len(nc) < p.min_clusters):
        status = "insufficient"
    wilson = _use_wilson(prep.metric, cluster_by, p)
    ci = stats.wilson(total_n, total_d, p.level) if wilson and status != "empty" else (math.nan, math.nan)
    return GroupResult(
        name=spec.name if spec else "overall",
        n=n,
        clusters=len(nc),
        numerator=total_n,
        denominator=total_d,
        value=value,
        se=stats.ratio_se(nc, dc),
        ci=ci,
        ci_method="wilson" if wilson else ("cluster-bootstrap" if cluster_by else "bootstrap"),
        status=status,
        provenance=spec.provenance if spec else "",
        kind=spec.kind if spec else "",
    )


def _use_wilson(metric: Metric, cluster_by: str | None, p: EvalParams) -> bool:
    if p.ci_method == "wilson":
        return metric.kind == "proportion"
    return p.ci_method == "auto" and metric.kind == "proportion" and cluster_by is None


def _group_result(prep: _Prepared, j: int, cluster_by: str | None, p: EvalParams) -> GroupResult:
    return _one_result(prep, prep.member[:, j], prep.groups[j], cluster_by, p)


def _overall(prep: _Prepared, cluster_by: str | None, p: EvalParams) -> GroupResult:
    mask: np.ndarray = np.asarray(prep.member.any(axis=1))
    res = _one_result(prep, mask, None, cluster_by, p)
    if not _use_wilson(prep.metric, cluster_by, p) and res.status != "empty":
        nc, dc = _cluster_sums(prep, mask)
        rng = np.random.default_rng([p.seed, 1])
        bn, bd = stats.resample_sums(nc, dc, p.n_boot, rng)
        res.ci = stats.bca_interval(
            stats.safe_ratio(bn, bd), res.value, stats.jackknife_ratios(nc, dc), p.level
        )
    return res


def _nested(prep: _Prepared) -> bool:
    """True when every cluster lies inside one group and groups do not overlap."""
    if (prep.member.sum(axis=1) > 1).any():
        return False
    gid = np.where(prep.member.any(axis=1), prep.member.argmax(axis=1), -1)
    seen: dict[int, int] = {}
    return all(seen.setdefault(c, g) == g for c, g in zip(prep.cluster.tolist(), gid.tolist()))


def _bootstrap(prep: _Prepared, p: EvalParams) -> tuple[np.ndarray, bool]:
    """(n_boot, groups) bootstrap replicates of every group's value."""
    rng = np.random.default_rng([p.seed, 0])
    g = len(prep.groups)
    if _nested(prep):
        out = np.empty((p.n_boot, g))
        for j in range(g):
            nc, dc = _cluster_sums(prep, prep.member[:, j])
            bn, bd = stats.resample_sums(nc, dc, p.n_boot, rng)
            out[:, j] = stats.safe_ratio(bn, bd)
        return out, True
    k = prep.n_clusters
    num = np.zeros((k, g))
    den = np.zeros((k, g))
    for j in range(g):
        m = prep.member[:, j]
        np.add.at(num[:, j], prep.cluster[m], prep.num[m])
        np.add.at(den[:, j], prep.cluster[m], prep.den[m])
    used = (den > 0).any(axis=1) | (num > 0).any(axis=1)
    bn, bd = stats.resample_matrix(num[used], den[used], p.n_boot, rng)
    return stats.safe_ratio(bn, bd), False


def _bootstrap_cis(
    results: list[GroupResult], reps: np.ndarray, prep: _Prepared, cluster_by: str | None, p: EvalParams
) -> None:
    if _use_wilson(prep.metric, cluster_by, p):
        return
    for j, r in enumerate(results):
        if r.status != "empty":
            nc, dc = _cluster_sums(prep, prep.member[:, j])
            r.ci = stats.bca_interval(reps[:, j], r.value, stats.jackknife_ratios(nc, dc), p.level)


def _tests(results: list[GroupResult], prep: _Prepared, cluster_by: str | None, p: EvalParams) -> None:
    """Each eligible group against the rest of the evaluated records, then adjust."""
    idx = [j for j, r in enumerate(results) if r.status == "ok"]
    if len(idx) < 2:
        return
    union = prep.member.any(axis=1)
    pvals = [_test_one(prep, prep.member[:, j], union & ~prep.member[:, j], cluster_by) for j in idx]
    finite = [i for i, v in enumerate(pvals) if math.isfinite(v)]
    adjusted = stats.adjust([pvals[i] for i in finite], p.adjust)
    for i, j in enumerate(idx):
        results[j].p_value = pvals[i]
    for i, a in zip(finite, adjusted):
        results[idx[i]].p_adjusted = a
        results[idx[i]].significant = a < p.alpha


def _test_one(prep: _Prepared, g: np.ndarray, rest: np.ndarray, cluster_by: str | None) -> float:
    if not rest.any():
        return math.nan
    if prep.metric.kind == "proportion" and cluster_by is None:
        k1, m1 = int(prep.num[g].sum()), int(g.sum())
        k2, m2 = int(prep.num[rest].sum()), int(rest.sum())
        return stats.fisher_p(k1, m1, k2, m2)
    n1, d1 = _cluster_sums(prep, g)
    n2, d2 = _cluster_sums(prep, rest)
    if d1.sum() <= 0 or d2.sum() <= 0:
        return math.nan
    v1, v2 = float(n1.sum() / d1.sum()), float(n2.sum() / d2.sum())
    df = min(len(n1), len(n2)) - 1.0  # Student t with clusters - 1 degrees of freedom
    return stats.wald_p(v1, stats.ratio_se(n1, d1), v2, stats.ratio_se(n2, d2), df)


def _disparity(
    results: list[GroupResult], reps: np.ndarray, higher_better: bool, level: float
) -> Disparity | None:
    idx = [j for j, r in enumerate(results) if r.status == "ok"]
    if len(idx) < 2:
        return None
    vals = np.array([results[j].value for j in idx])
    sign = -1.0 if higher_better else 1.0  # worst = largest sign*value
    w, b = int(np.argmax(sign * vals)), int(np.argmin(sign * vals))
    sub = reps[:, idx]
    ok = np.isfinite(sub).all(axis=1)
    sub = sub[ok]
    # Gap and ratio follow the pair observed highest and lowest. Bootstrapping
    # max - min instead never reaches 0, so its interval excludes 0 even when
    # there is no gap at all; the fixed pair's signed difference can cross 0.
    imax, imin = int(np.argmax(vals)), int(np.argmin(vals))
    pair_hi, pair_lo = sub[:, imax], sub[:, imin]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio_b = np.where(pair_hi > 0, pair_lo / pair_hi, np.nan)
    worst_b = sub.max(axis=1) if not higher_better else sub.min(axis=1)
    vmax, vmin = float(vals[imax]), float(vals[imin])
    return Disparity(
        worst_group=results[idx[w]].name,
        worst_value=float(vals[w]),
        worst_ci=stats.percentile_interval(worst_b, level),
        worst_stability=float(np.mean(np.argmax(sign * sub, axis=1) == w)) if len(sub) else math.nan,
        best_group=results[idx[b]].name,
        best_value=float(vals[b]),
        gap=vmax - vmin,
        gap_ci=stats.percentile_interval(pair_hi - pair_lo, level),
        ratio=vmin / vmax if vmax > 0 else math.nan,
        ratio_ci=stats.percentile_interval(ratio_b, level),
        compared=[results[j].name for j in idx],
        replicates_used=int(ok.sum()),
    )


def _warnings(
    results: list[GroupResult], prep: _Prepared, cluster_by: str | None, nested: bool, p: EvalParams
) -> list[str]:
    out: list[str] = []
    for g in prep.groups:
        w = g.warning()
        if w:
            out.append(w)
    for r in results:
        if r.status == "insufficient":
            need = f"n >= {p.min_n}" + (f" and >= {p.min_clusters} clusters" if cluster_by else "")
            out.append(
                f"group '{r.name}' is insufficient (n={r.n}, clusters={r.clusters}; needs {need}): "
                "reported but excluded from worst group, gap and tests"
            )
        elif r.status == "empty":
            out.append(f"group '{r.name}' matched no records")
        elif cluster_by and r.clusters < 20:
            out.append(
                f"group '{r.name}' has only {r.clusters} clusters: cluster-bootstrap intervals "
                "tend to be too narrow with few clusters"
            )
    unassigned = int((~prep.member.any(axis=1)).sum())
    if unassigned:
        out.append(f"{unassigned} record(s) belong to no group and are not evaluated")
    ok = sum(r.status == "ok" for r in results)
    if ok < 2:
        out.append("fewer than two groups have enough data: no worst group, gap or ratio is reported")
    if not nested:
        out.append("groups overlap or clusters span groups: bootstrap resamples clusters jointly")
    return out


def _methods(metric: Metric, cluster_by: str | None, nested: bool, p: EvalParams) -> list[str]:
    lvl = f"{p.level:.0%}"
    unit = f"clusters (by '{cluster_by}')" if cluster_by else "records"
    ci = (
        f"Wilson score {lvl} intervals (independent records)"
        if _use_wilson(metric, cluster_by, p)
        else f"{lvl} BCa bootstrap intervals ({p.n_boot} replicates, resampling {unit}; "
        "acceleration from the leave-one-out jackknife)"
    )
    strat = "within each group (stratified)" if nested else "jointly across groups"
    test = (
        "Fisher's exact test of each group against the rest"
        if metric.kind == "proportion" and cluster_by is None
        else "Wald test of each group against the rest with linearization standard errors over "
        + unit
        + ", referred to Student's t with (fewer clusters - 1) degrees of freedom"
    )
    return [
        f"Metric '{metric.name}': per-example numerator and denominator; a group's value is "
        "sum(numerator)/sum(denominator).",
        f"Per-group intervals: {ci}.",
        f"Worst group, max gap (max - min) and ratio (min / max) over groups with n >= {p.min_n}"
        + (f" and >= {p.min_clusters} clusters" if cluster_by else "")
        + f": {lvl} percentile bootstrap ({p.n_boot} replicates, resampling {unit} {strat}, seed {p.seed}). "
        "Gap and ratio intervals follow the two groups observed highest and lowest, so they can include "
        "0 (resp. 1) when there is no real gap; with many similar groups the selected pair still overstates "
        "the gap somewhat. The worst-group interval is for the worst value over groups in each replicate.",
        f"Tests: {test}; p-values adjusted across groups with "
        + {
            "holm": "Holm's method (family-wise error)",
            "bh": "Benjamini-Hochberg (false discovery rate)",
            "none": "no adjustment",
        }[p.adjust]
        + f", significant at {p.alpha}.",
    ]


def _data_summary(recs: Records, prep: _Prepared) -> dict[str, Any]:
    digest = hashlib.sha256(json.dumps(recs.rows, sort_keys=True, default=str).encode()).hexdigest()
    return {
        "records": len(recs),
        "clusters": prep.n_clusters,
        "unassigned": int((~prep.member.any(axis=1)).sum()),
        "sha256": digest,
    }
