"""SMT-LIB reading speed of quod.smtlib over benchmark directories.

    python benchmarks/parse_speed.py [DIR ...] [--json out.json] [--limit N]

For every *.smt2 file (default: ../shared/bench/smt) it measures, in one
process, the lexer + S-expression reader alone, the full parse (terms
built and sort-checked), and printing the parsed script back. Speeds are
MB of input per second of CPU time of this process (`time.process_time`),
which is less sensitive than wall time to other work on a shared machine;
wall-clock totals are printed too. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

from quod.smtlib import parse_script
from quod.smtlib.lexer import Locator, read_sexprs, tokenize
from quod.smtlib.writer import print_script

DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "bench" / "smt"


def measure(path: Path) -> dict[str, float]:
    text = path.read_text(encoding="utf-8")
    size = len(text.encode("utf-8"))
    gc.collect()
    c0 = time.process_time()
    loc = Locator(text, str(path))
    nodes = read_sexprs(tokenize(text, loc), loc)
    c1 = time.process_time()
    del nodes
    w0 = time.perf_counter()
    c2 = time.process_time()
    script = parse_script(text, str(path))
    c3 = time.process_time()
    w1 = time.perf_counter()
    printed = print_script(script)
    c4 = time.process_time()
    return {
        "bytes": size,
        "lex_read_cpu": c1 - c0,
        "parse_cpu": c3 - c2,
        "parse_wall": w1 - w0,
        "print_cpu": c4 - c3,
        "printed_bytes": len(printed),
        "commands": len(script.commands),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dirs", nargs="*", type=Path, default=[DEFAULT])
    ap.add_argument("--json", type=Path, help="also write per-file measurements here")
    ap.add_argument("--limit", type=int, default=0, help="at most N files per family (smallest first)")
    args = ap.parse_args()

    files: list[Path] = []
    for d in args.dirs:
        for fam in sorted(p for p in d.iterdir() if p.is_dir()) or [d]:
            found = sorted(fam.glob("*.smt2"), key=lambda p: p.stat().st_size)
            files.extend(found[: args.limit] if args.limit else found)
    if not files:
        print("no .smt2 files found", file=sys.stderr)
        return 1

    rows: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    per_file = {}
    wall0 = time.perf_counter()
    for i, path in enumerate(files, 1):
        print(f"\r[{i}/{len(files)}] {path.name[:50]:50}", end="", file=sys.stderr, flush=True)
        m = measure(path)
        per_file[str(path)] = m
        row = rows[path.parent.name]
        row["files"] += 1
        for key, value in m.items():
            row[key] += value
    wall = time.perf_counter() - wall0
    print(file=sys.stderr)

    total: dict[str, float] = defaultdict(float)
    for row in rows.values():
        for key, value in row.items():
            total[key] += value
    print("| family | files | MB | lex+read MB/s | parse MB/s | print MB/s | parse s (CPU) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, row in [*sorted(rows.items()), ("**all**", total)]:
        mb = row["bytes"] / 1e6
        print(
            f"| {name} | {int(row['files'])} | {mb:.1f} | {mb / row['lex_read_cpu']:.1f} | "
            f"{mb / row['parse_cpu']:.2f} | {mb / row['print_cpu']:.2f} | {row['parse_cpu']:.1f} |"
        )
    print(f"\nwall clock: {wall:.1f} s for everything; parse alone {total['parse_wall']:.1f} s wall")
    if args.json:
        args.json.write_text(json.dumps(per_file, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
