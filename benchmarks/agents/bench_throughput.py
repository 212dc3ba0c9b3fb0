"""Throughput of `quod agents` on this machine: rollout tokens/s, env steps/s, trainer tokens/s,
weight-sync latency and time per phase, for tiny models of three sizes.

    python benchmarks/agents/bench_throughput.py [--steps 5] [--out benchmarks/agents/results.json]

(the same as `quod agents bench`). Prints a markdown table for docs/agents.md.
Numbers are medians over the steps after a warm-up step; torch runs with one thread.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

from quod.apps.agents.throughput import measure, table


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--out", default=str(Path(__file__).with_name("results.json")))
    args = ap.parse_args()
    start = time.time()
    res = measure(steps=args.steps, progress=True)
    meta = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "load_average_at_end": os.getloadavg(),
        "seconds": round(time.time() - start, 1),
        "steps": args.steps,
    }
    Path(args.out).write_text(json.dumps({"meta": meta, "results": res}, indent=2))
    print(table(res))
    print(f"\n{meta}")


if __name__ == "__main__":
    main()
