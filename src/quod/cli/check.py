"""`quod check`: re-check a certificate with the trusted kernel.

    quod check BUNDLE_DIR                         a bundle written by `quod solve --certify`
    quod check FORMULA.cnf PROOF [--format F]     a DRAT or LRAT proof of a DIMACS CNF

Prints `verified` (exit 0) or `rejected: <reason>` (exit 1). Unreadable or
malformed input is an error with a location (exit 1). Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from quod.core.errors import QuodError


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("check", help="check a certificate bundle with the trusted kernel")
    p.add_argument("target", help="a certificate bundle directory, or a DIMACS CNF file")
    p.add_argument("proof", nargs="?", help="DRAT or LRAT proof of the CNF (text or binary)")
    p.add_argument(
        "--format",
        choices=("auto", "drat", "lrat"),
        default="auto",
        help="proof format (auto: from the file name)",
    )
    p.add_argument("--emit-lrat", metavar="FILE", help="DRAT only: also write the checked proof as LRAT")
    p.add_argument("--stats", action="store_true", help="print timings and counts as JSON on stderr")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress messages")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    target = Path(args.target)
    progress = (lambda _m: None) if args.quiet else (lambda m: print(f"quod check: {m}", file=sys.stderr))
    if target.is_dir():
        if args.proof is not None:
            raise QuodError("a bundle directory takes no separate proof file", code="Q0003")
        from quod.backends.certify import check_bundle

        result = check_bundle(target, progress=progress)
        verified, reason, stats = result.verified, result.reason, {"times": result.times, **result.stats}
    else:
        if args.proof is None:
            raise QuodError(
                f"{target}: not a bundle directory; to check a CNF give a proof file too", code="Q0003"
            )
        verified, reason, stats = _check_cnf(target, Path(args.proof), args, progress)
    if args.stats:
        print(json.dumps(stats, sort_keys=True, default=str), file=sys.stderr)
    print("verified" if verified else f"rejected: {reason}")
    return 0 if verified else 1


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:
        raise QuodError(f"{path}: cannot read: {e.strerror}", code="Q0002") from None


def _check_cnf(
    cnf_path: Path, proof_path: Path, args: argparse.Namespace, progress: object
) -> tuple[bool, str, dict[str, object]]:
    from quod.kernel.drat import check_drat
    from quod.kernel.formats import parse_dimacs
    from quod.kernel.lrat import check_lrat

    say = progress if callable(progress) else (lambda _m: None)
    fmt = args.format
    if fmt == "auto":
        fmt = "lrat" if proof_path.suffix.lower() == ".lrat" else "drat"
    if args.emit_lrat and fmt != "drat":
        raise QuodError("--emit-lrat needs a DRAT proof", code="Q0003")
    t0 = time.perf_counter()
    cnf = parse_dimacs(_read(cnf_path), str(cnf_path))
    data = _read(proof_path)
    say(f"checking {fmt.upper()} proof {proof_path} ({len(data)} bytes) against {len(cnf.clauses)} clauses")
    t1 = time.perf_counter()
    if fmt == "lrat":
        verdict = check_lrat(cnf.clauses, data, str(proof_path))
    else:
        verdict, lines = check_drat(cnf.clauses, data, str(proof_path), emit_lrat=bool(args.emit_lrat))
        if lines is not None:
            Path(args.emit_lrat).write_text("\n".join(lines) + "\n")
            say(f"wrote {args.emit_lrat}")
    t2 = time.perf_counter()
    stats: dict[str, object] = {"times": {"parse_cnf": t1 - t0, "kernel": t2 - t1}, **verdict.stats}
    return verdict.verified, verdict.reason, stats
