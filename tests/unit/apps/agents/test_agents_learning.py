"""The end-to-end target: a tiny random model learns a multi-turn tool task from chance to >= 0.9.

Task (app environment, `schedule` family): "Schedule a meeting titled T on D
with NAME". The e-mail needed for the event is not in the instruction: the
agent must call get_contact(NAME), then create_event with the address it got
back (constrained decoding offers only addresses the agent has seen), and
finish. A random policy over the offered calls succeeds about 1 time in 5.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import torch

from quod.apps.agents.config import parse_config
from quod.apps.agents.loop import train

CONFIG = """
seed: 0
steps: 200
tasks_per_step: 2
eval_every: 0
eval_tasks: 16
stop_success: 0.95
env: {name: app, families: [schedule]}
model: {tiny: {layers: 2, hidden: 64, heads: 4, vocab: 384}}
rollout: {engine: hf, group_size: 8, max_turns: 4, max_new_tokens: 64, prompt_style: none}
trainer: {algo: grpo, lr: 0.003}
sync: {interval: 1, max_staleness: 0}
"""


def test_tiny_model_learns_multi_turn_tool_task(tmp_path: Path) -> None:
    cfg = parse_config(CONFIG, "<learning-test>")
    cfg.top["eval_every"] = 1000  # evaluate once, at the end
    cpu0 = time.process_time()
    res = train(cfg, tmp_path, progress=False, plots=True)
    cpu = time.process_time() - cpu0
    rows = res.rows
    start = sum(r["success"] for r in rows[:5]) / 5
    end = sum(r["success"] for r in rows[-10:]) / 10
    print(
        f"steps {len(rows)}, success {start:.2f} -> {end:.2f}, eval {rows[-1].get('eval_success')}, cpu {cpu:.0f}s"
    )
    assert start <= 0.5, "the untrained policy should be near chance"
    assert end >= 0.9 and len(rows) <= 200
    # held-out tasks, greedy decoding
    assert rows[-1]["eval_success"] >= 0.9
    # invariants on what the trainer consumed
    for t in res.last_trajectories:
        t.validate(res.setup.policy.vocab_size)
        assert (
            t.policy_version == res.trainer.version - 1
        )  # synced every step: sampled by the previous version
        assert len({t.group_id for t in res.last_trajectories}) == 2
    mismatches = [r["logprob_mismatch"] for r in rows if "logprob_mismatch" in r]
    assert mismatches and max(mismatches) < 1e-4  # the trainer sees exactly the sampled tokens
    assert all(r["dropped_stale"] == 0 for r in rows)
    assert all(r["version"] == r["step"] + 1 and r["engine_version"] == r["step"] for r in rows)
    assert all(r["tool_call_rate"] == 1.0 for r in rows)
    assert rows[0]["kl"] >= 0.0 and rows[-1]["kl"] > 0.0  # drift from the frozen reference is tracked
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["final_success_last10"] == end
    assert (tmp_path / "curves.png").stat().st_size > 10_000 and (tmp_path / "curves.html").is_file()
    assert (tmp_path / "final" / "config.json").is_file()
    assert torch.get_num_threads() == 1
