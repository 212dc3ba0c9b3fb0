"""`quod bench`: run backends over SMT-LIB files; tables, JSON/CSV, cactus plot, HTML.

quod bench DIR_OR_FILE... --backends z3,cvc5,eager --timeout 60 --jobs 2 --out bench-out
quod bench gen-jsp OUT_DIR [--names ft06,la01] [--max-jobs N]
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path

from quod.core.errors import QuodError


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("bench", help="run backends over benchmark files; tables and cactus plots")
    p.add_argument(
        "paths", nargs="+", metavar="PATH", help="files or directories of .smt2 files (or: gen-jsp OUT_DIR)"
    )
    p.add_argument(
        "--backends", default="z3,cvc5", help="comma-separated backends (z3, cvc5, eager, z3-bin, ...)"
    )
    p.add_argument("--timeout", type=float, default=60.0, help="seconds per file and backend")
    p.add_argument("--jobs", type=int, default=1, help="parallel jobs")
    p.add_argument("--out", default="bench-out", help="output directory")
    p.add_argument("--title", default="", help="title of the cactus plot")
    p.add_argument("--limit", type=int, default=0, help="only the first N files (0: all)")
    p.add_argument("--solve-arg", action="append", default=[], help="extra argument passed to quod solve")
    p.add_argument("--store", default=None, metavar="URL", help="result store passed to every quod solve")
    p.add_argument(
        "--workers", type=int, default=0, help="Ray workers for the 'portfolio' and 'cubes' backends"
    )
    p.add_argument("--cubes", type=int, default=3, help="split depth for the 'cubes' backend")
    p.add_argument("--portfolio", default="", help="portfolio entries for --workers (default: by logic)")
    p.add_argument(
        "--ray-address", default=None, help="existing Ray cluster (default: one local head for the run)"
    )
    p.add_argument("--names", default="", help="gen-jsp: comma-separated instance names (default: all)")
    p.add_argument("--max-jobs", type=int, default=0, help="gen-jsp: skip instances with more jobs")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.paths[0] == "gen-jsp":
        return _gen_jsp(args)
    from quod.bench.report import cactus_png, html_report, text_table
    from quod.bench.runner import Record, collect_files, run_bench, validate, write_results

    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if not backends:
        raise QuodError("--backends: give at least one backend", code="Q0003")
    files = collect_files(args.paths)
    if args.limit:
        files = files[: args.limit]
    if not files:
        raise QuodError("no .smt2 files found in the given paths", code="Q0002")
    total = len(files) * len(backends)
    print(f"quod bench: {len(files)} files x {len(backends)} backends, timeout {args.timeout:g} s, "
          f"{args.jobs} job(s)", file=sys.stderr)  # fmt: skip

    def progress(i: int, n: int, r: Record) -> None:
        print(
            f"[{i}/{n}] {Path(r.file).name:<48} {r.backend:<8} {r.status:<8} {r.time:7.2f}s", file=sys.stderr
        )

    extra = list(args.solve_arg)
    if args.store:
        extra += ["--store", args.store]
    with _ray_head(args) as address:
        # the Ray options go to the distributed backends only, so single configurations and
        # the portfolio can be compared in one run
        ray_args = ["--workers", str(args.workers or 2)] + (["--ray-address", address] if address else [])
        if args.portfolio:
            ray_args += ["--portfolio", args.portfolio]
        per_backend = {"portfolio": ray_args, "cubes": [*ray_args, "--cubes", str(args.cubes)]}
        records = run_bench(files, backends, args.timeout, args.jobs, extra, progress, per_backend)
    assert len(records) == total
    problems = validate(records)
    out = Path(args.out)
    paths = write_results(records, out, args.timeout)
    png = cactus_png(records, out / "cactus.png", args.title)
    page = html_report(records, png, out / "report.html", args.timeout, problems)
    print(text_table(records, args.timeout))
    for msg in problems:
        print(f"quod bench: {msg}", file=sys.stderr)
    print(f"results: {paths['csv']} {paths['json']}\ncactus plot: {png}\nreport: {page}")
    return 1 if problems else 0


@contextlib.contextmanager
def _ray_head(args: argparse.Namespace) -> Iterator[str]:
    """One Ray instance for the whole run (starting Ray per file would dominate the timings)."""
    wants_ray = any(b.strip() in ("portfolio", "cubes") for b in args.backends.split(","))
    if not wants_ray or args.ray_address:
        yield args.ray_address or ""
        return
    args.workers = args.workers or 2
    import os
    import re
    import shutil
    import signal
    import subprocess
    import tempfile
    import threading

    ray_exe = shutil.which("ray")
    if ray_exe is None:
        raise QuodError("--workers needs Ray: pip install 'quod[ray]'", code="Q0503")
    # A head of our own, in its own process group, stopped by signalling that group: `ray stop`
    # would also kill every other Ray instance on the machine. The solves join it as "auto" (the
    # cluster started last here): with Ray 2.60's token authentication an explicit IP:port is refused.
    proc = subprocess.Popen(
        [ray_exe, "start", "--head", "--block", f"--num-cpus={args.workers}", "--include-dashboard=false",
         "--disable-usage-stats", "--port=0"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )  # fmt: skip
    assert proc.stdout is not None
    address, seen = None, []
    for line in proc.stdout:
        seen.append(line)
        m = re.search(r"--address='([^']+)'", line)
        if m:
            address = m.group(1)
            break
    if address is None:
        proc.wait()
        raise QuodError(f"cannot start a local Ray head: {''.join(seen).strip()[-300:]}", code="Q0503")
    threading.Thread(target=proc.stdout.read, daemon=True).start()  # keep the pipe drained
    try:
        yield "auto"
    finally:
        for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
            try:
                os.killpg(proc.pid, sig)
                proc.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
            except ProcessLookupError:
                break
        # a head stopped by a signal leaves its address behind, and a later plain `ray.init()`
        # on this machine would try to join that dead cluster
        marker = Path(tempfile.gettempdir()) / "ray" / "ray_current_cluster"
        with contextlib.suppress(OSError):
            if marker.read_text().strip() == address:
                marker.unlink()


def _gen_jsp(args: argparse.Namespace) -> int:
    if len(args.paths) != 2:
        raise QuodError("usage: quod bench gen-jsp OUT_DIR [--names a,b] [--max-jobs N]", code="Q0003")
    import importlib

    try:
        jsp = importlib.import_module("quod.bench.jsp")
    except ImportError as e:
        raise QuodError(f"the job-shop generator is not available: {e}", code="Q0301") from e
    names = [n for n in args.names.split(",") if n] or None
    written = jsp.generate(Path(args.paths[1]), names=names, max_jobs=args.max_jobs or None)
    print(f"wrote {len(written)} files to {args.paths[1]}")
    return 0
