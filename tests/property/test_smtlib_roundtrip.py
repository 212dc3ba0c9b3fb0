"""parse(print(t)) is t for random terms built with the builder.

The reader reads a negated number and a quotient of numbers, e.g. `(- 5)`
and `(/ 1.0 3.0)`, as the constants -5 and 1/3 (the way SMT-LIB writes
negative and rational values), so a hand-built negation or division of
constants comes back as that constant; `canonical` applies exactly this
documented folding to the expected term.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quod.core import (
    And,
    BitVec,
    BitVecVal,
    Bool,
    Concat,
    Distinct,
    Extract,
    ForAll,
    Function,
    Implies,
    Int,
    IntVal,
    Ite,
    Length,
    Not,
    Op,
    Or,
    Real,
    RealVal,
    String,
    StringVal,
    SubString,
    ToReal,
    Xor,
)
from quod.core.sorts import INT
from quod.core.terms import Term, const, make
from quod.core.walk import free_vars, post_order, rebuild
from quod.smtlib import parse_script, parse_term
from quod.smtlib.writer import print_assertions, print_term

INTS = [Int("x"), Int("y"), Int("odd name")]
REALS = [Real("r"), Real("s")]
BOOLS = [Bool("p"), Bool("q")]
BVS = [BitVec("b", 8), BitVec("c", 8)]
STRS = [String("t")]
F = Function("f", INT, INT)

texts = st.text(st.characters(max_codepoint=0x2FFFF, blacklist_categories=("Cs",)), max_size=6)
fractions = st.fractions(max_denominator=50).filter(lambda f: abs(f) < 10**6)


@st.composite
def int_terms(draw: Any, depth: int = 3) -> Term:
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        return (
            draw(st.sampled_from(INTS))
            if draw(st.booleans())
            else IntVal(draw(st.integers(-(10**30), 10**30)))
        )
    k = draw(st.integers(0, 8))
    a = draw(int_terms(depth - 1))
    b = draw(int_terms(depth - 1))
    if k == 0:
        return a + b
    if k == 1:
        return a - b
    if k == 2:
        return a * b
    if k == 3:
        return make(Op.IDIV, [a, b])
    if k == 4:
        return make(Op.MOD, [a, b])
    if k == 5:
        return -a
    if k == 6:
        return Ite(draw(bool_terms(depth - 1)), a, b)
    if k == 7:
        return F(a)  # type: ignore[operator,no-any-return]
    return Length(draw(str_terms(depth - 1)))


@st.composite
def real_terms(draw: Any, depth: int = 3) -> Term:
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        return draw(st.sampled_from(REALS)) if draw(st.booleans()) else RealVal(draw(fractions))
    k = draw(st.integers(0, 5))
    a = draw(real_terms(depth - 1))
    if k == 0:
        return a + draw(real_terms(depth - 1))
    if k == 1:
        return a * draw(int_terms(depth - 1))  # mixed: the builder inserts to_real
    if k == 2:
        return a / draw(real_terms(depth - 1))
    if k == 3:
        return -a
    if k == 4:
        return ToReal(draw(int_terms(depth - 1)))
    return a - draw(real_terms(depth - 1))


@st.composite
def bv_terms(draw: Any, depth: int = 2) -> Term:
    if depth == 0 or draw(st.integers(0, 2)) == 0:
        return draw(st.sampled_from(BVS)) if draw(st.booleans()) else BitVecVal(draw(st.integers(0, 255)), 8)
    a, b = draw(bv_terms(depth - 1)), draw(bv_terms(depth - 1))
    k = draw(st.integers(0, 3))
    if k == 0:
        return a + b
    if k == 1:
        return a & b
    if k == 2:
        return Extract(11, 4, Concat(a, b))
    return ~a


@st.composite
def str_terms(draw: Any, depth: int = 2) -> Term:
    if depth == 0 or draw(st.integers(0, 2)) == 0:
        return draw(st.sampled_from(STRS)) if draw(st.booleans()) else StringVal(draw(texts))
    a = draw(str_terms(depth - 1))
    if draw(st.booleans()):
        return Concat(a, draw(str_terms(depth - 1)))
    return SubString(a, draw(int_terms(0)), draw(int_terms(0)))


@st.composite
def bool_terms(draw: Any, depth: int = 3) -> Term:
    if depth == 0 or draw(st.integers(0, 4)) == 0:
        return draw(st.sampled_from([*BOOLS, And(True), Or(False)]))
    k = draw(st.integers(0, 11))
    sub = bool_terms(depth - 1)
    if k == 0:
        return And(draw(st.lists(sub, min_size=1, max_size=3)))
    if k == 1:
        return Or(draw(sub), draw(sub))
    if k == 2:
        return Not(draw(sub))
    if k == 3:
        return Implies(draw(sub), draw(sub))
    if k == 4:
        return Xor(draw(sub), draw(sub))
    if k == 5:
        return draw(int_terms(depth - 1)) <= draw(int_terms(depth - 1))
    if k == 6:
        return draw(real_terms(depth - 1)) < draw(int_terms(depth - 1))
    if k == 7:
        return draw(int_terms(depth - 1)) == draw(int_terms(depth - 1))
    if k == 8:
        return Distinct(draw(st.lists(int_terms(depth - 1), min_size=2, max_size=4)))
    if k == 9:
        return make(Op.BVULT, [draw(bv_terms()), draw(bv_terms())])
    if k == 10:
        return draw(str_terms()) == draw(str_terms())
    x = INTS[0]
    return ForAll([x], Or(x < draw(int_terms(depth - 1)), draw(sub)))


def canonical(t: Term) -> Term:
    """`t` with negated numbers and quotients of numbers folded, as the reader reads them."""
    memo: dict[int, Term] = {}
    for s in post_order([t], into_binders=False):
        if s.op is Op.FORALL or s.op is Op.EXISTS:
            memo[s.id] = make_quantifier(s, canonical(s.args[0]))
            continue
        n = rebuild(s, [memo[a.id] for a in s.args]) if s.args else s
        if n.op is Op.NEG and n.args[0].op is Op.CONST and n.args[0].value != 0:
            n = const(-n.args[0].value, n.sort)  # type: ignore[operator]
        elif n.op is Op.RDIV and all(a.op is Op.CONST for a in n.args) and n.args[1].value != 0:
            n = const(Fraction(n.args[0].value) / Fraction(n.args[1].value), n.sort)  # type: ignore[arg-type]
        memo[s.id] = n
    return memo[t.id]


def make_quantifier(q: Term, body: Term) -> Term:
    from quod.core.terms import quantifier

    return quantifier(q.op, q.payload, body)


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(bool_terms())
def test_print_then_parse_gives_the_same_term(t: Term) -> None:
    decls = [*free_vars([t]), F]
    back = parse_term(print_term(t), decls)
    assert back is canonical(t)


@SETTINGS
@given(bool_terms())
def test_printing_is_idempotent_through_the_reader(t: Term) -> None:
    text = print_assertions([t], logic="ALL")
    once = parse_script(text)
    assert parse_script(print_assertions(once.assertions(), logic="ALL")).assertions() == once.assertions()


@SETTINGS
@given(st.one_of(int_terms(), real_terms(), bv_terms(), str_terms()))
def test_terms_of_every_sort_round_trip(t: Term) -> None:
    back = parse_term(print_term(t), [*free_vars([t]), F])
    assert back is canonical(t)
