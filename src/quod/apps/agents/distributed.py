"""Ray rollout workers (behind `rollout.ray: true`): episodes spread over actors.

Each actor owns a rollout engine, a pool of environments and a simulator; the
driver splits a step's tasks into contiguous chunks (group ids stay unique),
runs the chunks in parallel and gathers the trajectories, which are plain
dataclasses and travel by pickling. Weight sync puts the state dict into the
object store once and has every actor load it; an actor reports the version
it loaded, and the driver checks all of them agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from quod.apps.agents.config import AgentsConfig
from quod.apps.agents.envs.base import Task
from quod.apps.agents.errors import WeightSyncError, require
from quod.apps.agents.models import Policy
from quod.apps.agents.simulator import SimConfig, SimStats
from quod.apps.agents.trajectory import Trajectory


class _Worker:
    def __init__(
        self, env_name: str, env_options: dict[str, Any], policy: Policy, fmt_kind: str, sc: SimConfig
    ) -> None:
        import torch

        torch.set_num_threads(1)
        from quod.apps.agents.envs import make_env
        from quod.apps.agents.models import make_format
        from quod.apps.agents.rollout.hf import HFEngine
        from quod.apps.agents.simulator import Simulator

        self.engine = HFEngine(policy.model, policy.pad_id, policy.stop_ids, copy_model=False)
        fmt = make_format(policy, fmt_kind)
        tok = policy.tokenizer
        self.sim = Simulator(
            lambda: make_env(env_name, **dict(env_options)),
            self.engine,
            fmt,
            sc,
            lambda ids: str(tok.decode(list(ids))),
            policy.stop_ids,
            policy.vocab_size,
        )

    def run(
        self, tasks: list[Task], group_size: int, first_group: int, seed: int, sc: SimConfig
    ) -> tuple[list[Trajectory], SimStats]:
        self.sim.config = sc
        trajs = self.sim.run(tasks, group_size, first_group, seed)
        return trajs, self.sim.last_stats

    def load(self, state: dict[str, Any], version: int) -> int:
        import torch

        with torch.no_grad():
            for name, p in self.engine.model.state_dict().items():
                p.copy_(state[name])
        self.engine.version = version
        return version


class RaySimulator:
    """Same interface as `Simulator` (run, config, last_stats) plus the engine's (version, update_weights)."""

    name = "ray"

    def __init__(self, cfg: AgentsConfig, policy: Policy, sc: SimConfig, workers: int = 2) -> None:
        ray: Any = require("ray", extra="ray")
        self.ray = ray
        if not ray.is_initialized():
            # a Ray instance of our own ($RAY_ADDRESS joins a cluster), never whatever ran last here
            from quod.scale.ray_runtime import ensure_ray

            ensure_ray(workers)
        actor = ray.remote(num_cpus=1)(_Worker)
        env_options = cfg.env_options()
        self.actors = [
            actor.remote(cfg.env["name"], env_options, policy, cfg.model["format"], sc)
            for _ in range(workers)
        ]
        self.config = sc
        self.version = 0
        self.last_stats = SimStats()

    def supports_constraints(self) -> bool:
        return True

    def run(
        self, tasks: Sequence[Task], group_size: int | None = None, first_group: int = 0, seed: int = 0
    ) -> list[Trajectory]:
        g = group_size or self.config.group_size
        n = len(self.actors)
        bounds = [(len(tasks) * i) // n for i in range(n + 1)]
        futures = [
            a.run.remote(
                list(tasks[bounds[i] : bounds[i + 1]]),
                g,
                first_group + bounds[i],
                seed * 7919 + i,
                self.config,
            )
            for i, a in enumerate(self.actors)
            if bounds[i + 1] > bounds[i]
        ]
        stats = SimStats()
        out: list[Trajectory] = []
        for trajs, st in self.ray.get(futures):
            out.extend(trajs)
            # actors run concurrently: wall-clock phases are the slowest actor's
            stats.episodes += st.episodes
            stats.env_steps += st.env_steps
            stats.model_tokens += st.model_tokens
            stats.gen_seconds = max(stats.gen_seconds, st.gen_seconds)
            stats.env_seconds = max(stats.env_seconds, st.env_seconds)
        self.last_stats = stats
        return out

    def update_weights(self, model: Any, version: int) -> float:
        import time

        start = time.perf_counter()
        state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
        ref = self.ray.put(state)
        got = self.ray.get([a.load.remote(ref, version) for a in self.actors])
        if any(v != version for v in got):
            raise WeightSyncError(f"ray workers loaded versions {got}, expected {version}")
        self.version = version
        return time.perf_counter() - start

    def shutdown(self) -> None:
        for a in self.actors:
            self.ray.kill(a)
        self.actors = []
