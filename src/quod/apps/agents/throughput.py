"""Throughput of the loop: rollout tokens/s, env steps/s, trainer tokens/s, sync latency, phase times.

Runs a few training steps of the app environment with tiny models of several
sizes (or a configuration of yours) and reports medians over the steps after
the first (which pays for warm-up).
"""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path
from typing import Any

from quod.apps.agents.config import AgentsConfig, parse_config

SIZES: tuple[tuple[int, int], ...] = ((2, 64), (4, 128), (4, 256))

BASE = """
seed: 0
tasks_per_step: 4
eval_every: 0
env: {{name: app, families: [recycle_old, date_prefix, rename, schedule]}}
model: {{tiny: {{layers: {layers}, hidden: {hidden}, heads: 4, vocab: 512}}}}
rollout: {{engine: hf, group_size: 8, max_turns: 4, max_new_tokens: 64, prompt_style: names}}
trainer: {{algo: grpo, lr: 0.001}}
sync: {{interval: 1}}
"""


def _median(rows: list[dict[str, Any]], key: str) -> float:
    vals = [float(r[key]) for r in rows if key in r]
    return statistics.median(vals) if vals else float("nan")


def measure_config(cfg: AgentsConfig, steps: int, progress: bool = False) -> dict[str, Any]:
    from quod.apps.agents.loop import train

    cfg.top["steps"] = steps + 1
    with tempfile.TemporaryDirectory() as tmp:
        res = train(cfg, Path(tmp), progress=progress, plots=False)
    rows = res.rows[1:]
    params = sum(p.numel() for p in res.setup.policy.model.parameters())
    syncs = [r["sync_seconds"] for r in rows if r["synced"]]
    return {
        "params": params,
        "episodes_per_step": cfg.top["tasks_per_step"] * cfg.rollout["group_size"],
        "rollout_tokens_per_s": _median(rows, "rollout_tokens_per_s"),
        "env_steps_per_s": _median(rows, "env_steps_per_s"),
        "trainer_tokens_per_s": statistics.median(r["train_tokens"] / r["train_seconds"] for r in rows),
        "rollout_tokens_per_cpu_s": statistics.median(
            r["rollout_tokens"] / max(1e-9, r["rollout_cpu_seconds"]) for r in rows
        ),
        "trainer_tokens_per_cpu_s": statistics.median(
            r["train_tokens"] / max(1e-9, r["train_cpu_seconds"]) for r in rows
        ),
        "rollout_cpu_s": _median(rows, "rollout_cpu_seconds"),
        "train_cpu_s": _median(rows, "train_cpu_seconds"),
        "sync_ms": 1000 * statistics.median(syncs) if syncs else float("nan"),
        "sync_phase_s": _median(rows, "sync_seconds"),
        "rollout_phase_s": _median(rows, "rollout_seconds"),
        "train_phase_s": _median(rows, "train_phase_seconds"),
        "steps": len(rows),
    }


def measure(
    steps: int = 5, sizes: tuple[tuple[int, int], ...] = SIZES, progress: bool = False
) -> list[dict[str, Any]]:
    import torch

    torch.set_num_threads(1)
    out = []
    for layers, hidden in sizes:
        cfg = parse_config(BASE.format(layers=layers, hidden=hidden), "<bench>")
        r = measure_config(cfg, steps, progress)
        out.append({"model": f"tiny {layers}x{hidden}", **r})
    return out


def table(results: list[dict[str, Any]]) -> str:
    cols = [
        ("model", "model"),
        ("params", "params"),
        ("episodes/step", "episodes_per_step"),
        ("rollout tok/s", "rollout_tokens_per_s"),
        ("rollout tok/CPU-s", "rollout_tokens_per_cpu_s"),
        ("env steps/s", "env_steps_per_s"),
        ("trainer tok/s", "trainer_tokens_per_s"),
        ("trainer tok/CPU-s", "trainer_tokens_per_cpu_s"),
        ("sync ms", "sync_ms"),
        ("rollout s/step (CPU s)", "rollout_phase_s"),
        ("train s/step (CPU s)", "train_phase_s"),
    ]
    lines = ["| " + " | ".join(c for c, _ in cols) + " |", "|" + "---|" * len(cols)]
    for r in results:
        cells = []
        for name, k in cols:
            v = r[k]
            if name.endswith("(CPU s)"):
                cpu = r["rollout_cpu_s" if k == "rollout_phase_s" else "train_cpu_s"]
                cells.append(f"{v:.2f} ({cpu:.2f})")
                continue
            cells.append(
                f"{v:,.0f}"
                if isinstance(v, float) and v >= 100
                else f"{v:.3g}"
                if isinstance(v, float)
                else f"{v:,}"
                if isinstance(v, int)
                else str(v)
            )
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
