"""The evaluation report as data: per-group results, disparity, provenance.

A report is self-describing: it stores the metric and the group specs it was
computed with, so `lastmile.compare` can re-run the same evaluation on other
data. JSON round-trips exactly (NaN is written as null).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import FairnessError
from .groups import GroupSpec, groups_from_json
from .metrics import Metric

FORMAT = "quod-fairness-report/1"


def _num(x: float) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


def _pair(x: tuple[float, float]) -> list[float | None]:
    return [_num(x[0]), _num(x[1])]


def _f(x: Any) -> float:
    return math.nan if x is None else float(x)


@dataclass
class GroupResult:
    name: str
    n: int
    clusters: int
    numerator: float
    denominator: float
    value: float
    se: float
    ci: tuple[float, float]
    ci_method: str
    status: str  # ok | insufficient | empty
    provenance: str = ""
    kind: str = ""
    p_value: float | None = None
    p_adjusted: float | None = None
    significant: bool | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "n": self.n,
            "clusters": self.clusters,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "value": _num(self.value),
            "se": _num(self.se),
            "ci": _pair(self.ci),
            "ci_method": self.ci_method,
            "status": self.status,
            "provenance": self.provenance,
            "kind": self.kind,
            "p_value": None if self.p_value is None else _num(self.p_value),
            "p_adjusted": self.p_adjusted,
            "significant": self.significant,
        }

    @staticmethod
    def from_json(d: Mapping[str, Any]) -> GroupResult:
        return GroupResult(
            name=d["name"],
            n=int(d["n"]),
            clusters=int(d["clusters"]),
            numerator=float(d["numerator"]),
            denominator=float(d["denominator"]),
            value=_f(d["value"]),
            se=_f(d["se"]),
            ci=(_f(d["ci"][0]), _f(d["ci"][1])),
            ci_method=d["ci_method"],
            status=d["status"],
            provenance=d.get("provenance", ""),
            kind=d.get("kind", ""),
            p_value=d.get("p_value"),
            p_adjusted=d.get("p_adjusted"),
            significant=d.get("significant"),
        )


@dataclass
class Disparity:
    worst_group: str
    worst_value: float
    worst_ci: tuple[float, float]
    worst_stability: float  # share of bootstrap replicates in which the same group is worst
    best_group: str
    best_value: float
    gap: float
    gap_ci: tuple[float, float]
    ratio: float
    ratio_ci: tuple[float, float]
    compared: list[str]
    replicates_used: int

    def to_json(self) -> dict[str, Any]:
        return {
            "worst_group": self.worst_group,
            "worst_value": _num(self.worst_value),
            "worst_ci": _pair(self.worst_ci),
            "worst_stability": _num(self.worst_stability),
            "best_group": self.best_group,
            "best_value": _num(self.best_value),
            "gap": _num(self.gap),
            "gap_ci": _pair(self.gap_ci),
            "ratio": _num(self.ratio),
            "ratio_ci": _pair(self.ratio_ci),
            "compared": list(self.compared),
            "replicates_used": self.replicates_used,
        }

    @staticmethod
    def from_json(d: Mapping[str, Any]) -> Disparity:
        return Disparity(
            worst_group=d["worst_group"],
            worst_value=_f(d["worst_value"]),
            worst_ci=(_f(d["worst_ci"][0]), _f(d["worst_ci"][1])),
            worst_stability=_f(d["worst_stability"]),
            best_group=d["best_group"],
            best_value=_f(d["best_value"]),
            gap=_f(d["gap"]),
            gap_ci=(_f(d["gap_ci"][0]), _f(d["gap_ci"][1])),
            ratio=_f(d["ratio"]),
            ratio_ci=(_f(d["ratio_ci"][0]), _f(d["ratio_ci"][1])),
            compared=list(d["compared"]),
            replicates_used=int(d["replicates_used"]),
        )


@dataclass
class Report:
    metric: Metric
    groups: list[GroupResult]
    overall: GroupResult
    disparity: Disparity | None
    group_specs: list[GroupSpec]
    cluster_by: str | None
    params: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    methods: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    title: str = ""

    def group(self, name: str) -> GroupResult:
        for g in self.groups:
            if g.name == name:
                return g
        raise KeyError(name)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "title": self.title,
            "metric": self.metric.to_json(),
            "cluster_by": self.cluster_by,
            "params": dict(self.params),
            "data": dict(self.data),
            "overall": self.overall.to_json(),
            "groups": [g.to_json() for g in self.groups],
            "disparity": self.disparity.to_json() if self.disparity else None,
            "group_specs": [g.to_json() for g in self.group_specs],
            "warnings": list(self.warnings),
            "methods": list(self.methods),
        }

    @staticmethod
    def from_json(d: Any, where: str = "report") -> Report:
        if not isinstance(d, Mapping) or d.get("format") != FORMAT:
            raise FairnessError("Q1012", f"{where}: not a quod fairness report (format {FORMAT!r} expected)")
        try:
            return Report(
                metric=Metric.from_json(d["metric"]),
                groups=[GroupResult.from_json(g) for g in d["groups"]],
                overall=GroupResult.from_json(d["overall"]),
                disparity=Disparity.from_json(d["disparity"]) if d.get("disparity") else None,
                group_specs=groups_from_json(d["group_specs"], "$.group_specs"),
                cluster_by=d.get("cluster_by"),
                params=dict(d["params"]),
                warnings=list(d.get("warnings", [])),
                methods=list(d.get("methods", [])),
                data=dict(d.get("data", {})),
                title=d.get("title", ""),
            )
        except (KeyError, TypeError, ValueError, IndexError) as e:
            raise FairnessError("Q1012", f"{where}: malformed report ({type(e).__name__}: {e})") from None
