"""Differential tests: the eager engine agrees with z3 on random QF_IDL / QF_LIA formulas."""

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.scheduling import z3_status

from quod.core.builder import And, Bool, Distinct, Implies, Int, IntVal, Ite, Not, Or, Xor
from quod.eager import EagerOptions, solve
from quod.kernel.model import check_model

X = [Int(n) for n in ("x", "y", "z", "w")]
B = [Bool(n) for n in ("p", "q")]


@st.composite
def idl_atom(draw):
    x, y = draw(st.sampled_from(X)), draw(st.sampled_from(X))
    c = draw(st.integers(-6, 6))
    op = draw(st.sampled_from(["<=", "<", ">=", ">", "=", "!="]))
    lhs = x - y if draw(st.booleans()) and x is not y else x
    return {"<=": lhs <= c, "<": lhs < c, ">=": lhs >= c, ">": lhs > c, "=": lhs == c, "!=": lhs != c}[op]


@st.composite
def lia_atom(draw):
    k = draw(st.integers(1, 3))
    vs = draw(st.lists(st.sampled_from(X), min_size=k, max_size=k))
    coefs = draw(st.lists(st.integers(-3, 3), min_size=k, max_size=k))
    lhs = IntVal(0)
    for a, v in zip(coefs, vs):
        lhs = lhs + a * v
    c = draw(st.integers(-8, 8))
    return draw(st.sampled_from([lhs <= c, lhs >= c, lhs == c, lhs != c]))


def formula(atoms):
    leaves = st.one_of(atoms, st.sampled_from(B))
    return st.recursive(
        leaves,
        lambda sub: st.one_of(
            st.builds(Not, sub),
            st.builds(lambda a, b: And(a, b), sub, sub),
            st.builds(lambda a, b: Or(a, b), sub, sub),
            st.builds(Implies, sub, sub),
            st.builds(Xor, sub, sub),
            st.builds(Ite, sub, sub, sub),
        ),
        max_leaves=6,
    )


def check_against_z3(fs, encoding, symmetry=True, **options):
    expected = z3_status(fs)
    r = solve(fs, EagerOptions(encoding=encoding, symmetry=symmetry, **options), timeout=30)
    assert r.status == expected, (fs, r.reason, r.stats)
    if r.status == "sat":
        assert check_model(fs, r.model).ok


SETTINGS = settings(
    max_examples=int(os.environ.get("QUOD_EAGER_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@SETTINGS
@given(st.lists(formula(idl_atom()), min_size=1, max_size=4), st.sampled_from(["auto", "order", "bits"]))
def test_idl_agrees_with_z3(fs, encoding):
    check_against_z3(fs, encoding)


@SETTINGS
@given(st.lists(formula(lia_atom()), min_size=1, max_size=3), st.sampled_from(["auto", "bits"]))
def test_lia_agrees_with_z3(fs, encoding):
    check_against_z3(fs, encoding)


@st.composite
def equality_heavy(draw):
    """Bounded variables compared mostly by equality: exercises value-symmetry breaking."""
    n = draw(st.integers(2, 4))
    hi = draw(st.integers(1, 3))
    fs = [And(v >= 0, v <= hi) for v in X[:n]]
    pairs = [(X[i], X[j]) for i in range(n) for j in range(i + 1, n)]
    for x, y in draw(st.lists(st.sampled_from(pairs), min_size=1, max_size=5)):
        fs.append(draw(st.sampled_from([x == y, x != y, Or(x != y, B[0]), Implies(B[1], x == y)])))
    if draw(st.booleans()):
        fs.append(Distinct(*X[:n]))
    if draw(st.booleans()):
        fs.append(X[0] - X[1] >= draw(st.integers(-2, 2)))  # breaks the symmetry for x and y
    return fs


@SETTINGS
@given(equality_heavy())
def test_symmetry_breaking_keeps_answers(fs):
    check_against_z3(fs, "auto", symmetry=True)


@st.composite
def ordering_problem(draw):
    """Strict/non-strict precedences only: the pure-ordering reduction applies."""
    vs = [Int(f"e{i}") for i in range(draw(st.integers(3, 7)))]

    def prec():
        a, b = draw(st.sampled_from(vs)), draw(st.sampled_from(vs))
        gap = draw(st.integers(0, 3))
        return b - a >= gap

    fs = [prec() for _ in range(draw(st.integers(1, 6)))]
    for _ in range(draw(st.integers(0, 4))):
        fs.append(Or(prec(), prec()) if draw(st.booleans()) else And(prec(), Or(prec(), prec())))
    return fs


@SETTINGS
@given(ordering_problem(), st.booleans())
def test_ordering_reduction_agrees_with_z3(fs, lazy):
    check_against_z3(fs, "auto", lazy=lazy)


@st.composite
def lock_choices(draw):
    """Chains of events plus many two-way choices: the lazy loop needs several lemma rounds."""
    chains = [[Int(f"c{t}_{i}") for i in range(draw(st.integers(2, 4)))] for t in range(3)]
    fs = [a < b for ch in chains for a, b in zip(ch, ch[1:])]
    events = [e for ch in chains for e in ch]
    for _ in range(draw(st.integers(1, 8))):
        a, b, c, d = (draw(st.sampled_from(events)) for _ in range(4))
        choice = Or(a < b, c < d) if draw(st.booleans()) else Or(a <= b, Not(c <= d))
        fs.append(choice)
    return fs


@SETTINGS
@given(lock_choices())
def test_lazy_lemma_loop_agrees_with_z3(fs):
    check_against_z3(fs, "auto", lazy=True)
