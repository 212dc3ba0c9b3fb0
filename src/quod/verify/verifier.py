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
from quod.core.errors import QuodError
from quod.core.model import Model, default_value
from quod.core.terms import Term, var
from quod.verify.cache import ResultCache, cache_key
from quod.verify.errors import span_of
from quod.verify.ivl import Obligation, Procedure, render
from quod.verify.localtypes import infer_local_types
from quod.verify.lower import Lowering
from quod.verify.passive import passify
from quod.verify.program import Function, Program, parse_program
from quod.verify.pure import PureBuilder
from quod.verify.types import PyType, flat_types
from quod.verify.wp import VC, generate

DEFAULT_RLIMIT = 20_000_000


@dataclass
class Options:
    backend: str = "z3"
    rlimit: int | None = DEFAULT_RLIMIT
    timeout: float | None = None
    seeds: int = 0
    fuel: int = 2
    functions: list[str] | None = None
    vacuity: bool = True
    execute: bool = True
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
    seed_statuses: list[str] = field(default_factory=list)
    seed_rlimits: list[int] = field(default_factory=list)
    model_checked: bool = True

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
        names = [n for n in names if n in opts.functions]
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
    return FileResult(file, prog, results, time.perf_counter() - start, hits)


def build_vc(prog: Program, fn: Function, builder: PureBuilder, fuel: int) -> tuple[Procedure, VC]:
    local_types = infer_local_types(prog, fn, builder.table)
    proc = Lowering(prog, fn, builder.table, local_types).run()
    passive = passify(proc)
    vc = generate(passive, proc.obligations)
    vc.extra = builder.unfold([*vc.defs, vc.goal], fuel)
    return proc, vc


def _verify_function(
    prog: Program, fn: Function, builder: PureBuilder, opts: Options, cache: ResultCache | None
) -> FunctionResult:
    start = time.perf_counter()
    proc, vc = build_vc(prog, fn, builder, opts.fuel)
    obligations = [o for o in proc.obligations if opts.vacuity or not o.probe]
    if opts.progress:
        opts.progress(f"{fn.name}: {len(obligations)} obligations")
    digest = vc.digest() if cache is not None else ""
    decider = _Decider(opts, vc)
    out = []
    for ob in obligations:
        r = _cached(cache, digest, ob, opts, decider)
        if r is None:
            r = decider.decide(ob)
            if cache is not None and r.status in ("proved", "failed", "vacuous", "reachable"):
                cache.put(_key(digest, ob, opts, decider), _encode(r))
        if opts.seeds and not r.cached:
            decider.seeds(r)
        if r.status == "failed" and r.counterexample is None:
            r.counterexample = _inputs(fn, proc, Model())
        out.append(r)
    if any(r.status == "failed" for r in out):
        _attach_counterexamples(fn, proc, out, decider)
        if opts.execute:
            _confirm(prog, fn, out)
    ivl = render(proc) if opts.show_ivl else ""
    return FunctionResult(fn.name, fn, out, time.perf_counter() - start, ivl)


def _key(digest: str, ob: Obligation, opts: Options, decider: _Decider) -> str:
    return cache_key(digest, ob.index, opts.backend, decider.backend_version, opts.rlimit, None)


def _cached(
    cache: ResultCache | None, digest: str, ob: Obligation, opts: Options, decider: _Decider
) -> ObResult | None:
    if cache is None:
        return None
    got = cache.get(_key(digest, ob, opts, decider))
    if got is None:
        return None
    cex = None
    if got.get("counterexample") is not None:
        cex = {k: ast.literal_eval(v) for k, v in got["counterexample"].items()}
    return ObResult(ob, got["status"], 0.0, got.get("rlimit"), cex, got.get("reason", ""), cached=True)


def _encode(r: ObResult) -> dict[str, Any]:
    cex = None if r.counterexample is None else {k: repr(v) for k, v in r.counterexample.items()}
    return {"status": r.status, "rlimit": r.rlimit, "counterexample": cex, "reason": r.reason}


class _Decider:
    """Decides obligations of one VC with one incremental solver."""

    def __init__(self, opts: Options, vc: VC) -> None:
        self.opts = opts
        self.vc = vc
        self._solver: Solver | None = None
        self.backend_version = _backend_version(opts.backend)
        self.models: dict[int, Model] = {}

    @property
    def solver(self) -> Solver:
        if self._solver is None:
            self._solver = self._fresh(None)
        return self._solver

    def _fresh(self, seed: int | None) -> Solver:
        from quod.backends.registry import get_solver

        s = get_solver(self.opts.backend)
        assertions = self.vc.assertions()
        if seed is not None:
            # a different assertion order is a stronger perturbation than the seed alone
            assertions = list(assertions)
            random.Random(seed).shuffle(assertions)
        s.add(*assertions)
        return s

    def _check(self, solver: Solver, ob: Obligation, seed: int | None) -> tuple[Any, float, int | None]:
        solver.set_limits(Limits(timeout=self.opts.timeout, rlimit=self.opts.rlimit, seed=seed))
        before = _rlimit_count(solver)
        t0 = time.perf_counter()
        result = solver.check([self.vc.selector(ob)])
        elapsed = time.perf_counter() - t0
        after = _rlimit_count(solver)
        used = after - before if after is not None and before is not None else None
        return result, elapsed, used

    def decide(self, ob: Obligation) -> ObResult:
        try:
            result, elapsed, used = self._check(self.solver, ob, None)
        except QuodError as e:
            return ObResult(ob, "unknown", reason=f"backend error: {e.message}")
        if isinstance(result, Unsat):
            status = "vacuous" if ob.probe else "proved"
            return ObResult(ob, status, elapsed, used)
        if isinstance(result, Sat):
            if ob.probe:
                return ObResult(ob, "reachable", elapsed, used)
            self.models[ob.index] = result.model
            return ObResult(
                ob, "failed", elapsed, used, model_checked=result.model_checked, reason=result.check_note
            )
        return ObResult(ob, "unknown", elapsed, used, reason=result.reason)

    def seeds(self, r: ObResult) -> None:
        for seed in range(1, self.opts.seeds + 1):
            solver = self._fresh(seed)
            try:
                result, _, used = self._check(solver, r.ob, seed)
            except QuodError:
                r.seed_statuses.append("unknown")
                continue
            if isinstance(result, Unsat):
                st = "vacuous" if r.ob.probe else "proved"
            elif isinstance(result, Sat):
                st = "reachable" if r.ob.probe else "failed"
            else:
                st = "unknown"
            r.seed_statuses.append(st)
            r.seed_rlimits.append(used or 0)


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


def _attach_counterexamples(fn: Function, proc: Procedure, out: list[ObResult], decider: _Decider) -> None:
    for r in out:
        if r.status == "failed" and not r.cached:
            model = decider.models.get(r.ob.index, Model())
            r.counterexample = _inputs(fn, proc, model)


def _confirm(prog: Program, fn: Function, out: list[ObResult]) -> None:
    from quod.verify.execute import confirm

    for r in out:
        if r.status == "failed" and r.counterexample is not None:
            args = [r.counterexample[p.name] for p in fn.params]
            r.confirmation = confirm(prog.file, fn.name, args, r.ob).text


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
    "build_vc",
    "span_of",
    "verify_file",
    "verify_source",
]
