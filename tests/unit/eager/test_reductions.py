"""Machine-capacity constraints and the pure-ordering reduction."""

import itertools

from quod.core.builder import And, Int, Or
from quod.eager import EagerOptions, encode, solve
from quod.kernel.model import check_model


def machines_problem(n_jobs: int, n_machines: int, deadline: int, dur: int = 2):
    """n_jobs single-operation jobs of length `dur` on identical machines, all done by `deadline`."""
    ref = Int("ref")
    s = [Int(f"s{i}") for i in range(n_jobs)]
    m = [Int(f"m{i}") for i in range(n_jobs)]
    fs = []
    for i in range(n_jobs):
        fs += [s[i] - ref >= 0, s[i] - ref <= deadline - dur, m[i] - ref >= 0, m[i] - ref <= n_machines - 1]
    for i, j in itertools.combinations(range(n_jobs), 2):
        fs.append(Or(m[i] != m[j], s[j] - s[i] >= dur, s[i] - s[j] >= dur))
    return fs


def test_capacity_constraints_detected_and_answers_unchanged():
    # 7 jobs of length 2 on 3 machines fit in 6 time units (3 slots per machine) but not 7 in 4 units
    sat_fs = machines_problem(7, 3, 6)
    unsat_fs = machines_problem(7, 3, 4)
    ep = encode(unsat_fs)
    assert ep.stats["capacity_groups"] == 1 and ep.stats["capacity_ops"] == 7
    for cap in (True, False):
        opts = EagerOptions(capacity=cap)
        r = solve(sat_fs, opts)
        assert r.status == "sat" and check_model(sat_fs, r.model).ok
        assert solve(unsat_fs, opts).status == "unsat"


def test_capacity_skipped_when_a_pair_is_unconstrained():
    fs = machines_problem(4, 2, 4)
    fs = [f for f in fs if "s3" not in str(f) or "m0" not in str(f)]  # drop the (0, 3) clause
    ep = encode(fs)
    assert "capacity_groups" not in ep.stats
    # without the (0, 3) clause, jobs 0 and 3 may share a machine and overlap: sat
    assert solve(fs).status == "sat"


def test_pure_ordering_eliminates_and_rebuilds_models():
    # a long chain with a few choice points: only the variables in disjunctions stay
    xs = [Int(f"e{i}") for i in range(40)]
    fs = [xs[i] < xs[i + 1] for i in range(39)]
    a, b = Int("a"), Int("b")
    fs += [Or(a < xs[10], xs[30] < a), Or(b < xs[5], xs[20] <= b), a - b <= -3, xs[0] - a <= -7]
    ep = encode(fs)
    assert ep.stats["domains"] == ["order/ordering"] or ep.stats["domains"] == ["bits/ordering"]
    assert ep.stats["ordering_eliminated"] > 20
    r = solve(fs)
    assert r.status == "sat" and check_model(fs, r.model).ok
    # the original weights matter for the model, not for satisfiability
    assert r.model[b] - r.model[a] >= 3 and r.model[a] - r.model[xs[0]] >= 7


def test_pure_ordering_cycle_is_unsat():
    xs = [Int(f"c{i}") for i in range(12)]
    fs = [xs[i] <= xs[i + 1] for i in range(11)] + [Or(xs[11] < xs[0], xs[11] < xs[3]), xs[5] <= xs[2]]
    assert solve(fs).status == "unsat"
    assert solve(fs, EagerOptions(ordering=False)).status == "unsat"
    # a cycle of non-strict edges is fine (all equal), one strict edge on it is not
    ring = [xs[i] <= xs[i + 1] for i in range(11)] + [xs[11] <= xs[0]]
    r = solve(ring)
    assert r.status == "sat" and len({r.model[x] for x in xs}) == 1
    assert solve([*ring, And(xs[4] < xs[5])]).status == "unsat"
