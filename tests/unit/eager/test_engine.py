import shutil

import pytest

from quod.core.builder import (
    And,
    Bool,
    Distinct,
    Function,
    Implies,
    Ints,
    Ite,
    Not,
    Or,
    Real,
    Xor,
)
from quod.core.errors import UnsupportedError
from quod.core.sorts import BOOL, INT
from quod.eager import EagerOptions, encode, solve
from quod.kernel.model import check_model

ENCODINGS = ["auto", "order", "bits"]


@pytest.fixture(params=ENCODINGS)
def opts(request):
    return EagerOptions(encoding=request.param)


def check_sat(fs, opts):
    r = solve(fs, opts, timeout=30)
    assert r.status == "sat", r.reason
    assert check_model(fs, r.model).ok
    return r.model


def test_difference_logic_sat_and_unsat(opts):
    x, y, z = Ints("x y z")
    m = check_sat([x - y <= 3, y - z <= -2, Or(z - x <= -2, x > 100)], opts)
    assert m[x] - m[y] <= 3
    assert solve([x - y <= 3, y - z <= -2, z - x <= -2], opts).status == "unsat"


def test_strict_cycle_unsat_and_equalities(opts):
    x, y, z = Ints("x y z")
    assert solve([x < y, y < z, z < x], opts).status == "unsat"
    assert solve([x == y, y == z, x != z], opts).status == "unsat"
    assert solve([Distinct(x, y, z), x >= 0, y >= 0, z >= 0, x <= 1, y <= 1, z <= 1], opts).status == "unsat"
    m = check_sat([Distinct(x, y, z), x >= 0, y >= 0, z >= 0, x <= 2, y <= 2, z <= 2], opts)
    assert sorted([m[x], m[y], m[z]]) == [0, 1, 2]


def test_linear_arithmetic(opts):
    x, y, z = Ints("x y z")
    fs = [2 * x + 3 * y <= 7, x + y + z == 4, x >= -3, y > 1, Or(z < 0, z > 10)]
    assert solve(fs, opts).status == "unsat"
    m = check_sat([3 * x - 2 * y == 1, x + y >= 10, x <= 8], opts)
    assert 3 * m[x] - 2 * m[y] == 1


def test_boolean_structure(opts):
    x, y = Ints("x y")
    a, b = Bool("a"), Bool("b")
    fs = [Xor(a, b), Implies(a, x - y > 5), Implies(b, y - x > 5), Ite(a, x < 0, y < 0), a == (x > y)]
    m = check_sat(fs, opts)
    assert m[a] != m[b]
    assert solve([Xor(a, b), a == b], opts).status == "unsat"


def test_ite_div_mod_abs(opts):
    x, y = Ints("x y")
    from quod.core.builder import Abs

    m = check_sat([Ite(x > 3, y, -y) == 7, x % 5 == 2, x / 5 == -3, Abs(y) <= 7], opts)
    assert m[x] == -13 and m[y] == -7


def test_uninterpreted_functions_ackermann(opts):
    f = Function("f", INT, INT)
    g = Function("g", INT, BOOL)
    x, y = Ints("x y")
    assert solve([x == y, f(x) != f(y)], opts).status == "unsat"
    assert solve([g(x), Not(g(y)), x == y + 0], opts).status == "unsat"
    r = solve([f(x) - f(y) >= 2, x - y <= 1, y - x <= 1, g(f(x))], opts)
    assert r.status == "sat" and check_model([f(x) - f(y) >= 2, g(f(x))], r.model).ok


def test_large_constants_give_unbounded_python_ints():
    x, y = Ints("x y")
    big = 10**30
    m = check_sat([x - y >= big, y >= 5, x <= big + 10], EagerOptions())
    assert m[x] - m[y] >= big and m[x] > 2**64


def test_unsupported_constructs_raise():
    with pytest.raises(UnsupportedError):
        encode([Real("r") > 0])
    x, y = Ints("x y")
    with pytest.raises(UnsupportedError):
        encode([x * y == 4])


def test_derived_domains_and_symmetry_are_reported():
    x = Ints("m1 m2 m3 s1 s2 s3 ref")
    m, s, ref = x[:3], x[3:6], x[6]
    fs = []
    for i in range(3):
        fs += [m[i] - ref >= 0, m[i] - ref <= 1, s[i] - ref >= 0, s[i] - ref <= 3]
    for i in range(3):
        for j in range(i + 1, 3):
            fs.append(Or(m[i] != m[j], s[i] - s[j] >= 2, s[j] - s[i] >= 2))
    ep = encode(fs, EagerOptions(machines=False))
    assert ep.stats["domains"] == ["order/derived"]
    assert ep.stats["symmetry_classes"] == 1
    # by default the machine variables are eliminated (capacity + colouring): no symmetry left
    assert encode(fs).stats["machines_eliminated"] == 3
    assert solve(fs).status == "sat"
    # three jobs of length 2 on two machines within [0, 3]: the third fits only if it can start at 2
    fs.append(And(*[s[i] - ref <= 1 for i in range(3)]))
    for opts in (EagerOptions(), EagerOptions(symmetry=False, machines=False), EagerOptions(energy=False)):
        assert solve(fs, opts).status == "unsat"


def test_cnf_is_deterministic():
    def build():
        x, y, z = Ints("x y z")
        a = Bool("a")
        return [x - y <= 3, Or(a, y - z >= 2), Implies(a, z - x >= 1), Distinct(x, y, z)]

    h1 = encode(build()).cnf.sha256()
    h2 = encode(build()).cnf.sha256()
    assert h1 == h2
    assert encode(build(), EagerOptions(encoding="bits")).cnf.sha256() != h1


def test_assumptions_and_core():
    x, y = Ints("x y")
    a, b, c = Bool("a"), Bool("b"), Bool("c")
    fs = [Implies(a, x - y >= 3), Implies(b, y - x >= 0), Implies(c, x >= 0)]
    r = solve(fs, assumptions=[a, b, c])
    assert r.status == "unsat" and set(r.core) <= {a, b} and r.core
    assert solve(fs, assumptions=[a, c]).status == "sat"


def test_proof_is_returned_on_unsat():
    x, y, z = Ints("x y z")
    r = solve([x < y, y < z, z < x], EagerOptions(proof=True))
    assert r.status == "unsat" and r.proof is not None and r.cnf_sha256


@pytest.mark.parametrize("sat", ["cadical195"] + (["cadical-bin"] if shutil.which("cadical") else []))
def test_unsat_proof_is_accepted_by_the_kernel_drat_checker(sat):
    from quod.kernel.drat import check_drat

    x, y, z = Ints("x y z")
    fs = [x - y >= 1, y - z >= 1, Or(z - x >= 0, x - z <= 1)]
    r = solve(fs, EagerOptions(proof=True, sat_solver=sat))
    assert r.status == "unsat" and r.cnf is not None
    assert r.cnf.sha256() == r.cnf_sha256
    verdict, _ = check_drat(r.cnf.clauses, r.proof.data())
    assert verdict.verified, verdict.reason
    # the same proof cannot refute a satisfiable part of the CNF
    assert not check_drat(r.cnf.clauses[:1], r.proof.data())[0].verified


def test_cnf_hash_is_independent_of_the_process_hash_seed():
    import os
    import subprocess
    import sys

    code = (
        "from quod.core.builder import Ints, Or, Distinct\n"
        "from quod.eager import encode\n"
        "x, y, z, m1, m2 = Ints('x y z m1 m2')\n"
        "fs = [x - y <= 3, Or(y - z >= 2, m1 != m2), m1 >= 0, m1 <= 2, m2 >= 0, m2 <= 2, Distinct(x, y, z)]\n"
        "print(encode(fs).cnf.sha256())\n"
    )
    hashes = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        hashes.add(out.stdout.strip())
    assert len(hashes) == 1
