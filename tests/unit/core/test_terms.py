import pickle
import sys

import pytest

from quod.core import (
    And,
    BitVecSort,
    Bool,
    Distinct,
    Function,
    Int,
    Ints,
    IntSort,
    Ite,
    Not,
    Op,
    Or,
    Real,
    SortError,
    String,
    to_smtlib,
)
from quod.core.terms import FALSE, TRUE, const, make, table_size, var
from quod.core.walk import free_vars, post_order, size, substitute


def test_hash_consing_gives_identity():
    x, y = Ints("x y")
    a = And(x + 1 <= y, x >= 0)
    b = And(Int("x") + 1 <= Int("y"), Int("x") >= 0)
    assert a is b
    assert hash(a) == hash(b)
    assert a is not And(x + 1 <= y, x > 0)


def test_eq_builds_terms_but_truth_is_identity():
    x, y = Ints("x y")
    e = x == y
    assert e.op is Op.EQ
    assert bool(x == x) is True
    assert bool(x == y) is False
    assert bool(x != y) is True
    d = {x: 1, y: 2}
    assert d[Int("x")] == 1
    assert x in [y, x]
    with pytest.raises(TypeError):
        bool(x < y)


def test_sort_checking_at_construction():
    x = Int("x")
    b = Bool("b")
    with pytest.raises(SortError):
        make(Op.ADD, [x, b])
    with pytest.raises(SortError):
        And(x, b)
    with pytest.raises(SortError):
        Ite(x, x, x)
    with pytest.raises(SortError):
        make(Op.EXTRACT, [var("v", BitVecSort(8))], (8, 0))
    with pytest.raises(SortError):
        const(256, BitVecSort(8))
    with pytest.raises(SortError):
        make(Op.IMPLIES, [b, b, b])


def test_int_real_mixing_lifts_to_real():
    t = Int("i") + Real("r")
    assert t.sort.is_real
    assert t.args[0].op is Op.TO_REAL


def test_deep_terms_do_not_recurse():
    t = Int("x")
    for _ in range(100_000):
        t = t + 1
    assert size(t) == 100_002 - 1 + 1  # x, 1 and 100,000 additions
    text = to_smtlib(t)
    assert text.count("(+") == 100_000
    assert pickle.loads(pickle.dumps(t)) is t
    assert free_vars([t]) == {Int("x")}
    assert substitute(t, {Int("x"): Int("y")}).args[1] is const(1, IntSort())
    assert sys.getrecursionlimit() < 100_000


def test_pickle_shares_structure_and_reinterns():
    x, y = Ints("x y")
    f = Function("f", IntSort(), IntSort())
    t = And(f(x) == y, Distinct(x, y, f(y)), Or(Not(x < y), TRUE))
    u = pickle.loads(pickle.dumps(t))
    assert u is t


def test_substitution_respects_binders_and_avoids_capture():
    from quod.core import ForAll

    x, y = Ints("x y")
    q = ForAll([x], x + y > 0)
    # x is bound: not replaced
    assert substitute(q, {x: Int("z")}) is q
    # y free: replaced; substituting x for y must rename the bound x
    r = substitute(q, {y: x})
    assert r.op is Op.FORALL
    (bv,) = r.payload
    assert bv is not x
    assert free_vars([r]) == {x}


def test_post_order_children_first_and_unique():
    x, y = Ints("x y")
    t = And(x + y > 0, x + y < 5)
    seen: list[int] = []
    for s in post_order([t]):
        for a in s.args:
            assert a.id in seen
        assert s.id not in seen
        seen.append(s.id)


def test_strings_and_constants():
    s = String("s")
    t = s + "ab"
    assert t.op is Op.STR_CONCAT
    assert FALSE.value is False
    assert table_size() > 0
