"""Kernel checks of inductive-invariant certificates (negative cases included)."""

from __future__ import annotations

import pytest

from quod.core import builder as B
from quod.core.model import Model
from quod.kernel.invariant import (
    Answer,
    Certificate,
    CertificateError,
    TransitionSystem,
    Verdict,
    check_answers,
    check_exhaustive,
    obligations,
)

# a 2-bit counter over Bools a, b that cycles 00 -> 01 -> 10 -> 00 (never 11)
a, b = B.Bools("a b")
a2, b2 = B.Bools("a' b'")
INIT = B.And(B.Not(a), B.Not(b))
TRANS = B.Or(
    B.And(B.Not(a), B.Not(b), B.Not(a2), b2),
    B.And(B.Not(a), b, a2, B.Not(b2)),
    B.And(a, B.Not(b), B.Not(a2), B.Not(b2)),
)
TS = TransitionSystem((a, b), (a2, b2), INIT, TRANS)
PROP = B.Not(B.And(a, b))


def test_obligations_are_built_by_the_kernel_and_split_per_transition() -> None:
    obs = obligations(Certificate(TS, PROP, PROP))
    names = [o.name for o in obs]
    assert names[0] == "initiation" and names[-1] == "safety"
    assert names[1:-1] == ["consecution[0]", "consecution[1]", "consecution[2]"]
    assert [o.name for o in obligations(Certificate(TS, PROP, PROP), split=False)] == [
        "initiation",
        "consecution",
        "safety",
    ]


def test_exhaustive_check_accepts_a_true_inductive_invariant() -> None:
    chk = check_exhaustive(Certificate(TS, PROP, PROP))
    assert chk.verdict is Verdict.CHECKED and chk.ok


def test_exhaustive_check_refutes_a_non_inductive_invariant_with_a_model() -> None:
    # "not b" holds initially but 00 -> 01 breaks it
    chk = check_exhaustive(Certificate(TS, B.Not(b), B.BoolVal(True)))
    assert chk.verdict is Verdict.REFUTED
    bad = [o for o in chk.obligations if o.verdict is Verdict.REFUTED]
    assert bad[0].name == "consecution" and bad[0].counterexample is not None


def test_exhaustive_check_refutes_an_invariant_too_weak_for_the_property() -> None:
    chk = check_exhaustive(Certificate(TS, B.BoolVal(True), PROP))
    assert chk.verdict is Verdict.REFUTED


def test_exhaustive_check_is_undecided_on_integers() -> None:
    x, x2 = B.Int("x"), B.Int("x'")
    ts = TransitionSystem((x,), (x2,), x == 0, x2 == x + 1)
    chk = check_exhaustive(Certificate(ts, x >= 0, x >= 0))
    assert chk.verdict is Verdict.UNDECIDED


def _answers(
    cert: Certificate, status: str, solvers: tuple[str, ...] = ("z3", "cvc5")
) -> dict[str, list[Answer]]:
    return {o.name: [Answer(s, status) for s in solvers] for o in obligations(cert)}


def test_answers_need_unsat_from_every_required_solver() -> None:
    cert = Certificate(TS, PROP, PROP)
    assert check_answers(cert, _answers(cert, "unsat")).ok
    only_z3 = _answers(cert, "unsat", ("z3",))
    chk = check_answers(cert, only_z3)
    assert chk.verdict is Verdict.UNDECIDED
    assert "cvc5" in chk.obligations[0].detail


def test_unknown_answers_leave_the_certificate_undecided() -> None:
    cert = Certificate(TS, PROP, PROP)
    ans = _answers(cert, "unsat")
    ans["safety"] = [Answer("z3", "unsat"), Answer("cvc5", "unknown", reason="timeout")]
    assert check_answers(cert, ans).verdict is Verdict.UNDECIDED


def test_a_sat_answer_with_a_valid_model_refutes() -> None:
    cert = Certificate(TS, B.Not(b), B.BoolVal(True))
    ans = _answers(cert, "unsat")
    # 00 -> 01 is a counterexample to consecution[0]
    m = Model({a: False, b: False, a2: False, b2: True})
    ans["consecution[0]"] = [Answer("z3", "sat", m)]
    chk = check_answers(cert, ans)
    assert chk.verdict is Verdict.REFUTED


def test_a_sat_answer_with_a_wrong_model_does_not_refute_nor_pass() -> None:
    cert = Certificate(TS, PROP, PROP)
    ans = _answers(cert, "unsat")
    bogus = Model({a: True, b: True})  # does not satisfy the initiation formula
    ans["initiation"] = [Answer("z3", "sat", bogus), Answer("cvc5", "unsat")]
    chk = check_answers(cert, ans)
    assert chk.verdict is Verdict.UNDECIDED
    assert "rejects" in chk.obligations[0].detail


def test_missing_answers_are_undecided() -> None:
    cert = Certificate(TS, PROP, PROP)
    assert check_answers(cert, {}).verdict is Verdict.UNDECIDED


@pytest.mark.parametrize(
    "cert",
    [
        Certificate(TransitionSystem((a,), (a2, b2), INIT, TRANS), PROP, PROP),  # arity
        Certificate(TransitionSystem((a, a), (a2, b2), INIT, TRANS), PROP, PROP),  # duplicate
        Certificate(TransitionSystem((a, b), (a2, B.Int("y'")), INIT, TRANS), PROP, PROP),  # sorts
        Certificate(TransitionSystem((a, B.Not(b)), (a2, b2), INIT, TRANS), PROP, PROP),  # not a variable
        Certificate(TS, B.And(PROP, a2), PROP),  # invariant over primed variables
        Certificate(TS, PROP, B.Bool("other")),  # property over an unknown variable
        Certificate(TransitionSystem((a, b), (a2, b2), INIT, B.Bool("z")), PROP, PROP),  # trans
        Certificate(TS, B.Int("n"), PROP),  # not Boolean
    ],
)
def test_malformed_certificates_are_rejected(cert: Certificate) -> None:
    with pytest.raises(CertificateError):
        obligations(cert)
