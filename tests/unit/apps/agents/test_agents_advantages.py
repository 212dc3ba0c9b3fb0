"""Advantage functions against hand-computed values; SALT credit on a trajectory tree."""

from __future__ import annotations

import math

import pytest

from quod.apps.agents.advantages import (
    AdvConfig,
    AdvInput,
    AdvOutput,
    advantage_names,
    gae_sequence,
    get_advantage,
    register_advantage,
)
from quod.apps.agents.errors import UnknownComponentError
from quod.apps.agents.trajectory import Trajectory


def traj(group: int, actions: list[list[int]], reward: float, obs: list[int] | None = None) -> Trajectory:
    t = Trajectory(f"g{group}", group)
    t.add_prompt([1])
    for k, a in enumerate(actions):
        if k:
            t.add_env_turn(obs or [2])
        t.add_model_turn(t.ids, a, [-0.1] * len(a), version=0)
    t.reward = reward
    return t


def sparse(trajs: list[Trajectory]) -> list[list[float]]:
    out = []
    for t in trajs:
        r = [0.0] * t.num_model_tokens
        r[-1] = t.reward or 0.0
        out.append(r)
    return out


def test_grpo_and_rloo_values() -> None:
    ts = [traj(0, [[5]], r) for r in (1.0, 0.0, 0.0, 1.0)] + [traj(1, [[5, 6]], 0.5)]
    inp = AdvInput(ts, sparse(ts))
    g = get_advantage("grpo")(inp).advantages
    # group 0: mean 0.5, std 0.5
    assert [round(a[0], 4) for a in g[:4]] == [1.0, -1.0, -1.0, 1.0]
    assert g[4] == [0.0, 0.0]  # a group of one carries no signal
    r = get_advantage("rloo")(inp).advantages
    assert [a[0] for a in r[:4]] == pytest.approx([1 - 1 / 3, -2 / 3, -2 / 3, 1 - 1 / 3])
    no_std = get_advantage("grpo")(AdvInput(ts, sparse(ts), config=AdvConfig(std_norm=False))).advantages
    assert no_std[0][0] == pytest.approx(0.5)


def test_gae_token_level_matches_hand_computation() -> None:
    r, v = [0.0, 0.0, 1.0], [0.2, 0.5, 0.7]
    gamma, lam = 0.9, 0.8
    adv, ret = gae_sequence(r, v, gamma, lam)
    d2 = 1.0 - 0.7
    d1 = 0.0 + gamma * 0.7 - 0.5
    d0 = 0.0 + gamma * 0.5 - 0.2
    a2 = d2
    a1 = d1 + gamma * lam * a2
    a0 = d0 + gamma * lam * a1
    assert adv == pytest.approx([a0, a1, a2])
    assert ret == pytest.approx([a0 + 0.2, a1 + 0.5, a2 + 0.7])
    # lambda = 1, gamma = 1: advantage = return - value (Monte Carlo)
    adv, _ = gae_sequence(r, v, 1.0, 1.0)
    assert adv == pytest.approx([1 - 0.2, 1 - 0.5, 1 - 0.7])


def test_gae_turn_level_broadcasts_per_turn() -> None:
    t = traj(0, [[5, 6], [7, 8, 9]], 1.0)
    values = [[0.1, 0.9, 0.4, 0.0, 0.0]]
    out = get_advantage("gae")(
        AdvInput([t], sparse([t]), values, AdvConfig(gamma=1.0, lam=1.0, level="turn"))
    )
    # turns are steps with values 0.1 (first token of turn 1) and 0.4 (first of turn 2)
    assert out.advantages[0] == pytest.approx([0.9, 0.9, 0.6, 0.6, 0.6])
    assert out.returns is not None and out.returns[0] == pytest.approx([1.0] * 5)
    with pytest.raises(UnknownComponentError, match="critic"):
        get_advantage("gae")(AdvInput([t], sparse([t])))


def test_salt_shared_steps_are_neutral_and_divergent_steps_decisive() -> None:
    # all four runs share step A; then two go B (success), two go C (failure)
    ts = [
        traj(0, [[10], [11]], 1.0),
        traj(0, [[10], [11]], 1.0),
        traj(0, [[10], [12]], 0.0),
        traj(0, [[10], [12]], 0.0),
    ]
    out = get_advantage("salt")(AdvInput(ts, sparse(ts))).advantages
    assert [a[0] for a in out] == pytest.approx([0.0] * 4, abs=1e-6)  # shared step: neutral
    assert [a[1] for a in out] == pytest.approx([1.0, 1.0, -1.0, -1.0], abs=1e-5)  # decisive step
    # plain GRPO would have credited the shared step as well
    g = get_advantage("grpo")(AdvInput(ts, sparse(ts))).advantages
    assert g[0][0] == pytest.approx(1.0, abs=1e-5)


def test_salt_splits_nodes_on_different_observations() -> None:
    ts = [traj(0, [[10], [11]], 1.0, obs=[3]), traj(0, [[10], [11]], 0.0, obs=[4])]
    out = get_advantage("salt")(AdvInput(ts, sparse(ts))).advantages
    assert out[0][1] > 0 > out[1][1]


def test_registry_is_pluggable() -> None:
    def constant(inp: AdvInput) -> AdvOutput:
        return AdvOutput([[0.5] * len(r) for r in inp.rewards])

    register_advantage("test-constant", constant)
    assert "test-constant" in advantage_names()
    t = traj(0, [[5]], 1.0)
    assert get_advantage("test-constant")(AdvInput([t], sparse([t]))).advantages == [[0.5]]
    with pytest.raises(UnknownComponentError):
        get_advantage("nope")
    assert all(math.isfinite(x) for x in gae_sequence([1.0], [0.0], 1.0, 1.0)[0])
