"""Cube-and-conquer for the eager engine, on Ray.

1. Encode the formula once (the eager engine's CNF).
2. Split: a binary tree of depth `depth` whose nodes branch on the variable
   chosen by lookahead (unit propagation of both polarities with Glucose's
   `propagate`; score = product of the implied-literal counts, as in march).
   Each leaf is a cube: a conjunction of literals; the cubes cover every
   assignment by construction.
3. Conquer: each cube is solved by a Ray task (CNF in the object store once).
   The first sat cube wins (its model is decoded and checked by the kernel
   on the original assertions); unsat needs every cube unsat.
4. Certificate (optional): each cube's DRAT refutation of F /\\ cube is
   weakened by the negated cube (every lemma C becomes C \\/ -cube, which is
   RUP from F whenever C was RUP from F /\\ cube), then the tree is closed by
   resolving sibling cubes up to the empty clause. The result is one DRAT
   proof of F that the kernel checks like any other.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from quod.backends.base import Limits, Result, Unknown, Unsat
from quod.backends.common import StackedSolver, finish_sat
from quod.core.errors import UnsupportedError
from quod.core.terms import Term
from quod.eager.engine import EagerOptions, decode, encode
from quod.sat.cnf import Cnf
from quod.sat.solvers import SatResult, get_sat_solver
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
            assigned = {abs(lit) for lit in implied}
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


def _solve_cube(clauses: list[list[int]], num_vars: int, cube: Cube, solver: str, timeout: float | None,
                proof: bool) -> SatResult:  # fmt: skip
    sat = get_sat_solver(solver)
    cnf = Cnf(num_vars, clauses)
    if proof:
        # the refutation must be of F /\ cube as clauses, so it can be weakened afterwards
        for lit in cube:
            cnf.add([lit])
        return sat.solve(cnf, timeout=timeout, proof=True)
    return (
        sat.solve(cnf, timeout=timeout, assumptions=list(cube)) if cube else sat.solve(cnf, timeout=timeout)
    )


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
) -> CubeOutcome:
    opts = options or EagerOptions()
    t0 = time.perf_counter()
    ep = encode(assertions, opts)
    t1 = time.perf_counter()
    cnf = ep.cnf
    cubes = split(cnf, depth)
    t2 = time.perf_counter()
    if progress is not None:
        progress(f"cubes: {len(cubes)} cubes of depth <= {depth} ({t2 - t1:.2f} s lookahead)")
    ray = ensure_ray(workers, ray_address)
    task = ray.remote(num_cpus=1, max_retries=0)(_solve_cube)
    clauses_ref = ray.put(cnf.clauses)
    remaining = None if timeout is None else max(1.0, timeout - (t2 - t0))
    refs = {task.remote(clauses_ref, cnf.num_vars, c, opts.sat_solver, remaining, certify): c for c in cubes}
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
        if certify:
            assert res.proof is not None
            data = res.proof.data()
            text = data.decode() if isinstance(data, bytes) else "\n".join(data)
            proofs[cube] = text.splitlines()
    for other in pending:
        ray.cancel(other, force=True)
    t3 = time.perf_counter()
    proof = None
    if outcome is None:
        if certify:
            proof = [line for c in cubes for line in weaken(proofs[c], c)] + close_tree(cubes)
        outcome = Unsat(certificate=proof, stats={"cubes": len(cubes)})
    outcome.stats = {
        **outcome.stats,
        "encode_seconds": t1 - t0,
        "split_seconds": t2 - t1,
        "solve_seconds": t3 - t2,
    }
    return CubeOutcome(outcome, len(cubes), depth, t2 - t1, t1 - t0, t3 - t2, per_cube, proof)


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
