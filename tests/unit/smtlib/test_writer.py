"""The writer: exact literals, let sharing, and parse(print(x)) == x."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from tests.benchdata import SMT

from quod.core import (
    And,
    BitVecVal,
    Exists,
    ForAll,
    Function,
    Int,
    Ints,
    IntVal,
    Op,
    Or,
    Real,
    RealVal,
    StringVal,
)
from quod.core.errors import QuodError
from quod.core.sorts import INT, UninterpretedSort
from quod.core.terms import make, var
from quod.smtlib import parse_file, parse_script, parse_term
from quod.smtlib.writer import int_literal, print_assertions, print_script, print_term, real_literal

BENCH = SMT
FILES = sorted(BENCH.glob("*/*.smt2"))


def roundtrip(t):  # type: ignore[no-untyped-def]
    decls = {v.name: v for v in _vars(t)}
    return parse_term(print_term(t), list(decls.values()))


def _vars(t):  # type: ignore[no-untyped-def]
    from quod.core.walk import free_vars

    return free_vars([t])


@pytest.mark.parametrize(
    ("value", "text"),
    [(0, "0"), (7, "7"), (-7, "(- 7)")],
)
def test_int_literals(value: int, text: str) -> None:
    assert int_literal(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Fraction(2), "2.0"),
        (Fraction(1, 2), "0.5"),
        (Fraction(-1, 8), "(- 0.125)"),
        (Fraction(1, 3), "(/ 1.0 3.0)"),
        (Fraction(-22, 7), "(- (/ 22.0 7.0))"),
        (Fraction(1, 1000), "0.001"),
        (Fraction(0), "0.0"),
    ],
)
def test_real_literals(value: Fraction, text: str) -> None:
    assert real_literal(value) == text
    assert parse_term(text) is RealVal(value)


def test_constants_round_trip() -> None:
    for c in [IntVal(-3), IntVal(10**5000), RealVal(Fraction(-5, 3)), BitVecVal(5, 3), BitVecVal(255, 8),
              StringVal('q"\\u{41}\n\x00\U0002ffff'), StringVal("")]:  # fmt: skip
        assert parse_term(print_term(c)) is c


def test_shared_subterms_are_let_bound_and_come_back_identical() -> None:
    x, y = Ints("x y")
    s = x + y
    p = s * s
    t = And(p > 0, p < 10, s != 3)
    text = print_term(t)
    assert text.startswith("(let ((")
    assert text.count("(+ x y)") == 1
    assert roundtrip(t) is t


def test_let_names_avoid_symbols_in_use() -> None:
    q1 = Int("?q1")
    s = q1 + 1
    t = s * s > 0
    assert roundtrip(t) is t


def test_quantifier_bodies_get_their_own_lets() -> None:
    x = Int("x")
    k = Int("k")
    shared = (k + 1) * (k + 1)
    t = And(ForAll([k], shared > 0), Exists([k], shared < 0), x + 1 > 0)
    text = print_term(t)
    assert roundtrip(t) is t
    assert text.count("forall") == 1


def test_deep_term_prints_and_parses_back() -> None:
    t = Int("x")
    for i in range(50_000):
        t = make(Op.ADD, [t, IntVal(i % 3)])
    assert roundtrip(t) is t


def test_uninterpreted_and_quoted_names() -> None:
    u = UninterpretedSort("my sort")
    f = Function("f g", u, u)
    a = var("a b", u)
    t = f(a) == a  # type: ignore[operator]
    script = print_assertions([t], logic="QF_UF")
    assert "(declare-sort |my sort| 0)" in script
    assert parse_script(script).assertions() == [t]


def test_print_assertions_declares_what_is_used() -> None:
    x, y = Int("x"), Real("y")
    f = Function("f", INT, INT)
    k = Int("k")
    t = And(f(x) > 0, ForAll([k], f(k) >= k), y > 0.5)  # type: ignore[operator]
    text = print_assertions([t], logic="ALL", status="sat")
    s = parse_script(text)
    assert s.assertions() == [t]
    assert s.status == "sat" and s.logic == "ALL"
    assert "declare-fun k" not in text  # bound, not declared


def test_print_assertions_rejects_ambiguous_names() -> None:
    with pytest.raises(ValueError):
        print_assertions(
            [Or(Int("v") > 0, var("v", UninterpretedSort("U")) == var("w", UninterpretedSort("U")))]
        )


ALL_COMMANDS = '''(set-info :smt-lib-version 2.6)
(set-logic ALL)
(set-option :produce-unsat-cores true)
(set-info :source |two
lines|)
(declare-sort U 0)
(define-sort Pair (X) (Array X X))
(declare-fun f (U Int) Bool)
(declare-const u U)
(declare-const m (Pair Int))
(define-fun inc ((n Int)) Int (+ n 1))
(push 2)
(assert (! (f u (inc (select m 0))) :named a1))
(check-sat-assuming (a1 (not a1)))
(get-value ((inc 3) (select m 1)))
(get-unsat-core)
(pop 1)
(echo "done ""now""")
(get-info :all-statistics)
(get-option :produce-models)
(reset-assertions)
(reset)
(check-sat)
(exit)
'''


def test_every_command_round_trips() -> None:
    s = parse_script(ALL_COMMANDS)
    text = print_script(s)
    assert parse_script(text) == s
    assert print_script(parse_script(text)) == text  # printing is a fixed point


def test_round_trip_detects_differences() -> None:
    s = parse_script("(declare-const x Int)(assert (> x 0))")
    changed = parse_script(print_script(s).replace("0", "1"))
    assert changed != s


@pytest.mark.skipif(not FILES, reason="benchmark directory not available")
@pytest.mark.parametrize(
    "path",
    [
        p
        for fam in sorted({f.parent for f in FILES})
        for p in sorted(fam.glob("*.smt2"), key=lambda q: q.stat().st_size)[:2]
    ],
    ids=lambda p: p.name,
)
def test_benchmark_sample_round_trips(path: Path) -> None:
    s = parse_file(path)
    assert parse_script(print_script(s)) == s


@pytest.mark.slow
@pytest.mark.skipif(not FILES, reason="benchmark directory not available")
@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_benchmark_round_trips(path: Path) -> None:
    s = parse_file(path)
    assert parse_script(print_script(s)) == s


def test_nested_attribute_values_round_trip_and_depth_is_bounded() -> None:
    depth = 100
    s = parse_script(f"(set-info :deep {'(' * depth}a{')' * depth})")
    text = print_script(s)
    assert text.count("(") == depth + 1
    assert parse_script(text) == s
    with pytest.raises(QuodError) as e:
        parse_script(f"(set-info :deep\n {'(' * (depth + 1)}a{')' * (depth + 1)})")
    assert e.value.diagnostic.code == "Q0210"
    assert (e.value.span.line, e.value.span.col) == (2, 1 + depth + 1)
