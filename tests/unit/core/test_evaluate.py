from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quod.core import (
    AllChar,
    And,
    Array,
    BitVec,
    BitVecVal,
    Complement,
    Concat,
    Distinct,
    ForAll,
    Function,
    InRe,
    Int,
    Intersect,
    IntSort,
    IntVal,
    Ite,
    Loop,
    Model,
    Or,
    Range,
    Re,
    Real,
    Select,
    Star,
    Store,
    String,
    StringVal,
    Undetermined,
    Union,
    evaluate,
)
from quod.core.builder import AShr, Bool, BoolVal, IndexOf, LShR, Replace, SubString, UDiv, URem
from quod.core.evaluate import smt_div, smt_mod
from quod.core.ops import Op
from quod.core.terms import make


def ev(t, **vals):
    m = Model({k: v for k, v in ((Int(n) if isinstance(v, int) else String(n), v) for n, v in vals.items())})
    return evaluate(t, m)


def test_smt_div_mod_are_euclidean():
    for m in range(-9, 10):
        for n in (-4, -3, -1, 1, 2, 5):
            q, r = smt_div(m, n), smt_mod(m, n)
            assert m == n * q + r
            assert 0 <= r < abs(n)
    assert smt_div(7, -2) == -3  # Python: 7 // -2 == -4


def test_division_by_zero_is_undetermined_but_does_not_leak():
    x = Int("x")
    with pytest.raises(Undetermined):
        evaluate(x / 0 == 1, Model({x: 3}))
    # the untaken branch and a false conjunct hide it
    assert evaluate(Ite(x > 0, x, x / 0) == 3, Model({x: 3})) is True
    assert evaluate(And(x < 0, x / 0 == 1), Model({x: 3})) is False


def test_completion_defaults_are_recorded():
    x, y = Int("x"), Int("y")
    m = Model({x: 1})
    assert evaluate(x + y == 1, m) is True
    assert m[y] == 0


def test_bitvector_semantics():
    a = BitVec("a", 8)
    m = Model({a: 0xF0})
    assert evaluate(a + 0x20, m) == 0x10
    assert evaluate(UDiv(a, BitVecVal(0, 8)), m) == 0xFF
    assert evaluate(URem(a, BitVecVal(0, 8)), m) == 0xF0
    assert evaluate(LShR(a, BitVecVal(9, 8)), m) == 0
    assert evaluate(AShr(a, BitVecVal(4, 8)), m) == 0xFF
    assert evaluate(a / BitVecVal(3, 8), m) == (-(16 // 3)) % 256  # bvsdiv of -16 by 3
    assert evaluate(a < 0, m) is True  # signed


def test_string_semantics():
    s = String("s")
    m = Model({s: "hello"})
    assert evaluate(SubString(s, 1, 3), m) == "ell"
    assert evaluate(SubString(s, 4, 10), m) == "o"
    assert evaluate(SubString(s, -1, 2), m) == ""
    assert evaluate(s[5], m) == ""
    assert evaluate(IndexOf(s, "l", 3), m) == 3
    assert evaluate(IndexOf(s, "", 5), m) == 5
    assert evaluate(IndexOf(s, "", 6), m) == -1
    assert evaluate(Replace(s, "", "X"), m) == "Xhello"
    assert evaluate(make(Op.STR_REPLACE_ALL, [s, StringVal(""), StringVal("X")]), m) == "hello"
    assert evaluate(make(Op.STR_TO_INT, [StringVal("0042")]), m) == 42
    assert evaluate(make(Op.STR_TO_INT, [StringVal("4a")]), m) == -1


def test_regex_membership_with_intersection_and_complement():
    s = String("s")
    digits = Star(Range("0", "9"))
    ab = Concat(Re("a"), Star(Re("b")))
    r = Intersect(Star(Union(ab, Range("0", "9"))), Complement(digits))
    for text, expected in [("abb1", True), ("123", False), ("", False), ("a1b", False), ("ab", True)]:
        assert evaluate(InRe(s, r), Model({s: text})) is expected, text
    assert evaluate(InRe(s, Loop(AllChar(), 2, 3)), Model({s: "xyz"})) is True
    assert evaluate(InRe(s, Loop(AllChar(), 2, 3)), Model({s: "wxyz"})) is False


def test_arrays_are_extensional():
    a = Array("a", IntSort(), IntSort())
    b = Array("b", IntSort(), IntSort())
    m = Model()
    from quod.core.model import ArrayValue

    srt = a.sort
    m.consts[a] = ArrayValue(srt, 0, ((1, 5),))
    m.consts[b] = ArrayValue(srt, 0, ((1, 5), (2, 0)))
    assert evaluate(a == b, m) is True
    assert evaluate(Select(Store(a, 3, 7), 3) == 7, m) is True


def test_uninterpreted_functions_use_table_then_default():
    f = Function("f", IntSort(), IntSort())
    x = Int("x")
    m = Model({x: 2})
    from quod.core.model import FuncInterp

    fi = FuncInterp(f, default=9)
    fi.add((2,), 4)
    m.funcs[f] = fi
    assert evaluate(f(x), m) == 4
    assert evaluate(f(x + 1), m) == 9


def test_quantifiers_over_finite_domains_only():
    b = Bool("b")
    x = Int("x")
    assert evaluate(ForAll([b], Or(b, b == False)), Model()) is True  # noqa: E712
    with pytest.raises(Undetermined):
        evaluate(ForAll([x], x * x >= 0), Model())


def test_distinct_and_reals():
    r = Real("r")
    m = Model({r: Fraction(1, 3)})
    assert evaluate(r * 3 == 1, m) is True
    assert evaluate(Distinct(IntVal(1), IntVal(2), IntVal(1)), m) is False
    assert evaluate(BoolVal(True), m) is True


@given(st.integers(-50, 50), st.integers(-50, 50))
def test_int_arith_matches_python(a, b):
    x, y = Int("x"), Int("y")
    m = Model({x: a, y: b})
    assert evaluate(x * y - x + 3 * y, m) == a * b - a + 3 * b
    assert evaluate(x <= y, m) is (a <= b)
