"""`quod protocol`: check, simulate, prove and monitor protocol models.

Exit codes: 0 no violation (or proved), 1 violation found, 2 usage error,
3 proof inconclusive (`prove` only).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from quod.core.errors import QuodError


def register(sub: Any) -> None:
    p = sub.add_parser("protocol", help="check protocol models; prove invariants; monitor logs")
    ps = p.add_subparsers(dest="protocol_command", metavar="SUBCOMMAND", required=True)

    def common(q: argparse.ArgumentParser) -> None:
        q.add_argument("model_file", metavar="MODEL.py")
        q.add_argument(
            "--model", help="the Protocol class to use (default: MODEL in the file, or its only model)"
        )
        q.add_argument(
            "-p", "--param", action="append", metavar="NAME=VALUE", help="override a model parameter"
        )
        q.add_argument("--report", metavar="FILE.json", help="write a JSON report ('-' for stdout)")
        q.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")

    c = ps.add_parser("check", help="explicit-state search: invariants, deadlocks, liveness")
    common(c)
    c.add_argument("--max-states", type=int, help="stop after this many distinct states")
    c.add_argument("--max-depth", type=int, help="do not expand states deeper than this")
    sym = c.add_mutually_exclusive_group()
    sym.add_argument(
        "--symmetry", dest="symmetry", action="store_true", default=None, help="force symmetry reduction"
    )
    sym.add_argument(
        "--no-symmetry", dest="symmetry", action="store_false", help="disable symmetry reduction"
    )
    c.add_argument(
        "--fingerprints", action="store_true", help="keep 64-bit state fingerprints instead of states"
    )
    c.add_argument("--deadlock", action="store_true", help="report states where no action is enabled")
    c.add_argument("--no-liveness", action="store_true", help="skip fair-cycle detection")
    c.add_argument("--invariant", action="append", help="check only this invariant (repeatable)")
    c.add_argument("--require-complete", action="store_true", help="exit 1 if a budget stopped the search")
    c.set_defaults(func=run_check)

    s = ps.add_parser("simulate", help="random or PCT simulation with seeds and replayable schedules")
    common(s)
    s.add_argument("--runs", type=int, default=100)
    s.add_argument("--steps", type=int, default=200, help="steps per run")
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--scheduler", choices=["random", "pct"], default="random")
    s.add_argument("--pct-depth", type=int, default=3, help="PCT bug depth d (d-1 priority change points)")
    s.add_argument("--schedule-out", metavar="FILE.json", help="write the failing run's schedule here")
    s.add_argument("--replay", metavar="FILE.json", help="replay a schedule file instead of simulating")
    s.set_defaults(func=run_simulate)

    v = ps.add_parser("prove", help="prove invariants for unbounded runs (kernel-checked certificate)")
    common(v)
    v.add_argument("--property", action="append", help="invariant(s) to prove (default: all)")
    v.add_argument("--timeout", type=float, default=60.0, help="seconds per solver call")
    v.add_argument("--k-max", type=int, default=4, help="largest k for k-induction")
    v.add_argument("--no-spacer", action="store_true", help="do not search invariants with z3 Spacer")
    v.add_argument(
        "--certificate", metavar="FILE.smt2", help="write the certificate's obligations as SMT-LIB"
    )
    v.set_defaults(func=run_prove)

    m = ps.add_parser("monitor", help="check logs (JSON lines) against the model")
    common(m)
    m.add_argument("logs", nargs="+", metavar="LOG")
    m.add_argument("--config", metavar="FILE.json", help="monitor settings (fields, window, ...)")
    m.add_argument("--event-field", help="field naming the action (default: action)")
    m.add_argument("--key-field", help="field partitioning the log into protocol instances (default: key)")
    m.add_argument("--order-field", help="numeric field giving the order of events")
    m.add_argument("--window", type=int, help="events buffered for reordering")
    m.add_argument(
        "--parser", metavar="MODULE:FUNCTION", help="custom line parser: line -> event dict or None"
    )
    m.add_argument("--ignore-unknown", action="store_true", help="skip events naming no action")
    m.add_argument("--skip-malformed", action="store_true", help="skip lines the parser rejects")
    m.add_argument(
        "--pending-fails", action="store_true", help="exit 1 if liveness obligations are pending at the end"
    )
    m.set_defaults(func=run_monitor)


def _load(args: argparse.Namespace) -> Any:
    from quod.protocol.loader import load, parse_params

    return load(args.model_file, args.model, parse_params(args.param))


def _progress(args: argparse.Namespace) -> Any:
    if args.quiet:
        return None

    def show(st: Any) -> None:
        print(f"progress: {st.line()}", file=sys.stderr, flush=True)

    return show


def run_check(args: argparse.Namespace) -> int:
    from quod.protocol.explore import Options, check
    from quod.protocol.report import render_check, write_json

    proto = _load(args)
    opts = Options(
        max_states=args.max_states,
        max_depth=args.max_depth,
        symmetry=args.symmetry,
        fingerprints=args.fingerprints,
        deadlock=args.deadlock,
        liveness=not args.no_liveness,
        progress=_progress(args),
        invariants=args.invariant,
    )
    result = check(proto, opts)
    print(render_check(result))
    write_json(result.as_dict(), args.report)
    if not result.ok:
        return 1
    return 1 if args.require_complete and not result.stats.complete else 0


def run_simulate(args: argparse.Namespace) -> int:
    from quod.protocol.report import render_violation, write_json
    from quod.protocol.simulate import SimOptions, load_schedule, replay, simulate, write_schedule

    if args.replay:
        doc = load_schedule(args.replay)
        params = doc.get("params", {})
        from quod.protocol.loader import load, parse_params

        proto = load(args.model_file, args.model or doc.get("model"), {**params, **parse_params(args.param)})
        res = replay(proto, doc, args.replay)
        print(f"replayed {res.steps} step(s) of {args.replay}")
    else:
        proto = _load(args)

        def progress(run: int, steps: int) -> None:
            if not args.quiet and run % 50 == 0:
                print(f"progress: {run} runs, {steps} steps", file=sys.stderr, flush=True)

        opts = SimOptions(args.runs, args.steps, args.seed, args.scheduler, args.pct_depth, progress)
        res = simulate(proto, opts)
        rate = res.steps / res.seconds if res.seconds > 0 else 0.0
        print(
            f"{res.runs} run(s), {res.steps} steps, {res.distinct_states} distinct states seen, "
            f"{res.seconds:.2f} s ({rate:,.0f} steps/s), scheduler {res.scheduler}, seed {res.seed}"
        )
        if res.schedule is not None and args.schedule_out:
            write_schedule(res.schedule, args.schedule_out)
            print(f"schedule of the failing run written to {args.schedule_out} (replay with --replay)")
    for v in res.violations:
        print(render_violation(v))
    if res.ok:
        print("no violation found")
    write_json(res.as_dict(), args.report)
    return 0 if res.ok else 1


def run_prove(args: argparse.Namespace) -> int:
    from quod.protocol.prove import ProofOptions, Prover, certificate_smtlib
    from quod.protocol.report import write_json

    proto = _load(args)
    opts = ProofOptions(
        timeout=args.timeout, k_max=args.k_max, spacer=not args.no_spacer, properties=args.property
    )
    if not args.quiet:
        print(
            f"translating {proto.name} {proto.param_values} to a transition system ...",
            file=sys.stderr,
            flush=True,
        )
    prover = Prover(proto, opts)
    if not args.quiet:
        print(
            f"{len(prover.sm.variables)} state variables; proving {', '.join(prover.wanted)} ...",
            file=sys.stderr,
            flush=True,
        )
    res = prover.run()
    print(f"{res.status}: {res.message} [{res.method}] ({res.seconds:.2f} s)")
    for a in res.attempts:
        print("  tried " + ", ".join(f"{k}={v}" for k, v in a.items()))
    if res.check is not None:
        from quod.protocol.prove import summarize

        for o in summarize(res.check):
            pieces = f", {o['pieces']} queries" if o["pieces"] > 1 else ""
            print(f"  kernel: {o['name']}: {o['verdict']} ({o['detail']}{pieces})")
    if res.counterexample:
        from quod.protocol.explore import Step
        from quod.protocol.report import render_trace

        title = "counterexample" if res.status == "violated" else "counterexample to induction"
        print(f"{title}:")
        print(render_trace([Step(s["action"], s["state"]) for s in res.counterexample]))
    if args.certificate and res.certificate is not None:
        with open(args.certificate, "w") as fh:
            fh.write(certificate_smtlib(res.certificate))
        print(f"certificate obligations written to {args.certificate}")
    write_json(res.as_dict(), args.report)
    return {"proved": 0, "violated": 1}.get(res.status, 3)


def run_monitor(args: argparse.Namespace) -> int:
    from quod.protocol.monitor import MonitorConfig, load_parser, monitor_files
    from quod.protocol.report import write_json

    proto = _load(args)
    cfg = MonitorConfig.from_json(args.config) if args.config else MonitorConfig()
    for name in ("event_field", "key_field", "order_field", "window"):
        val = getattr(args, name)
        if val is not None:
            setattr(cfg, name, val)
    cfg.ignore_unknown = cfg.ignore_unknown or args.ignore_unknown
    cfg.skip_malformed = cfg.skip_malformed or args.skip_malformed
    try:
        cfg.validate()
    except QuodError:
        raise
    parser = load_parser(args.parser) if args.parser else None
    rep = monitor_files(proto, args.logs, cfg, parser)
    print(
        f"{rep.events} event(s), {rep.keys} key(s), {len(rep.violations)} violation(s), {len(rep.pending)} pending"
    )
    for v in rep.violations:
        print(f"violation ({v.kind}) for key {v.key!r}: {v.message}")
        for ln in v.lines[:-1]:
            print(f"    {ln.source}:{ln.line}: {ln.text}")
        if v.lines:
            last = v.lines[-1]
            print(f"  > {last.source}:{last.line}: {last.text}")
    for p in rep.pending:
        at = f" (last event {p.last_line.source}:{p.last_line.line})" if p.last_line else ""
        print(f"pending ({p.kind}) for key {p.key!r}: {p.property}{at}")
    write_json(rep.as_dict(), args.report)
    if not rep.ok:
        return 1
    return 1 if args.pending_fails and rep.pending else 0
