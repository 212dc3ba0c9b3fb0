"""Portfolio vs single configurations, all run from one long-lived driver.

    python benchmarks/scale/portfolio_bench.py DIR... [--every 4] [--timeout 60] \
        [--runs "eager;z3;eager,z3"] [--workers 2] [--json OUT]

`quod bench` runs every query in a fresh `quod solve` process, so a portfolio
there also pays for connecting to Ray and for worker start-up on each file.
This script measures what a long-lived user of the Python API sees: Ray is
started once, workers are warmed, and each run is `solve_portfolio` with the
configurations of one `--runs` entry (a single configuration is a portfolio
of one, so every run has the same dispatch path). Wall time per query
includes shipping the formula to the object store, the task, the solver, the
cancellation of the losers and the driver's model check. Answers are checked
against each file's `:status`; PAR-2 counts an unsolved query as twice the
time limit.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from quod.backends import Sat, Unsat
from quod.bench.runner import expected_status
from quod.core.builder import Int
from quod.scale.portfolio import parse_configs, solve_portfolio
from quod.scale.ray_runtime import ensure_ray
from quod.smtlib import parse_file


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("paths", nargs="+", help="SMT-LIB files or directories")
    ap.add_argument("--every", type=int, default=1, help="take every k-th file in name order")
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--runs", default="eager;z3;eager,z3", help="';'-separated portfolios (',' inside one)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--json", type=Path, default=None, help="write per-query records here")
    args = ap.parse_args()

    files = sorted(
        f for p in args.paths for f in (sorted(Path(p).glob("*.smt2")) if Path(p).is_dir() else [Path(p)])
    )
    files = files[:: max(1, args.every)]
    runs = [r.strip() for r in args.runs.split(";") if r.strip()]
    configs = {r: parse_configs(r) for r in runs}
    ensure_ray(args.workers)
    x = Int("x")
    for r in runs:  # warm every worker: the first task in a worker process imports quod and the solvers
        solve_portfolio([x > 0], configs=configs[r], workers=args.workers)

    records = []
    for i, f in enumerate(files, 1):
        script = parse_file(f)
        assertions, logic, expected = script.assertions(), script.logic, expected_status(f)
        for r in runs:
            start = time.perf_counter()
            out = solve_portfolio(
                assertions, logic=logic, configs=configs[r], timeout=args.timeout, workers=args.workers
            )
            wall = time.perf_counter() - start
            status = (
                "sat"
                if isinstance(out.result, Sat)
                else "unsat"
                if isinstance(out.result, Unsat)
                else "unknown"
            )
            wrong = status in ("sat", "unsat") and expected in ("sat", "unsat") and status != expected
            solved = status in ("sat", "unsat") and not wrong and wall <= args.timeout
            records.append(
                {
                    "file": f.name,
                    "run": r,
                    "status": status,
                    "expected": expected,
                    "wall": wall,
                    "winner": out.winner,
                    "solved": solved,
                    "wrong": wrong,
                }
            )
            print(
                f"[{i}/{len(files)}] {f.name} {r}: {status} in {wall:.2f} s (winner {out.winner})",
                file=sys.stderr,
            )
            if wrong:
                print(f"WRONG: {r} says {status} on {f.name}, :status is {expected}", file=sys.stderr)

    print(f"\n{len(files)} files, time limit {args.timeout:g} s, {args.workers} workers\n")
    print("| run | solved | wrong | PAR-2 (s) | median wall of solved (s) |")
    print("|---|---|---|---|---|")
    for r in runs:
        rs = [x for x in records if x["run"] == r]
        par2 = statistics.mean(x["wall"] if x["solved"] else 2 * args.timeout for x in rs)
        solved_walls = [x["wall"] for x in rs if x["solved"]]
        med = f"{statistics.median(solved_walls):.2f}" if solved_walls else "-"
        label = r if "," not in r else f"portfolio({r})"
        print(
            f"| {label} | {sum(x['solved'] for x in rs)} | {sum(x['wrong'] for x in rs)} | {par2:.2f} | {med} |"
        )
    if args.json:
        args.json.write_text(json.dumps(records, indent=1))
    return 1 if any(x["wrong"] for x in records) else 0


if __name__ == "__main__":
    raise SystemExit(main())
