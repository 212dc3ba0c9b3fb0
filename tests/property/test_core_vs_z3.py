"""Random terms evaluate to the same value in quod's evaluator and in z3."""

from __future__ import annotations

from typing import Any

import z3
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from quod.backends.z3 import _Translator, _ValueConverter
from quod.core import BitVecSort, BoolSort, IntSort, Model, StringSort, Undetermined, evaluate
from quod.core.ops import Op
from quod.core.terms import Term, const, make, var

INT, BOOL, STR, BV = IntSort(), BoolSort(), StringSort(), BitVecSort(6)
VARS = {
    INT: [var("i0", INT), var("i1", INT)],
    BOOL: [var("b0", BOOL)],
    STR: [var("s0", STR), var("s1", STR)],
    BV: [var("v0", BV), var("v1", BV)],
}
INT_OPS = [
    Op.ADD,
    Op.SUB,
    Op.MUL,
    Op.IDIV,
    Op.MOD,
    Op.NEG,
    Op.ABS,
    Op.STR_LEN,
    Op.STR_INDEXOF,
    Op.STR_TO_INT,
    Op.BV2NAT,
    Op.ITE,
]
BOOL_OPS = [
    Op.AND,
    Op.OR,
    Op.NOT,
    Op.XOR,
    Op.IMPLIES,
    Op.EQ,
    Op.DISTINCT,
    Op.LE,
    Op.LT,
    Op.GE,
    Op.GT,
    Op.STR_PREFIXOF,
    Op.STR_CONTAINS,
    Op.STR_LT,
    Op.BVULT,
    Op.BVSLE,
    Op.ITE,
]
STR_OPS = [Op.STR_CONCAT, Op.STR_AT, Op.STR_SUBSTR, Op.STR_REPLACE, Op.STR_FROM_INT, Op.ITE]
BV_OPS = [
    Op.BVADD,
    Op.BVSUB,
    Op.BVMUL,
    Op.BVUDIV,
    Op.BVUREM,
    Op.BVSDIV,
    Op.BVSREM,
    Op.BVSMOD,
    Op.BVSHL,
    Op.BVLSHR,
    Op.BVASHR,
    Op.BVAND,
    Op.BVOR,
    Op.BVXOR,
    Op.BVNOT,
    Op.BVNEG,
    Op.INT2BV,
    Op.ITE,
]
OPS = {INT: INT_OPS, BOOL: BOOL_OPS, STR: STR_OPS, BV: BV_OPS}
SIGS: dict[Op, tuple[Any, ...]] = {
    Op.NEG: (INT,), Op.ABS: (INT,), Op.STR_LEN: (STR,), Op.STR_INDEXOF: (STR, STR, INT),
    Op.STR_TO_INT: (STR,), Op.BV2NAT: (BV,), Op.NOT: (BOOL,), Op.IMPLIES: (BOOL, BOOL),
    Op.STR_PREFIXOF: (STR, STR), Op.STR_CONTAINS: (STR, STR), Op.STR_LT: (STR, STR), Op.BVULT: (BV, BV),
    Op.BVSLE: (BV, BV), Op.STR_AT: (STR, INT), Op.STR_SUBSTR: (STR, INT, INT),
    Op.STR_REPLACE: (STR, STR, STR), Op.STR_FROM_INT: (INT,), Op.BVNOT: (BV,), Op.BVNEG: (BV,),
    Op.INT2BV: (INT,),
}  # fmt: skip


def leaf(draw: Any, sort: Any) -> Term:
    if draw(st.booleans()):
        return draw(st.sampled_from(VARS[sort]))
    if sort is INT:
        return const(draw(st.integers(-6, 6)), INT)
    if sort is BOOL:
        return const(draw(st.booleans()), BOOL)
    if sort is STR:
        return const(draw(st.sampled_from(["", "a", "ab", "ba", "12", "a1"])), STR)
    return const(draw(st.integers(0, 63)), BV)


@st.composite
def terms(draw: Any, sort: Any = BOOL, depth: int = 3) -> Term:
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        return leaf(draw, sort)
    op = draw(st.sampled_from(OPS[sort]))
    if op is Op.ITE:
        return make(
            op, [draw(terms(BOOL, depth - 1)), draw(terms(sort, depth - 1)), draw(terms(sort, depth - 1))]
        )
    if op in (Op.EQ, Op.DISTINCT, Op.LE, Op.LT, Op.GE, Op.GT):
        s = INT if op not in (Op.EQ, Op.DISTINCT) else draw(st.sampled_from([INT, STR, BV, BOOL]))
        n = draw(st.integers(2, 3))
        return make(op, [draw(terms(s, depth - 1)) for _ in range(n)])
    if op is Op.INT2BV:
        return make(op, [draw(terms(INT, depth - 1))], (6,))
    sig = SIGS.get(op)
    if sig is None:
        n = 2 if op in (Op.IDIV, Op.MOD, Op.SUB) or op.name.startswith("BV") else draw(st.integers(2, 3))
        sig = (sort,) * n
    return make(op, [draw(terms(s, depth - 1)) for s in sig])


def values(draw: Any) -> Model:
    m = Model()
    for v in VARS[INT]:
        m.consts[v] = draw(st.integers(-8, 8))
    for v in VARS[BOOL]:
        m.consts[v] = draw(st.booleans())
    for v in VARS[STR]:
        m.consts[v] = draw(st.sampled_from(["", "a", "ab", "b12", "aab"]))
    for v in VARS[BV]:
        m.consts[v] = draw(st.integers(0, 63))
    return m


def z3_value(t: Term, m: Model) -> Any:
    ctx = z3.Context()
    tr = _Translator(z3, ctx)
    e = tr.expr(t)
    solver = z3.Solver(ctx=ctx)
    for v, val in m.consts.items():
        solver.add(tr.expr(v) == tr.expr(const(val, v.sort)))
    assert solver.check() == z3.sat
    zm = solver.model()
    return _ValueConverter(z3, zm).value(zm.eval(e, model_completion=True), t.sort)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_evaluation_agrees_with_z3(data: Any) -> None:
    sort = data.draw(st.sampled_from([BOOL, INT, STR, BV]))
    t = data.draw(terms(sort))
    m = values(data.draw)
    try:
        mine = evaluate(t, m)
    except Undetermined:
        assume(False)
        return
    assert mine == z3_value(t, m), str(t)
