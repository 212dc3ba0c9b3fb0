"""`quod policy`: analyse IAM-style access policies.

Subcommands: validate, public, compare, can, audit-verify.
Exit codes: 0 the answer is "good" (not public; compare decided; request
allowed; bundle verified; all files valid), 4 the opposite answer (public;
`--fail-if` verdict; request denied), 3 unknown, 1 error, 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

EXIT_OK, EXIT_ERROR, EXIT_UNKNOWN, EXIT_NO = 0, 1, 3, 4


def register(sub: Any) -> None:
    p = sub.add_parser("policy", help="analyse access policies")
    ps = p.add_subparsers(dest="policy_command", metavar="SUBCOMMAND", required=True)

    v = ps.add_parser("validate", help="parse policies (.json files, or .jsonl with a 'document' per line)")
    v.add_argument("files", nargs="+", metavar="FILE")
    v.add_argument("-q", "--quiet", action="store_true", help="print only errors and the summary")
    v.set_defaults(func=run_validate)

    def solving(q: argparse.ArgumentParser) -> None:
        q.add_argument("--timeout", type=float, default=10.0, help="seconds per solver call (default 10)")
        q.add_argument("--solvers", default="cvc5,z3", help="portfolio order (default cvc5,z3)")
        q.add_argument(
            "--no-cross-check", action="store_true", help="do not confirm unsat with a second solver"
        )
        q.add_argument("--evidence", metavar="BUNDLE.json", help="write an evidence bundle for auditors")
        q.add_argument(
            "--proof", action="store_true", help="include cvc5's proof of unsat answers in the bundle"
        )
        q.add_argument("--json", action="store_true", help="print the result as JSON")
        q.add_argument("-v", "--verbose", action="store_true", help="progress on stderr")

    pub = ps.add_parser("public", help="can an anonymous or unnamed-account principal be allowed?")
    pub.add_argument("policy", metavar="POLICY.json")
    pub.add_argument(
        "--min-prefix-v4", type=int, default=8, help="narrowest IPv4 CIDR that is NOT a trust boundary"
    )
    pub.add_argument("--min-prefix-v6", type=int, default=32, help="same for IPv6")
    solving(pub)
    pub.set_defaults(func=run_public)

    cmp_ = ps.add_parser("compare", help="is A more, less or equally permissive than B, or incomparable?")
    cmp_.add_argument("a", metavar="A.json")
    cmp_.add_argument("b", metavar="B.json")
    cmp_.add_argument(
        "--engine", choices=["smt", "automata", "auto"], default="auto",
        help="smt (cvc5, z3); automata (plain-wildcard policies, kernel-checked certificate); "
        "auto (default: automata when applicable, else smt)",
    )  # fmt: skip
    cmp_.add_argument("--fail-if", default="", metavar="VERDICTS",
                      help="exit 4 if the verdict is one of these (comma-separated), e.g. more-permissive,incomparable")  # fmt: skip
    solving(cmp_)
    cmp_.set_defaults(func=run_compare)

    can = ps.add_parser("can", help="evaluate one concrete request")
    can.add_argument("policy", metavar="POLICY.json")
    can.add_argument("--request", metavar="REQUEST.json", help="the request as JSON (as witnesses print)")
    can.add_argument(
        "--principal", help="'anonymous', an account id, an ARN, or TYPE:NAME (Service:..., ...)"
    )
    can.add_argument("--action")
    can.add_argument("--resource")
    can.add_argument(
        "--context", action="append", default=[], metavar="KEY=VALUE", help="repeat a key for lists"
    )
    can.add_argument("--json", action="store_true")
    can.set_defaults(func=run_can)

    av = ps.add_parser("audit-verify", help="re-check an evidence bundle")
    av.add_argument("bundle", metavar="BUNDLE.json")
    av.add_argument("--no-solve", action="store_true", help="skip re-running the solvers on unsat questions")
    av.add_argument("--json", action="store_true")
    av.set_defaults(func=run_audit_verify)


def _options(args: argparse.Namespace) -> Any:
    from quod.policy.solve import SolveOptions

    solvers = tuple(s.strip() for s in args.solvers.split(",") if s.strip())
    return SolveOptions(
        solvers=solvers,
        timeout=args.timeout,
        cross_check=not args.no_cross_check,
        proof=args.proof,
        verbose=args.verbose,
    )


def _emit(args: argparse.Namespace, text: str, data: dict[str, Any]) -> None:
    if getattr(args, "json", False):
        print(json.dumps(data, indent=2))
    else:
        print(text)


def run_validate(args: argparse.Namespace) -> int:
    from quod.policy.corpus import validate_files

    ok, bad = validate_files(args.files, quiet=args.quiet)
    print(f"{ok} valid, {bad} rejected", file=sys.stderr)
    return EXIT_OK if bad == 0 else EXIT_ERROR


def _write_evidence(args: argparse.Namespace, result: Any, opts: Any, extra: dict[str, Any]) -> None:
    if not args.evidence:
        return
    from quod.policy.bundle import write_bundle

    write_bundle(args.evidence, result, opts, extra)
    print(f"evidence bundle written to {args.evidence}", file=sys.stderr)


def run_public(args: argparse.Namespace) -> int:
    from quod.policy.parse import load_policy
    from quod.policy.queries import NOT_PUBLIC, PUBLIC, public
    from quod.policy.report import render, result_json

    opts = _options(args)
    prefixes = {4: args.min_prefix_v4, 6: args.min_prefix_v6}
    result = public(load_policy(args.policy), opts, prefixes)
    _write_evidence(args, result, opts, {"min_prefix": prefixes})
    _emit(args, render(result), result_json(result))
    return {NOT_PUBLIC: EXIT_OK, PUBLIC: EXIT_NO}.get(result.verdict, EXIT_UNKNOWN)


def run_compare(args: argparse.Namespace) -> int:
    from quod.core.errors import QuodError
    from quod.policy.parse import load_policy
    from quod.policy.queries import compare
    from quod.policy.report import render, result_json

    a, b = load_policy(args.a), load_policy(args.b)
    opts = _options(args)
    if args.engine in ("automata", "auto"):
        from quod.policy.automata import Unsupported, compare_automata

        try:
            result = compare_automata(a, b)
        except Unsupported as e:
            if args.engine == "automata":
                raise QuodError(f"the automata engine does not apply: {e}", code="Q0804") from e
            if args.verbose:
                print(f"quod policy: automata engine not applicable ({e}); using SMT", file=sys.stderr)
            result = compare(a, b, opts)
    else:
        result = compare(a, b, opts)
    _write_evidence(args, result, opts, {})
    _emit(args, render(result), result_json(result))
    if result.verdict == "unknown":
        return EXIT_UNKNOWN
    fail = {s.strip() for s in args.fail_if.split(",") if s.strip()}
    return EXIT_NO if result.verdict in fail else EXIT_OK


def _principal_arg(text: str) -> Any:
    if text.lower() in ("anonymous", "*"):
        return "anonymous"
    for kind in ("AWS", "Service", "Federated", "CanonicalUser"):
        if text.startswith(kind + ":"):
            return {kind: text[len(kind) + 1 :]}
    return {"AWS": text}


def run_can(args: argparse.Namespace) -> int:
    from quod.core.errors import QuodError
    from quod.policy.parse import load_policy
    from quod.policy.queries import can
    from quod.policy.report import can_json, render_can
    from quod.policy.requests import load_request, request_from_json

    policy = load_policy(args.policy)
    if args.request:
        req = load_request(args.request)
    else:
        missing = [f for f in ("principal", "action", "resource") if getattr(args, f) is None]
        if missing:
            raise QuodError(f"give --request FILE or all of --principal, --action, --resource (missing: "
                            f"{', '.join('--' + m for m in missing)})", code="Q0003")  # fmt: skip
        ctx: dict[str, list[str]] = {}
        for kv in args.context:
            if "=" not in kv:
                raise QuodError(f"--context expects KEY=VALUE, got {kv!r}", code="Q0003")
            k, val = kv.split("=", 1)
            ctx.setdefault(k, []).append(val)
        data = {
            "principal": _principal_arg(args.principal),
            "action": args.action,
            "resource": args.resource,
            "context": {k: v[0] if len(v) == 1 else v for k, v in ctx.items()},
        }
        req = request_from_json(data)
    res = can(policy, req)
    _emit(args, render_can(res), can_json(res))
    return {"allowed": EXIT_OK, "denied": EXIT_NO}.get(res.verdict, EXIT_UNKNOWN)


def run_audit_verify(args: argparse.Namespace) -> int:
    from quod.policy.bundle import verify_bundle

    report = verify_bundle(args.bundle, solve=not args.no_solve)
    _emit(args, report.render(), report.to_json())
    return EXIT_OK if report.ok else EXIT_ERROR
