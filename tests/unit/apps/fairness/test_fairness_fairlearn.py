"""Same numbers as fairlearn's MetricFrame on shared cases (values, difference, ratio)."""

from __future__ import annotations

import numpy as np
import pytest

fairlearn_metrics = pytest.importorskip("fairlearn.metrics")
from sklearn.metrics import accuracy_score, zero_one_loss  # noqa: E402

from quod.apps.fairness import evaluate  # noqa: E402
from quod.apps.fairness.synthetic import clustered_ratio  # noqa: E402


def _data(seed: int = 0) -> list[dict[str, object]]:
    rng = np.random.default_rng(seed)
    out = []
    for g, p in (("a", 0.1), ("b", 0.25), ("c", 0.4)):
        for _ in range(150 + int(rng.integers(0, 50))):
            y = int(rng.integers(0, 2))
            out.append({"g": g, "label": y, "prediction": y if rng.random() >= p else 1 - y})
    return out


@pytest.mark.parametrize(("metric", "sk"), [("error_rate", zero_one_loss), ("accuracy", accuracy_score)])
def test_proportions_match_metricframe(metric: str, sk: object) -> None:
    recs = _data()
    mf = fairlearn_metrics.MetricFrame(
        metrics=sk,
        y_true=[r["label"] for r in recs],
        y_pred=[r["prediction"] for r in recs],
        sensitive_features=[r["g"] for r in recs],
    )
    rep = evaluate(recs, metric, "g", n_boot=200)
    for g, v in mf.by_group.items():
        assert rep.group(f"g={g}").value == pytest.approx(v, abs=1e-12)
    assert rep.overall.value == pytest.approx(mf.overall, abs=1e-12)
    assert rep.disparity.gap == pytest.approx(mf.difference(), abs=1e-12)
    assert rep.disparity.ratio == pytest.approx(mf.ratio(), abs=1e-12)


def test_ratio_metric_matches_metricframe_with_a_sum_ratio_metric() -> None:
    # MetricFrame has no (numerator, denominator) notion; passing the counts as
    # y_true / y_pred with a sum-ratio metric reproduces the corpus-level rate.
    recs = clustered_ratio({"x": 0.1, "y": 0.2, "z": 0.15}, speakers=10, utterances=6, seed=5)
    mf = fairlearn_metrics.MetricFrame(
        metrics=lambda num, den: float(np.sum(num) / np.sum(den)),
        y_true=np.array([r["errors"] for r in recs], dtype=float),
        y_pred=np.array([r["words"] for r in recs], dtype=float),
        sensitive_features=[r["group"] for r in recs],
    )
    metric = {"name": "ratio", "fields": {"numerator": "errors", "denominator": "words"}}
    rep = evaluate(recs, metric, "group", cluster_by="speaker", n_boot=200, min_clusters=5)
    for g, v in mf.by_group.items():
        assert rep.group(f"group={g}").value == pytest.approx(v, abs=1e-12)
    assert rep.disparity.gap == pytest.approx(mf.difference(), abs=1e-12)
    assert rep.disparity.ratio == pytest.approx(mf.ratio(), abs=1e-12)


def test_metric_frame_helper_reproduces_evaluate() -> None:
    from quod.apps.fairness.compat import metric_frame

    recs = _data(3)
    mf = metric_frame(recs, "accuracy", "g")
    rep = evaluate(recs, "accuracy", "g", n_boot=200)
    for g, v in mf.by_group.items():
        assert rep.group(g).value == pytest.approx(v, abs=1e-12)
    assert rep.disparity.gap == pytest.approx(mf.difference(), abs=1e-12)
    assert rep.disparity.ratio == pytest.approx(mf.ratio(), abs=1e-12)
