"""A bias bounty under a stream of random and adversarial submissions.

    python benchmarks/fairness/bounty_run.py --n 5000 --submissions 60 --out bench-out/fairness

Random submissions (groups from region/age predicates and their combinations,
models from constants, thresholds and lookups) go through submit and merge on
a bounty kept on disk. Prints a Markdown summary (accepted, merged, repairs,
holdout and audit error before/after, seconds per submit and merge, verify
time) and writes bounty_errors.png (holdout and audit error by version).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from quod.apps.fairness.bounty import Bounty, BountyConfig
from quod.apps.fairness.synthetic import BASE_MODEL, classification


def rows(n: int, seed: int) -> list[dict[str, Any]]:
    out = classification(n, seed)
    for r in out:
        if r["age"] < 35 and r["region"] != "c":
            r["label"] = 1
    return out


def random_predicate(rng: random.Random, depth: int = 0) -> dict[str, Any]:
    kind = rng.choice(["region", "age", "age", "and", "or", "not"] if depth < 2 else ["region", "age"])
    if kind == "region":
        return {"field": "region", "in": rng.sample(["a", "b", "c"], rng.randint(1, 2))}
    if kind == "age":
        lo = rng.randint(18, 70)
        return {"field": "age", "range": [lo, lo + rng.randint(5, 40)]}
    if kind == "not":
        return {"not": random_predicate(rng, depth + 1)}
    return {kind: [random_predicate(rng, depth + 1), random_predicate(rng, depth + 1)]}


def random_model(rng: random.Random) -> dict[str, Any]:
    k = rng.choice(["constant", "threshold", "lookup"])
    if k == "constant":
        return {"type": "constant", "value": rng.randint(0, 1)}
    if k == "threshold":
        up = rng.randint(0, 1)
        return {"type": "threshold", "field": rng.choice(["x1", "x2"]), "threshold": rng.choice([0.3, 0.5, 0.7]),
                "above": up, "below": 1 - up}  # fmt: skip
    return {"type": "lookup", "field": "region", "table": {r: rng.randint(0, 1) for r in "abc"}, "default": 0}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=5000, help="rows in each holdout")
    ap.add_argument("--submissions", type=int, default=60)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default="bench-out/fairness")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        cfg = BountyConfig(alpha=0.002, rate_limit=10_000)
        b = Bounty.init(Path(tmp) / "b", BASE_MODEL, rows(args.n, 1), rows(args.n, 2), cfg)
        stats = {"accepted": 0, "merged": 0, "stale": 0, "audit-failed": 0, "repairs": 0}
        t_submit = t_merge = 0.0
        curve = [(0, *_errors(b))]
        for i in range(args.submissions):
            sub = {"submitter": f"s{i % 7}", "group": {"name": f"g{i}", "where": random_predicate(rng)},
                   "model": random_model(rng)}  # fmt: skip
            if i == 0:  # one sure improvement so the run has a first accepted group
                sub["group"]["where"], sub["model"] = {"field": "region", "equals": "c"}, {
                    "type": "threshold", "field": "x2", "threshold": 0.5, "above": 1, "below": 0}  # fmt: skip
            if i == 5:  # helps the young in a and b, hurts the young in c: needs a repair
                sub["group"]["where"], sub["model"] = {"field": "age", "range": [None, 35]}, {
                    "type": "constant", "value": 1}  # fmt: skip
            t = time.perf_counter()
            reply = b.submit(sub)
            t_submit += time.perf_counter() - t
            stats["accepted"] += reply["decision"] == "accepted"
            t = time.perf_counter()
            for m in b.merge():
                stats[m["status"]] += 1
                stats["repairs"] += m.get("repairs", 0)
                if m["status"] == "merged":
                    curve.append((m["to_version"], m["holdout"]["after"], m["audit"]["after"]))
            t_merge += time.perf_counter() - t
            print(f"\rsubmission {i + 1}/{args.submissions}", end="", file=sys.stderr, flush=True)
        print(file=sys.stderr)
        t = time.perf_counter()
        ok = b.verify().ok
        t_verify = time.perf_counter() - t
    print("| holdout rows | submissions | accepted | merged | stale | audit-failed | repairs | holdout error "
          "| audit error | s/submit | s/merge | verify s | verified |")  # fmt: skip
    print("|---:|---:|---:|---:|---:|---:|---:|---|---|---:|---:|---:|---|")
    print(f"| {args.n} | {args.submissions} | {stats['accepted']} | {stats['merged']} | {stats['stale']} "
          f"| {stats['audit-failed']} | {stats['repairs']} | {curve[0][1]:.4f} -> {curve[-1][1]:.4f} "
          f"| {curve[0][2]:.4f} -> {curve[-1][2]:.4f} | {t_submit / args.submissions:.2f} "
          f"| {t_merge / args.submissions:.2f} | {t_verify:.1f} | {ok} |")  # fmt: skip
    (out / "bounty_curve.json").write_text(json.dumps(curve))
    _plot(curve, out / "bounty_errors.png")
    return 0 if ok else 1


def _errors(b: Bounty) -> tuple[float, float]:
    st = b.state()
    return float(st.losses(st.holdout).mean()), float(st.losses(st.audit).mean())


def _plot(curve: list[tuple[int, float, float]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.step([c[0] for c in curve], [c[1] for c in curve], where="post", label="decision holdout")
    ax.step([c[0] for c in curve], [c[2] for c in curve], where="post", label="audit holdout")
    ax.set_xlabel("decision-list version")
    ax.set_ylabel("error rate")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


if __name__ == "__main__":
    raise SystemExit(main())
