"""Interval estimates, tests and multiplicity adjustments used by the evaluation.

- Wilson score interval for a proportion from independent examples.
- Cluster bootstrap (BCa) for ratio metrics: whole clusters (speakers,
  tasks) are resampled, because examples from one speaker share errors and
  resampling rows would make intervals too narrow.
- Linearization (delta-method) standard error of a ratio estimator with
  clusters, for tests and the last-mile comparison.
- Holm (family-wise error) and Benjamini-Hochberg (false discovery rate).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import NormalDist

import numpy as np

_CHUNK_CELLS = 4_000_000  # bound the memory of one batch of bootstrap counts


def _need_scipy() -> None:
    from .errors import require

    require("scipy", "exact and multiplicity-adjusted tests")


def z_value(level: float) -> float:
    """Two-sided normal quantile for a confidence level, e.g. 1.96 for 0.95."""
    return NormalDist().inv_cdf(0.5 + level / 2)


def wilson(k: float, n: float, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for k successes in n independent trials."""
    if n <= 0:
        return (math.nan, math.nan)
    z = z_value(level)
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    # Clamp rounding noise; at k=0 or k=n the bound is exactly 0 or 1.
    lo = 0.0 if k == 0 else max(0.0, centre - half)
    hi = 1.0 if k == n else min(1.0, centre + half)
    return (lo, hi)


def ratio_se(num: np.ndarray, den: np.ndarray) -> float:
    """Linearization standard error of sum(num)/sum(den) over independent clusters."""
    k = len(num)
    total = float(den.sum())
    if k < 2 or total <= 0:
        return math.nan
    r = float(num.sum()) / total
    resid = num - r * den
    return math.sqrt(k / (k - 1) * float(np.dot(resid, resid))) / total


def wald_p(v1: float, se1: float, v2: float, se2: float, df: float | None = None) -> float:
    """Two-sided p-value for v1 == v2 from independent estimates and standard errors.

    With `df` the reference distribution is Student's t: cluster-robust
    standard errors from few clusters are noisy, and the normal reference
    would then reject far too often (df = clusters - 1 is the usual choice).
    """
    s = math.hypot(se1, se2)
    if not math.isfinite(s):
        return math.nan
    if s == 0:
        return 1.0 if v1 == v2 else 0.0
    z = abs(v1 - v2) / s
    if df is not None:
        _need_scipy()
        from scipy.stats import t as student_t  # type: ignore[import-untyped]

        return float(2 * student_t.sf(z, max(1.0, df)))
    return 2 * (1 - NormalDist().cdf(z))


def fisher_p(k1: int, n1: int, k2: int, n2: int) -> float:
    """Fisher's exact two-sided p-value for k1/n1 vs k2/n2."""
    _need_scipy()
    from scipy.stats import fisher_exact  # type: ignore[import-untyped]

    table = [[k1, n1 - k1], [k2, n2 - k2]]
    return float(fisher_exact(table).pvalue)


def holm(p: Sequence[float]) -> list[float]:
    """Holm step-down adjusted p-values (controls the family-wise error rate)."""
    m = len(p)
    order = sorted(range(m), key=lambda i: p[i])
    out = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        out[i] = running
    return out


def benjamini_hochberg(p: Sequence[float]) -> list[float]:
    """Benjamini-Hochberg adjusted p-values (controls the false discovery rate)."""
    if not p:
        return []
    _need_scipy()
    from scipy.stats import false_discovery_control  # type: ignore[import-untyped]

    return [float(x) for x in false_discovery_control(np.asarray(p, dtype=float), method="bh")]


def adjust(p: Sequence[float], method: str) -> list[float]:
    if method == "holm":
        return holm(p)
    if method in ("bh", "fdr_bh"):
        return benjamini_hochberg(p)
    if method == "none":
        return list(p)
    raise ValueError(f"unknown adjustment {method!r}")


def resample_sums(
    num: np.ndarray, den: np.ndarray, reps: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Bootstrap totals of num and den, resampling the given units with replacement.

    Identical units are pooled first and drawn with a multinomial over the
    distinct (num, den) pairs: for 0/1 metrics that is 2 categories however
    many rows there are, so the cost does not grow with n.
    """
    k = len(num)
    if k == 0:
        z = np.zeros(reps)
        return z, z.copy()
    pairs, counts = np.unique(np.stack([num, den], axis=1), axis=0, return_counts=True)
    probs = counts / k
    out_n = np.empty(reps)
    out_d = np.empty(reps)
    step = max(1, _CHUNK_CELLS // len(pairs))
    for start in range(0, reps, step):
        stop = min(reps, start + step)
        draws = rng.multinomial(k, probs, size=stop - start)
        out_n[start:stop] = draws @ pairs[:, 0]
        out_d[start:stop] = draws @ pairs[:, 1]
    return out_n, out_d


def resample_matrix(
    num: np.ndarray, den: np.ndarray, reps: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Bootstrap totals per column when units (rows) contribute to several columns.

    Used when clusters cross groups (e.g. a speaker recorded in several noise
    conditions): resampling a cluster carries all of its columns together.
    """
    k, g = num.shape
    out_n = np.empty((reps, g))
    out_d = np.empty((reps, g))
    step = max(1, _CHUNK_CELLS // max(1, k))
    for start in range(0, reps, step):
        stop = min(reps, start + step)
        draws = rng.multinomial(k, np.full(k, 1.0 / k), size=stop - start)
        out_n[start:stop] = draws @ num
        out_d[start:stop] = draws @ den
    return out_n, out_d


def percentile_interval(samples: np.ndarray, level: float) -> tuple[float, float]:
    """Percentile interval ignoring undefined (NaN) replicates."""
    s = samples[np.isfinite(samples)]
    if len(s) == 0:
        return (math.nan, math.nan)
    a = (1 - level) / 2
    lo, hi = np.quantile(s, [a, 1 - a])
    return (float(lo), float(hi))


def bca_interval(samples: np.ndarray, estimate: float, jack: np.ndarray, level: float) -> tuple[float, float]:
    """Bias-corrected and accelerated (BCa) bootstrap interval (Efron 1987).

    `jack` holds the leave-one-unit-out (jackknife) estimates, from which the
    acceleration is taken. For a ratio over few clusters the plain percentile
    interval is too narrow and skewed; BCa corrects most of that. Falls back to
    the percentile interval when the jackknife is undefined.
    """
    s = samples[np.isfinite(samples)]
    if len(s) == 0 or not math.isfinite(estimate):
        return (math.nan, math.nan)
    if len(jack) < 3 or not np.isfinite(jack).all():
        return percentile_interval(s, level)
    below = (np.sum(s < estimate) + 0.5 * np.sum(s == estimate)) / len(s)
    below = min(max(below, 1 / len(s)), 1 - 1 / len(s))
    nd = NormalDist()
    z0 = nd.inv_cdf(below)
    d = jack.mean() - jack
    spread = float(np.sum(d * d)) ** 1.5
    acc = float(np.sum(d**3)) / (6 * spread) if spread > 0 else 0.0
    out = []
    for q in ((1 - level) / 2, (1 + level) / 2):
        z = nd.inv_cdf(q)
        out.append(float(np.quantile(s, nd.cdf(z0 + (z0 + z) / (1 - acc * (z0 + z))))))
    return (out[0], out[1])


def jackknife_ratios(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """sum(num)/sum(den) with each unit left out in turn."""
    rest = den.sum() - den
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(rest > 0, (num.sum() - num) / np.where(rest > 0, rest, 1), np.nan)


def safe_ratio(n: np.ndarray, d: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(d > 0, n / np.where(d > 0, d, 1), np.nan)
