"""Verify every program in examples/verify/ and every buggy variant; measure.

For the programs: every function must verify; the figures are per function
(all its obligations, including vacuity probes) and per obligation (each
obligation is one solver query, its VC sliced to that obligation). Times are
process CPU seconds (the machine may be shared, so wall time is also given
for the whole run) and z3 resource units (deterministic).

For the buggy variants: the failures must be exactly the `# expect: CODE`
markers (same code, same line, nothing else unproved), and each
counterexample is re-run to see whether execution confirms it.

    python benchmarks/verify/run_examples.py [--json OUT.json] [--only NAME ...]

No cache is read or written. Runs in one process (one core).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from quod.core.errors import QuodError
from quod.verify import markers as verify_markers
from quod.verify.verifier import FileResult, Options, verify_file

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "verify"


def unproved(res: FileResult, marks: list[tuple[str, int]]) -> list[tuple[str, int, str]]:
    """(code, line, confirmation) of every real obligation that is not proved, at marker lines."""
    return sorted((code, line, r.confirmation) for code, line, r in verify_markers.unproved(res, marks))


def run_program(path: Path, rlimit: int | None) -> dict[str, Any]:
    opts = Options(cache_path=None, execute=False, rlimit=rlimit)
    c0, t0 = time.process_time(), time.perf_counter()
    res = verify_file(path, opts)
    cpu, wall = time.process_time() - c0, time.perf_counter() - t0
    obs = []
    for f in res.functions:
        for r in f.results:
            obs.append(
                {
                    "function": f.name,
                    "line": r.ob.span.line,
                    "code": r.ob.code,
                    "probe": r.ob.probe,
                    "status": r.status,
                    "cpu": r.cpu,
                    "wall": r.time,
                    "rlimit": r.rlimit or 0,
                }
            )
    funcs = [
        {
            "name": f.name,
            "verified": f.verified,
            "cpu": f.cpu,
            "wall": f.time,
            "obligations": sum(1 for r in f.results if not r.ob.probe),
        }
        for f in res.functions
    ]
    return {
        "file": path.name,
        "verified": res.verified,
        "cpu": cpu,
        "wall": wall,
        "functions": funcs,
        "obs": obs,
    }


def run_buggy(path: Path, rlimit: int | None) -> dict[str, Any]:
    marks = verify_markers.expected_markers(path)
    c0, t0 = time.process_time(), time.perf_counter()
    try:
        res = verify_file(path, Options(cache_path=None, execute=True, rlimit=rlimit))
        got = unproved(res, marks)
    except QuodError as e:
        got = [(e.diagnostic.code, e.span.line if e.span else 0, "rejected")]
    cpu, wall = time.process_time() - c0, time.perf_counter() - t0
    ok = [(c, ln) for c, ln, _ in got] == marks
    confirmed = sum(1 for _, _, conf in got if conf.startswith("confirmed"))
    return {
        "file": path.name,
        "expected": marks,
        "got": [list(g) for g in got],
        "ok": ok,
        "confirmed": confirmed,
        "cpu": cpu,
        "wall": wall,
    }


def _q(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * len(xs)))] if xs else 0.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", type=Path, help="write all measurements here")
    ap.add_argument("--only", nargs="*", help="only these example names (stems)")
    ap.add_argument("--rlimit", type=int, default=None, help="override the default resource limit")
    ap.add_argument("--no-buggy", action="store_true", help="skip the buggy variants")
    args = ap.parse_args()
    rlimit = args.rlimit if args.rlimit is not None else Options().rlimit

    def chosen(p: Path) -> bool:
        return not args.only or p.stem in args.only or p.stem.split("_frame")[0] in args.only

    start = time.perf_counter()
    programs = [run_program(p, rlimit) for p in sorted(EXAMPLES.glob("*.py")) if chosen(p)]
    for r in programs:
        mark = "ok " if r["verified"] else "FAIL"
        print(f"{mark} {r['file']:24s} {r['cpu']:6.2f} s cpu", file=sys.stderr)
    buggy = (
        []
        if args.no_buggy
        else [run_buggy(p, rlimit) for p in sorted((EXAMPLES / "buggy").glob("*.py")) if chosen(p)]
    )
    for b in buggy:
        mark = "ok " if b["ok"] else "MISS"
        print(f"{mark} buggy/{b['file']:18s} {b['cpu']:6.2f} s cpu  got {b['got']}", file=sys.stderr)
    total_wall = time.perf_counter() - start

    funcs = [f for r in programs for f in r["functions"]]
    obs = [dict(o, file=r["file"]) for r in programs for o in r["obs"]]
    real = [o for o in obs if not o["probe"]]
    worst = max(real, key=lambda o: o["cpu"]) if real else None
    worst_rl = max(real, key=lambda o: o["rlimit"]) if real else None
    verified = sum(1 for r in programs if r["verified"])
    print("| measure | value |")
    print("|---|---|")
    print(f"| programs verified | {verified} of {len(programs)} ({len(funcs)} functions) |")
    print(f"| obligations (VCs) proved | {sum(1 for o in real if o['status'] == 'proved')} of {len(real)} |")
    print(f"| vacuity probes | {sum(1 for o in obs if o['probe'])} |")
    cpu_f = [f["cpu"] for f in funcs]
    cpu_o = [o["cpu"] for o in real]
    print(
        f"| CPU per function: median / 90th pct / max | {statistics.median(cpu_f):.3f} / {_q(cpu_f, 0.9):.2f} / {max(cpu_f):.2f} s |"
    )
    print(
        f"| CPU per VC: median / 90th pct | {statistics.median(cpu_o) * 1000:.0f} / {_q(cpu_o, 0.9) * 1000:.0f} ms |"
    )
    if worst and worst_rl:
        print(
            f"| worst VC (CPU) | {worst['cpu']:.2f} s, {worst['rlimit']} rlimit units: "
            f"{worst['file']}:{worst['line']} {worst['code']} in {worst['function']} |"
        )
        print(
            f"| worst VC (resource units) | {worst_rl['rlimit']}: {worst_rl['file']}:{worst_rl['line']} "
            f"{worst_rl['code']} in {worst_rl['function']} |"
        )
    print(f"| resource units per VC: median | {statistics.median([o['rlimit'] for o in real]):.0f} |")
    print(f"| CPU for all programs | {sum(r['cpu'] for r in programs):.1f} s |")
    if buggy:
        caught = sum(1 for b in buggy if b["ok"])
        fails = sum(len(b["got"]) for b in buggy)
        conf = sum(b["confirmed"] for b in buggy)
        print(f"| buggy variants failing exactly at their markers | {caught} of {len(buggy)} |")
        print(f"| their failures confirmed by execution | {conf} of {fails} |")
        print(
            f"| CPU for all buggy variants (verifier process; execution runs in a child) | {sum(b['cpu'] for b in buggy):.1f} s |"
        )
    print(f"| wall time of this run | {total_wall:.0f} s |")
    if args.json:
        args.json.write_text(json.dumps({"programs": programs, "buggy": buggy}, indent=1))
    ok = verified == len(programs) and all(b["ok"] for b in buggy)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
