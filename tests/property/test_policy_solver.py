"""Solver verdicts on random policies against enumerated ground truth and the automata engine.

For random small policy pairs: every witness the portfolio reports is
allowed by one policy and denied by the other (re-checked here), no `unsat`
direction is contradicted by requests enumerated from the policies' own
literals, and when the automata engine applies its verdict equals the SMT
verdict. The default run is small; `-m slow` runs more examples.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quod.core.errors import QuodError
from quod.policy.automata import Unsupported, compare_automata
from quod.policy.evaluate import Indeterminate, allowed
from quod.policy.parse import parse_policy
from quod.policy.queries import compare
from quod.policy.requests import request_from_json
from quod.policy.solve import SolveOptions

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit" / "policy"))
from ground_truth import sample_requests  # noqa: E402
from test_policy_encoding import statements  # noqa: E402

OPTS = SolveOptions(timeout=20.0, cross_check=False, polish=False)


def _policy(stmts: list[dict[str, Any]]) -> Any:
    return parse_policy(json.dumps({"Version": "2012-10-17", "Statement": stmts}))


def _check(sa: list[dict[str, Any]], sb: list[dict[str, Any]]) -> None:
    a, b = _policy(sa), _policy(sb)
    res = compare(a, b, OPTS)
    samples = sample_requests([a, b], n=150)
    for o in res.outcomes:
        for c in o.checks:
            pos, neg = (a, b) if c.name.startswith("A-not-B") else (b, a)
            if c.witness is not None:
                assert allowed(pos, c.witness, o.reading) and not allowed(neg, c.witness, o.reading)
            if c.status == "unsat":
                for raw in samples:
                    try:
                        r = request_from_json(raw)
                        bad = allowed(pos, r, o.reading) and not allowed(neg, r, o.reading)
                    except (QuodError, Indeterminate):
                        continue
                    assert not bad, (json.dumps(sa), json.dumps(sb), raw, c.name)
    try:
        auto = compare_automata(a, b)
    except Unsupported:
        return
    if res.verdict != "unknown":
        assert auto.verdict == res.verdict, (json.dumps(sa), json.dumps(sb))


SMALL = st.lists(statements(), min_size=1, max_size=2)


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(SMALL, SMALL)
def test_solver_verdicts_hold(sa: list[dict[str, Any]], sb: list[dict[str, Any]]) -> None:
    _check(sa, sb)


@pytest.mark.slow
@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(SMALL, SMALL)
def test_solver_verdicts_hold_many(sa: list[dict[str, Any]], sb: list[dict[str, Any]]) -> None:
    _check(sa, sb)


@st.composite
def plain(draw: Any) -> list[dict[str, Any]]:
    acts = ["*", "s3:*", "s3:Get*", "s3:?etObject", "iam:*User", "S3:PUT*"]
    ress = ["*", "arn:aws:s3:::b/*", "arn:aws:s3:::b/a*b", "arn:aws:s3:::b/?", "arn:aws:s3:::*:x"]
    out = []
    for _ in range(draw(st.integers(1, 3))):
        s: dict[str, Any] = {"Effect": draw(st.sampled_from(["Allow", "Allow", "Deny"]))}
        s["NotAction" if draw(st.integers(0, 4)) == 0 else "Action"] = draw(
            st.lists(st.sampled_from(acts), min_size=1, max_size=2)
        )
        s["NotResource" if draw(st.integers(0, 4)) == 0 else "Resource"] = draw(
            st.lists(st.sampled_from(ress), min_size=1, max_size=2)
        )
        out.append(s)
    return out


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(plain(), plain())
def test_automata_agrees_with_smt_on_plain_policies(
    sa: list[dict[str, Any]], sb: list[dict[str, Any]]
) -> None:
    a, b = _policy(sa), _policy(sb)
    auto = compare_automata(a, b)
    smt = compare(a, b, OPTS)
    assert smt.verdict == "unknown" or auto.verdict == smt.verdict, (json.dumps(sa), json.dumps(sb))
