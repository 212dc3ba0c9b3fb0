"""One satisfiability question about policies, answered by a solver portfolio.

Order: cvc5 first (it answers policy-style string queries in milliseconds
where z3 often gives up), z3 when cvc5 says unknown. A `sat` answer only
counts once a witness request built from the model passes the concrete
evaluator (`confirm`); an `unsat` answer is, on request, confirmed by the
other solver, and cvc5 can attach its proof. Anything else is `unknown`,
with the reason; nothing here turns unknown into a verdict.
"""

from __future__ import annotations

import hashlib
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from quod.backends.base import Limits, Sat, Unsat
from quod.backends.registry import get_solver
from quod.core.errors import QuodError
from quod.core.printer import quote_symbol, to_smtlib
from quod.core.sorts import sort_to_smtlib
from quod.core.terms import Term
from quod.core.walk import free_vars
from quod.policy.encode import Vocabulary
from quod.policy.errors import PolicyError
from quod.policy.evaluate import Indeterminate
from quod.policy.model import Policy, Request
from quod.policy.sample import find_witness
from quod.policy.witness import finalize, model_to_requests, printable

SAT, UNSAT, UNKNOWN = "sat", "unsat", "unknown"


@dataclass
class SolveOptions:
    solvers: tuple[str, ...] = ("cvc5", "z3")
    timeout: float = 10.0
    cross_check: bool = True  # confirm unsat with a second solver
    proof: bool = False  # ask cvc5 for its proof of unsat
    polish: bool = True  # spend one more (short) solver call on a readable witness
    sample: bool = True  # try requests built from the policies' patterns before the solvers
    verbose: bool = False


@dataclass
class SolverRun:
    solver: str
    result: str
    seconds: float
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {"solver": self.solver, "result": self.result, "seconds": round(self.seconds, 4)}
        if self.reason:
            d["reason"] = self.reason
        return d


@dataclass
class Check:
    """`exists request: assertions`, with what the solvers and the evaluator said."""

    name: str
    assertions: list[Term]
    status: str = UNKNOWN
    runs: list[SolverRun] = field(default_factory=list)
    witness: Request | None = None
    note: str = ""
    second: SolverRun | None = None
    proof: str | None = None
    proof_solver: str = ""
    problem: dict[str, Any] | None = None  # automata engine: the kernel's problem and certificate
    certificate: dict[str, Any] | None = None

    def smtlib(self) -> str:
        return smtlib_script(self.assertions)

    @property
    def decided_by(self) -> str:
        for r in self.runs:
            if r.result in (SAT, UNSAT):
                return r.solver
        return ""

    @property
    def seconds(self) -> float:
        return sum(r.seconds for r in self.runs)


def smtlib_script(assertions: Sequence[Term]) -> str:
    """A self-contained SMT-LIB script of the question (deterministic text)."""
    lines = ["(set-logic ALL)"]
    decls = sorted(free_vars(list(assertions)), key=lambda t: t.name)
    lines += [f"(declare-const {quote_symbol(v.name)} {sort_to_smtlib(v.sort)})" for v in decls]
    lines += [f"(assert {to_smtlib(a)})" for a in assertions]
    lines.append("(check-sat)")
    return "\n".join(lines) + "\n"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _log(opts: SolveOptions, msg: str) -> None:
    if opts.verbose:
        print(f"quod policy: {msg}", file=sys.stderr, flush=True)


def run_solver(
    name: str, assertions: Sequence[Term], opts: SolveOptions, proof: bool = False
) -> tuple[Any, SolverRun, Any]:
    extra = {"produce-proofs": "true"} if proof and name == "cvc5" else {}
    start = time.perf_counter()
    try:
        solver = get_solver(name, limits=Limits(timeout=opts.timeout), **extra)
        solver.add(*assertions)
        res = solver.check()
    except QuodError as e:
        return None, SolverRun(name, UNKNOWN, time.perf_counter() - start, e.message), None
    seconds = time.perf_counter() - start
    reason = getattr(res, "reason", "")
    if isinstance(res, Sat) and not res.model_checked:
        reason = f"model not checked by the kernel: {res.check_note}"
    return res, SolverRun(name, str(res), seconds, reason), solver


def _proof_text(solver: Any) -> str | None:
    """cvc5's proof of the last unsat answer (reached through the backend's solver object)."""
    slv = getattr(solver, "slv", None)
    if slv is None:
        return None
    try:
        parts = [slv.proofToString(p) for p in slv.getProof()]
        return "".join(p.decode("utf-8") if isinstance(p, bytes) else str(p) for p in parts)
    except Exception:  # the proof is optional evidence; its absence is reported, not fatal
        return None


Confirm = Callable[[Request], bool]


def decide_check(
    check: Check,
    vocab: Vocabulary,
    confirm: Confirm,
    policies: list[Policy],
    opts: SolveOptions,
    refine: Callable[[], list[Term]] | None = None,
) -> Check:
    """Run the portfolio on `check` and fill in its status, witness and evidence."""
    if opts.sample:
        start = time.perf_counter()
        w = find_witness(policies, confirm)
        if w is not None:
            check.status, check.witness = SAT, w
            check.runs.append(SolverRun("sampling", SAT, time.perf_counter() - start))
            _log(opts, f"{check.name}: a request built from the policies' patterns is a witness")
            return check
    for name in opts.solvers:
        _log(opts, f"{check.name}: {name} ...")
        res, run, solver = run_solver(name, check.assertions, opts, proof=opts.proof)
        check.runs.append(run)
        _log(opts, f"{check.name}: {name} says {run.result} in {run.seconds:.3f}s")
        if isinstance(res, Sat):
            return _on_sat(check, vocab, res, confirm, policies, opts, refine)
        if isinstance(res, Unsat):
            check.status = UNSAT
            if opts.proof and name == "cvc5":
                check.proof, check.proof_solver = _proof_text(solver), "cvc5"
            if opts.cross_check:
                _second_opinion(check, name, vocab, confirm, policies, opts)
            return check
    check.status = UNKNOWN
    check.note = "; ".join(f"{r.solver}: {r.reason or r.result}" for r in check.runs) or "no solver ran"
    return check


def _second_opinion(
    check: Check, first: str, vocab: Vocabulary, confirm: Confirm, policies: list[Policy], opts: SolveOptions
) -> None:
    others = [s for s in ("cvc5", "z3") if s != first]
    if not others:  # pragma: no cover
        return
    res, run, _ = run_solver(others[0], check.assertions, opts)
    check.second = run
    if isinstance(res, Sat):
        # a confirmed witness beats an unsat answer: report it, and say the solvers disagree
        w = _witness(vocab, res, confirm, policies)
        if isinstance(w, Request):
            check.status, check.witness = SAT, w
            check.note = f"SOLVERS DISAGREE: {first} said unsat, {others[0]} found a confirmed witness"
        else:
            check.status = UNKNOWN
            check.note = f"solvers disagree: {first} said unsat, {others[0]} said sat ({w})"


def _witness(vocab: Vocabulary, res: Sat, confirm: Confirm, policies: list[Policy]) -> Request | str:
    """The first candidate request from the model that the concrete evaluator confirms, or why none."""
    why = "no candidate request"
    for cand in model_to_requests(vocab, res.model):
        for variant in (printable(cand, policies), cand):
            if variant is None:
                continue
            req = finalize(variant)
            if req is None:
                why = "the model violates the request model's invariants"
                continue
            try:
                if confirm(req):
                    return req
                why = "the concrete evaluator rejects the witness"
            except Indeterminate as e:
                why = f"the witness's outcome is unspecified by AWS ({e})"
            except PolicyError as e:
                why = f"the witness is not a valid request ({e.message})"
    return why


def _ugly(s: str) -> bool:
    return not s or any(not (c.isalnum() or c in ":/-_.*") for c in s)


def _instances(pats: list[str]) -> list[str]:
    """Readable strings matching policy patterns: wildcards replaced by a word."""
    out = []
    for p in pats:
        if p != "*":
            out.append(p.replace("*", "example").replace("?", "x"))
    return out


def polish_locally(req: Request, policies: list[Policy], confirm: Confirm) -> Request:
    """Replace an unreadable action or resource by an instance of a policy pattern, if still a witness."""
    actions = _instances([a.text for pol in policies for st in pol.statements for a in st.actions])
    resources = _instances([r.text for pol in policies for st in pol.statements for r in st.resources or ()])
    resources.append("arn:aws:s3:::example-bucket/example-object")
    for field_, cands in (("action", actions), ("resource", resources)):
        if not _ugly(getattr(req, field_)):
            continue
        for cand in cands:
            changed = replace(req, action=cand) if field_ == "action" else replace(req, resource=cand)
            trial = finalize(changed)
            try:
                if trial is not None and "${" not in cand and confirm(trial):
                    req = trial
                    break
            except (Indeterminate, PolicyError):
                continue
    return req


def _polish(
    check: Check, vocab: Vocabulary, confirm: Confirm, policies: list[Policy], opts: SolveOptions
) -> Request | None:
    """A more readable witness: local rewrites first, then one short solver call."""
    assert check.witness is not None
    local = polish_locally(check.witness, policies, confirm)
    if not (_ugly(local.action) or _ugly(local.resource)):
        return local
    fast = SolveOptions(opts.solvers[:1], min(opts.timeout, 1.0), verbose=opts.verbose)
    res, run, _ = run_solver(opts.solvers[0], [*check.assertions, *vocab.nice()], fast)
    _log(opts, f"{check.name}: readable witness: {run.result} in {run.seconds:.3f}s")
    if isinstance(res, Sat):
        w = _witness(vocab, res, confirm, policies)
        if isinstance(w, Request):
            return w
    return local


def _on_sat(
    check: Check,
    vocab: Vocabulary,
    res: Sat,
    confirm: Confirm,
    policies: list[Policy],
    opts: SolveOptions,
    refine: Callable[[], list[Term]] | None,
) -> Check:
    w = _witness(vocab, res, confirm, policies)
    if isinstance(w, Request):
        check.status, check.witness = SAT, w
        if opts.polish:
            nicer = _polish(check, vocab, confirm, policies, opts)
            if nicer is not None:
                check.witness = nicer
        return check
    if refine is not None:
        extra = refine()
        if extra:
            _log(opts, f"{check.name}: witness rejected ({w}); retrying with the request space narrowed")
            narrowed = Check(check.name + " (narrowed)", check.assertions + extra)
            decide_check(narrowed, vocab, confirm, policies, opts, None)
            check.runs.extend(narrowed.runs)
            if narrowed.status == SAT:
                check.status, check.witness = SAT, narrowed.witness
                check.assertions = narrowed.assertions
                return check
            w = f"{w}; with one value per key: {narrowed.status}"
    check.status = UNKNOWN
    check.note = f"a solver found a candidate but it was not confirmed: {w}"
    return check


__all__ = [
    "SAT",
    "UNKNOWN",
    "UNSAT",
    "Check",
    "SolveOptions",
    "SolverRun",
    "decide_check",
    "sha256",
    "smtlib_script",
]
