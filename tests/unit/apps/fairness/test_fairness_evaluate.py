"""evaluate(): per-group values, flags, disparity, tests, clustering, JSON round trip."""

from __future__ import annotations

import math

import numpy as np
import pytest

from quod.apps.fairness import Report, evaluate
from quod.apps.fairness.errors import FairnessError
from quod.apps.fairness.synthetic import clustered_ratio


def _binary(rates: dict[str, float], n: int, seed: int = 0) -> list[dict[str, object]]:
    rng = np.random.default_rng(seed)
    return [
        {"g": g, "label": 1, "prediction": int(rng.random() >= p)} for g, p in rates.items() for _ in range(n)
    ]


def test_values_counts_and_wilson_intervals() -> None:
    recs = [{"g": "a", "label": 1, "prediction": int(i >= 10)} for i in range(40)]
    recs += [{"g": "b", "label": 1, "prediction": int(i >= 4)} for i in range(40)]
    rep = evaluate(recs, "error_rate", "g", n_boot=200)
    a, b = rep.group("g=a"), rep.group("g=b")
    assert (a.n, a.numerator, a.value) == (40, 10, 0.25)
    assert b.value == 0.1
    assert a.ci_method == "wilson" and a.ci[0] < 0.25 < a.ci[1]
    assert rep.overall.value == pytest.approx(14 / 80)
    d = rep.disparity
    assert d is not None and d.worst_group == "g=a" and d.best_group == "g=b"
    assert d.gap == pytest.approx(0.15) and d.ratio == pytest.approx(0.4)


def test_worst_group_follows_metric_direction() -> None:
    recs = _binary({"a": 0.1, "b": 0.4}, 200)
    assert evaluate(recs, "error_rate", "g", n_boot=200).disparity.worst_group == "g=b"
    assert evaluate(recs, "accuracy", "g", n_boot=200).disparity.worst_group == "g=b"


def test_small_groups_are_flagged_not_dropped() -> None:
    recs = _binary({"a": 0.1, "b": 0.2}, 100) + _binary({"tiny": 0.9}, 5)
    rep = evaluate(recs, "error_rate", "g", n_boot=200)
    tiny = rep.group("g=tiny")
    assert tiny.status == "insufficient" and tiny.n == 5 and math.isfinite(tiny.value)
    assert rep.disparity is not None and "g=tiny" not in rep.disparity.compared
    assert tiny.p_value is None
    assert any("'g=tiny' is insufficient" in w for w in rep.warnings)
    assert rep.overall.n == 205  # its records still count overall


def test_one_sufficient_group_gives_no_disparity() -> None:
    rep = evaluate(_binary({"a": 0.1}, 100) + _binary({"b": 0.1}, 3), "error_rate", "g", n_boot=200)
    assert rep.disparity is None
    assert any("fewer than two groups" in w for w in rep.warnings)


def test_holm_adjustment_is_applied_and_detects_a_real_gap() -> None:
    recs = _binary({"a": 0.1, "b": 0.1, "c": 0.35}, 300, seed=3)
    rep = evaluate(recs, "error_rate", "g", n_boot=200, adjust="holm")
    for g in rep.groups:
        assert g.p_adjusted is not None and g.p_adjusted >= g.p_value
    assert rep.group("g=c").significant
    bh = evaluate(recs, "error_rate", "g", n_boot=200, adjust="bh")
    assert all(x.p_adjusted <= y.p_adjusted + 1e-12 for x, y in zip(bh.groups, rep.groups))


def test_overlapping_groups_and_unassigned_records() -> None:
    recs = [{"age": a, "label": 1, "prediction": int(a % 3 != 0)} for a in range(18, 90)] * 3
    groups = [
        {"name": "young", "where": {"field": "age", "range": [None, 40]}},
        {"name": "under 60", "where": {"field": "age", "range": [None, 60]}},
        {"name": "80+", "where": {"field": "age", "range": [80, None]}},
    ]
    rep = evaluate(recs, "error_rate", groups, n_boot=200)
    assert rep.group("young").n == 22 * 3 and rep.group("under 60").n == 42 * 3
    assert rep.data["unassigned"] == 20 * 3
    assert any("overlap" in w for w in rep.warnings)
    assert any("belong to no group" in w for w in rep.warnings)


def test_cluster_bootstrap_is_wider_than_row_bootstrap_under_speaker_effects() -> None:
    recs = clustered_ratio({"a": 0.2, "b": 0.3}, speakers=25, utterances=20, seed=1, concentration=3)
    metric = {"name": "ratio", "fields": {"numerator": "errors", "denominator": "words"}}
    clustered = evaluate(recs, metric, "group", cluster_by="speaker", n_boot=1000)
    rows = evaluate(recs, metric, "group", n_boot=1000)
    for name in ("group=a", "group=b"):
        wc = clustered.group(name).ci[1] - clustered.group(name).ci[0]
        wr = rows.group(name).ci[1] - rows.group(name).ci[0]
        assert clustered.group(name).ci_method == "cluster-bootstrap"
        assert wc > 1.5 * wr
        assert clustered.group(name).value == rows.group(name).value


def test_clusters_below_minimum_are_insufficient() -> None:
    recs = clustered_ratio({"a": 0.2, "b": 0.3}, speakers=4, utterances=30, seed=2)
    metric = {"name": "ratio", "fields": {"numerator": "errors", "denominator": "words"}}
    rep = evaluate(recs, metric, "group", cluster_by="speaker", n_boot=200, min_clusters=5)
    assert all(g.status == "insufficient" for g in rep.groups)


def test_deterministic_and_json_round_trip() -> None:
    recs = clustered_ratio({"a": 0.2, "b": 0.25, "c": 0.3}, speakers=12, utterances=5, seed=4)
    metric = {"name": "ratio", "fields": {"numerator": "errors", "denominator": "words"}}
    r1 = evaluate(recs, metric, "group", cluster_by="speaker", n_boot=300, seed=7)
    r2 = evaluate(recs, metric, "group", cluster_by="speaker", n_boot=300, seed=7)
    assert r1.to_json() == r2.to_json()
    back = Report.from_json(r1.to_json())
    assert back.to_json() == r1.to_json()
    assert back.metric == r1.metric and back.group_specs == r1.group_specs


def test_parameter_and_input_errors() -> None:
    recs = _binary({"a": 0.1}, 10)
    with pytest.raises(FairnessError, match="level"):
        evaluate(recs, "error_rate", "g", level=1.5)
    with pytest.raises(FairnessError, match="invalid evaluation parameter"):
        evaluate(recs, "error_rate", "g", bogus=1)
    with pytest.raises(FairnessError, match="no records"):
        evaluate([], "error_rate", "g")
    with pytest.raises(FairnessError, match="cluster field"):
        evaluate(recs, "error_rate", "g", cluster_by="speaker")
    with pytest.raises(FairnessError, match="not a quod fairness report"):
        Report.from_json({"format": "other"})
