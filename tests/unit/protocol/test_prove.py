"""Proofs, and the symbolic translation checked against the explicit semantics."""

from __future__ import annotations

import random
from typing import Any

import pytest

from quod.core.evaluate import evaluate
from quod.core.model import Model
from quod.kernel.invariant import Verdict
from quod.protocol.prove import ProofOptions, certificate_smtlib, prove
from quod.protocol.semantics import Semantics
from quod.protocol.symbolic import Encoder, translate

from .conftest import example


def _values(enc: Encoder, sym_state: Any, s: Any, variables: list[Any]) -> dict[Any, Any]:
    terms = enc.flatten(s, sym_state, enc.shape, "test")
    vals = [t.value for t in terms]
    return dict(zip(variables, [*vals, False], strict=True))


@pytest.mark.parametrize(
    "name, model",
    [
        ("two_phase_commit", "TwoPhaseCommit"),
        ("lock_service", "LockService"),
        ("replicated_register", "Register"),
    ],
)
def test_translation_agrees_with_explicit_transitions(name: str, model: str) -> None:
    """Every explicit transition satisfies `trans`; random non-transitions do not; invariants agree."""
    cls = getattr(example(name), model)
    proto = cls(N=2) if "N" in cls.params else cls()
    sem = Semantics(proto)
    sm = translate(proto)
    enc = Encoder(proto, sem)
    sym_state = enc.symbolic_state()
    states = list(sem.inits)
    seen = set(states)
    i = 0
    while i < len(states):
        if not sem.in_constraint(states[i]):
            i += 1
            continue
        for t in sem.successors(states[i]):
            if t.target not in seen:
                seen.add(t.target)
                states.append(t.target)
        i += 1
    rng = random.Random(3)
    for s in states[:400]:
        pre = _values(enc, sym_state, s, sm.variables)
        succs = {t.target for t in sem.successors(s)}
        for name, term in sm.invariants.items():
            prop = next(p for p in sem.invariants if p.name == name)
            assert evaluate(term, Model(pre)) == sem.holds(prop, s)
        for s2 in list(succs) + rng.sample(states, 5):
            post = _values(enc, sym_state, s2, sm.variables)
            m = Model({**pre, **{p: post[v] for v, p in zip(sm.variables, sm.primed, strict=True)}})
            assert evaluate(sm.trans, m) == (s2 in succs), (s, s2)
        assert evaluate(sm.init, Model(pre)) == (s in sem.inits)


def test_two_phase_commit_proved_with_a_kernel_checked_certificate(tpc: Any) -> None:
    r = prove(tpc.TwoPhaseCommit(N=3))
    assert r.proved and r.check is not None and r.check.verdict is Verdict.CHECKED
    assert {o.detail for o in r.check.obligations} == {"unsat by z3, cvc5"}
    assert "(check-sat)" in certificate_smtlib(r.certificate)  # type: ignore[arg-type]


@pytest.mark.slow
def test_spacer_finds_a_strengthening(tpc: Any) -> None:
    class OnlySafety(tpc.TwoPhaseCommit):  # type: ignore[misc, name-defined]
        prepared_means_prepared = None
        decisions_match_tm = None

    r = prove(OnlySafety(N=2), ProofOptions(k_max=1))
    assert r.proved and "Spacer" in r.method


def test_buggy_variants_are_refuted_with_a_counterexample(tpc: Any) -> None:
    r = prove(tpc.TwoPhaseCommitBuggy(N=2))
    assert r.status == "violated" and r.counterexample[0]["action"] == "init"
    assert r.counterexample[-1]["action"] == "tm_commit"


@pytest.mark.slow
def test_unbounded_integers_are_proved() -> None:
    lock = example("lock_service")
    assert prove(lock.LockService()).proved
    reg = example("replicated_register")
    assert prove(reg.Register()).proved
    assert prove(reg.RegisterBuggy()).status == "violated"


def test_lock_service_proved() -> None:
    assert prove(example("lock_service").LockService()).proved
