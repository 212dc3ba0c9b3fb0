"""Result store: cold (solve and record) vs warm (answer from the store) per query.

    python benchmarks/scale/store_bench.py ../shared/bench/smt/qf_lia_fischer --limit 20 [--store URL]

Prints per-file times and medians; warm answers are kernel-checked models or stored unsat verdicts.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from quod.backends import get_solver
from quod.scale.cached import CachedSolver
from quod.scale.store import open_store
from quod.smtlib import parse_file


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--limit", type=int, default=20)
    ap.add_argument("--backend", default="z3")
    ap.add_argument("--store", default=None, help="store URL (default: a fresh SQLite file)")
    args = ap.parse_args()
    files = sorted(f for p in args.paths for f in (Path(p).glob("*.smt2") if Path(p).is_dir() else [Path(p)]))
    files = files[: args.limit]
    url = args.store or str(Path(tempfile.mkdtemp()) / "store.sqlite")
    store = open_store(url)
    cold, warm, lookups = [], [], []
    print(f"{'file':<40} {'verdict':<8} {'cold s':>8} {'warm s':>8} {'lookup ms':>10}")
    for f in files:
        assertions = parse_file(f).assertions()
        s1 = CachedSolver(get_solver(args.backend), store)
        s1.add(*assertions)
        t = time.perf_counter()
        r1 = s1.check()
        c = time.perf_counter() - t
        s2 = CachedSolver(get_solver(args.backend), store)
        s2.add(*assertions)
        t = time.perf_counter()
        r2 = s2.check()
        w = time.perf_counter() - t
        assert str(r1) == str(r2) and (s2.last_from_store or str(r1) == "unknown")
        cold.append(c)
        warm.append(w)
        lookups.append(s2.last_lookup_seconds * 1000)
        print(f"{f.name:<40} {r1!s:<8} {c:8.3f} {w:8.3f} {lookups[-1]:10.1f}")
    print(f"median cold {statistics.median(cold):.3f} s, warm {statistics.median(warm):.3f} s "
          f"(lookup {statistics.median(lookups):.1f} ms); store {url}")  # fmt: skip


if __name__ == "__main__":
    main()
