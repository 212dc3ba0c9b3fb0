"""Parse / translate / encode times and CNF sizes per file (no SAT solving).

    python benchmarks/eager/profile_encode.py FILE_OR_DIR... [--encoding auto] [--csv out.csv]

Shows whether the encoder is the bottleneck: compare encode time with the SAT
time that `quod bench` (or `quod solve --backend eager`) reports.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

from quod.eager import EagerOptions, encode
from quod.smtlib import parse_file


def files_of(paths: list[str]) -> list[Path]:
    out: list[Path] = []
    for p in map(Path, paths):
        out.extend(sorted(p.glob("*.smt2")) if p.is_dir() else [p])
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--encoding", default="auto")
    ap.add_argument("--csv", default="")
    args = ap.parse_args()
    rows = []
    print(
        f"{'file':<34} {'KB':>6} {'parse':>6} {'transl':>6} {'encode':>6} {'vars':>9} {'clauses':>9}  domains"
    )
    for f in files_of(args.paths):
        t0 = time.perf_counter()
        assertions = parse_file(f).assertions()
        t1 = time.perf_counter()
        ep = encode(assertions, EagerOptions(encoding=args.encoding))
        st = ep.stats
        row = {
            "file": f.name,
            "kb": f.stat().st_size // 1024,
            "parse": round(t1 - t0, 3),
            "translate": round(st["translate_time"], 3),
            "encode": round(st["encode_time"], 3),
            "vars": st["vars"],
            "clauses": st["clauses"],
            "domains": " ".join(st["domains"]),
        }
        rows.append(row)
        print(f"{row['file']:<34} {row['kb']:>6} {row['parse']:>6.2f} {row['translate']:>6.2f} "
              f"{row['encode']:>6.2f} {row['vars']:>9} {row['clauses']:>9}  {row['domains']}", flush=True)  # fmt: skip
    if args.csv:
        with open(args.csv, "w", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
