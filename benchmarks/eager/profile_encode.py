"""Parse / translate / encode times and CNF sizes per file; optionally SAT time too.

    python benchmarks/eager/profile_encode.py FILE_OR_DIR... [--encoding auto] [--csv out.csv]
        [--proof] [--solve SECONDS] [--largest N]

Shows whether the encoder is the bottleneck. By default the CNF is the one
`quod solve --backend eager` builds (lazy ordering components, energetic
refutation before encoding); `--proof` gives the one-shot CNF of `proof=1`.
`--solve S` also runs the engine with a limit of S seconds and reports its
encode and SAT times and the answer; `--largest N` keeps the N largest files.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

from quod.eager import EagerOptions, encode, solve
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
    ap.add_argument("--proof", action="store_true", help="the one-shot CNF of proof=1")
    ap.add_argument("--solve", type=float, default=0.0, help="also solve with this limit (seconds)")
    ap.add_argument("--largest", type=int, default=0, help="only the N largest files")
    args = ap.parse_args()
    rows = []
    print(
        f"{'file':<34} {'KB':>6} {'parse':>6} {'transl':>6} {'encode':>6} {'vars':>9} {'clauses':>9}  domains"
    )
    files = files_of(args.paths)
    if args.largest:
        files = sorted(files, key=lambda f: -f.stat().st_size)[: args.largest]
    for f in files:
        t0 = time.perf_counter()
        assertions = parse_file(f).assertions()
        t1 = time.perf_counter()
        opts = EagerOptions(encoding=args.encoding, proof=args.proof)
        quick = not args.proof
        ep = encode(assertions, opts, lazy=opts.lazy and quick, stop_on_overload=quick)
        st = ep.stats
        row = {
            "file": f.name,
            "kb": f.stat().st_size // 1024,
            "parse": round(t1 - t0, 3),
            "translate": round(st["translate_time"], 3),
            "encode": round(st["encode_time"], 3),
            "vars": st["vars"],
            "clauses": st["clauses"],
            "domains": " ".join(st.get("domains", ["energetic refutation"])),
        }
        del ep
        if args.solve:
            t2 = time.perf_counter()
            r = solve(assertions, opts, timeout=args.solve)
            row.update(status=r.status, solve_encode=round(r.stats.get("encode_time", 0.0), 3),
                       sat=round(r.stats.get("sat_time", 0.0), 3), solve_total=round(time.perf_counter() - t2, 3))  # fmt: skip
        rows.append(row)
        extra = (
            f"  {row['status']} encode {row['solve_encode']:.2f} s sat {row['sat']:.2f} s"
            if args.solve
            else ""
        )
        print(f"{row['file']:<34} {row['kb']:>6} {row['parse']:>6.2f} {row['translate']:>6.2f} "
              f"{row['encode']:>6.2f} {row['vars']:>9} {row['clauses']:>9}  {row['domains']}{extra}", flush=True)  # fmt: skip
    if args.csv:
        with open(args.csv, "w", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
