"""Coverage of quod fairness intervals on synthetic data with known truth.

    python benchmarks/fairness/coverage.py --reps 400 --out bench-out/fairness

Prints Markdown tables (docs/fairness.md quotes them) and writes coverage.png:
1. exact coverage of Wilson vs Wald intervals for a proportion (binomial sums, no simulation);
2. simulated coverage of the per-group WER-like ratio: quod's BCa cluster bootstrap,
   a percentile cluster bootstrap, and a row-level bootstrap that ignores speakers
   (what resampling rows, as fairlearn's MetricFrame does, gives);
3. simulated coverage of the max-gap interval, with a real gap and with none.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np
from scipy.stats import binom

from quod.apps.fairness import evaluate, stats
from quod.apps.fairness.synthetic import clustered_ratio

RATIO = {"name": "ratio", "fields": {"numerator": "errors", "denominator": "words"}}


def exact_coverage(n: int, p: float, method: str) -> float:
    z = stats.z_value(0.95)
    total = 0.0
    for k in range(n + 1):
        if method == "wilson":
            lo, hi = stats.wilson(k, n)
        else:
            ph = k / n
            half = z * math.sqrt(ph * (1 - ph) / n)
            lo, hi = ph - half, ph + half
        if lo <= p <= hi:
            total += binom.pmf(k, n, p)
    return total


def proportion_table() -> list[str]:
    rows = ["| n | p | Wilson | Wald |", "|---:|---:|---:|---:|"]
    for n in (20, 50, 100, 300):
        for p in (0.05, 0.1, 0.3):
            rows.append(
                f"| {n} | {p} | {exact_coverage(n, p, 'wilson'):.3f} | {exact_coverage(n, p, 'wald'):.3f} |"
            )
    return rows


def cluster_sums(recs: list[dict[str, object]]) -> tuple[np.ndarray, np.ndarray]:
    acc: dict[object, list[float]] = {}
    for r in recs:
        a = acc.setdefault(r["speaker"], [0.0, 0.0])
        a[0] += float(r["errors"])  # type: ignore[arg-type]
        a[1] += float(r["words"])  # type: ignore[arg-type]
    v = np.array(list(acc.values()))
    return v[:, 0], v[:, 1]


def ratio_coverage(k: int, reps: int, truth: float = 0.15) -> dict[str, float]:
    hits = {"quod BCa cluster": 0, "percentile cluster": 0, "row-level (ignores speakers)": 0}
    for r in range(reps):
        recs = clustered_ratio({"a": truth}, speakers=k, utterances=8, seed=10_000 + r, concentration=5)
        lo, hi = (
            evaluate(recs, RATIO, "group", cluster_by="speaker", n_boot=1000, seed=r, min_n=1, min_clusters=1)
            .groups[0]
            .ci
        )
        hits["quod BCa cluster"] += lo <= truth <= hi
        nc, dc = cluster_sums(recs)
        bn, bd = stats.resample_sums(nc, dc, 1000, np.random.default_rng(r))
        lo, hi = stats.percentile_interval(bn / bd, 0.95)
        hits["percentile cluster"] += lo <= truth <= hi
        rows = evaluate(recs, RATIO, "group", n_boot=1000, seed=r, min_n=1).groups[0].ci
        hits["row-level (ignores speakers)"] += rows[0] <= truth <= rows[1]
    return {m: h / reps for m, h in hits.items()}


def gap_coverage(gap: float, reps: int) -> float:
    hits = 0
    for r in range(reps):
        recs = clustered_ratio(
            {"a": 0.15, "b": 0.15 + gap}, speakers=30, utterances=8, seed=20_000 + r, concentration=5
        )
        lo, hi = evaluate(recs, RATIO, "group", cluster_by="speaker", n_boot=1000, seed=r).disparity.gap_ci
        hits += lo <= gap <= hi
    return hits / reps


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reps", type=int, default=400, help="simulated data sets per cell")
    ap.add_argument("--clusters", default="10,20,30,50")
    ap.add_argument("--out", default="bench-out/fairness")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    print("## Exact coverage of 95% intervals for a proportion\n")
    print("\n".join(proportion_table()))
    ks = [int(x) for x in args.clusters.split(",")]
    results = {}
    for k in ks:
        print(f"clusters={k} ...", file=sys.stderr, flush=True)
        results[k] = ratio_coverage(k, args.reps)
    methods = list(results[ks[0]])
    se = math.sqrt(0.95 * 0.05 / args.reps)
    print(f"\n## Simulated coverage of 95% intervals for a WER-like ratio ({args.reps} data sets per row, "
          f"Monte Carlo SE {se:.3f})\n")  # fmt: skip
    print("| speakers | " + " | ".join(methods) + " |")
    print("|---:|" + "---:|" * len(methods))
    for k in ks:
        print(f"| {k} | " + " | ".join(f"{results[k][m]:.3f}" for m in methods) + " |")
    print("\n## Simulated coverage of the 95% max-gap interval (2 groups, 30 speakers each)\n")
    print("| true gap | coverage |\n|---:|---:|")
    for gap in (0.15, 0.0):
        print(f"| {gap} | {gap_coverage(gap, args.reps):.3f} |")
    _plot(results, ks, methods, out / "coverage.png")
    print(f"\n(wrote {out / 'coverage.png'}; {time.time() - t0:.0f} s)", file=sys.stderr)
    return 0


def _plot(results: dict[int, dict[str, float]], ks: list[int], methods: list[str], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    for m in methods:
        ax.plot(ks, [results[k][m] for k in ks], marker="o", label=m)
    ax.axhline(0.95, color="grey", ls="--", lw=0.8)
    ax.set_xlabel("speakers (clusters) per group")
    ax.set_ylabel("coverage of nominal 95% interval")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


if __name__ == "__main__":
    raise SystemExit(main())
