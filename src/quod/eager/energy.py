"""Energetic reasoning for scheduling resources (a root-level consistency check).

For a resource of capacity M whose operations i start in [lo_i, hi_i] and
occupy it for d_i time units, every time window [t1, t2) receives at least

    E_i(t1, t2) = min(|[lo_i, lo_i + d_i) & [t1, t2)|, |[hi_i, hi_i + d_i) & [t1, t2)|)

units of work from operation i: the overlap of [s, s + d_i) with the window
is a trapezoid in s, so its minimum over [lo_i, hi_i] is at an end. If the
operations need more than M * (t2 - t1) in some window, no schedule exists
(Baptiste, Le Pape & Nuijten, "Constraint-Based Scheduling", ch. 3). Any
window is a valid check; the candidates are the usual ones, where the slope
of the required energy changes: t1 in {lo_i, hi_i, lo_i + d_i} and t2 in
{hi_i + d_i, lo_i + d_i, hi_i}.

Pigeonhole-style counting arguments like this one are exponentially hard for
resolution, so a CDCL solver cannot find them from the clauses; as a root-level
check they cost one vectorized pass. The bounds lo_i/hi_i are implied by the
formula (derived domains), so a refutation here is a refutation of the formula.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_LIMIT = 1 << 40  # |times| + durations: window * (n + capacity) stays below 2**62
_LIMIT_OPS = 1 << 20


@dataclass(frozen=True)
class Overload:
    t1: int
    t2: int
    required: int
    available: int

    def __str__(self) -> str:
        return (
            f"window [{self.t1}, {self.t2}) needs {self.required} units of work, "
            f"capacity gives {self.available}"
        )


def overload(lo: list[int], hi: list[int], dur: list[int], capacity: int) -> Overload | None:
    """The most overloaded window (t1, t2), or None if every window fits."""
    if not lo:
        return None
    # n operations never need more than n machines; the cap also keeps products in int64
    capacity = min(capacity, len(lo))
    big = max(max(map(abs, lo)), max(map(abs, hi))) + max(dur)
    if big >= _LIMIT or len(lo) >= _LIMIT_OPS or min(dur) < 0:
        return None  # outside the range where int64 arithmetic is exact: claim nothing
    lo_a = np.asarray(lo, dtype=np.int64)
    hi_a = np.asarray(hi, dtype=np.int64)
    d = np.asarray(dur, dtype=np.int64)
    starts = np.unique(np.concatenate([lo_a, hi_a, lo_a + d]))
    ends = np.unique(np.concatenate([hi_a + d, lo_a + d, hi_a]))
    best: Overload | None = None
    best_excess = 0
    for t1 in starts.tolist():
        t2 = ends[ends > t1]
        if t2.size == 0:
            continue
        t2c = t2[:, None]  # windows x operations
        left = np.minimum(lo_a + d, t2c) - np.maximum(lo_a, t1)
        right = np.minimum(hi_a + d, t2c) - np.maximum(hi_a, t1)
        need = np.maximum(np.minimum(left, right), 0).sum(axis=1)
        excess = need - capacity * (t2 - t1)
        k = int(np.argmax(excess))
        if int(excess[k]) > best_excess:
            best_excess = int(excess[k])
            w = int(t2[k])
            best = Overload(t1, w, int(need[k]), capacity * (w - t1))
    return best
