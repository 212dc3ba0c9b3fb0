"""Unbounded invariant proofs.

The model is translated to a transition system over core terms
(`symbolic.translate`). Then, in order:

1. the user's invariants (with the type constraints) are tried as an
   inductive invariant;
2. z3's Spacer solves the CHC problem `init => Inv; Inv & trans => Inv';
   Inv => prop` and returns an inductive invariant;
3. k-induction for k = 2..k_max.

An invariant from (1) or (2) is a certificate: the kernel builds its three
obligations and the proof counts only when z3 and cvc5 (through quod's
backends) both answer unsat on every one, or when the obligations are decided
by exhaustive evaluation over finite domains. k-induction has no single-state
certificate; it is reported as such, with both solvers required to agree.
A property that fails is reported with a counterexample found by bounded model
checking (shortest first).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from quod.backends.base import Limits, Sat, Unsat
from quod.backends.registry import get_solver
from quod.core import builder as B
from quod.core.evaluate import Undetermined, evaluate
from quod.core.model import Model
from quod.core.printer import to_smtlib
from quod.core.terms import Term
from quod.core.walk import substitute
from quod.kernel.invariant import (
    Answer,
    Certificate,
    CertificateCheck,
    TransitionSystem,
    Verdict,
    check_answers,
    check_exhaustive,
    obligations,
)
from quod.protocol.dsl import Protocol
from quod.protocol.errors import ProtocolError
from quod.protocol.symbolic import SymbolicModel, translate
from quod.protocol.symvalues import t_and, t_not


@dataclass
class ProofOptions:
    timeout: float = 60.0  # per solver call, seconds
    k_max: int = 4
    bmc_depth: int = 30
    spacer: bool = True
    solvers: tuple[str, ...] = ("z3", "cvc5")
    properties: Sequence[str] | None = None  # invariant names to prove (default: all)
    progress: Callable[[str], None] | None = None  # one-line progress messages


@dataclass
class ProofResult:
    model: str
    params: dict[str, Any]
    properties: list[str]
    status: str  # proved | violated | unknown
    method: str
    message: str
    invariant: str = ""  # SMT-LIB text of the certificate's invariant
    check: CertificateCheck | None = None
    certificate: Certificate | None = None
    counterexample: list[dict[str, Any]] = field(default_factory=list)
    attempts: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0
    variables: int = 0

    @property
    def proved(self) -> bool:
        return self.status == "proved"

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "model": self.model,
            "params": self.params,
            "properties": self.properties,
            "result": self.status,
            "method": self.method,
            "message": self.message,
            "state_variables": self.variables,
            "seconds": round(self.seconds, 3),
            "attempts": self.attempts,
        }
        if self.invariant:
            d["invariant"] = self.invariant
        if self.check is not None:
            d["kernel_check"] = {
                "verdict": self.check.verdict.value,
                "method": self.check.method,
                "obligations": summarize(self.check),
            }
        if self.counterexample:
            d["counterexample"] = self.counterexample
        return d


class Prover:
    def __init__(self, proto: Protocol, options: ProofOptions | None = None) -> None:
        self.proto = proto
        self.opts = options or ProofOptions()
        self.sm: SymbolicModel = translate(proto)
        names = list(self.sm.invariants)
        wanted = list(self.opts.properties) if self.opts.properties else names
        for w in wanted:
            if w not in self.sm.invariants:
                raise ProtocolError(
                    f"no invariant named '{w}' (have: {', '.join(names) or 'none'})", code="Q0710"
                )
        if not wanted:
            raise ProtocolError(f"{proto.name} has no @invariant to prove", code="Q0702")
        self.wanted = wanted
        # a path that leaves the finite universes sets the error flag: never allowed
        self.prop = t_and([*(self.sm.invariants[w] for w in wanted), t_not(self.sm.error)])
        self.ts = TransitionSystem(
            tuple(self.sm.variables), tuple(self.sm.primed), self.sm.init, self.sm.trans
        )
        self.timing: dict[str, float] = {}  # seconds per solver on certificate obligations

    def result(self, status: str, method: str, message: str, **kw: Any) -> ProofResult:
        return ProofResult(
            self.proto.name, dict(self.proto.param_values), self.wanted, status, method, message,
            variables=len(self.sm.variables), **kw,
        )  # fmt: skip

    def run(self) -> ProofResult:
        start = time.perf_counter()
        attempts: list[dict[str, Any]] = []
        res = self._run(attempts)
        res.attempts = attempts
        res.seconds = time.perf_counter() - start
        return res

    def _run(self, attempts: list[dict[str, Any]]) -> ProofResult:
        # 1. the model's own invariants
        inv = t_and([self.sm.type_ok, *self.sm.invariants.values(), t_not(self.sm.error)])
        cert = Certificate(self.ts, inv, self.prop)
        chk = self.discharge(cert)
        attempts.append(
            {
                "method": "user invariants",
                "verdict": chk.verdict.value,
                "solver_seconds": self._times(),
                **_failed(chk),
            }
        )
        if chk.ok:
            return self.result("proved", "inductive invariant (the model's invariants)",
                               "the invariants are inductive; kernel re-check passed",
                               invariant=to_smtlib(inv), check=chk, certificate=cert)  # fmt: skip
        init_bad = next(
            (o for o in chk.obligations if o.name == "initiation" and o.verdict is Verdict.REFUTED), None
        )
        if init_bad is not None:
            return self._violated(attempts)
        # 2. Spacer
        if self.opts.spacer:
            self._say("the invariants are not inductive; searching one with Spacer")
            found, inv2, note = spacer_invariant(self.sm, self.prop, self.opts.timeout)
            attempts.append({"method": "spacer", "outcome": note})
            if found is False:
                return self._violated(attempts)
            if inv2 is not None:
                inv2 = t_and([self.sm.type_ok, inv2])
                cert2 = Certificate(self.ts, inv2, self.prop)
                chk2 = self.discharge(cert2)
                attempts.append(
                    {
                        "method": "spacer invariant re-check",
                        "verdict": chk2.verdict.value,
                        "solver_seconds": self._times(),
                        **_failed(chk2),
                    }
                )
                if chk2.ok:
                    return self.result("proved", "inductive invariant (found by z3 Spacer)",
                                       "Spacer's invariant passed the kernel re-check",
                                       invariant=to_smtlib(inv2), check=chk2, certificate=cert2)  # fmt: skip
        # 3. k-induction
        for k in range(2, self.opts.k_max + 1):
            self._say(f"trying {k}-induction")
            outcome = self.k_induction(k)
            attempts.append({"method": f"{k}-induction", "outcome": outcome})
            if outcome == "base case fails":
                return self._violated(attempts)
            if outcome == "proved":
                return self.result("proved", f"{k}-induction",
                                   f"{k}-induction: base and step unsat by {', '.join(self.opts.solvers)} "
                                   "(no single-state certificate)")  # fmt: skip
        cti = self._cti(cert)
        msg = "no inductive strengthening found; strengthen the invariants (see the counterexample to induction)"
        return self.result("unknown", "none", msg, counterexample=cti)

    # --- discharging certificates -----------------------------------------------------------
    def discharge(self, cert: Certificate) -> CertificateCheck:
        """Answers from every solver on the kernel's obligations; the kernel decides."""
        exhaustive = check_exhaustive(cert, limit=1 << 12)
        if exhaustive.verdict is not Verdict.UNDECIDED:
            return exhaustive
        obs = obligations(cert)
        answers: dict[str, list[Answer]] = {ob.name: [] for ob in obs}
        refuted: set[str] = set()
        for name in self.opts.solvers:
            start = time.perf_counter()
            singles = [ob for ob in obs if not _is_piece(ob)]
            pieces = [ob for ob in obs if _is_piece(ob)]
            for ob in singles:
                if ob.name not in refuted:
                    self._record(answers, refuted, ob.name, name, self._solve(name, [ob.formula]))
            if pieces:
                # consecution pieces share inv and not-inv': assert those once, then one
                # scoped check per piece (the answer is for the piece's whole formula)
                inv, _, inv_next = pieces[0].formula.args
                solver = get_solver(
                    name, logic=_logic([pieces[0].formula]), limits=Limits(timeout=self.opts.timeout)
                )
                solver.add(inv, inv_next)
                for k, ob in enumerate(pieces, 1):
                    if self.opts.progress is not None and k % 200 == 0:
                        self.opts.progress(f"{name}: consecution query {k}/{len(pieces)}")
                    if ob.name in refuted:
                        continue
                    solver.push()
                    solver.add(ob.formula.args[1])
                    self._record(answers, refuted, ob.name, name, solver.check())
                    solver.pop()
            self.timing[name] = self.timing.get(name, 0.0) + time.perf_counter() - start
            if refuted:
                break  # a kernel-checked counterexample settles it; no need for the other solver
        return check_answers(cert, answers, required=self.opts.solvers)

    def _say(self, msg: str) -> None:
        if self.opts.progress is not None:
            self.opts.progress(msg)

    def _times(self) -> dict[str, float]:
        out = {k: round(v, 2) for k, v in self.timing.items()}
        self.timing = {}
        return out

    @staticmethod
    def _record(answers: dict[str, list[Answer]], refuted: set[str], ob: str, solver: str, r: Any) -> None:
        if isinstance(r, Sat):
            answers[ob].append(Answer(solver, "sat", r.model))
            refuted.add(ob)
        else:
            status = "unsat" if isinstance(r, Unsat) else "unknown"
            answers[ob].append(Answer(solver, status, reason=getattr(r, "reason", "")))

    def _solve(self, name: str, formulas: Sequence[Term]) -> Any:
        s = get_solver(name, logic=_logic(formulas), limits=Limits(timeout=self.opts.timeout))
        s.add(*formulas)
        return s.check()

    # --- k-induction and BMC --------------------------------------------------------------------
    def _copy(self, i: int) -> dict[Term, Term]:
        return {v: B.Const(f"{v.name}@{i}", v.sort) for v in self.sm.variables}

    def _step(self, i: int) -> Term:
        m = {
            **self._copy(i),
            **{
                p: B.Const(f"{v.name}@{i + 1}", v.sort)
                for v, p in zip(self.sm.variables, self.sm.primed, strict=True)
            },
        }
        return substitute(self.sm.trans, m)

    def _at(self, t: Term, i: int) -> Term:
        return substitute(t, self._copy(i))

    def k_induction(self, k: int) -> str:
        base = self.bmc(k - 1)
        if base is not None:
            return "base case fails"
        hyps = [self._at(t_and([self.sm.type_ok, self.prop]), i) for i in range(k)]
        steps = [self._step(i) for i in range(k)]
        goal = t_not(self._at(self.prop, k))
        verdicts = [self._solve(n, [*hyps, *steps, goal]) for n in self.opts.solvers]
        if all(isinstance(r, Unsat) for r in verdicts):
            return "proved"
        return "step case not proved" if any(isinstance(r, Sat) for r in verdicts) else "solver gave up"

    def bmc(self, depth: int) -> list[dict[str, Any]] | None:
        """A shortest counterexample of length <= depth, or None."""
        for d in range(depth + 1):
            formulas = [
                self._at(self.sm.init, 0),
                *(self._step(i) for i in range(d)),
                t_not(self._at(self.prop, d)),
            ]
            r = self._solve(self.opts.solvers[0], formulas)
            if isinstance(r, Sat):
                return self._decode_trace(r.model, d)
        return None

    def _decode_trace(self, model: Model, d: int) -> list[dict[str, Any]]:
        trace = []
        for i in range(d + 1):
            values = self._values(model, self._copy(i))
            step: dict[str, Any] = {
                "action": "init" if i == 0 else self._which_action(model, i - 1),
                "state": self.sm.decode(values),
            }
            trace.append(step)
        return trace

    def _values(self, model: Model, copy: dict[Term, Term]) -> dict[Term, Any]:
        out = {}
        for v, c in copy.items():
            try:
                out[v] = evaluate(c, model, complete=True)
            except Undetermined:
                out[v] = None
        return out

    def _which_action(self, model: Model, i: int) -> str:
        m = {
            **self._copy(i),
            **{
                p: B.Const(f"{v.name}@{i + 1}", v.sort)
                for v, p in zip(self.sm.variables, self.sm.primed, strict=True)
            },
        }
        for name, t in self.sm.actions.items():
            try:
                if evaluate(substitute(t, m), model, complete=True) is True:
                    return name
            except Undetermined:
                continue
        return "?"

    def _violated(self, attempts: list[dict[str, Any]]) -> ProofResult:
        trace = self.bmc(self.opts.bmc_depth)
        if trace is None:
            return self.result(
                "unknown",
                "bmc",
                f"the property looks violable but no counterexample of length <= {self.opts.bmc_depth} was found",
            )
        return self.result("violated", "bounded model checking",
                           f"counterexample of length {len(trace) - 1}", counterexample=trace)  # fmt: skip

    def _cti(self, cert: Certificate) -> list[dict[str, Any]]:
        """A counterexample to induction for the model's invariants, for the user to read."""
        cons = next(o for o in obligations(cert, split=False) if o.name == "consecution")
        r = self._solve(self.opts.solvers[0], [cons.formula])
        if not isinstance(r, Sat):
            return []
        pre = self._values(r.model, {v: v for v in self.sm.variables})
        post = self._values(r.model, dict(zip(self.sm.variables, self.sm.primed, strict=True)))
        broken = []
        for name, t in self.sm.invariants.items():
            try:
                if (
                    evaluate(
                        substitute(t, dict(zip(self.sm.variables, self.sm.primed, strict=True))),
                        r.model,
                        complete=True,
                    )
                    is False
                ):
                    broken.append(name)
            except Undetermined:
                pass
        return [
            {"action": "(any state satisfying the invariants)", "state": self.sm.decode(pre)},
            {"action": "step breaking: " + ", ".join(broken), "state": self.sm.decode(post)},
        ]


def _is_piece(ob: Any) -> bool:
    f = ob.formula
    return bool(ob.name.startswith("consecution[") and f.op.value == "and" and len(f.args) == 3)


def _logic(formulas: Sequence[Term]) -> str:
    """QF_LIA when the formulas stay in linear integer arithmetic (helps cvc5), else ALL."""
    from quod.core.ops import Op
    from quod.core.walk import post_order

    for t in post_order(formulas, into_binders=False):
        if t.op in (Op.IDIV, Op.MOD) or (t.op is Op.MUL and sum(1 for a in t.args if not a.is_const) > 1):
            return "ALL"
        if not (t.sort.is_bool or t.sort.is_int):
            return "ALL"
    return "QF_LIA"


def _failed(chk: CertificateCheck) -> dict[str, Any]:
    # when a counterexample refutes the certificate, the other solver is not asked: list the refutations
    worst = Verdict.REFUTED if chk.verdict is Verdict.REFUTED else Verdict.UNDECIDED
    bad = [f"{o.name}: {o.detail}" for o in chk.obligations if o.verdict is worst]
    if len(bad) > 5:
        bad = [*bad[:5], f"... and {len(bad) - 5} more"]
    return {"failed_obligations": bad} if bad else {}


def summarize(chk: CertificateCheck) -> list[dict[str, Any]]:
    """Obligations grouped by kind (consecution comes in one piece per transition kind)."""
    groups: dict[str, list[Any]] = {}
    for o in chk.obligations:
        groups.setdefault(o.name.split("[")[0], []).append(o)
    out = []
    for name, obs in groups.items():
        bad = [o for o in obs if o.verdict is not Verdict.CHECKED]
        verdict = (bad[0].verdict if bad else Verdict.CHECKED).value
        detail = bad[0].detail if bad else obs[0].detail
        entry: dict[str, Any] = {"name": name, "verdict": verdict, "pieces": len(obs), "detail": detail}
        if bad:
            entry["failed_pieces"] = [o.name for o in bad[:10]]
        out.append(entry)
    return out


# --- Spacer -------------------------------------------------------------------------------------


def spacer_invariant(sm: SymbolicModel, prop: Term, timeout: float) -> tuple[bool | None, Term | None, str]:
    """(True, inv, note) if Spacer proves prop; (False, None, note) if it refutes it;
    (None, None, note) if it gives up."""
    import z3

    text = chc_text(sm, prop)
    ctx = z3.Context()
    s = z3.SolverFor("HORN", ctx=ctx)
    s.set("timeout", int(timeout * 1000))
    try:
        s.from_string(text)
        r = s.check()
    except z3.Z3Exception as e:
        return None, None, f"z3 error: {e}"
    if r == z3.unsat:
        return False, None, "property violated (CHC unsatisfiable)"
    if r != z3.sat:
        return None, None, f"gave up: {s.reason_unknown()}"
    m = s.model()
    inv_decl = next((d for d in m.decls() if d.name() == "Inv"), None)
    if inv_decl is None:
        return None, None, "no interpretation for Inv in Spacer's model"
    zvars = [_z3_var(z3, v, ctx) for v in sm.variables]
    interp = m[inv_decl]
    body = interp.else_value() if isinstance(interp, z3.FuncInterp) else interp
    if isinstance(interp, z3.FuncInterp) and interp.num_entries() > 0:
        return None, None, "Spacer's invariant has table entries (not supported)"
    # the body refers to Inv's arguments as Var(i); the kernel re-check below guards the reading
    expr = z3.substitute_vars(body, *zvars)
    try:
        inv = from_z3(z3, expr, {v.name: v for v in sm.variables})
    except ProtocolError as e:
        return None, None, f"could not read Spacer's invariant: {e.message}"
    return True, inv, "invariant found"


def _z3_var(z3: Any, v: Term, ctx: Any) -> Any:
    if v.sort.is_bool:
        return z3.Bool(v.name, ctx)
    return z3.Int(v.name, ctx)


def chc_text(sm: SymbolicModel, prop: Term) -> str:
    from quod.core.printer import quote_symbol

    def binders(vs: Sequence[Term]) -> str:
        return " ".join(f"({quote_symbol(v.name)} {v.sort})" for v in vs)

    xs = " ".join(quote_symbol(v.name) for v in sm.variables)
    ps = " ".join(quote_symbol(v.name) for v in sm.primed)
    sorts = " ".join(str(v.sort) for v in sm.variables)
    lines = [
        "(set-logic HORN)",
        f"(declare-fun Inv ({sorts}) Bool)",
        f"(assert (forall ({binders(sm.variables)}) (=> (and {to_smtlib(sm.init)} {to_smtlib(sm.type_ok)}) (Inv {xs}))))",
        f"(assert (forall ({binders(sm.variables)} {binders(sm.primed)}) "
        f"(=> (and (Inv {xs}) {to_smtlib(sm.type_ok)} {to_smtlib(sm.trans)}) (Inv {ps}))))",
        f"(assert (forall ({binders(sm.variables)}) (=> (and (Inv {xs}) {to_smtlib(sm.type_ok)} (not {to_smtlib(prop)})) false)))",
    ]
    return "\n".join(lines)


def from_z3(z3: Any, e: Any, names: dict[str, Term]) -> Term:
    """A core term for a quantifier-free z3 Bool/Int expression over the state variables."""
    cache: dict[int, Term] = {}
    stack = [(e, False)]
    while stack:
        x, done = stack.pop()
        key = x.get_id()
        if key in cache:
            continue
        kids = x.children()
        if not done and kids:
            stack.append((x, True))
            stack.extend((c, False) for c in kids)
            continue
        cache[key] = _convert(z3, x, [cache[c.get_id()] for c in kids], names)
    return cache[e.get_id()]


def _convert(z3: Any, x: Any, a: list[Term], names: dict[str, Term]) -> Term:
    k = x.decl().kind()
    simple = {
        z3.Z3_OP_AND: lambda: B.And(a) if a else B.BoolVal(True),
        z3.Z3_OP_OR: lambda: B.Or(a) if a else B.BoolVal(False),
        z3.Z3_OP_NOT: lambda: B.Not(a[0]),
        z3.Z3_OP_IMPLIES: lambda: B.Implies(a[0], a[1]),
        z3.Z3_OP_EQ: lambda: B.Eq(a[0], a[1]),
        z3.Z3_OP_DISTINCT: lambda: B.Distinct(a),
        z3.Z3_OP_ITE: lambda: B.Ite(a[0], a[1], a[2]),
        z3.Z3_OP_LE: lambda: a[0] <= a[1],
        z3.Z3_OP_LT: lambda: a[0] < a[1],
        z3.Z3_OP_GE: lambda: a[0] >= a[1],
        z3.Z3_OP_GT: lambda: a[0] > a[1],
        z3.Z3_OP_ADD: lambda: B.Sum(a),
        z3.Z3_OP_MUL: lambda: B.Product(a),
        z3.Z3_OP_SUB: lambda: a[0] - a[1] if len(a) == 2 else B.Sum([a[0], *(-t for t in a[1:])]),
        z3.Z3_OP_UMINUS: lambda: -a[0],
        z3.Z3_OP_IDIV: lambda: a[0] / a[1],
        z3.Z3_OP_MOD: lambda: a[0] % a[1],
        z3.Z3_OP_TRUE: lambda: B.BoolVal(True),
        z3.Z3_OP_FALSE: lambda: B.BoolVal(False),
        z3.Z3_OP_XOR: lambda: B.Xor(a[0], a[1]),
    }
    if k in simple:
        return simple[k]()
    if k == z3.Z3_OP_ANUM and z3.is_int_value(x):
        return B.IntVal(x.as_long())
    if k == z3.Z3_OP_UNINTERPRETED and not a:
        name = x.decl().name()
        if name in names:
            return names[name]
    raise ProtocolError(f"unsupported z3 operator in invariant: {x.decl()}", code="Q0704")


def prove(proto: Protocol, options: ProofOptions | None = None) -> ProofResult:
    """Prove the model's invariants for all reachable states (unbounded), or refute them."""
    return Prover(proto, options).run()


__all__ = [
    "ProofOptions",
    "ProofResult",
    "Prover",
    "certificate_smtlib",
    "chc_text",
    "from_z3",
    "prove",
    "spacer_invariant",
]


def certificate_smtlib(cert: Certificate) -> str:
    """The certificate's obligations as an SMT-LIB script; every check-sat must answer unsat."""
    from quod.core.printer import quote_symbol

    ts = cert.system
    lines = ["; quod protocol invariant certificate: each (check-sat) below must be unsat", "(set-logic ALL)"]
    for v in (*ts.variables, *ts.primed):
        lines.append(f"(declare-const {quote_symbol(v.name)} {v.sort})")
    lines.append(f"(define-fun init () Bool {to_smtlib(ts.init)})")
    lines.append(f"(define-fun inv () Bool {to_smtlib(cert.invariant)})")
    lines.append(f"(define-fun prop () Bool {to_smtlib(cert.property)})")
    for ob in obligations(cert):
        lines += [
            f"; {ob.name}: {ob.description}",
            "(push 1)",
            f"(assert {to_smtlib(ob.formula)})",
            "(check-sat)",
            "(pop 1)",
        ]
    return "\n".join(lines) + "\n"
