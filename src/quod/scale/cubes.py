"""Cube-and-conquer for the eager engine, on Ray.

1. Encode the formula once (the eager engine's CNF), then solve it whole for
   `probe_seconds` (1 s): an easy formula is decided there, before Ray starts.
2. Split: a binary tree of depth `depth` whose nodes branch on the variable
   chosen by lookahead (unit propagation of both polarities with Glucose's
   `propagate`; score = product of the implied-literal counts, as in march).
   Each leaf is a cube: a conjunction of literals; the cubes cover every
   assignment by construction.
3. Conquer: one incremental solver per worker (a Ray actor, CNF shipped once
   as a flat array) takes cubes as assumptions, neighbouring cubes on the same
   worker so learned clauses carry over; an idle worker takes open cubes from
   another's run. A refuted cube's core (the failed assumptions) closes every
   cube that contains it, an empty core closes them all. The first sat cube
   wins (its model is decoded and checked by the kernel on the original
   assertions); unsat needs every cube closed.
4. Certificate (`certify`, the old per-cube path): each cube is solved from
   scratch with its literals as unit clauses; each DRAT refutation of
   F /\\ cube is weakened by the negated cube (every lemma C becomes
   C \\/ -cube, RUP from F whenever C was RUP from F /\\ cube), then the tree
   is closed by resolving sibling cubes up to the empty clause. The result is
   one DRAT proof of F that the kernel checks like any other.
"""

from __future__ import annotations

import time
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from quod.backends.base import Limits, Result, Unknown, Unsat
from quod.backends.common import StackedSolver, finish_sat
from quod.core.errors import UnsupportedError
from quod.core.terms import Term
from quod.eager.engine import EagerOptions, decode, encode
from quod.sat.cnf import Cnf
from quod.sat.solvers import SatResult, get_sat_solver, model_from_lits
from quod.scale.ray_runtime import ensure_ray

Cube = tuple[int, ...]


@dataclass
class CubeOutcome:
    result: Result
    cubes: int
    depth: int
    split_seconds: float
    encode_seconds: float
    solve_seconds: float
    per_cube: list[tuple[Cube, str, float]] = field(default_factory=list)
    proof: list[str] | None = None
    # unsat without a proof: the refuted cores; every cube contains one of them
    cores: list[list[int]] = field(default_factory=list)


def _candidates(cnf: Cnf, limit: int) -> list[int]:
    """Variables occurring most often in short clauses (Jeroslow-Wang weights)."""
    score: dict[int, float] = {}
    for clause in cnf.clauses:
        w = 2.0 ** -len(clause)
        for lit in clause:
            v = lit if lit > 0 else -lit
            score[v] = score.get(v, 0.0) + w
    ranked = sorted(score, key=lambda v: (-score[v], v))
    return ranked[:limit]


def split(cnf: Cnf, depth: int, candidates: int = 24) -> list[Cube]:
    """Cubes of a lookahead tree of the given depth (fewer if branches close early)."""
    from pysat.solvers import Solver

    pool = _candidates(cnf, candidates * 4)
    cubes: list[Cube] = []
    with Solver(name="glucose4", bootstrap_with=cnf.clauses) as s:
        stack: list[Cube] = [()]
        while stack:
            cube = stack.pop()
            ok, implied = s.propagate(assumptions=list(cube))
            if not ok or len(cube) >= depth:
                cubes.append(cube)  # a conflict closes the branch: still a cube, refuted at once
                continue
            # Glucose leaves the assumptions out of the implied literals: without the cube's own
            # variables here, -v of a cube literal v looked like a failed literal and v was
            # chosen again, giving cubes such as (x, x, x)
            assigned = {abs(lit) for lit in (*implied, *cube)}
            best, best_score = 0, -1.0
            for v in pool:
                if v in assigned:
                    continue
                ok_pos, imp_pos = s.propagate(assumptions=[*cube, v])
                ok_neg, imp_neg = s.propagate(assumptions=[*cube, -v])
                if not ok_pos or not ok_neg:
                    best = v  # a failed literal: the branch on it is nearly free
                    break
                sc = float(len(imp_pos) - len(implied) + 1) * float(len(imp_neg) - len(implied) + 1)
                if sc > best_score:
                    best, best_score = v, sc
            if best == 0:
                cubes.append(cube)
                continue
            stack.append((*cube, -best))
            stack.append((*cube, best))
    return cubes


def _refute_cube(
    clauses: list[list[int]], num_vars: int, cube: Cube, solver: str, timeout: float | None
) -> SatResult:
    """F and the cube solved with a DRAT proof (the certified path: one fresh solver per cube)."""
    cnf = Cnf(num_vars, clauses)
    # the refutation must be of F /\ cube as clauses, so it can be weakened afterwards
    for lit in cube:
        cnf.add([lit])
    return get_sat_solver(solver).solve(cnf, timeout=timeout, proof=True)


def weaken(proof_lines: Sequence[str], cube: Cube) -> list[str]:
    """A DRAT refutation of F /\\ cube turned into a derivation of -cube from F."""
    neg = [-lit for lit in cube]

    def clause_text(lits: Sequence[int]) -> str:
        return " ".join(str(x) for x in (*lits, 0))

    out: list[str] = []
    introduced: set[tuple[int, ...]] = set()
    for line in proof_lines:
        text = line.strip()
        if not text or text.startswith("c"):
            continue
        deletion = text.startswith("d")
        lits = [int(x) for x in (text[1:] if deletion else text).split()]
        if not lits or lits[-1] != 0:
            raise ValueError(f"malformed DRAT line: {line!r}")
        clause = tuple(sorted(set(lits[:-1])))
        weakened = list(dict.fromkeys((*clause, *neg)))
        if deletion:
            # only delete what this cube introduced: the originals are shared by all cubes
            if clause in introduced:
                introduced.discard(clause)
                out.append("d " + clause_text(weakened))
            continue
        introduced.add(clause)
        out.append(clause_text(weakened))
    out.append(clause_text(neg))
    return out


def close_tree(cubes: Sequence[Cube]) -> list[str]:
    """RUP lemmas resolving sibling cubes' negations up to the empty clause."""
    lines: list[str] = []
    done = {c for c in cubes}
    frontier = sorted(done, key=len, reverse=True)
    while frontier:
        cube = frontier.pop(0)
        if not cube:
            continue
        parent = cube[:-1]
        sibling = (*parent, -cube[-1])
        if sibling in done and parent not in done:
            done.add(parent)
            body = " ".join(str(-lit) for lit in parent)
            lines.append(f"{body} 0" if body else "0")
            frontier.append(parent)
            frontier.sort(key=len, reverse=True)
    if () not in done:
        raise ValueError("the cubes do not form a complete tree")
    return lines


def flatten(clauses: Sequence[Sequence[int]]) -> array[int]:
    """Clauses as one zero-terminated int array: Ray ships it as a flat buffer, where a list of
    lists costs seconds to unpickle in every worker on CNFs of millions of clauses."""
    flat = array("i")
    for clause in clauses:
        flat.extend(clause)
        flat.append(0)
    return flat


def unflatten(flat: array[int]) -> Iterator[list[int]]:
    clause: list[int] = []
    for lit in flat.tolist():
        if lit:
            clause.append(lit)
        else:
            yield clause
            clause = []


# PySAT solvers that keep their state between `solve_limited` calls and honour a conflict budget
INCREMENTAL = frozenset({"cadical195", "glucose4"})


class CubeWorker:
    """One incremental solver per worker; cubes arrive as assumptions.

    Clauses learned while refuting one cube are consequences of F alone (the
    cube's literals are decisions, never premises), so they stay valid for
    every later cube: neighbouring cubes share most of their work. A call runs
    for a slice of conflicts and returns `unknown` when the slice is spent, so
    the driver can drop a cube closed meanwhile by another cube's core, and
    enforce the wall-clock limit, without interrupting a C solver (CaDiCaL in
    PySAT ignores interrupts).
    """

    def __init__(
        self,
        clauses: Sequence[Sequence[int]] | array[int],
        num_vars: int,
        solver: str,
        slice_seconds: float = 1.0,
    ) -> None:
        from pysat.solvers import Solver

        self.num_vars = num_vars
        self.solver = Solver(
            name=solver, bootstrap_with=unflatten(clauses) if isinstance(clauses, array) else clauses
        )
        self.budget = 2000
        self.slice_seconds = slice_seconds

    def run(self, cube: Cube, seconds: float) -> tuple[str, list[int] | None, list[bool] | None, float]:
        """Slices on one cube until it is decided or about `seconds` are spent."""
        total = 0.0
        while True:
            status, core, model, spent = self.solve(cube)
            total += spent
            if status != "unknown" or total >= seconds:
                return status, core, model, total

    def solve(self, cube: Cube) -> tuple[str, list[int] | None, list[bool] | None, float]:
        """(status, core, model, seconds); the core is the subset of the cube that F refutes."""
        t0 = time.perf_counter()
        self.solver.conf_budget(self.budget)
        answer = self.solver.solve_limited(assumptions=list(cube))
        spent = time.perf_counter() - t0
        # keep a slice near slice_seconds whatever the conflict rate of this formula
        if spent < self.slice_seconds / 4:
            self.budget = min(self.budget * 2, 10**7)
        elif spent > self.slice_seconds * 2:
            self.budget = max(self.budget // 2, 100)
        if answer is True:
            return "sat", None, model_from_lits(self.solver.get_model() or [], self.num_vars), spent
        if answer is False:
            return "unsat", list(self.solver.get_core() or []), None, spent
        return "unknown", None, None, spent


def subsumed_by(core: Sequence[int], cube: Cube) -> bool:
    """True when the refuted core is part of the cube: the cube is then refuted too."""
    lits = set(cube)
    return all(lit in lits for lit in core)


class _Schedule:
    """Cubes in split order, dealt to workers in contiguous runs (neighbours share learned
    clauses); an idle worker takes the last open cube of the longest run."""

    def __init__(self, cubes: Sequence[Cube], workers: int) -> None:
        n = len(cubes)
        self.runs = [list(cubes[i * n // workers : (i + 1) * n // workers]) for i in range(workers)]
        self.cores: list[list[int]] = []

    def closed(self, cube: Cube) -> bool:
        return any(subsumed_by(core, cube) for core in self.cores)

    def close(self, core: Sequence[int]) -> None:
        self.cores.append(list(core))
        self.runs = [[c for c in run if not self.closed(c)] for run in self.runs]

    def next(self, worker: int) -> Cube | None:
        own = self.runs[worker]
        if own:
            return own.pop(0)
        donor = max(range(len(self.runs)), key=lambda i: len(self.runs[i]))
        return self.runs[donor].pop() if self.runs[donor] else None


def cube_and_conquer(
    assertions: Sequence[Term],
    *,
    depth: int = 3,
    options: EagerOptions | None = None,
    timeout: float | None = None,
    workers: int = 2,
    ray_address: str | None = None,
    certify: bool = False,
    progress: Callable[[str], None] | None = None,
    probe_seconds: float = 1.0,
) -> CubeOutcome:
    """Decide the assertions by splitting the eager CNF into cubes solved on Ray.

    Without `certify`, each worker is one incremental solver (`CubeWorker`) and
    a refuted cube's core closes every cube that contains it. With `certify`,
    each cube is solved from scratch with the cube as unit clauses, because the
    DRAT proof of an incremental solver spans all its cubes and cannot be cut
    into per-cube refutations to weaken.
    """
    opts = options or EagerOptions()
    t0 = time.perf_counter()
    ep = encode(assertions, opts)
    t1 = time.perf_counter()
    cnf = ep.cnf
    early: Result | None = None
    name = opts.sat_solver if opts.sat_solver in INCREMENTAL else "cadical195"
    if certify:
        cubes = split(cnf, depth)
    else:
        # Solve the whole formula for a moment first: easy instances (hash_uns_03_03 needs
        # 0.1 s of search) are done before Ray starts and the CNF is shipped to workers.
        head = CubeWorker(cnf.clauses, cnf.num_vars, name)
        status, _, model, _ = (
            head.run((), probe_seconds) if probe_seconds > 0 else ("unknown", None, None, 0.0)
        )
        head.solver.delete()
        if status == "sat":
            assert model is not None
            early = _sat(assertions, ep, SatResult("sat", name, model=model))
        elif status == "unsat":
            early = Unsat(stats={"cubes": 0})
        # The lookahead runs on a fresh solver: one that had learned clauses in the probe
        # chose other splits, and on FISCHER7-12 (sat) these put the model in a late cube
        # (11 s against 2 s).
        cubes = [] if early is not None else split(cnf, depth)
    t2 = time.perf_counter()
    if early is not None:
        if progress is not None:
            progress(f"cubes: decided by the {probe_seconds:.1f} s probe before splitting")
        early.stats = {
            **early.stats,
            "encode_seconds": t1 - t0,
            "split_seconds": t2 - t1,
            "solve_seconds": 0.0,
        }
        refuted: list[list[int]] = [[]] if isinstance(early, Unsat) else []
        return CubeOutcome(early, 0, depth, t2 - t1, t1 - t0, 0.0, [], None, refuted)
    if progress is not None:
        progress(f"cubes: {len(cubes)} cubes of depth <= {depth} ({t2 - t1:.2f} s probe and lookahead)")
    ray = ensure_ray(workers, ray_address)
    remaining = None if timeout is None else max(1.0, timeout - (t2 - t0))
    if certify:
        outcome, per_cube, proof = _conquer_certified(ray, assertions, ep, cubes, opts, remaining, progress)
        cores: list[list[int]] = []
    else:
        outcome, per_cube, cores = _conquer_incremental(
            ray, assertions, ep, cubes, opts, workers, remaining, progress
        )
        proof = None
    t3 = time.perf_counter()
    outcome.stats = {
        **outcome.stats,
        "encode_seconds": t1 - t0,
        "split_seconds": t2 - t1,
        "solve_seconds": t3 - t2,
    }
    return CubeOutcome(outcome, len(cubes), depth, t2 - t1, t1 - t0, t3 - t2, per_cube, proof, cores)


def _conquer_incremental(
    ray: Any,
    assertions: Sequence[Term],
    ep: Any,
    cubes: list[Cube],
    opts: EagerOptions,
    workers: int,
    remaining: float | None,
    progress: Callable[[str], None] | None,
) -> tuple[Result, list[tuple[Cube, str, float]], list[list[int]]]:
    cnf = ep.cnf
    name = opts.sat_solver if opts.sat_solver in INCREMENTAL else "cadical195"
    actor_cls = ray.remote(num_cpus=1, max_restarts=0)(CubeWorker)
    clauses_ref = ray.put(flatten(cnf.clauses))
    n = max(1, min(workers, len(cubes)))
    actors = [actor_cls.remote(clauses_ref, cnf.num_vars, name) for _ in range(n)]
    schedule = _Schedule(cubes, n)
    current: dict[int, Cube] = {}
    spent: dict[Cube, float] = {}
    inflight: dict[Any, int] = {}

    def dispatch(w: int, cube: Cube | None) -> None:
        if cube is None:
            current.pop(w, None)
            return
        current[w] = cube
        inflight[actors[w].solve.remote(cube)] = w

    def next_for(w: int) -> Cube | None:
        cube = schedule.next(w)
        if cube is not None:
            return cube
        # Nothing left to deal: race another worker on its cube rather than sit idle. The
        # last cube otherwise runs alone (71 s on FISCHER11-9 while the other worker, whose
        # learned clauses had just given one-literal cores, waited), and a worker that has
        # refuted its neighbours often finishes a stranger's cube sooner than its owner.
        busy = [c for o, c in current.items() if o != w and not schedule.closed(c)]
        return (
            min(busy, key=lambda c: (sum(x == c for x in current.values()), -spent.get(c, 0.0)))
            if busy
            else None
        )

    for w in range(n):
        dispatch(w, schedule.next(w))
    per_cube: list[tuple[Cube, str, float]] = []
    outcome: Result | None = None
    deadline = None if remaining is None else time.perf_counter() + remaining
    try:
        while inflight:
            wait = None if deadline is None else max(0.0, deadline - time.perf_counter())
            ready, _ = ray.wait(list(inflight), num_returns=1, timeout=wait)
            if not ready:
                outcome = Unknown(f"cube-and-conquer: time limit with {len(inflight)} cube(s) running")
                break
            w = inflight.pop(ready[0])
            cube = current[w]
            try:
                status, core, model, secs = ray.get(ready[0])
            except Exception as e:  # a crashed worker leaves its cube open
                outcome = Unknown(f"cube {cube} failed: {type(e).__name__}: {e}")
                break
            spent[cube] = spent.get(cube, 0.0) + secs
            if status == "sat":
                assert model is not None
                per_cube.append((cube, status, spent[cube]))
                outcome = _sat(assertions, ep, SatResult("sat", name, model=model))
                break
            if status == "unsat":
                assert core is not None
                if not subsumed_by(core, cube):
                    core = list(cube)  # a core must come from the assumptions; else trust only the cube
                per_cube.append((cube, status, spent[cube]))
                schedule.close(core)
                if progress is not None:
                    progress(f"cubes: {cube} unsat in {spent[cube]:.2f} s, core of {len(core)} literal(s)")
                if not core:
                    break  # F itself is unsat: every cube is closed
                dispatch(w, next_for(w))
                continue
            # the slice is spent: go on with the same cube unless another core closed it meanwhile
            dispatch(w, next_for(w) if schedule.closed(cube) else cube)
        if outcome is None and not schedule.cores:
            outcome = Unknown("cube-and-conquer: no cube was solved")
        if outcome is None and not all(schedule.closed(c) for c in cubes):
            outcome = Unknown("cube-and-conquer: internal error, a cube was left open")
        if outcome is None:
            outcome = Unsat(stats={"cubes": len(cubes), "cores": len(schedule.cores)})
    finally:
        for a in actors:
            ray.kill(a)
    return outcome, per_cube, schedule.cores


def _conquer_certified(
    ray: Any,
    assertions: Sequence[Term],
    ep: Any,
    cubes: list[Cube],
    opts: EagerOptions,
    remaining: float | None,
    progress: Callable[[str], None] | None,
) -> tuple[Result, list[tuple[Cube, str, float]], list[str] | None]:
    cnf = ep.cnf
    task = ray.remote(num_cpus=1, max_retries=0)(_refute_cube)
    clauses_ref = ray.put(cnf.clauses)
    refs = {task.remote(clauses_ref, cnf.num_vars, c, opts.sat_solver, remaining): c for c in cubes}
    pending = list(refs)
    per_cube: list[tuple[Cube, str, float]] = []
    proofs: dict[Cube, list[str]] = {}
    outcome: Result | None = None
    deadline = None if remaining is None else time.perf_counter() + remaining + 10.0
    while pending:
        wait = None if deadline is None else max(0.0, deadline - time.perf_counter())
        ready, pending = ray.wait(pending, num_returns=1, timeout=wait)
        if not ready:
            outcome = Unknown(f"cube-and-conquer: time limit with {len(pending)} cube(s) open")
            break
        cube = refs[ready[0]]
        try:
            res: SatResult = ray.get(ready[0])
        except Exception as e:  # a crashed worker leaves its cube open
            outcome = Unknown(f"cube {cube} failed: {type(e).__name__}: {e}")
            break
        per_cube.append((cube, res.status, res.time))
        if progress is not None:
            progress(f"cubes: {len(per_cube)}/{len(cubes)} done ({res.status} in {res.time:.2f} s)")
        if res.status == "sat":
            outcome = _sat(assertions, ep, res)
            break
        if res.status != "unsat":
            outcome = Unknown(f"cube {cube}: {res.reason or res.status}")
            break
        assert res.proof is not None
        data = res.proof.data()
        text = data.decode() if isinstance(data, bytes) else "\n".join(data)
        proofs[cube] = text.splitlines()
    for other in pending:
        ray.cancel(other, force=True)
    if outcome is not None:
        return outcome, per_cube, None
    proof = [line for c in cubes for line in weaken(proofs[c], c)] + close_tree(cubes)
    return Unsat(certificate=proof, stats={"cubes": len(cubes)}), per_cube, proof


def _sat(assertions: Sequence[Term], ep: Any, res: SatResult) -> Result:
    assert res.model is not None
    return finish_sat("eager-cubes", assertions, [], decode(ep, res.model), {})


class CubeSolver(StackedSolver):
    """The Solver protocol over cube-and-conquer (`quod solve --cubes DEPTH --workers N`)."""

    name = "eager-cubes"

    def __init__(
        self,
        logic: str | None = None,
        limits: Limits | None = None,
        depth: int = 3,
        workers: int = 2,
        ray_address: str | None = None,
        progress: Callable[[str], None] | None = None,
        options: EagerOptions | None = None,
    ) -> None:
        self.logic = logic
        self.limits = limits or Limits()
        self.depth = depth
        self.workers = workers
        self.ray_address = ray_address
        self.progress = progress
        self.options = options
        super().__init__()
        self.last: CubeOutcome | None = None

    def statistics(self) -> dict[str, Any]:
        if self.last is None:
            return {}
        return {"cubes": self.last.cubes, "split_seconds": self.last.split_seconds,
                "solve_seconds": self.last.solve_seconds}  # fmt: skip

    def check(self, assumptions: Sequence[Term] = ()) -> Result:
        try:
            self.last = cube_and_conquer(
                self.stack.all() + list(assumptions),
                depth=self.depth,
                options=self.options,
                timeout=self.limits.timeout,
                workers=self.workers,
                ray_address=self.ray_address,
                progress=self.progress,
            )
        except UnsupportedError as e:
            return Unknown(f"eager engine: {e.message}")
        return self.last.result
