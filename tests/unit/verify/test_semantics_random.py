"""Random integer expressions: the verifier's translation agrees with Python.

For a random expression e over x and y and random values a and b, Python
computes v = e(a, b). Under `requires(x == a and y == b)`, the verifier must
prove `assert e == v` and must fail on `assert e != v`. When Python raises
(division or modulo by zero), the verifier must report a well-definedness
failure (Q0616) instead.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.unit.verify.helpers import failures, run

LEAVES = st.sampled_from(["x", "y", "0", "1", "2", "-3", "7"])


def _combine(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    binary = st.tuples(st.sampled_from(["+", "-", "*", "//", "%", "<<"]), children, children).map(
        lambda t: f"({t[1]} {t[0]} {t[2]})" if t[0] != "<<" else f"({t[1]} << 2)"
    )
    unary = st.tuples(st.sampled_from(["-", "abs", "neg"]), children).map(
        lambda t: f"(-{t[1]})" if t[0] in ("-", "neg") else f"abs({t[1]})"
    )
    minmax = st.tuples(st.sampled_from(["min", "max"]), children, children).map(
        lambda t: f"{t[0]}({t[1]}, {t[2]})"
    )
    cond = st.tuples(children, st.sampled_from(["<", "<=", "==", "!="]), children, children, children).map(
        lambda t: f"({t[3]} if {t[0]} {t[1]} {t[2]} else {t[4]})"
    )
    truthy = st.tuples(children, children).map(lambda t: f"(({t[0]} > 0) + ({t[1]} != 0))")
    return st.one_of(binary, unary, minmax, cond, truthy)


EXPRS = st.recursive(LEAVES, _combine, max_leaves=6)
INTS = st.integers(min_value=-50, max_value=50)


def _program(expr: str, a: int, b: int, claim: str) -> str:
    return f"""
        from quod.spec import requires

        def f(x: int, y: int) -> None:
            requires(x == {a} and y == {b})
            assert {claim}
        """


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(EXPRS, INTS, INTS)
def test_translation_agrees_with_python(expr: str, a: int, b: int) -> None:
    try:
        value = eval(expr, {}, {"x": a, "y": b})  # the expressions are built above, never user input
    except ZeroDivisionError:
        got = failures(run(_program(expr, a, b, f"{expr} == 0")))
        assert ("Q0616", 6) in got
        return
    assert failures(run(_program(expr, a, b, f"{expr} == {value}"))) == [], expr
    assert failures(run(_program(expr, a, b, f"{expr} != {value}"))) == [("Q0610", 6)], expr
