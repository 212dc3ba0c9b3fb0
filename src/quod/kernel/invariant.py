"""Inductive-invariant certificates for transition systems (trusted).

A certificate claims that `invariant` is an inductive invariant of a
transition system that implies `property`. It holds iff three formulas are
unsatisfiable:

    initiation:   init(x) and not inv(x)
    consecution:  inv(x) and trans(x, x') and not inv(x')
    safety:       inv(x) and not prop(x)

The kernel builds these obligations itself from the certificate (callers
cannot hand it weaker ones), and decides a certificate in one of two ways:

* from solver answers: every obligation answered `unsat` by every required
  solver (by default z3 and cvc5: two independent implementations must
  agree); a `sat` answer whose model the kernel evaluates to true on the
  obligation refutes the certificate;
* by exhaustive evaluation, when every variable has a finite sort (Bool or
  small bit-vectors): every assignment of the obligation's variables is
  evaluated here, with no solver involved.

The kernel never calls a solver; it imports only the standard library and core.
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from quod.core.errors import QuodError, register_codes
from quod.core.evaluate import Undetermined, evaluate
from quod.core.model import Model
from quod.core.ops import Op
from quod.core.sorts import SortKind
from quod.core.terms import Term, make
from quod.core.walk import free_vars, substitute
from quod.kernel.model import check_model

register_codes({"Q0790": "malformed invariant certificate"})

REQUIRED_SOLVERS = ("z3", "cvc5")


class CertificateError(QuodError):
    code = "Q0790"


@dataclass(frozen=True)
class TransitionSystem:
    variables: tuple[Term, ...]
    primed: tuple[Term, ...]  # x' for each x, same order
    init: Term
    trans: Term


@dataclass(frozen=True)
class Certificate:
    system: TransitionSystem
    invariant: Term
    property: Term


@dataclass(frozen=True)
class Obligation:
    name: str  # initiation | consecution | safety
    formula: Term  # the certificate needs this to be unsatisfiable
    description: str


class Verdict(enum.Enum):
    CHECKED = "checked"
    REFUTED = "refuted"
    UNDECIDED = "undecided"


@dataclass(frozen=True)
class Answer:
    """One solver's answer on one obligation."""

    solver: str
    status: str  # sat | unsat | unknown
    model: Model | None = None
    reason: str = ""


@dataclass(frozen=True)
class ObligationResult:
    name: str
    verdict: Verdict
    detail: str
    counterexample: Model | None = None


@dataclass(frozen=True)
class CertificateCheck:
    verdict: Verdict
    method: str  # solvers | exhaustive
    obligations: tuple[ObligationResult, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return self.verdict is Verdict.CHECKED


def validate(cert: Certificate) -> None:
    """Raise CertificateError unless the certificate is well formed."""
    ts = cert.system
    if len(ts.variables) != len(ts.primed):
        raise CertificateError("variables and primed variables differ in number")
    names: set[str] = set()
    for x, y in zip(ts.variables, ts.primed, strict=True):
        for v in (x, y):
            if v.op is not Op.VAR:
                raise CertificateError(f"state variable {v!r} is not a variable")
            if v.name in names:
                raise CertificateError(f"state variable '{v.name}' occurs twice")
            names.add(v.name)
        if x.sort != y.sort:
            raise CertificateError(f"'{x.name}' and '{y.name}' have different sorts")
    current = set(ts.variables)
    both = current | set(ts.primed)
    for what, t, allowed in (
        ("init", ts.init, current),
        ("trans", ts.trans, both),
        ("invariant", cert.invariant, current),
        ("property", cert.property, current),
    ):
        if not t.sort.is_bool:
            raise CertificateError(f"{what} is not a Boolean term")
        extra = free_vars([t]) - allowed
        if extra:
            names_extra = ", ".join(sorted(v.name for v in extra))
            raise CertificateError(f"{what} mentions variables outside the system: {names_extra}")


def _not(t: Term) -> Term:
    return make(Op.NOT, [t])


def _and(*ts: Term) -> Term:
    return make(Op.AND, list(ts))


def prime(system: TransitionSystem, t: Term) -> Term:
    return substitute(t, dict(zip(system.variables, system.primed, strict=True)))


MAX_PIECES = 4000


def _split_trans(trans: Term) -> list[tuple[str, Term]]:
    """The transition relation as disjuncts (two levels of `or`), so consecution
    becomes one small query per transition kind. The disjuncts cover `trans`
    exactly: the obligations are unsat together iff the whole one is."""
    if trans.op is not Op.OR:
        return [("", trans)]
    out: list[tuple[str, Term]] = []
    for i, d in enumerate(trans.args):
        if d.op is Op.OR:
            out.extend((f"{i}.{j}", e) for j, e in enumerate(d.args))
        else:
            out.append((f"{i}", d))
    if len(out) > MAX_PIECES:
        return [(f"{i}", d) for i, d in enumerate(trans.args)]
    return out


def obligations(cert: Certificate, split: bool = True) -> list[Obligation]:
    """The obligations; with `split`, consecution comes as one query per disjunct of `trans`."""
    validate(cert)
    ts, inv = cert.system, cert.invariant
    inv_next = _not(prime(ts, inv))
    pieces = _split_trans(ts.trans) if split else [("", ts.trans)]
    cons = [
        Obligation(
            f"consecution[{tag}]" if tag else "consecution",
            _and(inv, piece, inv_next),
            "every transition preserves the invariant",
        )
        for tag, piece in pieces
    ]
    return [
        Obligation("initiation", _and(ts.init, _not(inv)), "every initial state satisfies the invariant"),
        *cons,
        Obligation("safety", _and(inv, _not(cert.property)), "the invariant implies the property"),
    ]


def check_answers(
    cert: Certificate,
    answers: Mapping[str, Sequence[Answer]],
    required: Sequence[str] = REQUIRED_SOLVERS,
) -> CertificateCheck:
    """Decide the certificate from solver answers, keyed by obligation name."""
    results = []
    for ob in obligations(cert):
        results.append(_judge(ob, answers.get(ob.name, ()), required))
    return CertificateCheck(_overall(results), "solvers", tuple(results))


def _judge(ob: Obligation, answers: Sequence[Answer], required: Sequence[str]) -> ObligationResult:
    notes = []
    for a in answers:
        if a.status == "sat" and a.model is not None:
            mc = check_model([ob.formula], a.model.copy())
            if mc.ok:
                return ObligationResult(
                    ob.name, Verdict.REFUTED, f"{a.solver} found a counterexample", a.model
                )
            notes.append(f"{a.solver} claimed sat with a model the kernel rejects ({mc.reason})")
    unsat_by = {a.solver for a in answers if a.status == "unsat"}
    sat_by = {a.solver for a in answers if a.status == "sat"}
    missing = [s for s in required if s not in unsat_by]
    if not missing and not sat_by:
        return ObligationResult(ob.name, Verdict.CHECKED, "unsat by " + ", ".join(required))
    if sat_by and unsat_by:
        notes.append("solvers disagree")
    if missing:
        notes.append("no unsat answer from " + ", ".join(missing))
    return ObligationResult(ob.name, Verdict.UNDECIDED, "; ".join(notes))


def _overall(results: Sequence[ObligationResult]) -> Verdict:
    if any(r.verdict is Verdict.REFUTED for r in results):
        return Verdict.REFUTED
    if all(r.verdict is Verdict.CHECKED for r in results):
        return Verdict.CHECKED
    return Verdict.UNDECIDED


def _finite_values(v: Term) -> list[Any] | None:
    s = v.sort
    if s.kind is SortKind.BOOL:
        return [False, True]
    if s.kind is SortKind.BITVEC and s.width <= 16:
        return list(range(1 << s.width))
    return None


def check_exhaustive(cert: Certificate, limit: int = 1 << 20) -> CertificateCheck:
    """Decide the certificate by evaluating every assignment (finite sorts only).

    UNDECIDED when a variable has an infinite sort or an obligation has more
    than `limit` assignments.
    """
    results = []
    for ob in obligations(cert, split=False):
        results.append(_exhaust(ob, limit))
    return CertificateCheck(_overall(results), "exhaustive", tuple(results))


def _exhaust(ob: Obligation, limit: int) -> ObligationResult:
    vs = sorted(free_vars([ob.formula]), key=lambda v: v.name)
    domains = []
    size = 1
    for v in vs:
        d = _finite_values(v)
        if d is None:
            return ObligationResult(ob.name, Verdict.UNDECIDED, f"variable '{v.name}' has an infinite sort")
        domains.append(d)
        size *= len(d)
        if size > limit:
            return ObligationResult(ob.name, Verdict.UNDECIDED, f"more than {limit} assignments")
    for combo in itertools.product(*domains):
        m = Model(dict(zip(vs, combo, strict=True)))
        try:
            val = evaluate(ob.formula, m, complete=False)
        except Undetermined as e:
            return ObligationResult(ob.name, Verdict.UNDECIDED, f"evaluation undetermined: {e}")
        if val is True:
            return ObligationResult(ob.name, Verdict.REFUTED, "counterexample found by evaluation", m)
    return ObligationResult(ob.name, Verdict.CHECKED, f"all {size} assignments evaluated")


__all__ = [
    "REQUIRED_SOLVERS",
    "Answer",
    "Certificate",
    "CertificateCheck",
    "CertificateError",
    "Obligation",
    "ObligationResult",
    "TransitionSystem",
    "Verdict",
    "check_answers",
    "check_exhaustive",
    "obligations",
    "prime",
    "validate",
]
