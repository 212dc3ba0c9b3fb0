"""The online loop: sync weights, simulate, train, evaluate, log; and stand-alone evaluation.

`build()` turns a configuration into the parts (environment, policy, format,
rollout engine or Ray workers, simulator, trainer, weight sync); `train()`
runs the loop with a progress bar on stderr and writes into the output
directory: metrics.jsonl (one row per step), curves.png / curves.html,
summary.json, the final model in HF format (final/) and, on request, the
trajectories of every step.
"""

from __future__ import annotations

import json
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from quod.apps.agents.advantages import AdvConfig
from quod.apps.agents.config import AgentsConfig
from quod.apps.agents.envs import ToolEnv, make_env
from quod.apps.agents.errors import ConfigError, UnknownComponentError
from quod.apps.agents.models import (
    Format,
    Policy,
    build_tokenizer,
    env_texts,
    load_policy,
    make_format,
    save_policy,
    tiny_policy,
)
from quod.apps.agents.rollout.base import RolloutEngine, Sampling
from quod.apps.agents.simulator import SimConfig, Simulator, summarize
from quod.apps.agents.trainer import Trainer, TrainerConfig
from quod.apps.agents.trajectory import Trajectory, save_jsonl
from quod.apps.agents.weights import WeightSync, WeightTarget


@dataclass
class Setup:
    cfg: AgentsConfig
    env: ToolEnv
    env_factory: Callable[[], ToolEnv]
    policy: Policy
    fmt: Format
    engine: WeightTarget
    sim: Any  # Simulator or RaySimulator (same run() signature)
    sim_config: SimConfig
    extra: dict[str, Any] = field(default_factory=dict)


def make_policy(cfg: AgentsConfig, env: ToolEnv) -> Policy:
    m = cfg.model
    if m["path"] is not None:
        return load_policy(m["path"], m["gguf_file"], m["dtype"])
    tiny = m["tiny"]
    tok = build_tokenizer(env_texts(env, seed=cfg.top["seed"]), tiny["vocab"])
    return tiny_policy(
        tok, tiny["layers"], tiny["hidden"], tiny["heads"], cfg.rollout["max_context"], cfg.top["seed"]
    )


def sim_config(cfg: AgentsConfig, greedy: bool = False) -> SimConfig:
    r = cfg.rollout
    if r["prompt_style"] not in ("full", "names", "none"):
        raise ConfigError("rollout.prompt_style: expected full, names or none")
    return SimConfig(
        group_size=r["group_size"],
        max_turns=r["max_turns"],
        max_context=r["max_context"],
        constrained=r["constrained"],
        prompt_style=r["prompt_style"],
        sampling=Sampling(float(r["temperature"]), r["max_new_tokens"], greedy, cfg.top["seed"]),
    )


def make_engine(cfg: AgentsConfig, policy: Policy, out: Path) -> RolloutEngine:
    r = cfg.rollout
    if r["engine"] == "hf":
        from quod.apps.agents.rollout.hf import HFEngine

        return HFEngine(policy.model, policy.pad_id, policy.stop_ids, device=r["device"])
    if r["engine"] == "http":
        from quod.apps.agents.rollout.http import HttpEngine

        if not r["url"]:
            raise ConfigError("rollout.url: required for the http engine")
        return HttpEngine(
            r["url"],
            r["served_model"],
            policy.stop_ids,
            weights_endpoint=r["weights_endpoint"],
            sync_dir=out / "sync",
        )
    raise UnknownComponentError(f"rollout.engine: unknown {r['engine']!r} (known: hf, http)")


def build(cfg: AgentsConfig, out: Path, greedy: bool = False) -> Setup:
    import torch

    torch.set_num_threads(cfg.top["threads"])
    name, options = cfg.env["name"], cfg.env_options()

    def factory() -> ToolEnv:
        return make_env(name, **dict(options))

    env = factory()
    policy = make_policy(cfg, env)
    fmt = make_format(policy, cfg.model["format"])
    sc = sim_config(cfg, greedy)
    if cfg.rollout["ray"]:
        from quod.apps.agents.distributed import RaySimulator

        sim = RaySimulator(cfg, policy, sc, cfg.rollout["ray_workers"])
        return Setup(cfg, env, factory, policy, fmt, sim, sim, sc)
    engine = make_engine(cfg, policy, out)
    decode: Callable[[Any], str] = lambda ids: str(policy.tokenizer.decode(list(ids)))  # noqa: E731
    local = Simulator(factory, engine, fmt, sc, decode, policy.stop_ids, policy.vocab_size)
    return Setup(cfg, env, factory, policy, fmt, engine, local, sc)


def trainer_config(cfg: AgentsConfig) -> TrainerConfig:
    t = cfg.trainer
    adv = AdvConfig(float(t["gamma"]), float(t["lam"]), t["gae_level"], t["std_norm"], t["salt_base"])
    return TrainerConfig(
        algo=t["algo"],
        advantage=t["advantage"],
        lr=float(t["lr"]),
        epochs=t["epochs"],
        minibatch=t["minibatch"],
        clip=float(t["clip"]),
        clip_high=None if t["clip_high"] is None else float(t["clip_high"]),
        kl_coef=float(t["kl_coef"]),
        kl_mode=t["kl_mode"],
        track_kl=t["track_kl"],
        entropy_coef=float(t["entropy_coef"]),
        value_coef=float(t["value_coef"]),
        value_clip=float(t["value_clip"]),
        whiten_advantages=t["whiten_advantages"],
        max_grad_norm=float(t["max_grad_norm"]),
        loss_agg=t["loss_agg"],
        temperature=float(cfg.rollout["temperature"]),
        adv=adv,
    )


@dataclass
class TrainResult:
    rows: list[dict[str, Any]]
    out: Path
    setup: Setup
    trainer: Trainer
    last_trajectories: list[Trajectory]


def train(
    cfg: AgentsConfig, out: Path | None = None, progress: bool = True, plots: bool = True
) -> TrainResult:
    import torch

    top = cfg.top
    out = Path(out or top["output"])
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(top["seed"])
    setup = build(cfg, out)
    setup.policy.model.to(cfg.trainer["device"])
    trainer = Trainer(setup.policy, trainer_config(cfg), seed=top["seed"])
    sync = WeightSync([setup.engine], cfg.sync["interval"], cfg.sync["max_staleness"])
    tasks = setup.env.tasks("train", None, top["seed"])
    eval_tasks = setup.env.tasks("test", top["eval_tasks"], top["seed"])
    if not tasks:
        raise ConfigError("env: the environment has no training tasks")
    (out / "config.json").write_text(json.dumps(cfg.to_dict(), indent=2))
    rng = random.Random(top["seed"])
    rows: list[dict[str, Any]] = []
    bar = _progress(top["steps"], progress)
    trajs: list[Trajectory] = []
    with (out / "metrics.jsonl").open("w") as log:
        for step in range(top["steps"]):
            row = _one_step(step, cfg, setup, trainer, sync, tasks, rng, out)
            trajs = row.pop("_trajs")
            recent = [r["success"] for r in rows[-9:]] + [row["success"]]
            target = top["stop_success"]
            stop = target is not None and len(recent) == 10 and sum(recent) / 10 >= target
            last = stop or step == top["steps"] - 1
            if top["eval_every"] and (step % top["eval_every"] == 0 or last):
                row.update(_eval_rows(setup, eval_tasks, step))
            rows.append(row)
            log.write(json.dumps(row) + "\n")
            log.flush()
            bar.update(1)
            bar.set_postfix(success=f"{row['success']:.2f}", reward=f"{row['reward']:.2f}", v=trainer.version)
            if stop:
                break
    bar.close()
    save_policy(setup.policy, out / "final")
    if plots:
        from quod.apps.agents.curves import write_curves

        write_curves(rows, out, title=f"quod agents: {cfg.env['name']} / {cfg.trainer['algo']}")
    (out / "summary.json").write_text(json.dumps(_summary(rows, sync), indent=2))
    return TrainResult(rows, out, setup, trainer, trajs)


def _one_step(
    step: int,
    cfg: AgentsConfig,
    setup: Setup,
    trainer: Trainer,
    sync: WeightSync,
    tasks: list[Any],
    rng: random.Random,
    out: Path,
) -> dict[str, Any]:
    k = cfg.top["tasks_per_step"]
    t0 = time.perf_counter()
    synced = sync.maybe_sync(setup.policy.model, trainer.version)
    t1 = time.perf_counter()
    c1 = time.process_time()
    batch = rng.sample(tasks, k) if k <= len(tasks) else [rng.choice(tasks) for _ in range(k)]
    trajs = setup.sim.run(batch, first_group=step * k, seed=cfg.top["seed"] * 1_000_003 + step)
    t2, c2 = time.perf_counter(), time.process_time()
    fresh = sync.filter(trajs, trainer.version)
    stats = trainer.step(fresh) if fresh else {}
    t3, c3 = time.perf_counter(), time.process_time()
    if cfg.top["save_trajectories"]:
        (out / "trajectories").mkdir(exist_ok=True)
        save_jsonl(trajs, out / "trajectories" / f"step{step:05d}.jsonl")
    s = summarize(trajs)
    sim_stats = setup.sim.last_stats
    row: dict[str, Any] = {
        "step": step,
        "version": trainer.version,
        "engine_version": sync.engine_version(),
        **s,
        "kl": stats.get("kl_ref", 0.0),
        **{k2: v for k2, v in stats.items() if k2 != "kl_ref"},
        "dropped_stale": len(trajs) - len(fresh),
        "synced": synced,
        "sync_seconds": t1 - t0 if synced else 0.0,
        "rollout_seconds": t2 - t1,
        "train_phase_seconds": t3 - t2,
        # CPU seconds of this process: on a shared machine they say more than wall time
        "rollout_cpu_seconds": c2 - c1,
        "train_cpu_seconds": c3 - c2,
        "rollout_tokens": sim_stats.model_tokens,
        "rollout_tokens_per_s": sim_stats.model_tokens / max(1e-9, sim_stats.gen_seconds),
        "env_steps_per_s": sim_stats.env_steps / max(1e-9, sim_stats.env_seconds),
        "_trajs": trajs,
    }
    return row


def _eval_rows(setup: Setup, eval_tasks: list[Any], step: int) -> dict[str, Any]:
    if not eval_tasks:
        return {}
    sim = setup.sim
    saved = sim.config
    sim.config = SimConfig(1, saved.max_turns, saved.max_context, saved.constrained, saved.prompt_style,
                           Sampling(saved.sampling.temperature, saved.sampling.max_new_tokens, True, step))  # fmt: skip
    try:
        ev = sim.run(eval_tasks, group_size=1, first_group=-1 - step, seed=step)
    finally:
        sim.config = saved
    s = summarize(ev)
    return {"eval_success": s["success"], "eval_reward": s["reward"]}


def _summary(rows: list[dict[str, Any]], sync: WeightSync) -> dict[str, Any]:
    last = rows[-10:]
    evals = [r for r in rows if "eval_success" in r]
    return {
        "steps": len(rows),
        "first_success": rows[0]["success"] if rows else None,
        "final_success_last10": sum(r["success"] for r in last) / max(1, len(last)),
        "final_eval_success": evals[-1]["eval_success"] if evals else None,
        "syncs": sync.stats.syncs,
        "mean_sync_seconds": sum(sync.stats.seconds) / max(1, len(sync.stats.seconds)),
        "dropped_stale": sync.stats.dropped,
    }


def evaluate(
    cfg: AgentsConfig, model_dir: str | None = None, episodes: int | None = None, split: str = "test",
    greedy: bool = True, progress: bool = True,
) -> dict[str, Any]:  # fmt: skip
    """Success rate and reward of a policy on a task split (greedy by default)."""
    if model_dir is not None:
        cfg.model["path"], cfg.model["gguf_file"] = model_dir, None
        if Path(model_dir).suffix == ".gguf":
            cfg.model["path"], cfg.model["gguf_file"] = str(Path(model_dir).parent), Path(model_dir).name
    out = Path(cfg.top["output"])
    setup = build(cfg, out, greedy=greedy)
    tasks = setup.env.tasks(split, episodes, cfg.top["seed"])
    if not tasks:
        raise ConfigError(f"env: no tasks in split {split!r}")
    bar = _progress(len(tasks), progress)
    trajs: list[Trajectory] = []
    for i in range(0, len(tasks), 8):
        chunk = tasks[i : i + 8]
        trajs += setup.sim.run(chunk, group_size=1, first_group=i, seed=cfg.top["seed"] + i)
        bar.update(len(chunk))
    bar.close()
    result = summarize(trajs)
    result.update(split=split, episodes=len(trajs), greedy=greedy, model=setup.policy.source)
    result["per_task"] = [{"task": t.task_id, "reward": t.reward, "success": t.success} for t in trajs]
    return result


def _progress(total: int, enabled: bool) -> Any:
    from quod.apps.agents.errors import require

    tqdm: Any = require("tqdm")
    return tqdm.tqdm(total=total, disable=not enabled, file=sys.stderr, dynamic_ncols=True, leave=True)
