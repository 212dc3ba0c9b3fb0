"""Disjunctive precedences: tightening, edge-finding, shaving, exclusion/transitivity clauses."""

import itertools
import random

from tests.scheduling import job_shop, z3_status

from quod.backends.registry import get_solver
from quod.core.builder import Bool, Int, Not, Or
from quod.eager import EagerOptions, encode, solve
from quod.eager.precedence import _edge_finding
from quod.kernel.drat import check_drat
from quod.kernel.model import check_model

OFF = {"tighten": False, "shave": 0, "transitivity": False}


def random_job_shop(rng, jobs, machines, max_dur):
    dur = [[rng.randint(1, max_dur) for _ in range(machines)] for _ in range(jobs)]
    mac = [rng.sample(range(machines), machines) for _ in range(jobs)]
    return dur, mac


def lower_bound(dur, mac):
    """The largest machine load or job length: no schedule is shorter."""
    load = [0] * (max(max(r) for r in mac) + 1)
    for row, ms in zip(dur, mac):
        for d, m in zip(row, ms):
            load[m] += d
    return max(max(load), max(sum(r) for r in dur))


# 4 jobs x 3 machines; makespan 17 is optimal (z3), energy alone does not refute 16
DUR = [[3, 4, 2], [4, 2, 5], [2, 5, 3], [3, 3, 4]]
MAC = [[0, 1, 2], [1, 0, 2], [2, 1, 0], [0, 2, 1]]


def test_answers_match_z3_with_and_without_each_ingredient():
    configs = [
        EagerOptions(**OFF),
        EagerOptions(),
        EagerOptions(shave=0),
        EagerOptions(transitivity=False),
        EagerOptions(tighten=False),
        EagerOptions(energy=False, capacity=False),
        EagerOptions(sat_solver="kissat404"),
    ]
    for horizon in range(13, 20):
        fs = job_shop(DUR, MAC, horizon)
        expected = z3_status(fs)
        for opts in configs:
            r = solve(fs, opts, timeout=60)
            assert r.status == expected, (horizon, opts.describe())
            if r.status == "sat":
                assert check_model(fs, r.model).ok


def test_random_job_shops_match_z3_around_the_optimum():
    rng = random.Random(7)
    for _ in range(12):
        dur, mac = random_job_shop(rng, rng.randint(2, 4), rng.randint(2, 4), 6)
        lb = lower_bound(dur, mac)
        for horizon in (lb, lb + 2, lb + 5):
            fs = job_shop(dur, mac, horizon)
            expected = z3_status(fs)
            for opts in (EagerOptions(), EagerOptions(energy=False), EagerOptions(**OFF)):
                r = solve(fs, opts, timeout=60)
                assert r.status == expected, (dur, mac, horizon, opts.describe())
                if r.status == "sat":
                    assert check_model(fs, r.model).ok


def test_tightening_shrinks_the_domains_and_keeps_the_cnf_reproducible():
    fs = job_shop(DUR, MAC, 17)
    loose = encode(fs, EagerOptions(**OFF))
    tight = encode(fs, EagerOptions())
    assert tight.stats["tighten_domain_after"] < tight.stats["tighten_domain_before"]
    assert tight.stats["vars"] < loose.stats["vars"]
    assert tight.stats["order_exclusion"] > 0 and tight.stats["order_transitivity"] > 0
    assert encode(fs, EagerOptions()).cnf.sha256() == tight.cnf.sha256()


def _refutable():
    """A horizon the precedence reasoning refutes without search while energy does not."""
    for horizon in range(16, 10, -1):
        fs = job_shop(DUR, MAC, horizon)
        r = solve(fs, EagerOptions(energy=False))
        if r.stats.get("refuted_by") == "precedence propagation":
            return fs
    raise AssertionError("no horizon refuted by precedence propagation")


def test_precedence_refutation_is_reported_and_proof_mode_refutes_the_full_cnf():
    fs = _refutable()
    assert z3_status(fs) == "unsat"
    r = solve(fs, EagerOptions(energy=False))
    assert r.status == "unsat" and r.proof is None
    s = get_solver("eager", energy="0")
    s.add(*fs)
    assert s.check().certificate.method == "precedence propagation"
    # with a proof request the derived domains are kept as they were and CaDiCaL refutes the CNF
    r = solve(fs, EagerOptions(energy=False, proof=True))
    assert r.status == "unsat" and "refuted_by" not in r.stats and r.proof is not None
    assert r.stats["tighten_refuted"] == 1
    assert check_drat(r.cnf.clauses, r.proof.data())[0].verified


def test_proofs_over_tightened_domains_verify():
    # the optimum horizon is satisfiable; the Boolean part makes it unsat, so the CNF the proof
    # refutes is the one over the tightened domains
    a, b = Bool("a"), Bool("b")
    fs = job_shop(DUR, MAC, 17) + [Or(a, b), Or(a, Not(b)), Or(Not(a), b), Or(Not(a), Not(b))]
    for opts in (EagerOptions(proof=True), EagerOptions(proof=True, shave=0, transitivity=True)):
        r = solve(fs, opts)
        assert r.status == "unsat" and r.proof is not None
        assert r.stats["tighten_domain_after"] < r.stats["tighten_domain_before"]
        assert check_drat(r.cnf.clauses, r.proof.data())[0].verified


def test_general_binary_disjunctions_are_oriented_soundly():
    x, y, z, w = Int("x"), Int("y"), Int("z"), Int("w")
    base = [x >= 0, x <= 5, y >= 0, y <= 5, z >= 0, z <= 5, w >= 0, w <= 5]
    cases = [
        base + [Or(x - y >= 6, z - w >= 3)],  # first literal impossible: z - w >= 3 holds
        base + [Or(x - y >= 6, z - w >= 6)],  # both impossible
        base + [Or(x - y >= 6, z - w >= 3), Or(w - z >= -2, x - y >= 6)],
        base + [Or(x - y >= 2, y - x >= 2), Or(y - z >= 2, z - y >= 2), Or(x - z >= 2, z - x >= 2)],
        base + [Or(x - y >= 3, y - x >= 3), Or(y - z >= 3, z - y >= 3), Or(x - z >= 3, z - x >= 3)],
    ]
    for fs in cases:
        expected = z3_status(fs)
        for opts in (EagerOptions(), EagerOptions(**OFF)):
            r = solve(fs, opts)
            assert r.status == expected, (fs, opts.describe())
            if r.status == "sat":
                assert check_model(fs, r.model).ok


def test_nothing_is_tightened_without_formula_bounds():
    # y is unbounded: the component gets small-model domains, which say where *some* model lies
    x, y = Int("x"), Int("y")
    fs = [x >= 0, x <= 3, Or(y - x >= 10, x - y >= 10)]
    ep = encode(fs, EagerOptions())
    assert ep.stats.get("tighten_disjunctions", 0) == 0
    assert solve(fs).status == z3_status(fs) == "sat"


def test_edge_finding_never_cuts_a_feasible_start():
    rng = random.Random(3)
    for _ in range(300):
        n = rng.randint(1, 4)
        est = [rng.randint(0, 5) for _ in range(n)]
        p = [rng.randint(1, 3) for _ in range(n)]
        lct = [e + d + rng.randint(0, 4) for e, d in zip(est, p)]
        feasible = [
            st
            for st in itertools.product(*[range(e, c - d + 1) for e, c, d in zip(est, lct, p)])
            if all(a + da <= b or b + db <= a for (a, da), (b, db) in itertools.combinations(zip(st, p), 2))
        ]
        new = _edge_finding(est, lct, p)
        if new is None:
            assert not feasible, (est, lct, p)
            continue
        for st in feasible:
            assert all(s >= e for s, e in zip(st, new)), (est, lct, p, st, new)
