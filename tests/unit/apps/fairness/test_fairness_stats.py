"""Interval, test and adjustment helpers against independent references (scipy, formulas)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import binomtest, false_discovery_control

from quod.apps.fairness import stats


@pytest.mark.parametrize(("k", "n"), [(0, 10), (3, 10), (10, 10), (17, 250), (1, 1), (499, 1000)])
def test_wilson_matches_scipy(k: int, n: int) -> None:
    ref = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    lo, hi = stats.wilson(k, n, 0.95)
    assert lo == pytest.approx(ref.low, abs=1e-12)
    assert hi == pytest.approx(ref.high, abs=1e-12)


def test_wilson_empty_is_undefined() -> None:
    assert all(math.isnan(x) for x in stats.wilson(0, 0))


def test_holm_hand_example() -> None:
    # sorted p: .01 (x3 = .03), .02 (x2 = .04), .04 (x1 = .04, monotone max)
    assert stats.holm([0.04, 0.01, 0.02]) == pytest.approx([0.04, 0.03, 0.04])
    assert stats.holm([0.5, 0.6]) == pytest.approx([1.0, 1.0])


def test_bh_matches_scipy_and_is_less_strict_than_holm() -> None:
    p = [0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205]
    assert stats.benjamini_hochberg(p) == pytest.approx(list(false_discovery_control(p)))
    assert all(b <= h + 1e-12 for b, h in zip(stats.benjamini_hochberg(p), stats.holm(p)))


def test_ratio_se_reduces_to_standard_error_of_mean() -> None:
    x = np.array([1.0, 0, 0, 1, 1, 0, 1, 1])
    se = stats.ratio_se(x, np.ones_like(x))
    assert se == pytest.approx(x.std(ddof=1) / math.sqrt(len(x)))


def test_wald_p_known_value() -> None:
    assert stats.wald_p(1.96, 1.0, 0.0, 0.0) == pytest.approx(0.05, abs=1e-3)
    assert stats.wald_p(0.3, 0.0, 0.3, 0.0) == 1.0


def test_resample_sums_pools_identical_rows_without_bias() -> None:
    rng = np.random.default_rng(0)
    num = (rng.random(5000) < 0.3).astype(float)
    bn, bd = stats.resample_sums(num, np.ones_like(num), 4000, rng)
    assert (bd == 5000).all()  # every replicate has n draws
    sd = (bn / bd).std()
    assert (bn / bd).mean() == pytest.approx(num.mean(), abs=0.002)
    assert sd == pytest.approx(math.sqrt(0.3 * 0.7 / 5000), rel=0.1)


def test_percentile_interval_ignores_nan() -> None:
    s = np.array([np.nan, 1, 2, 3, 4, np.nan])
    lo, hi = stats.percentile_interval(s, 0.5)
    assert 1 <= lo < hi <= 4


def test_wald_p_with_few_degrees_of_freedom_is_more_cautious() -> None:
    normal = stats.wald_p(2.5, 1.0, 0.0, 0.0)
    assert stats.wald_p(2.5, 1.0, 0.0, 0.0, df=4) > 2 * normal
    assert stats.wald_p(2.5, 1.0, 0.0, 0.0, df=10_000) == pytest.approx(normal, rel=5e-3)
