import shutil
import time

import pytest

from quod.sat import Cnf, SatSolverError, get_sat_solver, kissat_binary
from quod.sat.solvers import PYSAT_PROOF_OK


def pigeonhole(n: int) -> Cnf:
    """n+1 pigeons in n holes: unsatisfiable and hard for resolution."""
    c = Cnf()
    p = {(i, j): c.new_var() for i in range(n + 1) for j in range(n)}
    for i in range(n + 1):
        c.add([p[i, j] for j in range(n)])
    for j in range(n):
        for i in range(n + 1):
            for k in range(i + 1, n + 1):
                c.add([-p[i, j], -p[k, j]])
    return c


SAT = Cnf(3, [[1, 2], [-1, 3], [-3, -2], [2, 3]])
UNSAT = Cnf(2, [[1, 2], [-1, 2], [1, -2], [-1, -2]])

CADICAL_BIN = ["cadical-bin"] if shutil.which("cadical") else []  # Debian package `cadical`
KISSAT_BIN = ["kissat-bin"] if kissat_binary() else []  # pip package `passagemath-kissat`
AVAILABLE = ["cadical195", "kissat404", "glucose4", *CADICAL_BIN, *KISSAT_BIN]


@pytest.mark.parametrize("name", AVAILABLE)
def test_sat_model_satisfies_every_clause(name):
    res = get_sat_solver(name).solve(SAT, timeout=20)
    assert res.status == "sat"
    assert all(any(res.value(lit) for lit in cl) for cl in SAT.clauses)


@pytest.mark.parametrize("name", AVAILABLE)
def test_unsat(name):
    assert get_sat_solver(name).solve(UNSAT, timeout=20).status == "unsat"


@pytest.mark.parametrize("name", ["cadical195", "glucose4", *CADICAL_BIN, *KISSAT_BIN])
def test_unsat_proof_ends_with_empty_clause(name):
    res = get_sat_solver(name).solve(UNSAT, timeout=20, proof=True)
    assert res.status == "unsat" and res.proof is not None
    data = res.proof.data()
    lines = data if isinstance(data, list) else data.decode().splitlines()
    assert any(ln.strip() == "0" for ln in lines)


def test_proofless_solver_refuses_proof_request():
    assert "kissat404" not in PYSAT_PROOF_OK
    with pytest.raises(SatSolverError):
        get_sat_solver("kissat404").solve(UNSAT, proof=True)


@pytest.mark.parametrize("name", ["cadical195", "kissat404", "glucose4", *CADICAL_BIN])
def test_timeout_is_unknown_and_prompt(name):
    hard = pigeonhole(11)
    start = time.perf_counter()
    res = get_sat_solver(name).solve(hard, timeout=0.5)
    assert res.status == "unknown"
    assert "timeout" in res.reason or "gave up" in res.reason
    # liveness, not speed: pigeonhole(11) runs for many minutes unless the limit is honoured,
    # so a generous bound keeps this stable on a loaded 2-core CI machine
    assert time.perf_counter() - start < 30.0


def test_assumptions_and_core():
    s = get_sat_solver("cadical195")
    res = s.solve(Cnf(3, [[-1, -2], [3]]), assumptions=[1, 2])
    assert res.status == "unsat" and set(res.core or []) <= {1, 2} and res.core
    assert s.solve(Cnf(3, [[-1, -2]]), assumptions=[1]).status == "sat"


def test_unknown_solver_name():
    with pytest.raises(SatSolverError) as e:
        get_sat_solver("minisat9000")
    assert e.value.diagnostic.code == "Q0402"
