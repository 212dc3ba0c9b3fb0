"""substitute() under a binder whose bound variables have other sorts than the mapped ones."""

from __future__ import annotations

from quod.core.builder import ForAll, Implies, Int, Length, Seq
from quod.core.sorts import INT
from quod.core.terms import var
from quod.core.walk import substitute


def test_substitute_under_binder_with_bound_variable_of_another_sort() -> None:
    k = Int("k")
    a = Seq("a", INT)
    q = ForAll([k], Implies(k < Length(a), k >= 0))
    a2 = var("a2", a.sort)
    out = substitute(q, {a: a2})
    assert out is ForAll([k], Implies(k < Length(a2), k >= 0))


def test_bound_variable_is_not_replaced() -> None:
    k = Int("k")
    q = ForAll([k], k >= 0)
    assert substitute(q, {k: Int("j")}) is q
