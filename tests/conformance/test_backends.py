"""Every backend runs the same table of formulas with known status.

Complete backends (z3, cvc5) must give the expected answer. Partial backends
(the eager engine decides only its fragment) may answer `unknown`, but a
definite answer must be the expected one. Every `sat` carries a model that
the kernel checked (or an explicit note why it could not).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable

import pytest

from quod.backends import Sat, Unknown, Unsat, get_solver
from quod.backends.registry import _BACKENDS
from quod.core import (
    ULT,
    And,
    Array,
    BitVec,
    BitVecVal,
    Bool,
    Distinct,
    Exists,
    ForAll,
    Function,
    Implies,
    InRe,
    Int,
    Ints,
    IntSort,
    Length,
    Not,
    Or,
    Re,
    Real,
    Select,
    Seq,
    Star,
    Store,
    String,
    Term,
    Xor,
)

COMPLETE = {"z3", "cvc5"}


def available() -> list[str]:
    names = []
    for name, (module, _cls, _hint) in _BACKENDS.items():
        if importlib.util.find_spec(module) is not None:
            names.append(name)
    return names


x, y, z = Ints("x y z")
p, q = Bool("p"), Bool("q")
f = Function("f", IntSort(), IntSort())
r = Real("r")
s, t = String("s"), String("t")
bv = BitVec("bv", 8)
a = Array("a", IntSort(), IntSort())
sq = Seq("sq", IntSort())

# (name, logic, assertions, expected)
TABLE: list[tuple[str, str, Callable[[], list[Term]], str]] = [
    ("bool-sat", "QF_UF", lambda: [Or(p, q), Not(p)], "sat"),
    ("bool-unsat", "QF_UF", lambda: [Xor(p, q), p == q], "unsat"),
    ("idl-cycle-unsat", "QF_IDL", lambda: [x - y <= -1, y - z <= -1, z - x <= 1], "unsat"),
    ("idl-cycle-sat", "QF_IDL", lambda: [x - y <= -1, y - z <= -1, z - x <= 2], "sat"),
    (
        "idl-boolean-structure",
        "QF_IDL",
        lambda: [Or(x - y >= 3, y - x >= 3), Implies(p, x - z <= 0), p, z - y <= 1, x >= 0, y >= 0],
        "sat",
    ),
    (
        "idl-distinct-pigeonhole",
        "QF_IDL",
        lambda: [Distinct(x, y, z), x >= 0, y >= 0, z >= 0, x <= 1, y <= 1, z <= 1],
        "unsat",
    ),
    ("lia-parity", "QF_LIA", lambda: [2 * x + 4 * y == 7], "unsat"),
    ("lia-sat", "QF_LIA", lambda: [3 * x - 2 * y == 1, x + y <= 10, x >= 0, y >= 0], "sat"),
    ("lia-big-constants", "QF_LIA", lambda: [x >= 10**30, y == x * 3 + 1, y <= 3 * 10**30 + 1], "sat"),
    ("uflia-congruence", "QF_UFLIA", lambda: [x == y, f(x) != f(y)], "unsat"),
    ("uflia-sat", "QF_UFLIA", lambda: [f(x) == y + 1, f(y) == x - 1, x != y], "sat"),
    ("lra", "QF_LRA", lambda: [r * 3 == 1, r < 1], "sat"),
    ("nia-sat", "QF_NIA", lambda: [x * x == 49, x < 0], "sat"),
    ("bv-overflow", "QF_BV", lambda: [bv + 1 == BitVecVal(0, 8), ULT(bv, BitVecVal(255, 8))], "unsat"),
    ("strings-sat", "QF_SLIA", lambda: [s + t == "abc", Length(s) == 1], "sat"),
    ("strings-regex-unsat", "QF_SLIA", lambda: [InRe(s, Star(Re("ab"))), Length(s) == 3], "unsat"),
    ("arrays", "QF_AX", lambda: [Select(Store(a, x, 5), y) == 6, x == y], "unsat"),
    ("seq", "ALL", lambda: [Length(sq) == 2, sq[0] == 3, sq[1] == sq[0] + 1], "sat"),
    ("quantified-unsat", "UFLIA", lambda: [ForAll([z], Implies(z > x, z > y)), x < y], "unsat"),
    ("quantified-exists", "LIA", lambda: [Exists([z], And(z > x, z < y)), y - x == 1], "unsat"),
]


def solve(backend: str, logic: str, assertions: list[Term]):
    solver = get_solver(backend, logic=logic)
    solver.add(*assertions)
    return solver.check()


@pytest.mark.parametrize("backend", available())
@pytest.mark.parametrize("name,logic,build,expected", TABLE, ids=[row[0] for row in TABLE])
def test_table(backend: str, name: str, logic: str, build: Callable[[], list[Term]], expected: str) -> None:
    res = solve(backend, logic, build())
    if isinstance(res, Unknown):
        assert backend not in COMPLETE, f"{backend} gave unknown on {name}: {res.reason}"
        assert "internal error" not in res.reason
        return
    assert str(res) == expected, f"{backend} answered {res} on {name}"
    if isinstance(res, Sat):
        assert res.model_checked or res.check_note, "sat without a kernel check or a reason"


@pytest.mark.parametrize("backend", available())
def test_incremental_push_pop_and_assumptions(backend: str) -> None:
    solver = get_solver(backend, logic="QF_IDL")
    solver.add(x - y <= 0)
    solver.push()
    solver.add(y - x <= -1)
    first = solver.check()
    solver.pop()
    second = solver.check()
    third = solver.check([x - y >= 1, p])
    if backend in COMPLETE:
        assert isinstance(first, Unsat)
        assert isinstance(second, Sat)
        assert isinstance(third, Unsat)
        assert third.core is not None and (x - y >= 1) in third.core and p not in third.core
    else:
        assert not isinstance(first, Sat)
        assert not isinstance(second, Unsat)
        assert not isinstance(third, Sat)
    assert solver.assertions() == [x - y <= 0]


@pytest.mark.parametrize("backend", sorted(COMPLETE))
def test_timeout_gives_unknown_not_exception(backend: str) -> None:
    from quod.backends import Limits

    # a hard nonlinear problem; a 1 ms budget cannot decide it
    solver = get_solver(backend, logic="QF_NIA", limits=Limits(timeout=0.001))
    n = [Int(f"n{i}") for i in range(6)]
    solver.add(*(v > 1 for v in n), n[0] * n[1] * n[2] == n[3] * n[4] * n[5] + 1234567)
    res = solver.check()
    assert isinstance(res, (Unknown, Sat))  # sat is possible if lucky; never an exception


def test_bad_model_is_never_reported_as_sat() -> None:
    """finish_sat turns a model that falsifies the assertions into Unknown."""
    from quod.backends.common import finish_sat
    from quod.core import Model

    res = finish_sat("test", [x > 0], [], Model({x: -1}), {})
    assert isinstance(res, Unknown) and "internal error" in res.reason
    ok = finish_sat("test", [x > 0], [], Model({x: 1}), {})
    assert isinstance(ok, Sat) and ok.model_checked


@pytest.mark.parametrize("backend", available())
def test_sat_under_compound_assumptions_has_a_model_that_satisfies_them(backend: str) -> None:
    """Regression: z3 read its model after popping the assumption proxies' scope."""
    solver = get_solver(backend, logic="QF_LIA")
    solver.add(x + y == 10)
    res = solver.check([x > 10, Or(y < -3, p)])
    if backend in COMPLETE:
        assert isinstance(res, Sat) and res.model_checked
    if isinstance(res, Sat):
        assert res.model[x] > 10 and res.model[x] + res.model[y] == 10
    again = solver.check()
    assert not isinstance(again, Unsat)
