"""Token-in-token-out trajectories.

A trajectory is the exact token sequence the policy saw and produced, built
turn by turn: the prompt, then alternating model turns (sampled ids with the
logprob the sampler assigned to each) and environment turns (ids of the
observation, encoded once). Text is kept only for display: the trainer never
re-tokenizes it, because re-tokenizing a conversation does not in general give
back the ids that were sampled (merges across turn boundaries, chat-template
whitespace), and a single shifted token turns the importance ratio into noise.

Every model turn records the length of the context it was generated from; a
model turn is accepted only if that context is exactly the trajectory so far
(the prefix-extension check). `validate()` re-checks all invariants and is run
by the simulator before a trajectory reaches the trainer.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from quod.apps.agents.errors import TrajectoryError, TrajectoryFileError

Role = Literal["prompt", "model", "env"]
ROLES: tuple[str, ...] = ("prompt", "model", "env")


@dataclass
class Turn:
    role: Role
    ids: list[int]
    # start of this turn in the flat token sequence
    prefix_len: int
    # sampler logprobs of `ids` (model turns only)
    logprobs: list[float] | None = None
    # per generated token, the token ids decoding was restricted to (None: unconstrained)
    allowed: list[list[int]] | None = None
    # policy version that sampled this turn (model turns only)
    version: int = -1
    # decoded or observed text, for logs only
    text: str = ""


@dataclass
class Trajectory:
    task_id: str
    group_id: int
    turns: list[Turn] = field(default_factory=list)
    reward: float | None = None
    success: bool = False
    info: dict[str, Any] = field(default_factory=dict)

    # --- building -----------------------------------------------------------

    @property
    def length(self) -> int:
        return sum(len(t.ids) for t in self.turns)

    def add_prompt(self, ids: Sequence[int], text: str = "") -> None:
        if self.turns:
            raise TrajectoryError(f"{self.task_id}: the prompt must be the first turn")
        self.turns.append(Turn("prompt", list(ids), 0, text=text))

    def add_model_turn(
        self,
        context: Sequence[int],
        ids: Sequence[int],
        logprobs: Sequence[float],
        version: int,
        allowed: Sequence[Sequence[int]] | None = None,
        text: str = "",
    ) -> None:
        """Append sampled ids; `context` is what the engine was given as its prompt."""
        if not self.turns:
            raise TrajectoryError(f"{self.task_id}: a model turn needs a prompt before it")
        flat = self.ids
        if len(context) != len(flat) or list(context) != flat:
            raise TrajectoryError(
                f"{self.task_id}: turn {len(self.turns)}: the engine's context is not the trajectory so far "
                f"(prefix-extension check: {_first_difference(context, flat)})"
            )
        self.turns.append(
            Turn(
                "model",
                list(ids),
                len(flat),
                logprobs=[float(x) for x in logprobs],
                allowed=None if allowed is None else [list(a) for a in allowed],
                version=version,
                text=text,
            )
        )
        self._check_turn(len(self.turns) - 1)

    def add_env_turn(self, ids: Sequence[int], text: str = "") -> None:
        if not self.turns:
            raise TrajectoryError(f"{self.task_id}: an environment turn needs a prompt before it")
        self.turns.append(Turn("env", list(ids), self.length, text=text))

    # --- flat views ---------------------------------------------------------

    @property
    def ids(self) -> list[int]:
        out: list[int] = []
        for t in self.turns:
            out.extend(t.ids)
        return out

    @property
    def loss_mask(self) -> list[int]:
        """1 on tokens the policy sampled, 0 on prompt and environment tokens."""
        out: list[int] = []
        for t in self.turns:
            out.extend([1 if t.role == "model" else 0] * len(t.ids))
        return out

    @property
    def logprobs(self) -> list[float]:
        """Sampler logprobs aligned with `ids` (0.0 where the mask is 0)."""
        out: list[float] = []
        for t in self.turns:
            out.extend(t.logprobs if t.role == "model" and t.logprobs is not None else [0.0] * len(t.ids))
        return out

    def model_turns(self) -> list[Turn]:
        return [t for t in self.turns if t.role == "model"]

    @property
    def policy_version(self) -> int:
        """The oldest policy version that sampled any turn (what staleness is measured by)."""
        versions = [t.version for t in self.turns if t.role == "model"]
        return min(versions) if versions else -1

    @property
    def num_model_tokens(self) -> int:
        return sum(len(t.ids) for t in self.turns if t.role == "model")

    # --- invariants ---------------------------------------------------------

    def validate(self, vocab_size: int | None = None) -> None:
        """Raise `TrajectoryError` if any invariant is broken."""
        where = self.task_id
        if not self.turns or self.turns[0].role != "prompt":
            raise TrajectoryError(f"{where}: the first turn must be the prompt")
        pos = 0
        for i, t in enumerate(self.turns):
            if t.role not in ROLES:
                raise TrajectoryError(f"{where}: turn {i}: unknown role {t.role!r}")
            if t.prefix_len != pos:
                raise TrajectoryError(
                    f"{where}: turn {i} starts at {t.prefix_len} but the turns before it hold {pos} tokens"
                )
            if vocab_size is not None and any(not 0 <= x < vocab_size for x in t.ids):
                raise TrajectoryError(f"{where}: turn {i}: token id outside the vocabulary")
            if i > 0 and t.role == "prompt":
                raise TrajectoryError(f"{where}: turn {i}: a second prompt turn")
            self._check_turn(i)
            pos += len(t.ids)
        if self.reward is not None and not math.isfinite(self.reward):
            raise TrajectoryError(f"{where}: reward {self.reward} is not finite")

    def _check_turn(self, i: int) -> None:
        t = self.turns[i]
        where = f"{self.task_id}: turn {i}"
        if t.role != "model":
            if t.logprobs is not None or t.allowed is not None:
                raise TrajectoryError(f"{where}: a {t.role} turn carries sampler data")
            return
        if not t.ids:
            raise TrajectoryError(f"{where}: empty model turn")
        if t.logprobs is None or len(t.logprobs) != len(t.ids):
            raise TrajectoryError(f"{where}: {len(t.ids)} ids but logprobs for a different number")
        if any(not math.isfinite(x) or x > 1e-6 for x in t.logprobs):
            raise TrajectoryError(f"{where}: a logprob is positive or not finite")
        if t.version < 0:
            raise TrajectoryError(f"{where}: model turn without a policy version")
        if t.allowed is not None:
            if len(t.allowed) != len(t.ids):
                raise TrajectoryError(f"{where}: allowed-token lists do not match the ids")
            for k, (tok, allowed) in enumerate(zip(t.ids, t.allowed)):
                if tok not in allowed:
                    raise TrajectoryError(f"{where}: token {k} ({tok}) was not among the allowed tokens")

    # --- serialisation ------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {
            "task_id": self.task_id,
            "group_id": self.group_id,
            "reward": self.reward,
            "success": self.success,
            "policy_version": self.policy_version,
            "info": self.info,
            "turns": [
                {
                    "role": t.role,
                    "ids": t.ids,
                    "prefix_len": t.prefix_len,
                    "logprobs": t.logprobs,
                    "allowed": t.allowed,
                    "version": t.version,
                    "text": t.text,
                }
                for t in self.turns
            ],
        }

    @staticmethod
    def from_dict(d: Any, where: str = "$") -> Trajectory:
        if not isinstance(d, dict):
            raise TrajectoryFileError(f"{where}: expected an object")
        try:
            traj = Trajectory(str(d["task_id"]), int(d["group_id"]))
            traj.reward = None if d.get("reward") is None else float(d["reward"])
            traj.success = bool(d.get("success", False))
            traj.info = dict(d.get("info") or {})
            for t in d["turns"]:
                traj.turns.append(
                    Turn(
                        t["role"],
                        [int(x) for x in t["ids"]],
                        int(t["prefix_len"]),
                        logprobs=None if t.get("logprobs") is None else [float(x) for x in t["logprobs"]],
                        allowed=None
                        if t.get("allowed") is None
                        else [list(map(int, a)) for a in t["allowed"]],
                        version=int(t.get("version", -1)),
                        text=str(t.get("text", "")),
                    )
                )
        except (KeyError, TypeError, ValueError) as e:
            raise TrajectoryFileError(f"{where}: malformed trajectory ({type(e).__name__}: {e})") from None
        try:
            traj.validate()
        except TrajectoryError as e:
            raise TrajectoryFileError(f"{where}: {e.message}") from None
        return traj


def save_jsonl(trajs: Iterable[Trajectory], path: Path) -> None:
    with path.open("w", encoding="utf-8") as f:
        for t in trajs:
            f.write(json.dumps(t.to_dict()) + "\n")


def load_jsonl(path: Path) -> list[Trajectory]:
    out: list[Trajectory] = []
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                d = json.loads(line)
            except json.JSONDecodeError as e:
                raise TrajectoryFileError(f"{path}:{n}:{e.colno}: invalid JSON: {e.msg}") from None
            out.append(Trajectory.from_dict(d, f"{path}:{n}"))
    return out


def _first_difference(a: Sequence[int], b: Sequence[int]) -> str:
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return f"first difference at token {i}: {x} vs {y}"
    return f"lengths differ: {len(a)} vs {len(b)}"
