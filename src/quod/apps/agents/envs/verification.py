"""Verification environment: the agent proposes loop invariants, quod checks them.

Each proposal is answered with the outcome of the three obligations
(initiation, preservation, exit) and a counterexample for each failing one,
as a verifier would report it; the episode ends with reward 1 as soon as a
proposal verifies. An obligation the solver cannot decide counts as failed:
an agent must never be rewarded for an unproven invariant.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from quod.apps.agents.envs.base import Task, ToolEnv, split_rng
from quod.apps.agents.envs.loops import (
    Checker,
    ExprError,
    LoopProgram,
    SolverChecker,
    VCReport,
    check_program_text,
    compile_expr,
)
from quod.apps.agents.envs.verifier_check import VerifierChecker
from quod.apps.agents.errors import EnvDataError
from quod.apps.agents.tools import STR, Tool, ToolCall, obj


def load_programs(path: Path | None = None) -> list[LoopProgram]:
    if path is None:
        text = resources.files("quod.apps.agents.envs").joinpath("data/loop_programs.json").read_text("utf-8")
        where = "loop_programs.json"
    else:
        try:
            text = path.read_text("utf-8")
        except OSError as e:
            raise EnvDataError(f"{path}: cannot read programs: {e.strerror}") from None
        where = str(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise EnvDataError(f"{where}:{e.lineno}:{e.colno}: invalid JSON: {e.msg}") from None
    if not isinstance(data, dict) or not isinstance(data.get("programs"), list):
        raise EnvDataError(f"{where}: $.programs must be a list")
    out = []
    for i, d in enumerate(data["programs"]):
        try:
            p = LoopProgram.from_dict(d)
        except (KeyError, TypeError, ValueError) as e:
            raise EnvDataError(
                f"{where}: $.programs[{i}]: malformed program ({type(e).__name__}: {e})"
            ) from None
        check_program_text(p)
        out.append(p)
    return out


class VerificationEnv(ToolEnv):
    name = "verify"
    finish_tool = "give_up"

    def __init__(
        self,
        programs: Path | None = None,
        checker: Checker | str | None = None,
        backend: str = "z3",
    ) -> None:
        super().__init__()
        self.programs = {p.id: p for p in load_programs(programs)}
        # "solver": the three VCs straight to a backend (fast); "verifier": the program as Python
        # with contracts through quod.verify (Python semantics, termination too)
        if checker is None or checker == "solver":
            checker = SolverChecker(backend)
        elif checker == "verifier":
            checker = VerifierChecker(backend)
        elif isinstance(checker, str):
            raise EnvDataError(f"verify env: checker must be 'solver' or 'verifier', not {checker!r}")
        self.checker: Checker = checker
        self.program: LoopProgram | None = None
        self.last_report: VCReport | None = None
        self.proposals = 0

    def tools(self) -> list[Tool]:
        return [
            Tool("show_program", "Show the program whose loop needs an invariant.", obj()),
            Tool(
                "propose_invariant",
                "Propose a loop invariant (Python-like syntax); quod checks initiation, preservation and exit.",
                obj(["invariant"], invariant=STR),
            ),
            Tool("give_up", "Stop without a verified invariant.", obj()),
        ]

    def tool_show_program(self) -> str:
        assert self.program is not None
        return self.program.source()

    def tool_propose_invariant(self, invariant: str) -> str:
        assert self.program is not None
        self.proposals += 1
        try:
            term = compile_expr(invariant, self.program.vars)
        except ExprError as e:
            return f"error: invariant col {e.col}: {e}"
        self.last_report = self.checker.check(self.program, term, source=invariant)
        if self.last_report.verified:
            self.done = True
        return self.last_report.message()

    def _finish(self, call: ToolCall) -> str:
        return "gave up"

    def _reset_state(self, task: Task) -> None:
        self.program = self.programs[task.data["program"]]
        self.last_report = None
        self.proposals = 0

    def final_state(self) -> bool:
        return self.last_report is not None and self.last_report.verified

    def reward(self, final_state: Any, ground_truth: Any) -> float:
        return 1.0 if final_state is True else 0.0

    def candidate_actions(self) -> list[str] | None:
        assert self.program is not None
        calls = [ToolCall("show_program", {})]
        calls += [ToolCall("propose_invariant", {"invariant": c}) for c in self.program.candidates]
        calls.append(ToolCall("give_up", {}))
        return [c.render() for c in calls]

    def tasks(self, split: str = "train", n: int | None = None, seed: int = 0) -> list[Task]:
        ids = sorted(self.programs)
        split_rng(seed, "verify").shuffle(ids)
        cut = max(1, (7 * len(ids)) // 10)
        chosen = ids[:cut] if split == "train" else ids[cut:]
        tasks = [
            Task(
                f"verify-{pid}",
                "Find a loop invariant that proves this program:\n" + self.programs[pid].source(),
                True,
                {"program": pid},
            )
            for pid in chosen
        ]
        return tasks[:n] if n is not None else tasks
