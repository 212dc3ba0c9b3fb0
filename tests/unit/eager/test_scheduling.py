"""Scheduling resources: unary and identical-machine groups, energetic reasoning, machine elimination."""

import itertools

from tests.scheduling import job_shop, z3_status

from quod.backends.registry import get_solver
from quod.core.builder import And, Int, Or
from quod.eager import EagerOptions, encode, solve
from quod.eager.energy import overload
from quod.kernel.drat import check_drat
from quod.kernel.model import check_model


def parallel(durs, n_machines, horizon):
    """Single-operation jobs on identical machines (machine variables m_i)."""
    ref = Int("ref")
    s = [Int(f"p{i}") for i in range(len(durs))]
    m = [Int(f"q{i}") for i in range(len(durs))]
    fs = []
    for i, d in enumerate(durs):
        fs += [s[i] - ref >= 0, s[i] - ref <= horizon - d, m[i] - ref >= 0, m[i] - ref <= n_machines - 1]
    for i, j in itertools.combinations(range(len(durs)), 2):
        fs.append(Or(m[i] != m[j], s[j] - s[i] >= durs[i], s[i] - s[j] >= durs[j]))
    return fs, s, m


DUR = [[3, 2, 2], [2, 4, 1], [4, 1, 3]]
MAC = [[0, 1, 2], [1, 0, 2], [2, 1, 0]]


def test_unary_resources_found_and_answers_match_z3():
    ep = encode(job_shop(DUR, MAC, 12))
    assert ep.stats["capacity_groups"] == 3 and ep.stats["capacity_ops"] == 9
    for horizon in range(7, 14):
        fs = job_shop(DUR, MAC, horizon)
        expected = z3_status(fs)
        for opts in (EagerOptions(), EagerOptions(capacity=False, energy=False)):
            r = solve(fs, opts)
            assert r.status == expected, (horizon, opts)
            if r.status == "sat":
                assert check_model(fs, r.model).ok


def test_energetic_refutation_is_reported_and_skipped_for_proofs():
    # machine 0 carries 3 + 4 + 3 = 10 units of work: a horizon of 9 is refuted before any search
    fs = job_shop(DUR, MAC, 9)
    r = solve(fs)
    assert r.status == "unsat" and r.stats["refuted_by"] == "energetic reasoning"
    assert "units of work" in r.stats["energy"] and r.proof is None
    res = get_solver("eager").__class__(None)
    res.add(*fs)
    assert res.check().certificate.method == "energetic reasoning"
    # with proof=1 the SAT solver refutes the complete CNF and the kernel checks its proof
    r = solve(fs, EagerOptions(proof=True))
    assert r.status == "unsat" and "refuted_by" not in r.stats and r.proof is not None
    assert check_drat(r.cnf.clauses, r.proof.data())[0].verified


def test_overload_windows_by_hand():
    # three operations of length 2 in [0, 4) on one machine: 6 > 4
    assert overload([0, 0, 0], [2, 2, 2], [2, 2, 2], 1) is not None
    # two of them fit, and on two machines all three fit in [0, 4) energetically
    assert overload([0, 0], [2, 2], [2, 2], 1) is None
    assert overload([0, 0, 0], [2, 2, 2], [2, 2, 2], 2) is None
    # a narrow window: both must cover [1, 2) (starts in [0, 1], length 2)
    hit = overload([0, 0], [1, 1], [2, 2], 1)
    assert hit is not None and hit.required > hit.available == hit.t2 - hit.t1


def test_identical_machines_eliminated_and_rebuilt_by_colouring():
    fs, s, m = parallel([2, 3, 2, 1, 2, 3], 2, 7)
    ep = encode(fs)
    assert ep.stats["machines_eliminated"] == 6
    r = solve(fs)
    assert r.status == z3_status(fs) == "sat"
    assert check_model(fs, r.model).ok
    assert {r.model[q] - r.model[Int("ref")] for q in m} <= {0, 1}


def test_machine_elimination_answers_match_z3():
    for durs, k, horizon in [([2, 2, 2, 2, 2], 2, 5), ([2, 2, 2, 2, 2], 2, 6), ([3, 1, 2, 2], 2, 4),
                             ([1, 1, 1, 1, 1, 1, 1], 3, 2), ([1, 1, 1, 1, 1, 1, 1], 3, 3)]:  # fmt: skip
        fs, _, _ = parallel(durs, k, horizon)
        expected = z3_status(fs)
        for opts in (EagerOptions(energy=False), EagerOptions(energy=False, machines=False)):
            r = solve(fs, opts)
            assert r.status == expected, (durs, k, horizon, opts)
            if expected == "sat":
                assert check_model(fs, r.model).ok


def test_machines_used_elsewhere_are_not_eliminated():
    fs, s, m = parallel([2, 2, 2], 2, 4)
    fs.append(m[0] - m[1] <= -1)  # a constraint the colouring would not respect
    ep = encode(fs)
    assert "machines_eliminated" not in ep.stats
    r = solve(fs)
    assert r.status == z3_status(fs)
    if r.status == "sat":
        assert check_model(fs, r.model).ok
    fs2, _, m2 = parallel([2, 2, 2], 2, 4)
    fs2.append(Or(m2[0] == m2[2], And(s[0] - s[1] >= 5)))  # machine equality outside a pair clause
    assert "machines_eliminated" not in encode(fs2).stats
    assert solve(fs2).status == z3_status(fs2)


def test_energy_uses_derived_bounds_whatever_the_encoding():
    # the check runs before variables exist, so a bits-encoded resource is refuted too
    fs = job_shop(DUR, MAC, 9)
    r = solve(fs, EagerOptions(encoding="bits"))
    assert r.status == "unsat" and r.stats["refuted_by"] == "energetic reasoning"
    # sat horizons are never refuted, in either encoding
    for enc in ("bits", "order"):
        r = solve(job_shop(DUR, MAC, 11), EagerOptions(encoding=enc))
        assert r.status == "sat" and "refuted_by" not in r.stats


def test_energy_ignores_components_without_formula_bounds():
    # no upper bounds: the domains come from the small-model theorem, which says nothing
    # about where every solution lies, so no resource (and no energetic claim) is made
    ref = Int("ref")
    s = [Int(f"u{i}") for i in range(3)]
    fs = [x - ref >= 0 for x in s]
    fs += [Or(b - a >= 2, a - b >= 2) for a, b in itertools.combinations(s, 2)]
    ep = encode(fs)
    assert ep.sched.overload is None and "capacity_groups" not in ep.stats
    assert solve(fs).status == "sat"


def test_overload_claims_nothing_outside_exact_int64_range():
    big = 1 << 62
    assert overload([big, big], [big, big], [2, 2], 1) is None
    # a capacity above the number of operations cannot be overloaded (and cannot overflow)
    assert overload([0, 0, 0], [0, 0, 0], [5, 5, 5], 1 << 62) is None
    assert overload([0, 0, 0], [0, 0, 0], [5, 5, 5], 2) is not None
