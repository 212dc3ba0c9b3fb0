"""The driver: from a file to per-obligation results.

For each function: lower to the IVL, passify, generate the VC, add the
unfoldings of recursive pure functions, then decide every obligation with
the backend under its selector assumption. Results come from the cache when
the same query was decided before.
"""

from __future__ import annotations

import ast
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from quod.backends.base import Limits, Sat, Solver, Unsat
from quod.core.builder import IntVal
from quod.core.errors import QuodError
from quod.core.model import Model, default_value
from quod.core.terms import Term, var
from quod.verify.cache import ResultCache, cache_key
from quod.verify.errors import span_of
from quod.verify.execute import DataValue, decode, encode
from quod.verify.ivl import Obligation, Procedure, render
from quod.verify.localtypes import infer_local_types
from quod.verify.lower import Lowering
from quod.verify.passive import passify
from quod.verify.program import Function, Program, parse_program
from quod.verify.proxy import with_proxies
from quod.verify.pure import PureBuilder
from quod.verify.seqfacts import sequence_facts
from quod.verify.types import PyType, flat_types
from quod.verify.values import le, length
from quod.verify.wp import VC, generate

DEFAULT_RLIMIT = 10_000_000
PROBE_RLIMIT = 1_000_000
# a wall-clock backstop: some theories (strings with quantifiers) do not charge
# their work to the resource counter, so rlimit alone does not bound time
BACKSTOP_SECONDS = 30.0
PROBE_SECONDS = 5.0
SMALL_LENGTH = 4


@dataclass
class Options:
    backend: str = "z3"
    rlimit: int | None = DEFAULT_RLIMIT
    timeout: float | None = BACKSTOP_SECONDS
    seeds: int = 0
    fuel: int = 2
    functions: list[str] | None = None
    vacuity: bool = True
    execute: bool = True
    search: float = 2.0  # seconds of random-input search when a counterexample does not reproduce
    cache_path: Path | None = None
    progress: Callable[[str], None] | None = None
    show_ivl: bool = False


@dataclass
class ObResult:
    ob: Obligation
    status: str  # proved, failed, unknown; probes: vacuous, reachable, unknown
    time: float = 0.0
    rlimit: int | None = None
    counterexample: dict[str, Any] | None = None
    reason: str = ""
    cached: bool = False
    confirmation: str = ""  # filled by the execution check
    solver_counterexample: dict[str, Any] | None = None  # set when a searched input replaced it
    seed_statuses: list[str] = field(default_factory=list)
    seed_rlimits: list[int] = field(default_factory=list)
    model_checked: bool = True
    cpu: float = 0.0  # process CPU time of deciding it (wall time suffers on a loaded machine)

    @property
    def brittle(self) -> bool:
        if not self.seed_statuses:
            return False
        if any(s != self.status for s in self.seed_statuses):
            return True
        rl = [r for r in self.seed_rlimits if r > 0]
        return len(rl) > 1 and max(rl) > 10 * min(rl)


@dataclass
class FunctionResult:
    name: str
    fn: Function
    results: list[ObResult]
    time: float
    ivl: str = ""
    cpu: float = 0.0  # process CPU time, VC generation and solving (not execution, which runs in a child)
    # functions this one relies on (calls, transitively) that did not verify: its
    # own proof holds only relative to their contracts and definitions
    relies_on_failing: list[str] = field(default_factory=list)

    @property
    def verified(self) -> bool:
        return all(r.status == "proved" for r in self.results if not r.ob.probe)

    @property
    def failed(self) -> list[ObResult]:
        return [r for r in self.results if not r.ob.probe and r.status != "proved"]


@dataclass
class FileResult:
    file: str
    prog: Program
    functions: list[FunctionResult]
    time: float
    cache_hits: int = 0

    @property
    def verified(self) -> bool:
        return all(f.verified for f in self.functions)


def verify_file(path: str | Path, options: Options | None = None) -> FileResult:
    p = Path(path)
    try:
        source = p.read_text(encoding="utf-8")
    except OSError as e:
        raise QuodError(f"cannot read {p}: {e.strerror}", code="Q0002") from None
    return verify_source(source, str(path), options)


def verify_source(source: str, file: str, options: Options | None = None) -> FileResult:
    opts = options or Options()
    start = time.perf_counter()
    prog = parse_program(source, file)
    names = list(prog.functions)
    if opts.functions:
        missing = [n for n in opts.functions if n not in prog.functions]
        if missing:
            raise QuodError(f"no function named '{missing[0]}' in {file}", code="Q0607")
        # a proof relies on the contracts of the functions it calls and on the
        # definitions of pure functions (sound only if they terminate), so
        # those are verified too: a selected function is never "verified"
        # while something it relies on goes unchecked
        wanted = dependencies(prog, opts.functions)
        names = [n for n in names if n in wanted]
    builder = PureBuilder(prog)
    cache = ResultCache(opts.cache_path) if opts.cache_path is not None else None
    results = []
    try:
        for name in names:
            results.append(_verify_function(prog, prog.functions[name], builder, opts, cache))
    finally:
        hits = cache.hits if cache else 0
        if cache:
            cache.close()
    failing = {r.name for r in results if not r.verified}
    for r in results:
        r.relies_on_failing = sorted((dependencies(prog, [r.name]) - {r.name}) & failing)
    return FileResult(file, prog, results, time.perf_counter() - start, hits)


def dependencies(prog: Program, names: list[str]) -> set[str]:
    """`names` and every function they call, transitively (in code or in specs)."""
    seen = set(names)
    todo = list(names)
    while todo:
        for callee in prog.functions[todo.pop()].calls:
            if callee not in seen:
                seen.add(callee)
                todo.append(callee)
    return seen


def build_vcs(prog: Program, fn: Function, builder: PureBuilder, fuel: int) -> tuple[Procedure, list[VC]]:
    local_types = infer_local_types(prog, fn, builder.table)
    proc = Lowering(prog, fn, builder.table, local_types).run()
    passive = passify(proc)
    vcs = generate(passive)
    for vc in vcs:
        base = [*vc.defs, vc.goal]
        facts = sequence_facts(base)
        shallow = builder.unfold(base, min(fuel, 1))
        deep = builder.unfold(base, fuel) if fuel > 1 else shallow
        vc.has_recursive_functions = bool(deep)
        # sequence facts first (they are what quantified list properties need),
        # then plain unfoldings (the facts can distract the solver elsewhere)
        configs = [shallow + facts, deep + facts, shallow, deep]
        vc.configs = _dedupe(configs)
        if vc.has_recursive_functions:
            # first try unfolding only what the goal mentions: unfolding the
            # hypotheses' applications too often sends the solver astray
            for ob in vc.obligations:
                if ob.index in vc.conds:
                    vc.goal_configs[ob.index] = builder.unfold([vc.conds[ob.index]], min(fuel, 1)) + facts
    return proc, vcs


def _verify_function(
    prog: Program, fn: Function, builder: PureBuilder, opts: Options, cache: ResultCache | None
) -> FunctionResult:
    start, cpu0 = time.perf_counter(), time.process_time()
    proc, vcs = build_vcs(prog, fn, builder, opts.fuel)
    n = sum(1 for vc in vcs for o in vc.obligations if opts.vacuity or not o.probe)
    if opts.progress:
        opts.progress(f"{fn.name}: {n} obligations")
    out = []
    version = _backend_version(opts.backend)
    for vc in vcs:
        decider = _Decider(opts, vc, version)
        for ob in vc.obligations:
            if ob.probe and not opts.vacuity:
                continue
            r = _cached(cache, vc, ob, opts, version)
            if r is None:
                r = decider.decide(ob)
                if r.status == "failed":
                    r.counterexample = _inputs(fn, proc, decider.models.get(ob.index, Model()))
                if cache is not None and r.status in ("proved", "failed", "vacuous", "reachable"):
                    cache.put(_key(vc, ob, opts, version), _encode(r))
            if opts.seeds and not r.cached:
                decider.seeds(r)
            out.append(r)
        decider.close()
    out.sort(key=lambda r: r.ob.index)
    cpu = time.process_time() - cpu0
    if opts.execute and any(r.status == "failed" for r in out):
        _confirm(prog, fn, out, opts.search)
    ivl = render(proc) if opts.show_ivl else ""
    return FunctionResult(fn.name, fn, out, time.perf_counter() - start, ivl, cpu)


def _dedupe(configs: list[list[Term]]) -> list[list[Term]]:
    out: list[list[Term]] = []
    seen: set[tuple[int, ...]] = set()
    for c in configs:
        key = tuple(t.id for t in c)
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out


def _key(vc: VC, ob: Obligation, opts: Options, backend_version: str) -> str:
    return cache_key(vc.digest(), ob.index, opts.backend, backend_version, _limit_for(ob, opts), None)


def _limit_for(ob: Obligation, opts: Options) -> int | None:
    """Probes get a small budget: finding a model is the expensive direction, and an
    inconclusive probe only means no vacuity warning."""
    if ob.probe:
        return PROBE_RLIMIT if opts.rlimit is None else min(opts.rlimit, PROBE_RLIMIT)
    return opts.rlimit


def _cached(
    cache: ResultCache | None, vc: VC, ob: Obligation, opts: Options, backend_version: str
) -> ObResult | None:
    if cache is None:
        return None
    got = cache.get(_key(vc, ob, opts, backend_version))
    if got is None:
        return None
    cex = None
    if got.get("counterexample") is not None:
        try:
            cex = {k: decode(ast.literal_eval(v)) for k, v in got["counterexample"].items()}
        except (ValueError, SyntaxError, KeyError, TypeError):
            return None  # an entry this version cannot read: decide again
    return ObResult(ob, got["status"], 0.0, got.get("rlimit"), cex, got.get("reason", ""), cached=True)


def _encode(r: ObResult) -> dict[str, Any]:
    cex = None if r.counterexample is None else {k: repr(encode(v)) for k, v in r.counterexample.items()}
    return {"status": r.status, "rlimit": r.rlimit, "counterexample": cex, "reason": r.reason}


class _Decider:
    """Decides the obligations of one sliced VC.

    The VC comes with a list of configurations (which extra facts to add:
    unfoldings of recursive pure functions at fuel 1 or 2, sequence facts).
    Every fact is valid, so `unsat` under any configuration proves the
    obligation; the solver is just more or less distracted by them. The
    configurations are tried in order until one proves the obligation. A
    `sat` answer is a real counterexample only if every function in the query
    is fully interpreted; with recursive pure functions (unfolded only to a
    fuel limit) the next configuration is tried, and the counterexample of
    the last one is reported, marked as possibly spurious unless execution
    confirms it.
    """

    def __init__(self, opts: Options, vc: VC, backend_version: str) -> None:
        self.opts = opts
        self.vc = vc
        self.backend_version = backend_version
        self.models: dict[int, Model] = {}
        self.exact_sat = not vc.has_recursive_functions

    def close(self) -> None:
        pass

    def _solver(
        self, ob: Obligation, extra: list[Term], seed: int | None = None, proxies: bool = True
    ) -> Solver:
        """A fresh solver for one obligation.

        The obligation's selector literal is asserted rather than passed as a
        check assumption: asserted, it lets the solver's preprocessing
        specialise the whole formula to this obligation (with assumptions z3
        uses its incremental core without that preprocessing, and some queries
        took over 100 times longer in our measurements).
        """
        from quod.backends.registry import get_solver

        s = get_solver(self.opts.backend)
        assertions = [*extra, *self.vc.specialised(ob)]
        if proxies:
            assertions = with_proxies(assertions)
        if seed is not None:
            # a different assertion order is a stronger perturbation than the seed alone
            random.Random(seed).shuffle(assertions)
        s.add(*assertions)
        return s

    def _check(
        self, solver: Solver, ob: Obligation, seed: int | None, rlimit: int | None
    ) -> tuple[Any, float, int | None]:
        timeout = self.opts.timeout
        if ob.probe:
            timeout = PROBE_SECONDS if timeout is None else min(timeout, PROBE_SECONDS)
        solver.set_limits(Limits(timeout=timeout, rlimit=rlimit, seed=seed))
        before = _rlimit_count(solver)
        t0 = time.perf_counter()
        # no check assumptions: with them z3 switches to its incremental core and skips
        # the preprocessing that makes these queries easy
        result = solver.check()
        elapsed = time.perf_counter() - t0
        after = _rlimit_count(solver)
        used = after - before if after is not None and before is not None else None
        return result, elapsed, used

    def _attempts(self, ob: Obligation) -> list[tuple[list[Term], bool]]:
        """(facts, with proxies) to try in order.

        Proxies make quantified facts usable by E-matching, which is what
        proofs need; but their bridge axioms quantify over sequences, which
        defeats model finding. So each configuration is tried with proxies
        (for a proof) and then without (for a counterexample).
        """
        configs = self.vc.configs_for(ob)
        first, rest = configs[0], configs[1:]
        return [(first, True), (first, False), *[(c, True) for c in rest], *[(c, False) for c in rest]]

    def decide(self, ob: Obligation, seed: int | None = None) -> ObResult:
        c0 = time.process_time()
        r = self._decide(ob, seed)
        r.cpu = time.process_time() - c0
        return r

    def _decide(self, ob: Obligation, seed: int | None) -> ObResult:
        spent, used_total = 0.0, 0
        last_sat: Any = None
        last_unknown = ""
        total = _limit_for(ob, self.opts)
        attempts = self._attempts(ob)
        # each attempt may use a good share, but all together stay within the limit
        share = None if total is None else max(total // min(len(attempts), 4), 1)
        for extra, proxies in attempts:
            budget = share if total is None or share is None else min(share, total - used_total)
            if budget is not None and budget <= 0:
                last_unknown = last_unknown or f"resource limit {total}"
                break
            try:
                result, elapsed, used = self._check(self._solver(ob, extra, seed, proxies), ob, seed, budget)
            except QuodError as e:
                last_unknown = f"backend error: {e.message}"
                continue
            except Exception as e:  # a backend crash is an unknown, never a verdict
                last_unknown = f"backend error: {type(e).__name__}: {e}"
                continue
            spent += elapsed
            used_total += used or 0
            if isinstance(result, Unsat):
                return ObResult(ob, "vacuous" if ob.probe else "proved", spent, used_total)
            if isinstance(result, Sat):
                if ob.probe:
                    return ObResult(ob, "reachable", spent, used_total)
                last_sat = result
                if self.exact_sat:
                    break
                continue
            last_unknown = self._reason(result.reason, elapsed, ob)
        if last_sat is not None:
            self.models[ob.index] = last_sat.model
            note = (
                last_sat.check_note
                if self.exact_sat
                else (
                    "recursive functions are unfolded only to a fixed depth, so this counterexample may be spurious"
                )
            )
            exact = last_sat.model_checked and self.exact_sat
            return ObResult(ob, "failed", spent, used_total, model_checked=exact, reason=note)
        if not ob.probe and seed is None:
            found = self._bounded_search(ob)
            if found is not None:
                found.time += spent
                return found
        return ObResult(ob, "unknown", spent, used_total, reason=last_unknown)

    def _reason(self, reason: str, elapsed: float, ob: Obligation) -> str:
        if reason != "canceled":
            return reason
        if self.opts.timeout is not None and elapsed >= 0.95 * self.opts.timeout:
            return f"time limit {self.opts.timeout:g} s"
        return f"resource limit {_limit_for(ob, self.opts)}"

    def _bounded_search(self, ob: Obligation) -> ObResult | None:
        """Look for a counterexample among small sequences and strings.

        Model finding with quantifiers over unbounded sequences is where solvers
        give up; with lengths bounded, quantifiers range over few positions.
        A model found here is a model of the full query (the bounds only
        restrict it), so it is a genuine counterexample when the query is
        exact; finding none proves nothing.
        """
        from quod.core.walk import free_vars

        extra = self.vc.configs[-1]
        bounds = []
        for v in sorted(free_vars([*self.vc.defs, self.vc.goal]), key=lambda t: t.id):
            if v.sort.is_seq or v.sort.is_string:
                bounds.append(le(length(v), IntVal(SMALL_LENGTH)))
        if not bounds:
            return None
        try:
            budget = None if self.opts.rlimit is None else self.opts.rlimit // 4
            solver = self._solver(ob, [*extra, *bounds], None, False)
            result, elapsed, used = self._check(solver, ob, None, budget)
        except Exception:  # best effort: no counterexample
            return None
        if isinstance(result, Sat):
            self.models[ob.index] = result.model
            note = f"found among inputs with sequences of length <= {SMALL_LENGTH}"
            if not self.exact_sat:
                note += "; recursive functions are unfolded only to a fixed depth, so it may be spurious"
            exact = result.model_checked and self.exact_sat
            return ObResult(ob, "failed", elapsed, used, model_checked=exact, reason=note)
        return None

    def seeds(self, r: ObResult) -> None:
        for seed in range(1, self.opts.seeds + 1):
            again = self.decide(r.ob, seed)
            r.seed_statuses.append(again.status)
            r.seed_rlimits.append(again.rlimit or 0)


def _rlimit_count(solver: Solver) -> int | None:
    """z3's cumulative resource counter (differences give the cost of one check)."""
    v = solver.statistics().get("z3.rlimit count")
    if v is None:
        # the z3 backend's statistics() drops z3's counters; read them from its solver object
        raw = getattr(solver, "solver", None)
        try:
            v = raw.statistics().get_key_value("rlimit count") if raw is not None else None
        except Exception:  # statistics are best effort
            v = None
    return int(v) if v is not None else None


def _backend_version(name: str) -> str:
    try:
        if name == "z3":
            import z3

            return str(z3.get_version_string())
        if name == "cvc5":
            import cvc5

            return str(getattr(cvc5, "__version__", "?"))
    except ImportError:
        pass
    return "?"


def _confirm(prog: Program, fn: Function, out: list[ObResult], search_seconds: float) -> None:
    from quod.verify.execute import confirm, search
    from quod.verify.inputs import type_json

    for r in out:
        if r.status != "failed" or r.counterexample is None:
            continue
        args = [r.counterexample[p.name] for p in fn.params]
        c = confirm(prog.file, fn.name, args, r.ob)
        r.confirmation = c.text
        if c.confirmed or search_seconds <= 0 or not c.executed:
            continue
        types = [type_json(p.type) for p in fn.params]
        s = search(prog.file, fn.name, types, args, r.ob, seconds=search_seconds)
        if s.error:
            r.confirmation = f"{c.text}; {s.error}"
        elif s.args is not None and s.confirmation is not None:
            # a real failing input is worth more to the user than the solver's unreachable state
            r.solver_counterexample = r.counterexample
            r.counterexample = {p.name: v for p, v in zip(fn.params, s.args, strict=True)}
            solver = ", ".join(f"{k} = {v!r}" for k, v in r.solver_counterexample.items())
            r.confirmation = (
                f"{s.confirmation.text} (input found by random search: the first failing one was "
                f"input {s.first_at} of {s.tried}, the shortest is shown; "
                f"the solver's counterexample {solver} does not reproduce it)"
            )
        else:
            seen = f"; it saw other failures: {', '.join(s.others[:3])}" if s.others else ""
            r.confirmation = (
                f"{c.text}; a search of {s.tried} random inputs ({s.valid} meeting the precondition) "
                f"found none that fails here{seen}"
            )


def _inputs(fn: Function, proc: Procedure, model: Model) -> dict[str, Any]:
    """The function's inputs in a model, as Python values."""
    out: dict[str, Any] = {}
    for p in fn.params:
        leaves = proc.inputs[p.name]
        values = []
        for leaf in leaves:
            v0 = var(f"{leaf.name}@0", leaf.sort)
            values.append(model.consts.get(v0, default_value(leaf.sort)))
        out[p.name] = to_python(p.type, values)
    return out


def to_python(t: PyType, leaves: list[Any]) -> Any:
    it = iter(leaves)

    def go(tt: PyType) -> Any:
        if tt.kind == "tuple":
            return tuple(go(p) for p in tt.params)
        if tt.kind == "dc":
            return DataValue(tt.name, tuple((f, go(p)) for f, p in zip(tt.fields, tt.params, strict=True)))
        return _value(tt, next(it))

    return go(t)


def _value(t: PyType, v: Any) -> Any:
    if t.kind == "list":
        return [_value(t.elem, x) for x in v]
    if t.kind == "bytes":
        vals = list(v)
        if all(isinstance(x, int) and 0 <= x < 256 for x in vals):
            return bytes(vals)
        return vals  # not a valid bytes value: reported as the raw sequence
    return v


def leaves_of(t: PyType) -> list[PyType]:
    return flat_types(t)


def progress_printer(quiet: bool) -> Callable[[str], None] | None:
    if quiet:
        return None
    return lambda msg: print(f"quod verify: {msg}", file=sys.stderr)


__all__ = [
    "FileResult",
    "FunctionResult",
    "ObResult",
    "Options",
    "Term",
    "build_vcs",
    "span_of",
    "verify_file",
    "verify_source",
]
