"""fairlearn interoperability: the same per-group numbers as a `MetricFrame`.

`metric_frame(records, metric, field)` builds a fairlearn MetricFrame whose
`by_group`, `overall`, `difference()` and `ratio()` equal the values of
`evaluate` for groups given by one field. Any metric works, because the frame
is given each example's (numerator, denominator) and a sum-ratio metric. What
MetricFrame cannot do is why `evaluate` exists: its bootstrap resamples rows
only (wrong for speakers or tasks), and it has no minimum group size, tests
or multiplicity adjustment.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .errors import FairnessError, require
from .metrics import Metric
from .records import Record, Records, as_records


def _sum_ratio(num: Any, den: Any) -> float:
    d = float(np.sum(den))
    return float(np.sum(num)) / d if d > 0 else float("nan")


def metric_frame(
    records: Sequence[Record] | Records, metric: str | Metric | Mapping[str, Any], field: str
) -> Any:
    """A fairlearn MetricFrame over `field` with quod's (numerator, denominator) metric."""
    require("fairlearn", "metric_frame")
    from fairlearn.metrics import MetricFrame

    recs = as_records(records)
    keep = [i for i, r in enumerate(recs) if r.get(field) is not None]
    if not keep:
        raise FairnessError("Q1003", f"no record has a value for '{field}'")
    sub = recs.subset(keep)
    m = metric if isinstance(metric, Metric) else Metric.from_json(metric)
    num, den = m.per_example(sub)
    return MetricFrame(
        metrics=_sum_ratio,
        y_true=num,
        y_pred=den,
        sensitive_features=[f"{field}={r[field]}" for r in sub],
    )
