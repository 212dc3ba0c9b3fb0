"""Invariant certificates: the less common shapes (nested or unsplit transitions,
bit-vector state, assignment limits, undetermined evaluation, disagreeing solvers)."""

from __future__ import annotations

import pytest

from quod.core import builder as B
from quod.core.sorts import BOOL
from quod.core.terms import Term
from quod.kernel import invariant
from quod.kernel.invariant import (
    Answer,
    Certificate,
    TransitionSystem,
    Verdict,
    check_answers,
    check_exhaustive,
    obligations,
)

a, b = B.Bools("a b")
a2, b2 = B.Bools("a' b'")


def _names(cert: Certificate) -> list[str]:
    return [o.name for o in obligations(cert)]


def test_a_transition_that_is_not_a_disjunction_gives_one_consecution() -> None:
    ts = TransitionSystem((a,), (a2,), B.Not(a), a2 == a)
    assert _names(Certificate(ts, B.Not(a), B.Not(a))) == ["initiation", "consecution", "safety"]


def test_nested_disjunctions_are_split_one_level_deeper() -> None:
    t1 = B.And(a2, b2)
    t2 = B.And(B.Not(a2), b2)
    t3 = B.And(a2 == a, b2 == b)
    ts = TransitionSystem((a, b), (a2, b2), B.Not(a), B.Or(B.Or(t1, t2), t3))
    cert = Certificate(ts, B.BoolVal(True), B.BoolVal(True))
    obs = obligations(cert)
    assert [o.name for o in obs[1:-1]] == ["consecution[0.0]", "consecution[0.1]", "consecution[1]"]
    # the pieces are exactly the three transitions, each conjoined with inv and not inv'
    assert [o.formula.args[1] for o in obs[1:-1]] == [t1, t2, t3]


def test_too_many_pieces_fall_back_to_the_top_level_disjuncts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(invariant, "MAX_PIECES", 2)
    t1, t2, t3 = B.And(a2, b2), B.And(B.Not(a2), b2), B.And(a2 == a, b2 == b)
    ts = TransitionSystem((a, b), (a2, b2), B.Not(a), B.Or(B.Or(t1, t2), t3))
    obs = obligations(Certificate(ts, B.BoolVal(True), B.BoolVal(True)))
    assert [o.name for o in obs[1:-1]] == ["consecution[0]", "consecution[1]"]
    assert obs[1].formula.args[1] == B.Or(t1, t2)


def _bv_counter(width: int, bound: int) -> Certificate:
    """x counts up from 0 and wraps at `bound`; invariant and property: x <= bound."""
    x, x2 = B.BitVec("x", width), B.BitVec("x'", width)
    zero, top = B.BitVecVal(0, width), B.BitVecVal(bound, width)
    step = B.If(x == top, x2 == zero, x2 == x + B.BitVecVal(1, width))
    ts = TransitionSystem((x,), (x2,), x == zero, step)
    inv = B.ULE(x, top)
    return Certificate(ts, inv, inv)


def test_small_bit_vectors_are_enumerated() -> None:
    chk = check_exhaustive(_bv_counter(4, 9))
    assert chk.verdict is Verdict.CHECKED
    assert [o.detail for o in chk.obligations] == [
        "all 16 assignments evaluated",
        "all 256 assignments evaluated",
        "all 16 assignments evaluated",
    ]


def test_a_bit_vector_counterexample_is_found_by_enumeration() -> None:
    cert = _bv_counter(4, 9)
    x = cert.system.variables[0]
    # "x <= 8" is not inductive: 8 -> 9
    bad = Certificate(cert.system, B.ULE(x, B.BitVecVal(8, 4)), B.BoolVal(True))
    chk = check_exhaustive(bad)
    assert chk.verdict is Verdict.REFUTED
    cex = chk.obligations[1].counterexample
    assert cex is not None and cex[x] == 8


def test_wide_bit_vectors_are_not_enumerated() -> None:
    chk = check_exhaustive(_bv_counter(17, 9))
    assert chk.verdict is Verdict.UNDECIDED
    assert "infinite sort" in chk.obligations[0].detail


def test_the_assignment_limit_makes_the_check_undecided() -> None:
    cert = _bv_counter(4, 9)
    chk = check_exhaustive(cert, limit=100)
    # initiation and safety (16 assignments) fit; consecution (256) does not
    assert [o.verdict for o in chk.obligations] == [
        Verdict.CHECKED,
        Verdict.UNDECIDED,
        Verdict.CHECKED,
    ]
    assert chk.obligations[1].detail == "more than 100 assignments"
    assert chk.verdict is Verdict.UNDECIDED


def test_an_uninterpreted_function_leaves_evaluation_undetermined() -> None:
    f = B.Function("f", BOOL, BOOL)
    assert not isinstance(f, Term)
    fa: Term = B.apply(f, a)
    ts = TransitionSystem((a,), (a2,), B.Not(a), a2 == a)
    chk = check_exhaustive(Certificate(ts, B.Or(fa, B.Not(a)), B.BoolVal(True)))
    # initiation and safety never need f (a is false initially; the property is true)
    assert [o.verdict for o in chk.obligations] == [
        Verdict.CHECKED,
        Verdict.UNDECIDED,
        Verdict.CHECKED,
    ]
    assert chk.obligations[1].detail == "evaluation undetermined: no interpretation for 'f'"
    assert chk.verdict is Verdict.UNDECIDED


def test_an_extra_sat_answer_without_model_blocks_an_otherwise_unanimous_unsat() -> None:
    ts = TransitionSystem((a,), (a2,), B.Not(a), a2 == a)
    cert = Certificate(ts, B.Not(a), B.Not(a))
    answers = {
        o.name: [Answer("z3", "unsat"), Answer("cvc5", "unsat"), Answer("other", "sat")]
        for o in obligations(cert)
    }
    chk = check_answers(cert, answers)
    assert chk.verdict is Verdict.UNDECIDED
    assert [o.detail for o in chk.obligations] == ["solvers disagree"] * 3
