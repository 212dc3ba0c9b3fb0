"""`quod agents`: train and evaluate tool-using agents with RL on verifiable rewards."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from quod.core.errors import QuodError


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("agents", help="train and evaluate tool-using agents with verifiable rewards")
    sub = p.add_subparsers(dest="agents_command", metavar="ACTION", required=True)

    t = sub.add_parser("train", help="online RL: simulate episodes, score them, update the policy")
    t.add_argument("config", help="YAML configuration (see docs/agents.md)")
    t.add_argument("--steps", type=int, help="override `steps`")
    t.add_argument("--out", help="output directory (default: `output` of the config)")
    t.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="SECTION.KEY=VALUE",
        help="override a config value (YAML syntax)",
    )
    t.add_argument("--no-progress", action="store_true", help="no progress bar")
    t.set_defaults(func=run_train)

    e = sub.add_parser("eval", help="success rate of a policy on a task split")
    e.add_argument("config", help="YAML configuration")
    e.add_argument("--model", help="model directory (HF format, e.g. OUT/final) or a .gguf file")
    e.add_argument("--split", default="test", choices=["train", "test"])
    e.add_argument("--episodes", type=int, help="number of tasks (default: the whole split)")
    e.add_argument("--sample", action="store_true", help="sample instead of greedy decoding")
    e.add_argument("--json", action="store_true", help="print the full result as JSON")
    e.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE")
    e.add_argument("--no-progress", action="store_true")
    e.set_defaults(func=run_eval)

    v = sub.add_parser("envs", help="list environments, their tools (JSON schemas) and a sample task")
    v.add_argument("--json", action="store_true")
    v.set_defaults(func=run_envs)

    c = sub.add_parser("check", help="validate a trajectories .jsonl file (token-in-token-out invariants)")
    c.add_argument("file")
    c.set_defaults(func=run_check)

    b = sub.add_parser(
        "bench", help="throughput: rollout tokens/s, env steps/s, trainer tokens/s, sync latency"
    )
    b.add_argument("--steps", type=int, default=5)
    b.add_argument("--out", help="write the result as JSON here")
    b.set_defaults(func=run_bench)


def _overrides(pairs: list[str]) -> dict[str, Any]:
    import yaml

    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise QuodError(f"--set {pair!r}: expected SECTION.KEY=VALUE", code="Q0003")
        out[key if "." in key else f".{key}"] = yaml.safe_load(value)
    return out


def _load(args: argparse.Namespace) -> Any:
    from quod.apps.agents.config import load_config

    ov = _overrides(args.set)
    if getattr(args, "steps", None) is not None:
        ov[".steps"] = args.steps
    fixed = {}
    for k, v in ov.items():
        sec, _, key = k.rpartition(".")
        fixed[f"{sec}.{key}" if sec else f".{key}"] = v
    cfg = load_config(args.config)
    for k, v in fixed.items():
        sec, _, key = k.rpartition(".")
        target = cfg.top if sec == "" else getattr(cfg, sec, None)
        if not isinstance(target, dict):
            raise QuodError(f"--set {k}: unknown section {sec!r}", code="Q0003")
        target[key] = v
    return cfg


def run_train(args: argparse.Namespace) -> int:
    from quod.apps.agents.loop import train

    cfg = _load(args)
    res = train(cfg, Path(args.out) if args.out else None, progress=not args.no_progress)
    summary = json.loads((res.out / "summary.json").read_text())
    print(
        f"trained {summary['steps']} steps: success {summary['first_success']:.2f} -> "
        f"{summary['final_success_last10']:.2f} (last 10 steps)"
        + (f", eval {summary['final_eval_success']:.2f}" if summary["final_eval_success"] is not None else "")
    )
    print(f"outputs: {res.out}/ (metrics.jsonl, curves.png, curves.html, summary.json, final/)")
    return 0


def run_eval(args: argparse.Namespace) -> int:
    from quod.apps.agents.loop import evaluate

    cfg = _load(args)
    res = evaluate(
        cfg, args.model, args.episodes, args.split, greedy=not args.sample, progress=not args.no_progress
    )
    if args.json:
        print(json.dumps(res, indent=2))
    else:
        print(
            f"{res['episodes']} episodes ({res['split']}, {'greedy' if res['greedy'] else 'sampled'}): "
            f"success {res['success']:.3f}, reward {res['reward']:.3f}, tool-call rate {res['tool_call_rate']:.3f}, "
            f"turns {res['turns']:.2f}"
        )
    return 0


def run_envs(args: argparse.Namespace) -> int:
    from quod.apps.agents.envs import ENVS, make_env

    listing: dict[str, dict[str, Any]] = {}
    for name in ENVS:
        env = make_env(name)
        task = env.tasks("train", 1)[0]
        listing[name] = {"tools": [t.schema() for t in env.tools()], "sample_task": task.instruction}
    if args.json:
        print(json.dumps(listing, indent=2))
        return 0
    for name, d in listing.items():
        print(f"{name}:")
        for t in d["tools"]:
            f = t["function"]
            print(f"  {f['name']}({', '.join(f['parameters'].get('properties', {}))}): {f['description']}")
        print(f"  e.g. {d['sample_task'].splitlines()[0]}")
    return 0


def run_check(args: argparse.Namespace) -> int:
    from quod.apps.agents.trajectory import load_jsonl

    path = Path(args.file)
    if not path.is_file():
        raise QuodError(f"{path}: no such file", code="Q0002")
    trajs = load_jsonl(path)
    tokens = sum(t.length for t in trajs)
    print(f"{path}: {len(trajs)} trajectories, {tokens} tokens: all invariants hold")
    return 0


def run_bench(args: argparse.Namespace) -> int:
    from quod.apps.agents.throughput import measure, table

    res = measure(steps=args.steps, progress=sys.stderr.isatty())
    print(table(res))
    if args.out:
        Path(args.out).write_text(json.dumps(res, indent=2))
    return 0
