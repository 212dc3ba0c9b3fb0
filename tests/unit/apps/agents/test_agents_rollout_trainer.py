"""HF rollout engine, simulator invariants, trainer updates and weight sync."""

from __future__ import annotations

from typing import Any

import pytest
import torch

from quod.apps.agents.errors import WeightSyncError
from quod.apps.agents.rollout.base import GenRequest, Sampling, TokenTrie
from quod.apps.agents.rollout.hf import HFEngine
from quod.apps.agents.simulator import summarize
from quod.apps.agents.trainer import Trainer, TrainerConfig
from quod.apps.agents.trajectory import Trajectory
from quod.apps.agents.weights import WeightSync


def test_batched_generation_equals_one_at_a_time(app_policy: Any) -> None:
    pol = app_policy
    eng = HFEngine(pol.model, pol.pad_id, pol.stop_ids)
    enc = pol.tokenizer.encode
    contexts = [
        enc("task: rename a file\n"),
        enc("obs: x\n"),
        enc("task: Move the files in /docs that are old\n"),
    ]
    s = Sampling(max_new_tokens=8, greedy=True)
    batched = eng.generate([GenRequest(c) for c in contexts], s)
    for c, b in zip(contexts, batched):
        single = eng.generate([GenRequest(c)], s)[0]
        assert single.ids == b.ids  # left padding must not change what is generated
        assert single.logprobs == pytest.approx(b.logprobs, abs=1e-4)


def test_constrained_generation_yields_a_candidate(app_policy: Any) -> None:
    pol = app_policy
    eng = HFEngine(pol.model, pol.pad_id, pol.stop_ids)
    cands = [
        pol.tokenizer.encode(x) + [pol.stop_ids[0]]
        for x in ('{"tool": "finish", "args": {}}', '{"tool": "list_files", "args": {"dir": "/docs"}}')
    ]
    trie = TokenTrie(cands)
    for seed in range(6):
        g = eng.generate(
            [GenRequest(pol.tokenizer.encode("task: x\n"), trie)], Sampling(max_new_tokens=64, seed=seed)
        )[0]
        assert g.choice is not None and g.ids == cands[g.choice]
        assert g.allowed is not None and all(t in a for t, a in zip(g.ids, g.allowed))
        # forced tokens have probability one under the masked distribution
        assert all(lp == pytest.approx(0.0, abs=1e-6) for lp, a in zip(g.logprobs, g.allowed) if len(a) == 1)


def test_simulator_trajectories_hold_invariants_and_match_trainer_logprobs(
    app_sim: Any, app_policy: Any
) -> None:
    tasks = app_sim.env_factory().tasks("train", 3)
    trajs = app_sim.run(tasks, seed=1)
    assert len(trajs) == 12 and {t.group_id for t in trajs} == {0, 1, 2}
    for t in trajs:
        t.validate(app_policy.vocab_size)
        assert t.turns[0].role == "prompt" and t.turns[1].role == "model"
        assert all(turn.version == 0 for turn in t.model_turns())
        assert 1 <= int(t.info["turns"]) <= 3
    # the trainer recomputes the sampler's logprobs from the same ids (token in, token out)
    tr = Trainer(app_policy, TrainerConfig(algo="grpo"), seed=0)
    batch = tr._batch(trajs)
    with torch.no_grad():
        logp, _, _ = tr._forward(tr.model, batch)
    assert float((logp - batch.old_logp).abs().max()) < 1e-4
    s = summarize(trajs)
    assert 0.0 <= s["success"] <= 1.0 and s["tool_call_rate"] == 1.0  # constrained: every turn is a call


def _fresh_policy(app_policy: Any) -> Any:
    import copy

    return copy.deepcopy(app_policy)


def test_grpo_update_raises_logprob_of_rewarded_runs(app_policy: Any, app_sim: Any) -> None:
    pol = _fresh_policy(app_policy)
    trajs = app_sim.run(app_sim.env_factory().tasks("train", 2), seed=3)
    # give reward by a rule so both outcomes exist in each group
    for i, t in enumerate(trajs):
        t.reward = float(i % 2)
    tr = Trainer(pol, TrainerConfig(algo="grpo", lr=1e-2), seed=0)

    def seq_logp() -> list[float]:
        b = tr._batch(trajs)
        with torch.no_grad():
            lp, _, _ = tr._forward(tr.model, b)
        return [float(lp[s:e].sum()) for s, e in b.segs]

    before = seq_logp()
    for _ in range(5):
        stats = tr.step(trajs)
    after = seq_logp()
    assert tr.version == 5 and all(torch.isfinite(torch.tensor(list(stats.values()))))
    gain_good = sum(a - b for a, b, t in zip(after, before, trajs) if t.reward == 1.0)
    gain_bad = sum(a - b for a, b, t in zip(after, before, trajs) if t.reward == 0.0)
    assert gain_good > 0 > gain_bad


@pytest.mark.parametrize("level", ["token", "turn"])
def test_ppo_with_critic_reference_and_kl(app_policy: Any, app_sim: Any, level: str) -> None:
    from quod.apps.agents.advantages import AdvConfig

    pol = _fresh_policy(app_policy)
    trajs = app_sim.run(app_sim.env_factory().tasks("train", 2), seed=5)
    for i, t in enumerate(trajs):
        t.reward = float(i % 3 == 0)
    cfg = TrainerConfig(
        algo="ppo",
        lr=5e-3,
        kl_coef=0.1,
        kl_mode="reward",
        entropy_coef=0.01,
        epochs=2,
        minibatch=4,
        adv=AdvConfig(level=level),
    )
    tr = Trainer(pol, cfg, seed=0)
    b = tr._batch(trajs)
    with torch.no_grad():
        # the policy starts at the reference
        assert torch.allclose(tr._forward(tr.model, b)[0], tr._forward(tr.ref, b)[0])
    tr.step(trajs)
    second = tr.step(trajs)
    assert second["kl_ref"] > 0.0 and second["value_loss"] >= 0.0
    assert (
        tr.value_head is not None and float(tr.value_head.weight.detach().abs().sum()) > 0.0
    )  # the critic learned
    assert all(p.requires_grad is False for p in tr.ref.parameters())


def test_sequence_loss_aggregation_and_config_checks(app_policy: Any, app_sim: Any) -> None:
    from quod.apps.agents.errors import ConfigError

    pol = _fresh_policy(app_policy)
    trajs = app_sim.run(app_sim.env_factory().tasks("train", 1), seed=2)
    tr = Trainer(pol, TrainerConfig(algo="rloo", loss_agg="sequence", clip_high=0.28), seed=0)
    assert "pg_loss" in tr.step(trajs)
    with pytest.raises(ConfigError, match="critic"):
        Trainer(pol, TrainerConfig(algo="grpo", advantage="gae"))
    with pytest.raises(ConfigError, match="algo"):
        Trainer(pol, TrainerConfig(algo="dpo"))


def test_weight_sync_versions_and_staleness(app_policy: Any) -> None:
    pol = _fresh_policy(app_policy)
    eng = HFEngine(pol.model, pol.pad_id, pol.stop_ids)
    sync = WeightSync([eng], interval=2, max_staleness=2)
    with torch.no_grad():
        next(pol.model.parameters()).add_(1.0)
    assert not sync.maybe_sync(pol.model, 1)  # one behind: within the interval
    assert not torch.equal(next(eng.model.parameters()), next(pol.model.parameters()))
    assert sync.maybe_sync(pol.model, 2) and eng.version == 2
    assert torch.equal(next(eng.model.parameters()), next(pol.model.parameters()))
    assert sync.stats.syncs == 1 and sync.stats.last_latency >= 0.0

    def stamped(v: int) -> Trajectory:
        t = Trajectory(f"v{v}", 0)
        t.add_prompt([1])
        t.add_model_turn([1], [2], [-0.1], version=v)
        return t

    kept = sync.filter([stamped(1), stamped(3), stamped(5)], trainer_version=5)
    assert [t.task_id for t in kept] == ["v3", "v5"] and sync.stats.dropped == 1
    with pytest.raises(WeightSyncError, match="newer than the trainer"):
        sync.filter([stamped(6)], trainer_version=5)
    tight = WeightSync([eng], interval=10, max_staleness=0)
    assert tight.maybe_sync(pol.model, 3)  # the staleness bound forces a sync before the interval
