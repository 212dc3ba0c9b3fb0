"""Advantage functions: GRPO, RLOO, GAE (token or turn level) and SALT-style step credit.

Every function maps a batch to one advantage per model token of each
trajectory (and, for GAE, value targets). They are registered by name, so a
new credit-assignment scheme is one function and one `register_advantage`
call away; the trainer looks them up by the config's `advantage:` key.

SALT-style step-level credit: trajectories of one group that took the same
steps from the start share a node of a prefix tree. A step's advantage is the
mean trajectory advantage over all trajectories through its node. A step
that every member of a group took (good and bad runs alike) averages to about
zero, i.e. neutral; the step where runs diverge keeps the advantage of the
runs that went that way, so credit lands on the decisive step.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from quod.apps.agents.errors import UnknownComponentError
from quod.apps.agents.trajectory import Trajectory


@dataclass
class AdvConfig:
    gamma: float = 1.0
    lam: float = 0.95
    level: str = "token"  # token | turn (GAE)
    std_norm: bool = True  # GRPO: divide by the group's standard deviation
    salt_base: str = "grpo"


@dataclass
class AdvInput:
    trajs: Sequence[Trajectory]
    # per trajectory, one reward per model token (the sparse final reward on the
    # last model token, plus any per-token KL penalty)
    rewards: Sequence[Sequence[float]]
    # per trajectory, one value estimate per model token (GAE only)
    values: Sequence[Sequence[float]] | None = None
    config: AdvConfig = field(default_factory=AdvConfig)


@dataclass
class AdvOutput:
    advantages: list[list[float]]
    # value targets per model token (None when no critic is used)
    returns: list[list[float]] | None = None


AdvantageFn = Callable[[AdvInput], AdvOutput]
_REGISTRY: dict[str, AdvantageFn] = {}
# functions that need a critic
NEEDS_VALUES: set[str] = set()


def register_advantage(name: str, fn: AdvantageFn, needs_values: bool = False) -> None:
    _REGISTRY[name] = fn
    if needs_values:
        NEEDS_VALUES.add(name)


def get_advantage(name: str) -> AdvantageFn:
    fn = _REGISTRY.get(name)
    if fn is None:
        raise UnknownComponentError(
            f"trainer.advantage: unknown {name!r} (known: {', '.join(sorted(_REGISTRY))})"
        )
    return fn


def advantage_names() -> list[str]:
    return sorted(_REGISTRY)


# --- outcome-level (group) estimators ---------------------------------------


def _groups(trajs: Sequence[Trajectory]) -> dict[int, list[int]]:
    g: dict[int, list[int]] = defaultdict(list)
    for i, t in enumerate(trajs):
        g[t.group_id].append(i)
    return g


def _returns(inp: AdvInput) -> list[float]:
    return [sum(r) for r in inp.rewards]


def grpo_scores(inp: AdvInput) -> list[float]:
    """(R - group mean) / (group std + eps), or without the division when std_norm is off."""
    rets = _returns(inp)
    out = [0.0] * len(rets)
    for members in _groups(inp.trajs).values():
        vals = [rets[i] for i in members]
        mean = sum(vals) / len(vals)
        std = math.sqrt(sum((v - mean) ** 2 for v in vals) / len(vals))
        for i in members:
            out[i] = (rets[i] - mean) / (std + 1e-6) if inp.config.std_norm else rets[i] - mean
    return out


def rloo_scores(inp: AdvInput) -> list[float]:
    """R minus the mean return of the other members of the group (0 for a group of one)."""
    rets = _returns(inp)
    out = [0.0] * len(rets)
    for members in _groups(inp.trajs).values():
        if len(members) < 2:
            continue
        total = sum(rets[i] for i in members)
        for i in members:
            out[i] = rets[i] - (total - rets[i]) / (len(members) - 1)
    return out


def _broadcast(inp: AdvInput, scores: Sequence[float]) -> AdvOutput:
    return AdvOutput([[s] * len(r) for s, r in zip(scores, inp.rewards)])


def grpo(inp: AdvInput) -> AdvOutput:
    return _broadcast(inp, grpo_scores(inp))


def rloo(inp: AdvInput) -> AdvOutput:
    return _broadcast(inp, rloo_scores(inp))


# --- GAE --------------------------------------------------------------------


def gae_sequence(
    rewards: Sequence[float], values: Sequence[float], gamma: float, lam: float
) -> tuple[list[float], list[float]]:
    """Advantages and returns of one episode (value after the last step is 0)."""
    n = len(rewards)
    adv = [0.0] * n
    last = 0.0
    for t in range(n - 1, -1, -1):
        next_v = values[t + 1] if t + 1 < n else 0.0
        delta = rewards[t] + gamma * next_v - values[t]
        last = delta + gamma * lam * last
        adv[t] = last
    return adv, [a + v for a, v in zip(adv, values)]


def _turn_slices(traj: Trajectory) -> list[tuple[int, int]]:
    """Model-token index ranges of each model turn."""
    out, pos = [], 0
    for t in traj.model_turns():
        out.append((pos, pos + len(t.ids)))
        pos += len(t.ids)
    return out


def gae(inp: AdvInput) -> AdvOutput:
    if inp.values is None:
        raise UnknownComponentError("trainer.advantage: gae needs a critic (algo: ppo)")
    cfg = inp.config
    advs: list[list[float]] = []
    rets: list[list[float]] = []
    for traj, r, v in zip(inp.trajs, inp.rewards, inp.values):
        if cfg.level == "token":
            a, ret = gae_sequence(r, v, cfg.gamma, cfg.lam)
        else:
            # one step per model turn: its reward is the sum over its tokens, its
            # value the estimate before its first token
            sl = _turn_slices(traj)
            a_t, ret_t = gae_sequence([sum(r[s:e]) for s, e in sl], [v[s] for s, _ in sl], cfg.gamma, cfg.lam)
            a = [a_t[k] for k, (s, e) in enumerate(sl) for _ in range(s, e)]
            ret = [ret_t[k] for k, (s, e) in enumerate(sl) for _ in range(s, e)]
        advs.append(a)
        rets.append(ret)
    return AdvOutput(advs, rets)


# --- SALT-style step-level credit ----------------------------------------------


def salt(inp: AdvInput) -> AdvOutput:
    base = {"grpo": grpo_scores, "rloo": rloo_scores}.get(inp.config.salt_base)
    if base is None:
        raise UnknownComponentError(f"trainer.salt_base: expected grpo or rloo, got {inp.config.salt_base!r}")
    scores = base(inp)
    # node key: the group and every token up to the end of the k-th model turn
    # (observations included, so a stochastic environment splits nodes)
    node_sum: dict[tuple[int, tuple[int, ...]], float] = defaultdict(float)
    node_n: dict[tuple[int, tuple[int, ...]], int] = defaultdict(int)
    keys: list[list[tuple[int, tuple[int, ...]]]] = []
    for i, traj in enumerate(inp.trajs):
        ks = []
        prefix: list[int] = []
        for t in traj.turns:
            prefix.extend(t.ids)
            if t.role == "model":
                key = (traj.group_id, tuple(prefix))
                node_sum[key] += scores[i]
                node_n[key] += 1
                ks.append(key)
        keys.append(ks)
    advs = []
    for traj, ks, r in zip(inp.trajs, keys, inp.rewards):
        step_adv = [node_sum[k] / node_n[k] for k in ks]
        a = [step_adv[k] for k, (s, e) in enumerate(_turn_slices(traj)) for _ in range(s, e)]
        assert len(a) == len(r)
        advs.append(a)
    return AdvOutput(advs)


register_advantage("grpo", grpo)
register_advantage("rloo", rloo)
register_advantage("gae", gae, needs_values=True)
register_advantage("salt", salt)
