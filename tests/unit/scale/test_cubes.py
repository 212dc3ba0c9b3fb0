"""Cube-and-conquer on a real local Ray instance, with checked combined proofs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from quod.backends import Sat, Unsat, get_solver
from quod.core import And, Distinct, Int
from quod.eager.engine import EagerOptions, encode
from quod.kernel.drat import check_drat
from quod.scale.cubes import close_tree, cube_and_conquer, split, weaken
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


def test_sat_model_checked(ray_local: None) -> None:
    assertions = parse_file(EXAMPLES / "scheduling.smt2").assertions()
    out = cube_and_conquer(assertions, depth=2)
    assert isinstance(out.result, Sat) and out.result.model_checked
    z3 = get_solver("z3")
    z3.add(*assertions)
    assert isinstance(z3.check(), Sat)
