"""Cube-and-conquer on a real local Ray instance, with checked combined proofs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from quod.backends import Sat, Unsat, get_solver
from quod.core import And, Distinct, Int
from quod.eager.engine import EagerOptions, encode
from quod.kernel.drat import check_drat
from quod.scale.cubes import (
    CubeWorker,
    _Schedule,
    close_tree,
    cube_and_conquer,
    flatten,
    split,
    subsumed_by,
    unflatten,
    weaken,
)
from quod.smtlib import parse_file

pytestmark = pytest.mark.ray
EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "smt"


@pytest.fixture(scope="module")
def ray_local() -> Iterator[None]:
    ray = pytest.importorskip("ray", reason="Ray not installed (pip install 'quod[ray]')")
    from quod.scale.ray_runtime import ensure_ray

    ensure_ray(workers=2)
    yield
    ray.shutdown()


def pigeons(n: int, holes: int) -> list:
    ps = [Int(f"p{i}") for i in range(n)]
    return [And(p >= 0, p <= holes - 1) for p in ps] + [Distinct(*ps)]


def covered(cubes: list, assignment: dict[int, bool]) -> bool:
    return any(all(assignment[abs(lit)] == (lit > 0) for lit in cube) for cube in cubes)


def all_assignments(cubes: list) -> list[dict[int, bool]]:
    names = sorted({abs(lit) for cube in cubes for lit in cube})
    return [{v: bool(bits >> i & 1) for i, v in enumerate(names)} for bits in range(2 ** len(names))]


def test_cubes_cover_every_assignment() -> None:
    cnf = encode(pigeons(5, 4), EagerOptions(symmetry=False)).cnf
    for depth in (1, 2, 3, 4):
        cubes = split(cnf, depth)
        # a variable never repeats in a cube (it once did: (x, x, x))
        assert all(len({abs(lit) for lit in c}) == len(c) for c in cubes)
        assert all(covered(cubes, a) for a in all_assignments(cubes)), depth
        # a tree's leaves are disjoint: no assignment is solved twice
        assert all(sum(covered([c], a) for c in cubes) == 1 for a in all_assignments(cubes))


def test_core_closes_exactly_the_cubes_containing_it() -> None:
    cubes = [(1, 2), (1, -2), (-1, 3), (-1, -3)]
    sched = _Schedule(cubes, 2)
    sched.close([1])
    assert [c for c in cubes if sched.closed(c)] == [(1, 2), (1, -2)]
    # worker 0's run is closed: it takes the far end of worker 1's run, away from worker 1's next cube
    assert sched.next(0) == (-1, -3) and sched.next(1) == (-1, 3) and sched.next(0) is None
    sched.close([])
    assert all(sched.closed(c) for c in cubes)
    assert not subsumed_by([1, 3], (1, 2))


def test_worker_core_is_a_refuted_part_of_the_cube() -> None:
    from pysat.solvers import Solver

    cnf = encode(pigeons(5, 4), EagerOptions(symmetry=False)).cnf
    worker = CubeWorker(cnf.clauses, cnf.num_vars, "cadical195")
    for cube in split(cnf, 3):
        status = "unknown"
        while status == "unknown":
            status, core, model, _ = worker.solve(cube)
        assert status == "unsat" and core is not None and model is None
        assert subsumed_by(core, cube)
        # ground truth from a fresh solver: F /\ core has no model
        with Solver(name="glucose4", bootstrap_with=cnf.clauses) as s:
            assert s.solve(assumptions=core) is False


def test_cubes_cover_and_close() -> None:
    cnf = encode(pigeons(5, 4), EagerOptions(symmetry=False)).cnf
    cubes = split(cnf, 3)
    assert 1 <= len(cubes) <= 8
    lines = close_tree(cubes)
    assert lines[-1] == "0"
    with pytest.raises(ValueError):
        close_tree([(1,), (2, 3)])


def test_weakening_keeps_rup() -> None:
    # F: (a or b), (a or -b), (-a or c), (-a or -c); cube (a): refuted by units; cube (-a): by (b) then conflict
    f = [[1, 2], [1, -2], [-1, 3], [-1, -3]]
    proof = weaken(["3 0", "0"], (1,)) + weaken(["2 0", "0"], (-1,)) + close_tree([(1,), (-1,)])
    verdict, _ = check_drat(f, "\n".join(proof))
    assert verdict.verified


def test_unsat_with_certificate_checked_by_kernel(ray_local: None) -> None:
    assertions = pigeons(6, 5)
    out = cube_and_conquer(assertions, depth=2, options=EagerOptions(symmetry=False), certify=True)
    assert isinstance(out.result, Unsat)
    assert out.proof is not None
    cnf = encode(assertions, EagerOptions(symmetry=False)).cnf
    verdict, _ = check_drat(cnf.clauses, "\n".join(out.proof))
    assert verdict.verified, verdict
    # a proof that shortcuts through an unjustified unit is rejected; ground truth: the unit's
    # negation does not propagate to a conflict, so the unit is not RUP
    from pysat.solvers import Solver

    with Solver(name="glucose4", bootstrap_with=cnf.clauses) as s:
        var = next(v for v in range(1, cnf.num_vars + 1) if s.propagate(assumptions=[-v])[0])
    bad = [f"{var} 0", f"-{var} 0", "0"]
    verdict, _ = check_drat(cnf.clauses, "\n".join(bad))
    assert not verdict.verified


def test_unsat_incremental_cores_cover_all_cubes(ray_local: None) -> None:
    from pysat.solvers import Solver

    assertions = pigeons(6, 5)
    opts = EagerOptions(symmetry=False)
    # no probe: this formula is easy enough for the probe to decide before any cube is made
    out = cube_and_conquer(assertions, depth=3, options=opts, probe_seconds=0)
    assert isinstance(out.result, Unsat)
    assert out.proof is None and out.cores and out.per_cube
    cnf = encode(assertions, opts).cnf
    cubes = split(cnf, 3)
    assert all(covered(cubes, a) for a in all_assignments(cubes))
    # every cube holds a core, and every core is refuted by a solver that never saw the cubes
    assert all(any(subsumed_by(core, cube) for core in out.cores) for cube in cubes)
    for core in out.cores:
        with Solver(name="glucose4", bootstrap_with=cnf.clauses) as s:
            assert s.solve(assumptions=core) is False


def test_sat_with_more_cubes_than_workers(ray_local: None) -> None:
    # 6 pigeons in 6 holes: satisfiable; the model comes from one cube and is checked by the kernel
    out = cube_and_conquer(
        pigeons(6, 6), depth=4, options=EagerOptions(symmetry=False), workers=2, probe_seconds=0
    )
    assert isinstance(out.result, Sat) and out.result.model_checked
    assert out.cubes > 2 and out.per_cube[-1][1] == "sat"


def test_probe_decides_easy_formulas_before_splitting() -> None:
    from pysat.solvers import Solver

    opts = EagerOptions(symmetry=False)
    out = cube_and_conquer(pigeons(4, 3), options=opts, probe_seconds=5.0)
    assert isinstance(out.result, Unsat) and out.cubes == 0 and out.cores == [[]]
    with Solver(name="glucose4", bootstrap_with=encode(pigeons(4, 3), opts).cnf.clauses) as s:
        assert s.solve() is False
    out = cube_and_conquer(pigeons(4, 4), options=opts, probe_seconds=5.0)
    assert isinstance(out.result, Sat) and out.result.model_checked and out.cubes == 0


def test_flat_transfer_keeps_every_clause() -> None:
    clauses = [[1, -2, 3], [-1], [2, 3], [-3, -2, 1, 4]]
    assert list(unflatten(flatten(clauses))) == clauses


def test_sat_model_checked(ray_local: None) -> None:
    assertions = parse_file(EXAMPLES / "scheduling.smt2").assertions()
    out = cube_and_conquer(assertions, depth=2, probe_seconds=0)
    assert isinstance(out.result, Sat) and out.result.model_checked
    z3 = get_solver("z3")
    z3.add(*assertions)
    assert isinstance(z3.check(), Sat)
