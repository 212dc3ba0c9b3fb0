"""Using `quod agents` from Python: play an episode by hand, then train a tiny policy.

python examples/agents/python_api.py
"""

from __future__ import annotations

import torch

from quod.apps.agents.config import parse_config
from quod.apps.agents.envs import make_env
from quod.apps.agents.loop import train
from quod.apps.agents.tools import ToolCall

torch.set_num_threads(1)

# 1. An environment is reset with a task and stepped with tool calls (JSON).
env = make_env("verify")
task = env.tasks("train")[0]
print(env.reset(task))
print(env.step(ToolCall("propose_invariant", {"invariant": "True"}).render()).observation)
print("reward so far:", env.episode_reward())

# The same task judged by quod's program verifier instead of direct solver checks.
strict = make_env("verify", checker="verifier")
strict.reset(task)
print(strict.step(ToolCall("propose_invariant", {"invariant": "True"}).render()).observation)

# 2. Training runs the online loop: simulate, score, update, sync weights.
cfg = parse_config(
    """
seed: 0
steps: 60
tasks_per_step: 2
eval_every: 20
stop_success: 0.95
output: runs/python-api
env: {name: app, families: [schedule]}
model: {tiny: {layers: 2, hidden: 64, heads: 4, vocab: 384}}
rollout: {group_size: 8, max_turns: 4, prompt_style: none}
trainer: {algo: grpo, lr: 0.003}
"""
)
result = train(cfg)
print(
    f"success {result.rows[0]['success']:.2f} -> {result.rows[-1]['success']:.2f}; curves in {result.out}/curves.png"
)
last = result.last_trajectories[0]
print("one trajectory:", [(t.role, len(t.ids)) for t in last.turns], "reward", last.reward)
