"""Simulation: intervals cover the true value at about the stated rate.

Sizes are chosen so the file runs in seconds. Tolerances come from the Monte
Carlo error: with R simulated data sets the observed coverage has standard
error sqrt(0.95 * 0.05 / R) (0.015 for R = 200); we allow 3 of those plus,
for the cluster bootstrap, one point for its known small-sample bias with 30
clusters. The data sets are seeded, so the test is deterministic; the bounds
are what make it meaningful (a row-level bootstrap on the same data covers
only ~60% and fails them).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.stats import binom

from quod.apps.fairness import evaluate, stats
from quod.apps.fairness.synthetic import clustered_ratio

RATIO = {"name": "ratio", "fields": {"numerator": "errors", "denominator": "words"}}


def _mc_se(r: int) -> float:
    return math.sqrt(0.95 * 0.05 / r)


def test_wilson_coverage_matches_its_exact_coverage() -> None:
    n, p, reps = 60, 0.1, 300
    exact = sum(
        binom.pmf(k, n, p) for k in range(n + 1) if stats.wilson(k, n)[0] <= p <= stats.wilson(k, n)[1]
    )
    assert 0.93 <= exact <= 0.97
    rng = np.random.default_rng(11)
    hits = 0
    for _ in range(reps):
        recs = [{"g": "a", "label": 1, "prediction": int(rng.random() >= p)} for _ in range(n)]
        lo, hi = evaluate(recs, "error_rate", "g", n_boot=100).group("g=a").ci
        hits += lo <= p <= hi
    assert abs(hits / reps - exact) <= 3 * math.sqrt(exact * (1 - exact) / reps)


def test_cluster_bootstrap_covers_group_rate_and_gap() -> None:
    reps, truth = 200, {"a": 0.15, "b": 0.30}
    hit_a = hit_gap = 0
    for r in range(reps):
        recs = clustered_ratio(truth, speakers=30, utterances=8, seed=1000 + r, concentration=5)
        rep = evaluate(recs, RATIO, "group", cluster_by="speaker", n_boot=400, seed=r)
        lo, hi = rep.group("group=a").ci
        hit_a += lo <= truth["a"] <= hi
        lo, hi = rep.disparity.gap_ci
        hit_gap += lo <= 0.15 <= hi
    tol = 3 * _mc_se(reps) + 0.01
    assert abs(hit_a / reps - 0.95) <= tol, hit_a / reps
    assert abs(hit_gap / reps - 0.95) <= tol, hit_gap / reps


def test_row_level_bootstrap_undercovers_clustered_data() -> None:
    # The reason for clustering: fairlearn-style row resampling ignores speaker effects.
    reps, hits = 80, 0
    for r in range(reps):
        recs = clustered_ratio({"a": 0.15}, speakers=30, utterances=8, seed=1000 + r, concentration=5)
        lo, hi = evaluate(recs, RATIO, "group", n_boot=300, min_n=1).group("group=a").ci
        hits += lo <= 0.15 <= hi
    assert hits / reps < 0.8


def test_gap_interval_covers_zero_when_there_is_no_gap() -> None:
    # A bootstrap of max - min would cover 0 never; the fixed-pair interval about 95% of the time.
    reps, hits = 100, 0
    for r in range(reps):
        recs = clustered_ratio(
            {"a": 0.2, "b": 0.2}, speakers=30, utterances=8, seed=5000 + r, concentration=5
        )
        lo, hi = evaluate(recs, RATIO, "group", cluster_by="speaker", n_boot=400, seed=r).disparity.gap_ci
        hits += lo <= 0.0 <= hi
    assert abs(hits / reps - 0.95) <= 3 * _mc_se(reps) + 0.01, hits / reps
