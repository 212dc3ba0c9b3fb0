"""Benchmark `quod policy`: compare related managed policies, and `public` on resource policies.

    python benchmarks/policy/bench_policy.py compare --limit 169 --timeout 10 --out bench-out/policy
    python benchmarks/policy/bench_policy.py public --timeout 10 --out bench-out/policy
    python benchmarks/policy/bench_policy.py table bench-out/policy

`compare` pairs every AWS managed policy named *ReadOnlyAccess with the
*FullAccess policy of the same service and decides A-vs-B with each engine
separately, from the same run: cvc5 alone, z3 alone (both without the
second-solver confirmation, same timeout) and the automata engine where it
applies. Times are per query (both directions, both readings when needed,
witness re-check included). `public` runs cvc5 and z3 on the resource
policies (those with a Principal) of the Quacky samples. Raw results go to
JSON lines in --out; `table` prints the markdown tables for docs/policy.md
and writes a PNG of the per-query times.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

from quod.core.errors import QuodError  # noqa: E402
from quod.policy.automata import Unsupported, compare_automata  # noqa: E402
from quod.policy.corpus import load_all  # noqa: E402
from quod.policy.model import Policy  # noqa: E402
from quod.policy.queries import Result, compare, public  # noqa: E402
from quod.policy.solve import SolveOptions  # noqa: E402

BENCH = ROOT.parent / "shared" / "bench" / "policy"


def pairs(limit: int) -> list[tuple[Policy, Policy]]:
    by_name: dict[str, Policy] = {}
    for name, p in load_all(BENCH / "aws_managed_policies.jsonl"):
        if isinstance(p, Policy):
            by_name[name.split("(")[-1].rstrip(")")] = p
    out = []
    for n in sorted(by_name):
        if n.endswith("ReadOnlyAccess"):
            full = n[: -len("ReadOnlyAccess")] + "FullAccess"
            if full in by_name:
                out.append((by_name[n], by_name[full]))
    return out[:limit]


def _row(
    kind: str, name: str, engine: str, res: Result | None, seconds: float, note: str = ""
) -> dict[str, Any]:
    return {
        "kind": kind,
        "name": name,
        "engine": engine,
        "verdict": res.verdict if res is not None else "n/a",
        "reason": res.reason if res is not None else "",
        "seconds": round(seconds, 4),
        "questions": len(res.checks) if res is not None else 0,
        "note": note,
    }


def _opts(engine: str, timeout: float) -> SolveOptions:
    """One solver alone (no sampling, no second opinion), or quod's defaults ("quod")."""
    if engine == "quod":
        return SolveOptions(timeout=timeout)
    return SolveOptions((engine,), timeout, cross_check=False, polish=False, sample=False)


def run_compare(args: argparse.Namespace) -> None:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    todo = pairs(args.limit)
    with (out / "compare.jsonl").open("w") as f:
        for i, (a, b) in enumerate(todo, 1):
            name = a.source.split("(")[-1].rstrip(")")
            for engine in args.engines.split(","):
                t = time.perf_counter()
                note = ""
                res: Result | None
                try:
                    if engine == "automata":
                        res = compare_automata(a, b)
                    else:
                        res = compare(a, b, _opts(engine, args.timeout))
                except Unsupported as e:
                    res, note = None, f"not applicable: {e}"
                except QuodError as e:
                    res, note = None, f"error: {e.message}"
                row = _row("compare", name, engine, res, time.perf_counter() - t, note)
                f.write(json.dumps(row) + "\n")
                f.flush()
                print(f"[{i}/{len(todo)}] {name} {engine}: {row['verdict']} {row['seconds']:.2f}s {note[:60]}",
                      file=sys.stderr, flush=True)  # fmt: skip


def run_public(args: argparse.Namespace) -> None:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    pols = []
    for f in sorted((BENCH / "quacky_samples").glob("*.json")):
        for _, p in load_all(f):
            if isinstance(p, Policy) and not p.is_identity_policy:
                pols.append(p)
    with (out / "public.jsonl").open("w") as fh:
        for i, p in enumerate(pols, 1):
            for engine in args.engines.split(","):
                t = time.perf_counter()
                res = public(p, _opts(engine, args.timeout))
                row = _row("public", Path(p.source).name, engine, res, time.perf_counter() - t)
                fh.write(json.dumps(row) + "\n")
                print(f"[{i}/{len(pols)}] {row['name']} {engine}: {row['verdict']} {row['seconds']:.2f}s",
                      file=sys.stderr, flush=True)  # fmt: skip


def _stats(rows: list[dict[str, Any]]) -> str:
    done = [r for r in rows if r["verdict"] not in ("unknown", "n/a")]
    unk = sum(r["verdict"] == "unknown" for r in rows)
    secs = sorted(r["seconds"] for r in done)
    med = statistics.median(secs) if secs else float("nan")
    worst = secs[-1] if secs else float("nan")
    return f"{len(rows) - sum(r['verdict'] == 'n/a' for r in rows)} | {len(done)} | {unk} | {med:.3f} | {worst:.3f}"


def table(args: argparse.Namespace) -> None:
    out = Path(args.dir)
    for kind in ("compare", "public"):
        path = out / f"{kind}.jsonl"
        if not path.exists():
            continue
        rows = [json.loads(x) for x in path.read_text().splitlines() if x.strip()]
        engines = sorted(
            {r["engine"] for r in rows}, key=lambda e: ["cvc5", "z3", "automata", "quod"].index(e)
        )
        print(f"\n{kind}: {len({r['name'] for r in rows})} inputs\n")
        print("| engine | queries | decided | unknown | median s | worst s |")
        print("|---|---|---|---|---|---|")
        for e in engines:
            print(f"| {e} | {_stats([r for r in rows if r['engine'] == e])} |")
        by_name: dict[str, dict[str, str]] = {}
        for r in rows:
            by_name.setdefault(r["name"], {})[r["engine"]] = r["verdict"]
        decided = [{e: v for e, v in d.items() if v not in ("unknown", "n/a")} for d in by_name.values()]
        clash = [d for d in decided if len(set(d.values())) > 1]
        verdicts: dict[str, int] = {}
        for d in decided:
            for v in set(d.values()):
                verdicts[v] = verdicts.get(v, 0) + 1
        print(f"\nverdicts (any engine): {verdicts}; engines disagree on {len(clash)} input(s)")
        _plot(rows, engines, out / f"{kind}.png", kind)


def _plot(rows: list[dict[str, Any]], engines: list[str], png: Path, kind: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    for e in engines:
        secs = sorted(
            r["seconds"] for r in rows if r["engine"] == e and r["verdict"] not in ("unknown", "n/a")
        )
        ax.plot(range(1, len(secs) + 1), secs, marker=".", label=e)
    ax.set_yscale("log")
    ax.set_xlabel("queries decided")
    ax.set_ylabel("seconds per query")
    ax.set_title(f"quod policy {kind}: cactus plot")
    ax.legend()
    fig.tight_layout()
    fig.savefig(png, dpi=120)
    print(f"\nplot: {png}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("compare")
    c.add_argument("--limit", type=int, default=1000)
    c.add_argument("--timeout", type=float, default=10.0)
    c.add_argument("--engines", default="cvc5,z3,automata")
    c.add_argument("--out", default="bench-out/policy")
    c.set_defaults(func=run_compare)
    p = sub.add_parser("public")
    p.add_argument("--timeout", type=float, default=10.0)
    p.add_argument("--engines", default="cvc5,z3,quod")
    p.add_argument("--out", default="bench-out/policy")
    p.set_defaults(func=run_public)
    t = sub.add_parser("table")
    t.add_argument("dir", nargs="?", default="bench-out/policy")
    t.set_defaults(func=table)
    args = ap.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
