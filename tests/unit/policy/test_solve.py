"""The portfolio never turns a doubtful answer into a verdict.

Fake solvers stand in for cvc5 and z3: one that always says unknown, one
that lies "unsat", one that returns a model the evaluator rejects.
"""

from __future__ import annotations

import ipaddress
import json
import random
from collections.abc import Sequence
from typing import Any

import pytest

from quod.backends.base import Limits, Result, Sat, Unknown, Unsat
from quod.core import builder as B
from quod.core.evaluate import evaluate
from quod.core.model import Model
from quod.core.terms import Term
from quod.policy import solve as solve_mod
from quod.policy.encode import IP_TEXT
from quod.policy.model import Principal, Request
from quod.policy.parse import parse_policy
from quod.policy.queries import compare, public
from quod.policy.solve import SolveOptions
from quod.policy.witness import printable

PUBLIC_POLICY = parse_policy(
    json.dumps(
        {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}]}
    )
)


NO_SAMPLING = SolveOptions(sample=False)  # these tests are about the solvers' answers


class Fake:
    def __init__(self, answer: str, real: Any = None) -> None:
        self.answer = answer
        self.real = real
        self.terms: list[Term] = []
        self.name = answer

    def add(self, *terms: Term) -> None:
        self.terms += terms
        if self.real is not None:
            self.real.add(*terms)

    def check(self, assumptions: Sequence[Term] = ()) -> Result:
        if self.answer == "unknown":
            return Unknown("fake: gave up")
        if self.answer == "unsat":
            return Unsat()
        if self.answer == "bad-model":
            return Sat(Model())  # the all-defaults request: an empty action is not a request
        assert self.real is not None
        return self.real.check()


def patch(monkeypatch: pytest.MonkeyPatch, answers: dict[str, str]) -> None:
    from quod.backends.registry import get_solver as real_get

    def fake_get(name: str, *, limits: Limits | None = None, **opts: Any) -> Any:
        ans = answers[name]
        return Fake(ans, real_get(name, limits=limits) if ans == "real" else None)

    monkeypatch.setattr(solve_mod, "get_solver", fake_get)


def test_all_unknown_is_unknown_never_not_public(monkeypatch: pytest.MonkeyPatch) -> None:
    patch(monkeypatch, {"cvc5": "unknown", "z3": "unknown"})
    r = public(PUBLIC_POLICY, NO_SAMPLING)
    assert r.verdict == "unknown" and "gave up" in r.reason


def test_a_lying_unsat_is_overruled_by_a_confirmed_witness(monkeypatch: pytest.MonkeyPatch) -> None:
    patch(monkeypatch, {"cvc5": "unsat", "z3": "real"})
    r = public(PUBLIC_POLICY, NO_SAMPLING)
    (c,) = r.checks
    assert r.verdict == "public" and c.witness is not None and "SOLVERS DISAGREE" in c.note


def test_unsat_without_cross_check_is_reported_as_such(monkeypatch: pytest.MonkeyPatch) -> None:
    patch(monkeypatch, {"cvc5": "unsat", "z3": "real"})
    r = public(PUBLIC_POLICY, SolveOptions(cross_check=False, sample=False))
    assert r.verdict == "not-public"  # documents what --no-cross-check trusts: the first solver


def test_unconfirmed_model_is_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    patch(monkeypatch, {"cvc5": "bad-model", "z3": "bad-model"})
    r = public(PUBLIC_POLICY, NO_SAMPLING)
    assert r.verdict == "unknown" and "not confirmed" in r.reason


def test_compare_with_one_direction_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    patch(monkeypatch, {"cvc5": "unknown", "z3": "unknown"})
    a = parse_policy(json.dumps({"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
    r = compare(a, a, NO_SAMPLING)
    assert r.verdict == "unknown" and r.reason == "both directions unknown"


def test_ip_text_accepts_every_address() -> None:
    rng = random.Random(1)
    for _ in range(200):
        for text in (
            str(ipaddress.IPv4Address(rng.getrandbits(32))),
            str(ipaddress.IPv6Address(rng.getrandbits(128))),
        ):
            x = B.String("x")
            assert evaluate(B.InRe(x, IP_TEXT), Model({x: text})) is True, text


def test_printable_rewrites_odd_characters_injectively() -> None:
    req = Request(Principal("Anonymous"), "s3:get\x01", "arn:aws:s3:::b/\x02\x01", {"k:x": ("\x02",)})
    out = printable(req, [PUBLIC_POLICY])
    assert out is not None
    a, r, v = out.action[-1], out.resource[-2:], out.context["k:x"][0]
    assert a.isprintable() and r == v + a and a != v


def test_sampling_finds_obvious_witnesses_without_a_solver(monkeypatch: pytest.MonkeyPatch) -> None:
    patch(monkeypatch, {"cvc5": "unknown", "z3": "unknown"})
    r = public(PUBLIC_POLICY)
    (c,) = r.checks
    assert r.verdict == "public" and [x.solver for x in c.runs] == ["sampling"]
