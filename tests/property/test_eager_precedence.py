"""Precedence reasoning (tightening, edge-finding, shaving, ordering clauses) against z3 and brute force."""

import itertools
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.scheduling import job_shop, start_vars, z3_status

from quod.core.builder import Or
from quod.eager import EagerOptions, solve
from quod.eager.precedence import _edge_finding
from quod.kernel.drat import check_drat
from quod.kernel.model import check_model

SETTINGS = settings(
    max_examples=int(os.environ.get("QUOD_EAGER_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@st.composite
def unary_windows(draw):
    n = draw(st.integers(1, 4))
    est = [draw(st.integers(0, 5)) for _ in range(n)]
    p = [draw(st.integers(1, 3)) for _ in range(n)]
    lct = [e + d + draw(st.integers(0, 4)) for e, d in zip(est, p)]
    return est, lct, p


@SETTINGS
@given(unary_windows())
def test_edge_finding_keeps_every_schedule(w):
    est, lct, p = w
    feasible = [
        s
        for s in itertools.product(*[range(e, c - d + 1) for e, c, d in zip(est, lct, p)])
        if all(a + da <= b or b + db <= a for (a, da), (b, db) in itertools.combinations(zip(s, p), 2))
    ]
    new = _edge_finding(est, lct, p)
    if new is None:
        assert not feasible
    else:
        assert all(all(x >= e for x, e in zip(s, new)) for s in feasible)


@st.composite
def job_shops_with_extras(draw):
    """Job shops, plus release dates and a few binary disjunctions of other shapes."""
    jobs = draw(st.integers(2, 4))
    mach = draw(st.integers(1, 3))
    dur = [[draw(st.integers(1, 4)) for _ in range(draw(st.integers(1, 3)))] for _ in range(jobs)]
    mac = [[draw(st.integers(0, mach - 1)) for _ in row] for row in dur]
    horizon = draw(st.integers(3, 14))
    release = [draw(st.integers(0, 2)) for _ in dur]
    fs = job_shop(dur, mac, horizon, release=release, prefix="o")
    flat = [v for row in start_vars(dur, "o") for v in row]
    for _ in range(draw(st.integers(0, 2))):
        a, b, c, d = (draw(st.sampled_from(flat)) for _ in range(4))
        fs.append(Or(a - b >= draw(st.integers(-3, 6)), c - d >= draw(st.integers(-3, 6))))
    return fs


OPTIONS = st.builds(
    EagerOptions,
    tighten=st.booleans(),
    shave=st.sampled_from([0, 5, 2000]),
    transitivity=st.booleans(),
    energy=st.booleans(),
)


@SETTINGS
@given(job_shops_with_extras(), OPTIONS)
def test_precedence_reasoning_agrees_with_z3(fs, opts):
    expected = z3_status(fs)
    r = solve(fs, opts, timeout=60)
    assert r.status == expected, opts.describe()
    if r.status == "sat":
        assert check_model(fs, r.model).ok


@settings(max_examples=max(5, int(os.environ.get("QUOD_EAGER_EXAMPLES", "40")) // 4), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])  # fmt: skip
@given(job_shops_with_extras())
def test_proof_mode_refutations_verify(fs):
    r = solve(fs, EagerOptions(proof=True), timeout=60)
    assert r.status == z3_status(fs)
    if r.status == "unsat":
        assert r.proof is not None and "refuted_by" not in r.stats
        assert check_drat(r.cnf.clauses, r.proof.data())[0].verified
