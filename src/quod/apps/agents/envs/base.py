"""The environment interface: `reset(task)`, `step(action)`, `reward(final_state, ground_truth)`.

`ToolEnv` implements `step` once for every tool environment: it parses the
action as a tool call, validates the arguments against the tool's JSON
schema and dispatches to the method `tool_<name>`; malformed calls become an
error observation (the episode goes on, as with a real API). An environment
may also offer `candidate_actions()`, the finite list of well-formed calls
in the current state, which the rollout engine can use to constrain decoding.
"""

from __future__ import annotations

import abc
import random
from dataclasses import dataclass, field
from typing import Any

from quod.apps.agents.tools import BadCall, Tool, ToolCall, parse_action


@dataclass(frozen=True)
class Task:
    id: str
    instruction: str
    # what the checker compares the final state with
    ground_truth: Any
    # environment-specific data the task starts from (initial state, program...)
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class StepResult:
    observation: str
    done: bool = False
    info: dict[str, Any] = field(default_factory=dict)


class ToolEnv(abc.ABC):
    """A tool-using environment; subclasses define tools as `tool_<name>` methods."""

    name: str = "env"
    # tool that ends the episode
    finish_tool: str = "finish"

    def __init__(self) -> None:
        self.task: Task | None = None
        self.done = False
        self.num_calls = 0
        self.num_bad_calls = 0

    # --- to implement -------------------------------------------------------

    @abc.abstractmethod
    def tools(self) -> list[Tool]: ...

    @abc.abstractmethod
    def tasks(self, split: str = "train", n: int | None = None, seed: int = 0) -> list[Task]:
        """The task set of a split (deterministic for a seed)."""

    @abc.abstractmethod
    def _reset_state(self, task: Task) -> None: ...

    @abc.abstractmethod
    def final_state(self) -> Any: ...

    @abc.abstractmethod
    def reward(self, final_state: Any, ground_truth: Any) -> float:
        """Score a final state against the task's ground truth (in [0, 1])."""

    def success(self, reward: float) -> bool:
        return reward >= 1.0

    def candidate_actions(self) -> list[str] | None:
        """Well-formed calls in the current state, or None for free-form actions."""
        return None

    # --- the loop -----------------------------------------------------------

    def reset(self, task: Task) -> str:
        self.task = task
        self.done = False
        self.num_calls = 0
        self.num_bad_calls = 0
        self._reset_state(task)
        return task.instruction

    def step(self, action: str) -> StepResult:
        if self.task is None:
            raise RuntimeError("step() before reset()")
        if self.done:
            return StepResult("the episode is over", done=True)
        call = parse_action(action, self.tools())
        if isinstance(call, BadCall):
            self.num_bad_calls += 1
            return StepResult(f"error: {call.message}", info={"bad_call": True})
        self.num_calls += 1
        if call.name == self.finish_tool:
            self.done = True
            obs = self._finish(call)
            return StepResult(obs, done=True, info={"tool": call.name})
        method = getattr(self, f"tool_{call.name}")
        obs = method(**call.args)
        return StepResult(str(obs), done=self.done, info={"tool": call.name})

    def _finish(self, call: ToolCall) -> str:
        return "done"

    def episode_reward(self) -> float:
        assert self.task is not None
        return self.reward(self.final_state(), self.task.ground_truth)

    def system_prompt(self, style: str = "full") -> str:
        """Instructions plus the tools: full JSON schemas, signatures only, or nothing."""
        import json

        if style == "none":
            return ""
        if style == "names":
            return "tools: " + " ".join(t.signature() for t in self.tools())
        schemas = json.dumps([t.schema() for t in self.tools()])
        return (
            "You are an agent that acts only through tools. Answer each turn with exactly one JSON object "
            '{"tool": NAME, "args": {...}}. Available tools (JSON schemas): ' + schemas
        )


def split_rng(seed: int, split: str) -> random.Random:
    """A generator per (seed, split), so train and test task sets never share draws."""
    return random.Random(f"{seed}:{split}")
