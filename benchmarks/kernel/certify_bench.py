"""Certify and check every eager answer on the public benchmarks; checking time vs solving time.

    python benchmarks/kernel/certify_bench.py [--timeout 60] [--families qf_lia_fischer ...]
        [--out benchmarks/kernel/results] [--limit N] [--only GLOB ...] [--summarize]

For each SMT-LIB file, in a fresh subprocess with a hard time limit:
  solve    `quod solve --backend eager` as a user runs it: parse + encode + SAT (default options)
  certify  write a bundle: parse + encode + CaDiCaL 1.9.5 with LRAT + renumber/trim
  check    `quod check BUNDLE`: parse + re-encode + CNF hash + kernel LRAT check (or model check)
Results go to OUT/results.jsonl (one line per file; re-running skips files already there),
OUT/summary.md (the table for docs/certificates.md) and OUT/check_vs_solve.png.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path("/work/shared/bench/smt")
CERTIFY_FACTOR = 4
FAMILIES = ("qf_lia_fischer", "qf_uflia_hash", "qf_idl_jobshop", "qf_idl_rvpredict")


WARMUP = """(set-logic QF_LIA)
(declare-const x Int)
(assert (and (< 0 x) (< x 2) (distinct x 1)))
(check-sat)
"""


def _warm_up() -> None:
    """Load every module once so that no timing below includes Python imports."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "w.smt2"
        src.write_text(WARMUP)
        one(src, 10.0, warm=False)


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the eager backend forks its SAT
    solver when a time limit is set)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def one(path: Path, timeout: float, warm: bool = True) -> dict[str, Any]:
    """Solve, certify and check one file (runs inside the worker subprocess), imports warmed up."""
    if warm:
        _warm_up()
    from quod.backends.base import Limits
    from quod.backends.certify import check_bundle, write_bundle
    from quod.backends.registry import get_solver
    from quod.smtlib import parse_file

    row: dict[str, Any] = {"file": path.name, "family": path.parent.name}
    t0, c0 = time.perf_counter(), _cpu()
    script = parse_file(path)
    solver = get_solver("eager", limits=Limits(timeout=timeout))
    solver.add(*script.assertions())
    result = solver.check()
    row.update(status=str(result), solve=time.perf_counter() - t0, solve_cpu=_cpu() - c0,
               expected=script.status)  # fmt: skip
    if row["status"] == "unknown":
        return row
    with tempfile.TemporaryDirectory() as tmp:
        t1, c1 = time.perf_counter(), _cpu()
        # certifying is not timed against anything; a generous limit keeps load spikes from losing answers
        summary = write_bundle(path, Path(tmp) / "b", timeout=CERTIFY_FACTOR * timeout)
        row.update(certify=time.perf_counter() - t1, certify_cpu=_cpu() - c1,
                   certify_status=summary.status, certify_times=summary.times,
                   proof_bytes=summary.stats.get("proof_bytes"))  # fmt: skip
        if summary.status == "unknown":
            return row
        t2, c2 = time.perf_counter(), _cpu()
        check = check_bundle(Path(tmp) / "b")
        row.update(check=time.perf_counter() - t2, check_cpu=_cpu() - c2, verified=check.verified,
                   reason=check.reason, check_times=check.times, lemmas=check.stats.get("lemmas"))  # fmt: skip
    return row


def _worker_main(argv: list[str]) -> int:
    path, timeout = Path(argv[0]), float(argv[1])
    print(json.dumps(one(path, timeout)))
    return 0


def run(args: argparse.Namespace) -> None:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    results = out / "results.jsonl"
    done = set()
    if results.exists():
        rows = [json.loads(line) for line in results.read_text().splitlines() if line.strip()]
        done = {r["file"] for r in rows if r["status"] != "error"}  # errors are retried
        results.write_text("".join(json.dumps(r) + "\n" for r in rows if r["status"] != "error"))
    files = [f for fam in args.families for f in sorted((Path(args.bench) / fam).glob("*.smt2"))]
    if args.only:
        files = [f for f in files if any(fnmatch.fnmatch(f.name, pat) for pat in args.only)]
    if args.limit:
        files = files[: args.limit]
    for k, f in enumerate(files, 1):
        if f.name in done:
            continue
        print(f"[{k}/{len(files)}] {f.parent.name}/{f.name}", file=sys.stderr, flush=True)
        limit = (2 + CERTIFY_FACTOR) * args.timeout + 120  # solve + certify + check
        try:
            proc = subprocess.run([sys.executable, __file__, "--one", str(f), str(args.timeout)],
                                  capture_output=True, text=True, timeout=limit)  # fmt: skip
            row = (
                json.loads(proc.stdout.strip().splitlines()[-1])
                if proc.returncode == 0
                else {
                    "file": f.name,
                    "family": f.parent.name,
                    "status": "error",
                    "error": proc.stderr.strip()[-300:],
                }
            )
        except subprocess.TimeoutExpired:
            row = {"file": f.name, "family": f.parent.name, "status": "killed", "limit": limit}
        with results.open("a") as fh:
            fh.write(json.dumps(row) + "\n")
        print(f"    {_describe(row)}", file=sys.stderr, flush=True)
    rows = [json.loads(line) for line in results.read_text().splitlines() if line.strip()]
    (out / "summary.md").write_text(summarize(rows))
    plot(rows, out / "check_vs_solve.png")
    print((out / "summary.md").read_text())


def _describe(row: dict[str, Any]) -> str:
    if "check" in row:
        return (f"{row['status']} solve {row['solve_cpu']:.2f}s certify {row['certify_cpu']:.2f}s "
                f"check {row['check_cpu']:.2f}s (CPU) verified={row['verified']}")  # fmt: skip
    return f"{row['status']} {row.get('error', '')}"


def summarize(rows: list[dict[str, Any]]) -> str:
    """Ratios per verified unsat instance, in CPU time (of the worker and the SAT child it forks;
    robust on a shared machine) and in wall time (what a user waits, noisy under load)."""
    lines = [
        "| family | files | eager sat | eager unsat | certified | verified | check/solve CPU median | "
        "CPU worst | check/solve wall median | wall worst | kernel/solve CPU median | kernel/solve worst |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    groups = [(fam, [r for r in rows if r["family"] == fam]) for fam in sorted({r["family"] for r in rows})]
    for fam, rs in [*groups, ("**all**", rows)]:
        unsat = [r for r in rs if r["status"] == "unsat"]
        cert = [r for r in unsat if r.get("certify_status") == "unsat"]
        ver = [r for r in cert if r.get("verified")]
        cpu = [r["check_cpu"] / r["solve_cpu"] for r in ver]
        wall = [r["check"] / r["solve"] for r in ver]
        kernel = [
            r["check_times"].get("kernel_cpu", r["check_times"]["kernel"]) / r["solve_cpu"] for r in ver
        ]
        med = statistics.median
        lines.append(
            f"| {fam} | {len(rs)} | {sum(r['status'] == 'sat' for r in rs)} | {len(unsat)} | {len(cert)} | "
            f"{len(ver)} | {_fmt(cpu, med)} | {_fmt(cpu, max)} | {_fmt(wall, med)} | {_fmt(wall, max)} | "
            f"{_fmt(kernel, med)} | {_fmt(kernel, max)} |"
        )
    lines += [
        "",
        "| family | verified unsat | solve CPU s median | solve worst | check CPU s median | check worst | "
        "certify CPU s median | certify worst | proof KB median | proof KB max | lemmas median | lemmas max |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for fam, rs in [*groups, ("**all**", rows)]:
        ver = [r for r in rs if r["status"] == "unsat" and r.get("verified")]
        if not ver:
            continue
        med = statistics.median
        cols = [
            [r["solve_cpu"] for r in ver],
            [r["check_cpu"] for r in ver],
            [r["certify_cpu"] for r in ver],
            [r["proof_bytes"] / 1000 for r in ver if r.get("proof_bytes") is not None],
        ]
        cells = " | ".join(f"{_fmt(c, med)} | {_fmt(c, max)}" for c in cols)
        lemmas = [r["lemmas"] for r in ver if r.get("lemmas") is not None]
        lem = f"{med(lemmas):.0f} | {max(lemmas)}" if lemmas else "- | -"
        lines.append(f"| {fam} | {len(ver)} | {cells} | {lem} |")
    sats = [r for r in rows if r["status"] == "sat"]
    lines += ["", f"sat answers whose bundle (model) the kernel verified: {sum(bool(r.get('verified')) for r in sats)} "
              f"of {len(sats)}"]  # fmt: skip
    wrong = [
        r for r in rows if r["status"] in ("sat", "unsat") and r.get("expected") not in (None, r["status"])
    ]
    lines.append(f"answers contradicting the file's :status: {len(wrong)}")
    unknown = [r for r in rows if r["status"] == "unknown"]
    if unknown:
        lines.append(
            f"eager answered unknown (solve time limit) on {len(unknown)}: "
            + ", ".join(f"{r['family']}/{r['file']}" for r in unknown)
        )
    broken = [r for r in rows if r["status"] in ("error", "killed")]
    if broken:
        lines.append(
            "worker errors or kills: "
            + ", ".join(f"{r['file']} ({r['status']}: {r.get('error', '')[-120:]})" for r in broken)
        )
    bad = [r for r in rows if r.get("verified") is False or r.get("certify_status") == "unknown"]
    if bad:
        lines += [
            "",
            "not verified: "
            + ", ".join(f"{r['file']} ({r.get('reason') or 'certify timeout'})" for r in bad),
        ]
    return "\n".join(lines) + "\n"


def _fmt(values: list[float], f: Any) -> str:
    return f"{f(values):.2f}" if values else "-"


def plot(rows: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ver = [r for r in rows if r["status"] == "unsat" and r.get("verified")]
    if not ver:
        return
    fig, ax = plt.subplots(figsize=(5.5, 5))
    for fam in sorted({r["family"] for r in ver}):
        rs = [r for r in ver if r["family"] == fam]
        ax.scatter([r["solve_cpu"] for r in rs], [r["check_cpu"] for r in rs], s=14, label=fam)
    lo = min(min(r["solve_cpu"], r["check_cpu"]) for r in ver) * 0.8
    hi = max(max(r["solve_cpu"], r["check_cpu"]) for r in ver) * 1.2
    ax.plot([lo, hi], [lo, hi], "k--", lw=0.8, label="check = solve")
    ax.set(xscale="log", yscale="log", xlabel="eager solve, CPU s", ylabel="quod check, CPU s",
           title="Certified unsat answers: checking vs solving")  # fmt: skip
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--one":
        raise SystemExit(_worker_main(sys.argv[2:]))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--timeout", type=float, default=60.0, help="seconds for the eager solve and for certifying"
    )
    ap.add_argument("--families", nargs="+", default=list(FAMILIES))
    ap.add_argument("--out", default="benchmarks/kernel/results")
    ap.add_argument("--limit", type=int, default=0, help="only the first N files (0: all)")
    ap.add_argument("--bench", default=str(BENCH), help="directory holding the family directories")
    ap.add_argument("--only", nargs="+", default=[], help="only files whose name matches one of these globs")
    ap.add_argument(
        "--summarize", action="store_true", help="only rebuild summary.md and the plot from OUT/results.jsonl"
    )
    args = ap.parse_args()
    if args.summarize:
        out = Path(args.out)
        rows = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines() if line.strip()]
        (out / "summary.md").write_text(summarize(rows))
        plot(rows, out / "check_vs_solve.png")
        print((out / "summary.md").read_text())
        return
    run(args)


if __name__ == "__main__":
    main()
