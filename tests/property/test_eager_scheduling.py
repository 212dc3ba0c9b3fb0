"""Scheduling reasoning against brute force and z3: energetic refutations are sound, eliminations exact."""

import itertools
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.scheduling import job_shop, z3_status

from quod.core.builder import Int, Or
from quod.eager import EagerOptions, solve
from quod.eager.energy import overload
from quod.kernel.model import check_model

SETTINGS = settings(
    max_examples=int(os.environ.get("QUOD_EAGER_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@st.composite
def windows(draw):
    n = draw(st.integers(1, 4))
    lo = [draw(st.integers(0, 4)) for _ in range(n)]
    hi = [x + draw(st.integers(0, 3)) for x in lo]
    dur = [draw(st.integers(1, 3)) for _ in range(n)]
    return lo, hi, dur, draw(st.integers(1, 2))


def schedulable(lo, hi, dur, cap):
    for starts in itertools.product(*[range(a, b + 1) for a, b in zip(lo, hi)]):
        horizon = max(s + d for s, d in zip(starts, dur))
        if all(sum(s <= t < s + d for s, d in zip(starts, dur)) <= cap for t in range(horizon)):
            return True
    return False


@SETTINGS
@given(windows())
def test_an_overload_means_no_schedule_exists(w):
    lo, hi, dur, cap = w
    hit = overload(lo, hi, dur, cap)
    if hit is not None:
        assert hit.required > hit.available
        assert not schedulable(lo, hi, dur, cap)


@st.composite
def machine_problems(draw):
    """Operations on identical machines with a few precedences and deadlines."""
    n = draw(st.integers(2, 5))
    k = draw(st.integers(1, 3))
    ref = Int("ref")
    s = [Int(f"s{i}") for i in range(n)]
    m = [Int(f"m{i}") for i in range(n)]
    d = [draw(st.integers(1, 3)) for _ in range(n)]
    fs = []
    for i in range(n):
        fs += [s[i] - ref >= 0, s[i] - ref <= draw(st.integers(0, 6)), m[i] - ref >= 0, m[i] - ref <= k - 1]
    for i, j in itertools.combinations(range(n), 2):
        fs.append(Or(m[i] != m[j], s[j] - s[i] >= d[i], s[i] - s[j] >= d[j]))
    for _ in range(draw(st.integers(0, 2))):
        i, j = draw(st.sampled_from(list(itertools.permutations(range(n), 2))))
        fs.append(s[j] - s[i] >= d[i])
    return fs


@SETTINGS
@given(machine_problems(), st.booleans())
def test_identical_machines_agree_with_z3(fs, energy):
    expected = z3_status(fs)
    r = solve(fs, EagerOptions(energy=energy), timeout=30)
    assert r.status == expected
    if r.status == "sat":
        assert check_model(fs, r.model).ok


@st.composite
def job_shops(draw):
    jobs = draw(st.integers(2, 3))
    mach = draw(st.integers(1, 3))
    dur = [[draw(st.integers(1, 3)) for _ in range(draw(st.integers(1, 3)))] for _ in range(jobs)]
    mac = [[draw(st.integers(0, mach - 1)) for _ in row] for row in dur]
    horizon = draw(st.integers(2, 9))
    return job_shop(dur, mac, horizon, prefix="o")


@SETTINGS
@given(job_shops())
def test_unary_resources_agree_with_z3(fs):
    expected = z3_status(fs)
    r = solve(fs, timeout=30)
    assert r.status == expected
    if r.status == "sat":
        assert check_model(fs, r.model).ok
