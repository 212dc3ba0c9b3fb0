"""`quod verify`: prove the contracts of Python functions (or check them at run time)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "verify",
        help="prove contracts of Python functions",
        description="Prove that Python functions meet their contracts (quod.spec) for all inputs, "
        "or show inputs on which they fail. With --runtime, run the program with its contracts checked.",
    )
    p.add_argument("file", help="a Python file")
    p.add_argument("args", nargs="*", help="program arguments after -- (with --runtime)")
    p.add_argument(
        "-f",
        "--function",
        action="append",
        dest="functions",
        metavar="NAME",
        help="verify only this function and the functions it calls (repeatable)",
    )
    p.add_argument("--backend", default="z3", help="solver backend (default z3)")
    p.add_argument(
        "--rlimit",
        type=int,
        default=None,
        help="resource limit per obligation (solver units; default 10000000, 0 = none)",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=None,
        help="wall-clock backstop per obligation in seconds (default 30, 0 = none; the resource limit is the primary limit)",
    )
    p.add_argument(
        "--seeds",
        type=int,
        default=0,
        metavar="K",
        help="re-check every obligation with K other seeds and report brittle ones",
    )
    p.add_argument(
        "--fuel", type=int, default=2, help="unfolding depth of recursive pure functions (default 2)"
    )
    p.add_argument("--no-vacuity", action="store_true", help="skip the vacuity checks")
    p.add_argument("--no-execute", action="store_true", help="do not re-run the function on counterexamples")
    p.add_argument(
        "--search",
        type=float,
        default=2.0,
        metavar="SECONDS",
        help="when a counterexample does not reproduce, search random inputs for one that does "
        "(default 2 s; 0 turns it off)",
    )
    p.add_argument("--no-cache", action="store_true", help="do not read or write the result cache")
    p.add_argument(
        "--cache", type=Path, default=None, help="result cache file (default ~/.cache/quod/verify.sqlite)"
    )
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--no-timing", action="store_true", help="leave times out of the output (stable output)")
    p.add_argument("-v", "--verbose", action="store_true", help="a line per function")
    p.add_argument("--show-ivl", action="store_true", help="print the intermediate verification language")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    p.add_argument(
        "--runtime", action="store_true", help="run the program with its contracts checked at run time"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.runtime:
        return _runtime(args)
    from quod.verify.cache import default_cache_path
    from quod.verify.report import render_json, render_text
    from quod.verify.verifier import BACKSTOP_SECONDS, DEFAULT_RLIMIT, Options, progress_printer, verify_file

    if args.args:
        print(
            f"quod verify: unexpected arguments {' '.join(args.args)} (program arguments need --runtime)",
            file=sys.stderr,
        )
        return 2
    rlimit = DEFAULT_RLIMIT if args.rlimit is None else (args.rlimit or None)
    timeout = BACKSTOP_SECONDS if args.timeout is None else (args.timeout or None)
    opts = Options(
        backend=args.backend,
        rlimit=rlimit,
        timeout=timeout,
        seeds=args.seeds,
        fuel=args.fuel,
        functions=args.functions,
        vacuity=not args.no_vacuity,
        execute=not args.no_execute,
        search=max(0.0, args.search),
        cache_path=None if args.no_cache else (args.cache or default_cache_path()),
        progress=progress_printer(args.quiet or args.format == "json"),
        show_ivl=args.show_ivl,
    )
    res = verify_file(args.file, opts)
    if args.format == "json":
        print(render_json(res))
    else:
        print(render_text(res, timing=not args.no_timing, verbose=args.verbose or args.show_ivl))
    return 0 if res.verified else 1


def _runtime(args: argparse.Namespace) -> int:
    from quod.core.errors import QuodError, Span
    from quod.spec import ContractViolation
    from quod.verify.runtime import run_file

    if not Path(args.file).is_file():
        raise QuodError(f"cannot read {args.file}", code="Q0002")
    try:
        return run_file(args.file, list(args.args))
    except ContractViolation as e:
        span = Span(args.file, e.line, 1)
        raise QuodError(str(e), span, "Q0640") from None
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
