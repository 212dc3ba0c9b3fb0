"""The kernel's model check: a model changed in one value is judged exactly as z3 judges it."""

import pytest
import z3

from quod.backends.z3 import _Translator
from quod.core import BitVec, Bool, Distinct, ForAll, Implies, Ints, Length, Not, Or, String
from quod.core.model import Model
from quod.core.sorts import SortKind
from quod.core.walk import free_vars
from quod.kernel.model import Verdict, check_model

x, y, z = Ints("x y z")
b = Bool("b")
v = BitVec("v", 8)
s = String("s")

FORMULAS = [
    [x + y == 10, x > 2, Or(b, y < 3)],
    [Distinct(x, y, z), x + y + z == 6, x >= 0, y >= 0, z >= 0, x <= 3, y <= 3, z <= 3],
    [v * 3 == 21, Implies(b, x == 2 * y + 1), b],
    [Length(s) == 3, Not(s == "abc"), x == Length(s) + 1],
]


def _z3_model(formula):
    solver = z3.Solver()
    tr = _Translator(z3, z3.main_ctx())
    exprs = [tr.expr(a) for a in formula]
    solver.add(*exprs)
    assert solver.check() == z3.sat
    return tr, exprs, solver.model()


def _to_quod(value, sort):
    if sort.kind is SortKind.BOOL:
        return z3.is_true(value)
    if sort.kind is SortKind.STRING:
        return value.as_string()
    return value.as_long()


def _mutants(value, sort):
    if sort.kind is SortKind.BOOL:
        return [not value]
    if sort.kind is SortKind.STRING:
        return [value + "a", value[:-1], "abc"]
    if sort.kind is SortKind.BITVEC:
        return [(value + 1) % 256, (value + 255) % 256]
    return [value + 1, value - 1, -value]


def _to_z3(value, sort):
    if sort.kind is SortKind.BOOL:
        return z3.BoolVal(value)
    if sort.kind is SortKind.STRING:
        return z3.StringVal(value)
    if sort.kind is SortKind.BITVEC:
        return z3.BitVecVal(value, sort.width)
    return z3.IntVal(value)


@pytest.mark.parametrize("k", range(len(FORMULAS)))
def test_one_value_mutations_match_z3(k):
    formula = FORMULAS[k]
    tr, exprs, zm = _z3_model(formula)
    consts = {t: tr.expr(t) for t in sorted(free_vars(formula), key=lambda t: t.id)}
    base = {t: _to_quod(zm.eval(e, model_completion=True), t.sort) for t, e in consts.items()}
    assert check_model(formula, Model(base)).ok
    seen_failed = 0
    for t in base:
        for new in _mutants(base[t], t.sort):
            values = {**base, t: new}
            subst = [(consts[c], _to_z3(values[c], c.sort)) for c in consts]
            truth = all(z3.is_true(z3.simplify(z3.substitute(e, *subst))) for e in exprs)
            got = check_model(formula, Model(values))
            assert got.ok == truth, (t, new, got)
            if not truth:
                seen_failed += 1
                assert got.verdict is Verdict.FAILED and 0 <= got.index < len(formula)
    assert seen_failed > 0


def test_non_boolean_assertion_fails():
    got = check_model([x + 1], Model({x: 1}))
    assert got.verdict is Verdict.FAILED and got.index == 0 and "not Boolean" in got.reason


def test_quantifier_over_int_is_undetermined_unless_something_is_false():
    q = ForAll([y], y * y >= 0)
    got = check_model([x == 1, q], Model({x: 1}))
    assert got.verdict is Verdict.UNDETERMINED and got.index == 1 and not got.ok
    got = check_model([q, q, x == 2], Model({x: 1}))
    assert got.verdict is Verdict.FAILED and got.index == 2


def test_open_constants_take_default_values():
    got = check_model([x == 0], Model())
    assert got.ok and got.index == -1
