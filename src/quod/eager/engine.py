"""The eager engine: formula -> one CNF -> SAT solver -> checked model.

Pipeline: translate (problem.py) -> top-level units and polarities ->
components and domains (analysis.py) -> simplify atoms fixed by the domains ->
choose an encoding per component -> CNF (encode.py, skeleton.py, symmetry.py)
-> SAT (quod.sat) -> decode integers (arbitrary size) and uninterpreted
functions -> the kernel evaluates the ORIGINAL assertions under the model.

Determinism: the CNF depends only on the assertions and the options (no
hashing of terms, no set iteration), so `EncodedProblem.cnf.sha256()` is
reproducible; `ENCODER_VERSION` names the encoder for certificate bundles.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from quod.core.errors import QuodError, register_codes
from quod.core.model import FuncInterp, Model
from quod.core.terms import Term
from quod.eager.analysis import (
    NEG,
    POS,
    Component,
    atom_polarity,
    components,
    derive_bounds,
    implied_truth,
    polarities,
    small_model_bounds,
    top_level,
    unit_atom_truths,
)
from quod.eager.circuit import Circuit
from quod.eager.encode import ArithEncoder
from quod.eager.lazy import OrderGraph, build_graph, lazy_solve
from quod.eager.lemmas import add_lemmas
from quod.eager.ordering import OrderingPlan, plan_ordering, reconstruct
from quod.eager.precedence import Disjunction, add_order_clauses, find_disjunctions, tighten
from quod.eager.problem import AND, ATOM, BVAR, ITE, LE, TRUE_NODE, XOR, Atom, LinExpr, Problem, Translator
from quod.eager.scheduling import SchedulingPlan, assign_machines, encode_scheduling, find_scheduling
from quod.eager.skeleton import SkeletonEncoder
from quod.eager.symmetry import break_value_symmetry, equality_classes
from quod.kernel.model import check_model
from quod.sat.cnf import Cnf
from quod.sat.solvers import PYSAT_NAMES, Proof, SatResult, call_in_child, get_sat_solver

ENCODER_VERSION = "quod-eager-3"
ENCODINGS = ("auto", "order", "bits")

register_codes({"Q0411": "invalid eager engine option"})


@dataclass
class EagerOptions:
    encoding: str = "auto"  # auto | order | bits
    sat_solver: str = "cadical195"
    symmetry: bool = True
    proof: bool = False
    capacity: bool = True  # implied capacity constraints for scheduling resources (resources.py)
    energy: bool = True  # energetic reasoning on those resources before search (energy.py)
    machines: bool = True  # identical machines: capacity + colouring instead of pair clauses
    ordering: bool = True  # elimination + weight abstraction for pure ordering components
    lemmas: bool = False  # difference-logic chain/triangle lemmas (measured: no gain on job-shop)
    # pure ordering components by the lazy cycle-lemma loop (lazy.py) unless a proof is requested
    lazy: bool = True
    # implied orientations of disjunctive pairs + bound propagation before encoding (precedence.py)
    tighten: bool = True
    # shaving probes after tightening (a probe count, not seconds: the CNF must be reproducible)
    shave: int = 2000
    # exclusion and transitivity clauses over disjunctive precedence literals (precedence.py)
    transitivity: bool = True
    # auto picks the order encoding for a component when its estimated clause count is below this
    order_limit: int = 3_000_000

    def validate(self) -> None:
        if self.encoding not in ENCODINGS:
            raise QuodError(f"unknown encoding '{self.encoding}' (use {', '.join(ENCODINGS)})", code="Q0411")

    def describe(self) -> str:
        return (
            f"encoding={self.encoding} symmetry={int(self.symmetry)} capacity={int(self.capacity)} "
            f"energy={int(self.energy)} machines={int(self.machines)} "
            f"ordering={int(self.ordering)} "
            f"lemmas={int(self.lemmas)} lazy={int(self.lazy)} "
            f"tighten={int(self.tighten)} shave={self.shave} transitivity={int(self.transitivity)} "
            f"order_limit={self.order_limit}"
        )


@dataclass
class EncodedProblem:
    cnf: Cnf
    problem: Problem
    translator: Translator
    enc: ArithEncoder
    skel: SkeletonEncoder
    assumption_lits: list[int]
    stats: dict[str, Any] = field(default_factory=dict)
    plans: list[OrderingPlan] = field(default_factory=list)
    atom_lits: dict[int, int] = field(default_factory=dict)
    units: dict[int, bool] = field(default_factory=dict)
    apol: dict[int, int] = field(default_factory=dict)
    graph: OrderGraph | None = None  # lazily solved ordering components
    sched: SchedulingPlan = field(default_factory=SchedulingPlan)


@dataclass
class EagerResult:
    status: str  # sat | unsat | unknown
    model: Model | None = None
    proof: Proof | None = None
    cnf: Cnf | None = None  # the encoded CNF, kept when a proof was requested
    cnf_sha256: str = ""
    core: list[Term] | None = None
    reason: str = ""
    stats: dict[str, Any] = field(default_factory=dict)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building millions of small objects.

    The encoder makes no reference cycles worth collecting, but generation-0
    collections triggered by the allocations cost about as much as the
    encoding itself (measured: 2x on 2 MB files). Reference counting still
    frees everything.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def encode(
    assertions: Sequence[Term],
    options: EagerOptions | None = None,
    assumptions: Sequence[Term] = (),
    lazy: bool = False,
    stop_on_overload: bool = False,
) -> EncodedProblem:
    """Translate and encode; raises UnsupportedError for constructs outside the fragment.

    `lazy`: pure ordering components get plain atom variables and an `OrderGraph`
    for the lemma loop instead of an integer encoding (the CNF alone is then
    not equisatisfiable; `solve` runs the loop).
    `stop_on_overload`: when energetic reasoning refutes the formula
    (`ep.sched.overload`), stop with a CNF that is just "false".
    """
    with _gc_paused():
        return _encode(assertions, options, assumptions, lazy, stop_on_overload)


def _encode(
    assertions: Sequence[Term],
    options: EagerOptions | None,
    assumptions: Sequence[Term],
    lazy: bool,
    stop_on_overload: bool,
) -> EncodedProblem:
    opts = options or EagerOptions()
    opts.validate()
    t0, c0 = time.perf_counter(), time.process_time()
    tr = Translator()
    for a in assertions:
        tr.assert_term(a)
    assume_refs = [tr.bool_ref(a) for a in assumptions]
    tr.flush_side()
    p = tr.p
    t1, c1 = time.perf_counter(), time.process_time()
    roots = top_level(p)
    pol = polarities(p, roots + assume_refs)
    apol = atom_polarity(p, pol)
    live = sorted(apol)
    units = unit_atom_truths(p, roots)
    comps = components(p, live)
    cnf = Cnf()
    cnf.comments.append(f"{ENCODER_VERSION} {opts.describe()}")
    circuit = Circuit(cnf)
    enc = ArithEncoder(cnf, circuit)
    stats: dict[str, Any] = {"int_vars": len(p.int_names), "atoms": len(live), "components": len(comps)}
    plans: list[OrderingPlan] = []
    layout = _assign_domains(p, comps, units, apol, opts, stats, plans, lazy)
    kinds = [choice for choice, _ in layout]
    sched = (
        find_scheduling(p, roots, units, comps, energy=opts.energy) if opts.capacity or opts.energy else None
    )
    disj = find_disjunctions(p, roots) if opts.tighten or opts.transitivity else []
    # after the energetic check, so that its refutations rest on the formula's own bound
    # chains only (what the kernel's energy certificates re-derive)
    if opts.tighten and disj and (sched is None or sched.overload is None):
        units = _tighten(p, comps, disj, units, stats, opts.shave)
    if sched is not None and sched.overload is not None and stop_on_overload:
        cnf.clauses.append([circuit.false])
        stats.update(vars=cnf.num_vars, clauses=len(cnf.clauses), translate_time=t1 - t0,
                     encode_time=time.perf_counter() - t0, translate_cpu=c1 - c0,
                     encode_cpu=time.process_time() - c0)  # fmt: skip
        stats.update(sched.stats)
        skel = SkeletonEncoder(p, circuit, pol, {})
        return EncodedProblem(cnf, p, tr, enc, skel, [], stats, plans, {}, units, apol, None, sched)
    _create_variables(comps, layout, enc, stats)
    if sched is None:
        sched = SchedulingPlan()
    elif opts.capacity:
        encode_scheduling(sched, p, roots, units, comps, enc, machines=opts.machines and not assume_refs,
                          budget=500_000)  # fmt: skip
    stats.update(sched.stats)
    atom_lits, fixed = _encode_atoms(p, comps, units, apol, enc, plans, lazy, sched.dropped_atoms)
    stats["atoms_fixed_by_domains"] = len(fixed)
    if opts.transitivity and disj:
        derived = {v for comp in comps if comp.domain_kind == "derived" for v in comp.vars}
        mine = [d for d in disj if all(v in derived for v in d.lits[0][:2])]
        stats.update(add_order_clauses(cnf, mine, atom_lits, budget=max(200_000, len(cnf.clauses))))
    if opts.symmetry:
        pinned = {comp.ref for comp in comps if comp.ref >= 0}
        # every atom not decided by the domains constrains its variables (units included)
        still = [a for a in live if a not in fixed and a not in sched.dropped_atoms]
        classes = equality_classes(p, still, enc, pinned)
        stats["symmetry_classes"] = len(classes)
        stats["symmetry_clauses"] = sum(break_value_symmetry(enc, cls) for cls in classes)
    if opts.lemmas:
        stats.update(add_lemmas(p, atom_lits, circuit, budget=max(200_000, 2 * len(cnf.clauses))))
    skel = SkeletonEncoder(p, circuit, pol, atom_lits)
    for r in roots:
        if r not in sched.dropped_roots:
            skel.assert_root(r)
    assume_lits = [skel.lit(r) for r in assume_refs]
    stats.update(
        encoding=",".join(sorted(set(kinds))) or "none",
        vars=cnf.num_vars,
        clauses=len(cnf.clauses),
        translate_time=t1 - t0,
        encode_time=time.perf_counter() - t0,
        translate_cpu=c1 - c0,
        encode_cpu=time.process_time() - c0,
    )
    graph = build_graph(p, plans, apol, atom_lits) if lazy and plans else None
    return EncodedProblem(cnf, p, tr, enc, skel, assume_lits, stats, plans, atom_lits, units, apol, graph,
                          sched)  # fmt: skip


def _tighten(
    p: Problem,
    comps: list[Component],
    disj: list[Disjunction],
    units: dict[int, bool],
    stats: dict[str, Any],
    shave: int,
) -> dict[int, bool]:
    """Tighter derived domains and the implied orientations as extra units (precedence.py).

    On a contradiction the derived domains are kept as they were: the full CNF is
    then refuted by the SAT solver (with a proof when one is asked for), and `solve`
    without a proof request answers unsat from the flag alone.
    """
    t0 = time.perf_counter()
    tg = tighten(p, comps, disj, units, shave=shave)
    stats.update(tg.stats, tighten_time=round(time.perf_counter() - t0, 4))
    if tg.contradiction:
        stats["tighten_refuted"] = 1
        return units
    for comp in comps:
        if comp.domain_kind == "derived":
            for v in comp.vars:
                comp.lo[v], comp.hi[v] = tg.lo[v], tg.hi[v]
    return {**units, **tg.implied}


def _assign_domains(
    p: Problem,
    comps: list[Component],
    units: dict[int, bool],
    apol: dict[int, int],
    opts: EagerOptions,
    stats: dict[str, Any],
    plans: list[OrderingPlan],
    lazy: bool,
) -> list[tuple[str, list[int]]]:
    """Domains per component and the encoding chosen for its variables (nothing encoded yet)."""
    layout: list[tuple[str, list[int]]] = []
    kinds: list[str] = []
    for comp in comps:
        variables = comp.vars
        if not derive_bounds(p, comp, units):
            plan = plan_ordering(p, comp, units, apol) if opts.ordering else None
            if plan is not None:
                plans.append(plan)
                stats["ordering_eliminated"] = stats.get("ordering_eliminated", 0) + plan.eliminated
                if lazy:
                    comp.domain_kind = "ordering"
                    kinds.append("lazy/ordering")
                    layout.append(("lazy", []))
                    continue
                variables = plan.keep
                bound = min(len(plan.keep) - 1, len(plan.atoms) + len(plan.unit_edges))
                for v in variables:
                    comp.lo[v], comp.hi[v] = 0, max(0, bound)
                comp.domain_kind = "ordering"
            else:
                small_model_bounds(p, comp, apol)
        choice = _choose(p, comp, opts, variables)
        kinds.append(f"{choice}/{comp.domain_kind}")
        layout.append((choice, variables))
    stats["domains"] = sorted(set(kinds))
    return layout


def _create_variables(
    comps: list[Component], layout: list[tuple[str, list[int]]], enc: ArithEncoder, stats: dict[str, Any]
) -> None:
    widths: list[int] = []
    for comp, (choice, variables) in zip(comps, layout):
        for v in variables:
            lo, hi = comp.lo[v], comp.hi[v]
            if choice == "order":
                enc.order_var(v, lo, hi)
            else:
                enc.bits_var(v, lo, hi)
                widths.append((hi - lo).bit_length())
    stats["max_width"] = max(widths, default=0)


def _choose(p: Problem, comp: Component, opts: EagerOptions, variables: list[int]) -> str:
    two_vars = all(len(p.atoms[a].vars) <= 2 for a in comp.atoms)
    if not two_vars:
        return "bits"
    if opts.encoding == "bits":
        return "bits"
    size = sum(comp.hi[v] - comp.lo[v] for v in variables)
    est = size + sum(
        min(comp.hi[v] - comp.lo[v] + 1 for v in p.atoms[a].vars)
        for a in comp.atoms
        if len(p.atoms[a].vars) == 2 and all(v in comp.lo for v in p.atoms[a].vars)
    )
    if opts.encoding == "order":
        return "order" if size < 50_000_000 else "bits"
    return "order" if est <= opts.order_limit else "bits"


def _encode_atoms(
    p: Problem,
    comps: list[Component],
    units: dict[int, bool],
    apol: dict[int, int],
    enc: ArithEncoder,
    plans: list[OrderingPlan],
    lazy: bool,
    dropped: set[int],
) -> tuple[dict[int, int], set[int]]:
    lits: dict[int, int] = {}
    fixed: set[int] = set()
    c = enc.c
    planned = {id(plan.comp): plan for plan in plans}
    for comp in comps:
        plan = planned.get(id(comp))
        if plan is not None and lazy:
            for a in comp.atoms:
                lits[a] = c.const(units[a]) if a in units else c.cnf.new_var()
            continue
        if plan is not None:
            _encode_plan(plan, units, apol, enc, lits)
            continue
        for a in comp.atoms:
            if a in dropped:
                continue
            at = p.atoms[a]
            truth = implied_truth(at, comp.lo, comp.hi)
            if truth is not None:
                # the domain already decides the atom (e.g. the bounds it was derived from)
                fixed.add(a)
                lits[a] = c.const(truth)
                if a in units and units[a] != truth:
                    c.cnf.clauses.append([c.false])
                continue
            lits[a] = enc.atom_literal(at, apol[a], units.get(a))
    return lits, fixed


def _encode_plan(
    plan: OrderingPlan, units: dict[int, bool], apol: dict[int, int], enc: ArithEncoder, lits: dict[int, int]
) -> None:
    c = enc.c
    for a in plan.comp.atoms:
        if a in units:
            lits[a] = c.const(units[a])  # enforced through the (abstracted) unit edges below
    for y, x, w in plan.unit_edges:
        vs, cs = ((x, y), (1, -1)) if x < y else ((y, x), (-1, 1))
        at = Atom(LE, vs, cs, w) if cs[0] == 1 else Atom(LE, vs, (1, -1), -w - 1)
        enc.atom_literal(at, POS, cs[0] == 1)
    for a, abstract in plan.atoms:
        lits[a] = enc.atom_literal(abstract, apol[a], None)


def solve(
    assertions: Sequence[Term],
    options: EagerOptions | None = None,
    *,
    timeout: float | None = None,
    assumptions: Sequence[Term] = (),
) -> EagerResult:
    """Decide the conjunction of `assertions` (and `assumptions`); sat models are kernel-checked."""
    opts = options or EagerOptions()
    start = time.perf_counter()
    quick = not opts.proof  # lazy mode and energetic refutations give no SAT proof
    ep = encode(assertions, opts, assumptions, lazy=opts.lazy and quick, stop_on_overload=quick)
    stats = dict(ep.stats)
    if ep.sched.overload is not None and quick:
        stats["refuted_by"] = "energetic reasoning"
        return EagerResult("unsat", core=[] if assumptions else None, stats=stats)
    if stats.get("tighten_refuted") and quick:
        stats["refuted_by"] = "precedence propagation"
        return EagerResult("unsat", core=[] if assumptions else None, stats=stats)
    remaining = None if timeout is None else max(0.0, timeout - (time.perf_counter() - start))
    if remaining is not None and remaining <= 0:
        return EagerResult("unknown", reason="timeout during encoding", stats=stats)
    if ep.graph is not None:
        res = _solve_lazy(ep, opts, remaining)
    else:
        solver = get_sat_solver(opts.sat_solver)
        res = solver.solve(ep.cnf, timeout=remaining, assumptions=ep.assumption_lits, proof=opts.proof)
    stats.update(sat_solver=res.solver, sat_time=res.time, **res.stats)
    digest = ep.cnf.sha256() if opts.proof else ""
    if res.status == "unsat":
        core = None
        if assumptions:
            core_lits = set(res.core or [])
            core = [a for a, lit in zip(assumptions, ep.assumption_lits) if lit in core_lits]
        kept = ep.cnf if opts.proof else None
        return EagerResult("unsat", proof=res.proof, cnf=kept, cnf_sha256=digest, core=core, stats=stats)
    if res.status != "sat":
        return EagerResult("unknown", reason=res.reason, stats=stats)
    assert res.model is not None
    model = decode(ep, res.model)
    check = check_model(list(assertions) + list(assumptions), model)
    stats["model_check"] = check.verdict.value
    if not check.ok:
        return EagerResult("unknown", model=model, reason=f"model rejected by the kernel: {check.reason}",
                           stats=stats)  # fmt: skip
    return EagerResult("sat", model=model, cnf_sha256=digest, stats=stats)


def _solve_lazy(ep: EncodedProblem, opts: EagerOptions, timeout: float | None) -> SatResult:
    """The lemma loop in a child process (PySAT's CaDiCaL cannot be interrupted)."""
    assert ep.graph is not None
    graph = ep.graph
    # the loop adds clauses between calls: it needs an incremental PySAT solver
    name = (
        opts.sat_solver if opts.sat_solver in PYSAT_NAMES and opts.sat_solver != "kissat404" else "cadical195"
    )
    get_sat_solver(name)
    t0 = time.perf_counter()
    ok, out = call_in_child(
        lambda: lazy_solve(ep.cnf.clauses, ep.cnf.num_vars, graph, name, ep.assumption_lits), timeout
    )
    elapsed = time.perf_counter() - t0
    label = f"{name}+lazy"
    if not ok:
        return SatResult("unknown", label, elapsed, reason=str(out))
    return SatResult(out.status, label, elapsed, model=out.model, core=out.core, reason=out.reason,
                     stats=out.stats)  # fmt: skip


def decode(ep: EncodedProblem, sat_model: list[bool]) -> Model:
    """Integer and Boolean values of the original constants, plus UF tables."""
    p, enc = ep.problem, ep.enc
    ints = [enc.value(x, sat_model) if x in enc.codes else 0 for x in range(len(p.int_names))]
    for plan in ep.plans:
        values = _reconstruct_plan(ep, plan, sat_model)
        for v in plan.comp.vars:
            ints[v] = values.get(v, 0)
    assign_machines(ep.sched, enc, ints)
    bools = [False] * len(p.bool_names)
    for b, lit in ep.skel.bool_lit.items():
        bools[b] = sat_model[lit] if lit > 0 else not sat_model[-lit]
    model = Model()
    for x, t in enumerate(p.int_terms):
        if t is not None:
            model.consts[t] = ints[x]
    for b, t in enumerate(p.bool_terms):
        if t is not None:
            model.consts[t] = bools[b]
    if p.uf_apps:
        ev = _Evaluator(p, ints, bools)
        for app in p.uf_apps:
            interp = model.funcs.get(app.decl)
            args = tuple(ev.ref(a) if isinstance(a, int) else ev.lin(a) for a in app.args)
            val: Any = bools[p.args[app.result][0]] if app.decl.range.is_bool else ints[app.result]
            if interp is None:
                interp = FuncInterp(app.decl, default=val)
                model.funcs[app.decl] = interp
            interp.add(args, val)
    return model


def _reconstruct_plan(ep: EncodedProblem, plan: OrderingPlan, sat_model: list[bool]) -> dict[int, int]:
    """Integer values for an abstracted component from the atoms the SAT model makes true."""
    p = ep.problem
    edges: list[tuple[int, int, int]] = []
    for a in plan.comp.atoms:
        at = p.atoms[a]
        truth = ep.units.get(a)
        if truth is None:
            lit = ep.atom_lits[a]
            val = sat_model[lit] if lit > 0 else not sat_model[-lit]
            pol = ep.apol[a]
            # only what the polarity encoding enforced is known to be consistent
            truth = True if (val and pol & POS) else False if (not val and pol & NEG) else None
            if truth is None:
                continue
        x, y = at.vars
        edges.append((y, x, at.bound) if truth else (x, y, -at.bound - 1))
    values = reconstruct(edges, plan.comp.vars)
    if values is None:  # would mean the abstraction was wrong; the kernel check reports it
        return {}
    return values


class _Evaluator:
    """Exact values of skeleton nodes under integer and Boolean values."""

    def __init__(self, p: Problem, ints: list[int], bools: list[bool]) -> None:
        self.p, self.ints, self.bools = p, ints, bools
        self.memo: dict[int, bool] = {}

    def lin(self, e: LinExpr) -> int:
        return e[1] + sum(c * self.ints[v] for v, c in e[0].items())

    def ref(self, r: int) -> bool:
        v = self._node(abs(r))
        return v if r > 0 else not v

    def _node(self, root: int) -> bool:
        p = self.p
        stack = [root]
        while stack:
            n = stack[-1]
            if n in self.memo:
                stack.pop()
                continue
            kind = p.kinds[n]
            kids = [abs(a) for a in p.args[n] if abs(a) not in self.memo] if kind >= AND else []
            if kids:
                stack.extend(kids)
                continue
            stack.pop()
            self.memo[n] = self._value(n, kind)
        return self.memo[root]

    def _value(self, n: int, kind: int) -> bool:
        p, a = self.p, self.p.args[n]
        if kind == TRUE_NODE:
            return True
        if kind == BVAR:
            return self.bools[a[0]]
        if kind == ATOM:
            at = p.atoms[a[0]]
            s = sum(c * self.ints[v] for v, c in zip(at.vars, at.coefs))
            return s <= at.bound if at.kind == LE else s == at.bound
        vals = [self.memo[abs(x)] if x > 0 else not self.memo[abs(x)] for x in a]
        if kind == AND:
            return all(vals)
        if kind == XOR:
            return vals[0] != vals[1]
        assert kind == ITE
        return vals[1] if vals[0] else vals[2]


__all__ = ["ENCODER_VERSION", "EagerOptions", "EagerResult", "EncodedProblem", "decode", "encode", "solve"]
_ = (POS, NEG, ATOM)
