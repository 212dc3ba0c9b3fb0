"""Job-shop formulas and the z3 reference answer, shared by the eager engine's tests."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from quod.backends.registry import get_solver
from quod.core.builder import Int, Or
from quod.core.terms import Term


def z3_status(fs: Sequence[Term]) -> str:
    s = get_solver("z3")
    s.add(*fs)
    return str(s.check())


def start_vars(durations: Sequence[Sequence[int]], prefix: str = "s") -> list[list[Term]]:
    return [[Int(f"{prefix}{j}_{k}") for k in range(len(row))] for j, row in enumerate(durations)]


def job_shop(
    durations: Sequence[Sequence[int]],
    machines: Sequence[Sequence[int]],
    horizon: int,
    *,
    release: Sequence[int] | None = None,
    prefix: str = "s",
) -> list[Term]:
    """Jobs are chains of operations on fixed machines (unary resources), all done by `horizon`;
    job j starts no earlier than release[j] (default 0)."""
    ref = Int("ref")
    s = start_vars(durations, prefix)
    fs = []
    for j, row in enumerate(durations):
        fs.append(s[j][0] - ref >= (release[j] if release else 0))
        fs += [s[j][k] - s[j][k - 1] >= row[k - 1] for k in range(1, len(row))]
        fs.append(s[j][-1] - ref <= horizon - row[-1])
    ops = [(j, k) for j, row in enumerate(durations) for k in range(len(row))]
    for (j1, k1), (j2, k2) in itertools.combinations(ops, 2):
        if machines[j1][k1] == machines[j2][k2]:
            d1, d2 = durations[j1][k1], durations[j2][k2]
            fs.append(Or(s[j2][k2] - s[j1][k1] >= d1, s[j1][k1] - s[j2][k2] >= d2))
    return fs
