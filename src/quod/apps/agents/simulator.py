"""The simulator: N episodes in lock-step, one batched generation per turn.

Each task is played `group_size` times (a group, for group-relative
advantages). Per turn, the contexts of all live episodes go to the rollout
engine in one batch; each sampled turn is appended to its trajectory with the
prefix-extension check, the action is executed in the episode's environment,
and the observation's ids are appended. The episode ends when the environment
says so, after `max_turns` model turns, or when the context would overflow.
Every trajectory is validated before it is returned.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from quod.apps.agents.envs.base import Task, ToolEnv
from quod.apps.agents.errors import EngineError
from quod.apps.agents.models import Format
from quod.apps.agents.rollout.base import Generation, GenRequest, RolloutEngine, Sampling, TokenTrie
from quod.apps.agents.trajectory import Trajectory


@dataclass
class SimConfig:
    group_size: int = 8
    max_turns: int = 4
    max_context: int = 1024
    constrained: bool = True
    prompt_style: str = "names"  # full | names | none
    sampling: Sampling = field(default_factory=Sampling)


@dataclass
class SimStats:
    episodes: int = 0
    env_steps: int = 0
    model_tokens: int = 0
    gen_seconds: float = 0.0
    env_seconds: float = 0.0

    def add(self, other: SimStats) -> None:
        for k in ("episodes", "env_steps", "model_tokens", "gen_seconds", "env_seconds"):
            setattr(self, k, getattr(self, k) + getattr(other, k))


@dataclass
class _Episode:
    traj: Trajectory
    env: ToolEnv
    turns: int = 0
    done: bool = False


class Simulator:
    def __init__(
        self,
        env_factory: Callable[[], ToolEnv],
        engine: RolloutEngine,
        fmt: Format,
        config: SimConfig,
        decode: Callable[[Sequence[int]], str],
        stop_ids: Sequence[int] = (),
        vocab_size: int | None = None,
    ) -> None:
        if config.constrained and not engine.supports_constraints():
            raise EngineError(f"rollout engine {engine.name!r} cannot do constrained decoding")
        self.env_factory = env_factory
        self.engine = engine
        self.fmt = fmt
        self.config = config
        self.decode = decode
        self.stop_ids = frozenset(int(s) for s in stop_ids)
        self.vocab_size = vocab_size
        self._pool: list[ToolEnv] = []
        self._action_cache: dict[str, list[int]] = {}
        self.last_stats = SimStats()

    def _envs(self, n: int) -> list[ToolEnv]:
        while len(self._pool) < n:
            self._pool.append(self.env_factory())
        return self._pool[:n]

    def run(
        self, tasks: Sequence[Task], group_size: int | None = None, first_group: int = 0, seed: int = 0
    ) -> list[Trajectory]:
        """Play every task `group_size` times; returns the validated trajectories."""
        g = group_size or self.config.group_size
        stats = SimStats()
        envs = self._envs(len(tasks) * g)
        episodes: list[_Episode] = []
        for k, task in enumerate(tasks):
            for j in range(g):
                env = envs[k * g + j]
                instruction = env.reset(task)
                traj = Trajectory(task.id, first_group + k, info={"sample": j})
                system = env.system_prompt(self.config.prompt_style)
                traj.add_prompt(self.fmt.prompt_ids(system, instruction), text=instruction)
                episodes.append(_Episode(traj, env))
        step = 0
        while True:
            live = [e for e in episodes if not e.done]
            if not live:
                break
            self._turn(live, stats, seed * 1_000_003 + step)
            step += 1
        out = []
        for e in episodes:
            self._finish(e)
            e.traj.validate(self.vocab_size)
            out.append(e.traj)
        stats.episodes = len(episodes)
        self.last_stats = stats
        return out

    def _turn(self, live: list[_Episode], stats: SimStats, seed: int) -> None:
        cfg = self.config
        requests = []
        candidates: list[list[str] | None] = []
        t0 = time.perf_counter()
        for e in live:
            cands = e.env.candidate_actions() if cfg.constrained else None
            candidates.append(cands)
            trie = TokenTrie([self._action_ids(c) for c in cands]) if cands else None
            requests.append(GenRequest(e.traj.ids, trie))
        sampling = Sampling(cfg.sampling.temperature, cfg.sampling.max_new_tokens, cfg.sampling.greedy, seed)
        t1 = time.perf_counter()
        gens = self.engine.generate(requests, sampling)
        t2 = time.perf_counter()
        stats.gen_seconds += t2 - t1
        for e, req, gen, cands in zip(live, requests, gens, candidates):
            self._apply(e, req, gen, cands, stats)
        stats.env_seconds += (time.perf_counter() - t2) + (t1 - t0)

    def _apply(
        self, e: _Episode, req: GenRequest, gen: Generation, cands: list[str] | None, stats: SimStats
    ) -> None:
        cfg = self.config
        text = self.decode([t for t in gen.ids if t not in self.stop_ids])
        e.traj.add_model_turn(req.context, gen.ids, gen.logprobs, self.engine.version, gen.allowed, text=text)
        stats.model_tokens += len(gen.ids)
        e.turns += 1
        # under constraints the chosen candidate is known exactly; no need to trust decoding
        action = cands[gen.choice] if cands is not None and gen.choice is not None else text
        result = e.env.step(action)
        stats.env_steps += 1
        if result.done or e.turns >= cfg.max_turns:
            e.done = True
            e.traj.info["end"] = "done" if result.done else "max_turns"
            return
        obs_ids = self.fmt.observation_ids(result.observation)
        if e.traj.length + len(obs_ids) + cfg.sampling.max_new_tokens > cfg.max_context:
            e.done = True
            e.traj.info["end"] = "context"
            return
        e.traj.add_env_turn(obs_ids, text=result.observation)

    def _action_ids(self, action: str) -> list[int]:
        ids = self._action_cache.get(action)
        if ids is None:
            ids = self.fmt.action_ids(action)
            if len(self._action_cache) < 100_000:
                self._action_cache[action] = ids
        return ids

    def _finish(self, e: _Episode) -> None:
        env = e.env
        reward = env.episode_reward()
        e.traj.reward = reward
        e.traj.success = env.success(reward)
        e.traj.info.update(
            turns=e.turns,
            tool_calls=env.num_calls,
            bad_calls=env.num_bad_calls,
        )


def summarize(trajs: Sequence[Trajectory]) -> dict[str, Any]:
    """Reward, success rate and tool-use figures of a batch of trajectories."""
    n = max(1, len(trajs))
    turns = sum(int(t.info.get("turns", 0)) for t in trajs)
    calls = sum(int(t.info.get("tool_calls", 0)) for t in trajs)
    bad = sum(int(t.info.get("bad_calls", 0)) for t in trajs)
    return {
        "reward": sum(t.reward or 0.0 for t in trajs) / n,
        "success": sum(1 for t in trajs if t.success) / n,
        "turns": turns / n,
        # share of model turns that were well-formed tool calls
        "tool_call_rate": calls / max(1, turns),
        "bad_call_rate": bad / max(1, turns),
        "model_tokens": sum(t.num_model_tokens for t in trajs) / n,
    }
