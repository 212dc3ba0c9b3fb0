"""`quod solve FILE.smt2`: behave like an SMT-LIB solver on a script.

Prints `sat` / `unsat` / `unknown` and the responses of get-model, get-value,
... in SMT-LIB syntax on stdout; diagnostics go to stderr. Reads stdin when
FILE is `-`. Exit code 0 unless the input is bad (1, with file:line:col) or
an answer failed the kernel's check (1).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from quod.core.errors import QuodError


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("solve", help="solve an SMT-LIB file (behaves like an SMT-LIB solver)")
    p.add_argument("file", help="SMT-LIB v2.6 script, or - for standard input")
    p.add_argument(
        "--backend",
        default=None,
        help="z3 (default), cvc5, eager, portfolio or cubes (Ray; see --workers, --cubes)",
    )
    p.add_argument("--timeout", type=float, default=None, help="seconds per check-sat")
    p.add_argument("--rlimit", type=int, default=None, help="solver resource limit per check-sat")
    p.add_argument("--seed", type=int, default=None, help="random seed")
    p.add_argument("--no-model", action="store_true", help="do not print get-model responses")
    p.add_argument("--option", action="append", default=[], metavar="KEY=VALUE", help="backend option")
    p.add_argument(
        "--store",
        default=None,
        metavar="URL",
        help="result store: a path or sqlite:///path (default file: ~/.cache/quod/store.sqlite with --store default), "
        "or postgresql://... for a shared store",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=0,
        help="race a portfolio on N Ray workers (local unless --ray-address)",
    )
    p.add_argument(
        "--portfolio", default="", help="portfolio entries, e.g. eager,z3,cvc5,z3#seed=2 (default: by logic)"
    )
    p.add_argument(
        "--cubes",
        type=int,
        default=0,
        metavar="DEPTH",
        help="cube-and-conquer with the eager engine: up to 2^DEPTH cubes solved on Ray workers",
    )
    p.add_argument(
        "--ray-address", default=None, help="join an existing Ray cluster (e.g. auto or ray://host:10001)"
    )
    p.add_argument(
        "--certify",
        default=None,
        metavar="DIR",
        help="solve with the eager engine and write a certificate bundle (check it with `quod check DIR`)",
    )
    p.add_argument(
        "--proof-solver",
        default="cadical-lrat",
        help="with --certify: cadical-lrat (LRAT, default) or a DRAT-producing SAT solver of quod.sat",
    )
    p.add_argument(
        "--cvc5-proof",
        action="store_true",
        help="with --certify, unsat: also store cvc5's own proof (unchecked)",
    )
    p.set_defaults(func=run)


def _backend_options(items: list[str]) -> dict[str, str]:
    opts: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise QuodError(f"--option expects KEY=VALUE, got {item!r}", code="Q0003")
        opts[key] = value
    return opts


def run(args: argparse.Namespace) -> int:
    from quod.backends.base import Limits, Result, Solver
    from quod.backends.registry import get_solver
    from quod.backends.script import ScriptRunner
    from quod.smtlib import parse_file, parse_script

    if args.certify is not None:
        return _certify(args)
    args.backend = args.backend or "z3"
    if args.file == "-":
        script = parse_script(sys.stdin.read(), "<stdin>")
    else:
        script = parse_file(Path(args.file))
    limits = Limits(timeout=args.timeout, rlimit=args.rlimit, seed=args.seed)
    options = _backend_options(args.option)

    store = None
    if args.store is not None:
        from quod.scale.store import open_store

        store = open_store(args.store)

    def progress(msg: str) -> None:
        print(f"quod: {msg}", file=sys.stderr)

    def make_solver(logic: str | None) -> Solver:
        solver: Solver
        if args.cubes or args.backend == "cubes":
            from quod.scale.cubes import CubeSolver

            solver = CubeSolver(logic, limits, args.cubes or 3, args.workers or 2, args.ray_address, progress)
        elif args.backend == "portfolio" or args.workers or args.portfolio or args.ray_address:
            from quod.scale.portfolio import PortfolioSolver, parse_configs

            configs = parse_configs(args.portfolio) if args.portfolio else None
            solver = PortfolioSolver(logic, limits, configs, args.workers or 2, args.ray_address, progress)
        else:
            solver = get_solver(args.backend, logic=logic, limits=limits, **options)
        if store is None:
            return solver
        from quod.scale.cached import CachedSolver

        return CachedSolver(solver, store)

    def report(res: Result, solver: Solver) -> None:
        if res.stats.get("from_store"):
            print(
                f"quod: answered from the store {store.url if store else ''} "
                f"(originally {res.stats['store_backend']} in {res.stats['store_seconds']:.3f} s; "
                f"lookup {getattr(solver, 'last_lookup_seconds', 0.0) * 1000:.1f} ms)",
                file=sys.stderr,
            )

    runner = ScriptRunner(make_solver, sys.stdout, limits, print_models=not args.no_model, on_result=report)
    outcome = runner.run(script)
    return 1 if outcome.internal_errors or outcome.errors else 0


def _certify(args: argparse.Namespace) -> int:
    """One answer for the conjunction of the file's assertions, with a bundle the kernel can re-check."""
    from quod.backends.certify import write_bundle

    if args.file == "-":
        raise QuodError(
            "--certify needs a file (the bundle stores its bytes), not standard input", code="Q0003"
        )
    if args.backend not in (None, "eager"):
        raise QuodError(
            f"--certify uses the eager engine; --backend {args.backend} cannot certify", code="Q0003"
        )
    if args.workers or args.cubes or args.portfolio or args.store is not None:
        raise QuodError(
            "--certify runs one eager solve; drop --workers/--cubes/--portfolio/--store", code="Q0003"
        )
    options = _backend_options(args.option)
    summary = write_bundle(
        args.file,
        args.certify,
        options=options,
        timeout=args.timeout,
        proof_solver=args.proof_solver,
        cvc5_proof=args.cvc5_proof,
        progress=lambda m: print(f"quod: {m}", file=sys.stderr),
    )
    print(summary.status)
    if summary.directory is None:
        print(f"quod: no certificate written ({summary.reason})", file=sys.stderr)
    else:
        print(
            f"quod: certificate in {summary.directory}; check it with: quod check {summary.directory}",
            file=sys.stderr,
        )
    return 0
