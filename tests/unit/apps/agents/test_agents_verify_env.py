"""The verification environment: obligations on quod's solver layer, cross-checked with cvc5."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from quod.apps.agents.envs.loops import (
    ExprError,
    LoopProgram,
    ObligationResult,
    SolverChecker,
    VCReport,
    compile_expr,
    obligations,
)
from quod.apps.agents.envs.verification import VerificationEnv, load_programs
from quod.apps.agents.errors import EnvDataError
from quod.apps.agents.tools import ToolCall
from quod.core.errors import QuodError

# for every bundled program, which of its candidates verify (computed by hand)
EXPECTED_VALID = {
    "count_up": {"i <= n", "0 <= i <= n"},
    "count_down": {"i >= 0"},
    "double_sum": {"s == 2 * i and i <= n"},
    "two_counters": {"y == 3 * x and x <= n"},
    "transfer": {"x + y == a + b and x >= 0"},
    "multiply": {"r == i * m and i <= n"},
    "odd_squares": {"s == i * i and i <= n"},
    "step_two": {"x <= 10 and x % 2 == 0"},
    "drain": {"x >= 0 and y >= 0"},
    "halve": {"x >= 0", "x >= 0 and x <= n"},
}


def propose(env: VerificationEnv, inv: str) -> str:
    return env.step(ToolCall("propose_invariant", {"invariant": inv}).render()).observation


@pytest.mark.parametrize("backend", ["z3", "cvc5"])
def test_candidates_verify_exactly_as_expected(backend: str) -> None:
    env = VerificationEnv(checker=SolverChecker(backend, timeout=10.0))
    assert set(env.programs) == set(EXPECTED_VALID)
    for pid, program in env.programs.items():
        got = set()
        for cand in program.candidates:
            report = env.checker.check(program, compile_expr(cand, program.vars))
            assert all(r.status != "unknown" for r in report.results), (pid, cand, report.message())
            if report.verified:
                got.add(cand)
        assert got == EXPECTED_VALID[pid], (backend, pid)


def test_counterexamples_really_break_the_obligation() -> None:
    # a failing obligation's counterexample must make hypothesis true and goal false
    from quod.core.builder import Int
    from quod.core.evaluate import evaluate
    from quod.core.model import Model

    env = VerificationEnv()
    checker = SolverChecker("z3")
    for program in env.programs.values():
        for cand in program.candidates:
            inv = compile_expr(cand, program.vars)
            report = checker.check(program, inv)
            for ob, res in zip(obligations(program, inv), report.results):
                if res.status == "fails":
                    assert res.counterexample is not None
                    m = Model({Int(k): v for k, v in res.counterexample.items()})
                    assert evaluate(ob.hyp, m) is True and evaluate(ob.goal, m) is False


def test_episode_reward_and_messages() -> None:
    env = VerificationEnv()
    task = next(t for t in env.tasks("train") + env.tasks("test") if t.data["program"] == "count_up")
    env.reset(task)
    obs = propose(env, "i == n")
    assert "initiation: FAILS, counterexample" in obs and not env.done
    assert "error: invariant col" in propose(env, "i <=")
    assert "unknown variable 'k'" in propose(env, "k >= 0")
    assert env.episode_reward() == 0.0
    assert propose(env, "i <= n").startswith("verified")
    assert env.done and env.episode_reward() == 1.0


def test_unknown_never_counts_as_verified() -> None:
    class Undecided:
        def check(self, program: LoopProgram, invariant: object, source: str = "") -> VCReport:
            return VCReport(
                tuple(
                    ObligationResult(n, "unknown", reason="timeout")
                    for n in ("initiation", "preservation", "exit")
                )
            )

    env = VerificationEnv(checker=Undecided())
    env.reset(env.tasks("train")[0])
    assert "unknown (timeout)" in propose(env, "True")
    assert env.episode_reward() == 0.0


@pytest.mark.parametrize(
    "text, message",
    [
        ("x // y > 0", "positive integer constant divisor"),
        ("x % -2 == 0", "positive integer constant divisor"),
        ("x + 1", "Boolean"),
        ("f(x)", "implies"),
        ("x ** 2 > 0", "unsupported operator"),
        ("x >= 0 and", "syntax error"),
        ("'a' == x", "unsupported constant"),
    ],
)
def test_expression_errors(text: str, message: str) -> None:
    with pytest.raises(ExprError, match=message):
        compile_expr(text, ["x", "y"])


def test_implies_and_chains_compile() -> None:
    t = compile_expr("implies(x > 0, 0 < y <= x) or not x == y", ["x", "y"])
    assert "=>" in str(t)


def test_program_file_errors(tmp_path: Path) -> None:
    bad = tmp_path / "p.json"
    bad.write_text('{"programs": [}')
    with pytest.raises(EnvDataError, match=r"p.json:1:\d+: invalid JSON"):
        load_programs(bad)
    bad.write_text(
        json.dumps(
            {"programs": [{"id": "p", "vars": ["x"], "guard": "x <", "body": [["x", "x"]], "post": "True"}]}
        )
    )
    with pytest.raises(QuodError, match="program p: guard: col"):
        load_programs(bad)
    bad.write_text(
        json.dumps(
            {"programs": [{"id": "p", "vars": ["x"], "guard": "x < 1", "body": [["z", "x"]], "post": "True"}]}
        )
    )
    with pytest.raises(QuodError, match="undeclared variable 'z'"):
        load_programs(bad)


def test_quod_verify_checker_agrees_with_the_hand_computed_answers() -> None:
    # the same proposals through the program verifier (Python semantics, termination included)
    from quod.apps.agents.envs.verifier_check import VerifierChecker

    checker = VerifierChecker()
    for program in load_programs():
        got = set()
        for cand in program.candidates:
            report = checker.check_source(program, cand)
            assert all(r.status != "unknown" for r in report.results), (program.id, cand, report.message())
            if report.verified:
                got.add(cand)
        assert got == EXPECTED_VALID[program.id], program.id


@pytest.mark.parametrize(
    "text",
    [
        "True)\n        assume(False",  # a new statement smuggled in
        "i <= n) or assume(False",
        "__import__('os').getpid() > 0",
        "i <= n; x = 1",
    ],
)
def test_a_proposal_cannot_change_the_program(text: str) -> None:
    from quod.apps.agents.envs.verifier_check import VerifierChecker

    program = next(p for p in load_programs() if p.id == "count_up")
    report = VerifierChecker().check_source(program, text)
    assert not report.verified
    env = VerificationEnv(checker="verifier")
    env.reset(next(t for t in env.tasks("train") + env.tasks("test") if t.data["program"] == "count_up"))
    assert not propose(env, text).startswith("verified")
    assert env.final_state() is False


def test_verifier_backed_episode_rewards_a_proved_invariant_only() -> None:
    env = VerificationEnv(checker="verifier")
    task = next(t for t in env.tasks("train") + env.tasks("test") if t.data["program"] == "transfer")
    env.reset(task)
    assert propose(env, "x >= 0").startswith("not verified")
    assert env.reward(env.final_state(), task.ground_truth) == 0.0
    assert propose(env, "x + y == a + b and x >= 0").startswith("verified")
    assert env.reward(env.final_state(), task.ground_truth) == 1.0
    with pytest.raises(EnvDataError, match="checker"):
        VerificationEnv(checker="oracle")
