"""Disaggregated evaluation, last-mile checks and algorithmic bias bounties."""

from __future__ import annotations

from .evaluate import EvalParams, evaluate
from .groups import GroupSpec, group_from_json, groups_by_field, groups_from_json, predicate
from .metrics import Metric
from .records import Records, load_records
from .report_model import Disparity, GroupResult, Report

__all__ = [
    "Disparity",
    "EvalParams",
    "GroupResult",
    "GroupSpec",
    "Metric",
    "Records",
    "Report",
    "evaluate",
    "group_from_json",
    "groups_by_field",
    "groups_from_json",
    "load_records",
    "predicate",
]
