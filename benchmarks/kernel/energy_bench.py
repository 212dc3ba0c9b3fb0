"""Certify and check the eager engine's unsat answers on the public job-shop files (energy certificates).

    python benchmarks/kernel/energy_bench.py [--family qf_idl_jobshop] [--timeout 60] [--out FILE]

For each file (one at a time, in this process): `quod solve`'s eager answer (energetic refutation
allowed), then for unsat answers `write_bundle` (what `quod solve F --certify DIR` runs) and
`check_bundle` (what `quod check DIR` runs), with wall times (solve: the eager solve, parse
excluded; check: parse + kernel; kernel: the kernel's check alone). Prints a markdown table.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path("/work/shared/bench/smt")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--family", default="qf_idl_jobshop")
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--out", type=Path, default=Path("benchmarks/kernel/results/energy.jsonl"))
    args = ap.parse_args()
    from quod.backends.certify import check_bundle, write_bundle
    from quod.eager.engine import solve
    from quod.smtlib import parse_script

    rows = []
    for f in sorted((BENCH / args.family).glob("*.smt2")):
        assertions = parse_script(f.read_text(), str(f)).assertions()
        t = time.perf_counter()
        res = solve(assertions, timeout=args.timeout)
        row: dict[str, object] = {"file": f.name, "status": res.status, "by": res.stats.get("refuted_by", "")}
        row["solve"] = time.perf_counter() - t
        if res.status == "unsat":
            with tempfile.TemporaryDirectory() as tmp:
                t0 = time.perf_counter()
                summary = write_bundle(f, tmp, timeout=args.timeout)
                row.update(certify=time.perf_counter() - t0, certified=summary.status == "unsat")
                if summary.status == "unsat":
                    manifest = json.loads((Path(tmp) / "manifest.json").read_text())
                    t1 = time.perf_counter()
                    check = check_bundle(tmp)
                    row.update(check=time.perf_counter() - t1, verified=check.verified,
                               proof=manifest["proof"]["format"], kernel=check.times.get("kernel", 0.0), ops=summary.stats.get("energy_ops"),
                               reason=check.reason)  # fmt: skip
        print(json.dumps(row), flush=True)
        rows.append(row)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("".join(json.dumps(r) + "\n" for r in rows))
    unsat = [r for r in rows if r["status"] == "unsat"]
    cert = [r for r in unsat if r.get("certified")]
    ver = [r for r in cert if r.get("verified")]

    def stat(key: str) -> str:
        xs = [float(r[key]) for r in cert if key in r]  # type: ignore[arg-type]
        return f"{statistics.median(xs):.2f} / {max(xs):.2f}" if xs else "-"

    print(
        "\n| family | files | unsat | certified | verified | solve s (median / max) | certify s (median / max) | check s (median / max) | kernel s (median / max) |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    print(
        f"| {args.family} | {len(rows)} | {len(unsat)} | {len(cert)} | {len(ver)} | {stat('solve')} | {stat('certify')} | {stat('check')} | {stat('kernel')} |"
    )
    return 0 if len(ver) == len(unsat) else 1


if __name__ == "__main__":
    sys.exit(main())
