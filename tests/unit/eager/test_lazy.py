"""The lazy cycle-lemma loop for pure ordering components."""

import itertools

import pytest
from tests.scheduling import z3_status

from quod.backends.registry import get_solver
from quod.core.builder import And, Bool, Implies, Int, Not, Or
from quod.eager import EagerOptions, encode, solve
from quod.eager.graphs import nonpositive_potentials
from quod.eager.lazy import OrderGraph, conflicts, phase_hints, static_lemmas
from quod.kernel.model import check_model


def lock_problem(n_threads: int, length: int, cross: list[tuple[int, int, int, int]]):
    """Threads are chains of strictly ordered events; each cross constraint is a lock-style choice."""
    ev = [[Int(f"t{t}_{i}") for i in range(length)] for t in range(n_threads)]
    fs = [ev[t][i] < ev[t][i + 1] for t in range(n_threads) for i in range(length - 1)]
    for t1, i1, t2, i2 in cross:
        # either t1's section [i1, i1+1] ends before t2's starts, or the other way round
        fs.append(Or(ev[t1][i1 + 1] < ev[t2][i2], ev[t2][i2 + 1] < ev[t1][i1]))
    return fs, ev


def test_lazy_sat_model_is_checked_and_mode_reported():
    fs, _ = lock_problem(3, 6, [(0, 1, 1, 2), (1, 3, 2, 0), (0, 3, 2, 3), (0, 0, 1, 0)])
    r = solve(fs)
    assert r.status == "sat" and r.stats["encoding"] == "lazy"
    assert "lazy_rounds" in r.stats and check_model(fs, r.model).ok


def test_lazy_needs_lemmas_for_cycles_through_several_choices():
    # a ring of choices where every "natural" orientation closes a strict cycle
    a, b, c, d = (Int(n) for n in "abcd")
    fs = [Or(a < b, c < d), Or(b < c, d < a), Or(c < a, b < d), Or(d < b, a < c), a < d]
    expected = z3_status(fs)
    for lazy in (True, False):
        r = solve(fs, EagerOptions(lazy=lazy))
        assert r.status == expected
        if r.status == "sat":
            assert check_model(fs, r.model).ok


def test_lazy_unsat_agrees_with_z3_and_has_no_proof():
    xs = [Int(f"u{i}") for i in range(6)]
    fs = [xs[i] < xs[i + 1] for i in range(5)]
    # every choice closes a cycle: xs[5] before xs[0] or xs[4] before xs[1]
    fs += [Or(xs[5] < xs[0], xs[4] < xs[1]), Or(xs[3] < xs[2], xs[5] <= xs[0])]
    assert z3_status(fs) == "unsat"
    r = solve(fs)
    assert r.status == "unsat" and r.proof is None and r.stats["encoding"] == "lazy"


def test_non_strict_cycles_are_consistent_and_negated_atoms_give_edges():
    x, y, z = Int("x"), Int("y"), Int("z")
    p = Bool("p")
    # Not(x < y) is the non-strict edge y <= x; with x <= z <= y the three are equal
    fs = [x <= z, z <= y, Or(Not(x < y), p), Implies(p, y < z)]
    r = solve(fs)
    assert r.status == "sat" and check_model(fs, r.model).ok
    assert r.model[x] == r.model[y] == r.model[z]
    assert solve([*fs, x < y]).status == "unsat"


def test_assumptions_and_core_in_lazy_mode():
    x, y, z = Int("x"), Int("y"), Int("z")
    fs = [Or(x < y, y < z), Or(z < x, x < y)]
    s = get_solver("eager")
    s.add(*fs)
    res = s.check([y < x, z < y, x > z - 5])
    assert str(res) == "unsat"
    assert res.core is not None and len(res.core) <= 3
    assert set(map(id, res.core)) <= {id(t) for t in [y < x, z < y, x > z - 5]}
    res2 = s.check([y < x])
    assert str(res2) == "sat"


def test_proof_requests_use_the_one_shot_encoding():
    xs = [Int(f"v{i}") for i in range(4)]
    fs = [xs[0] < xs[1], xs[1] < xs[2], Or(xs[2] < xs[0], xs[3] < xs[0]), xs[0] < xs[3]]
    r = solve(fs, EagerOptions(proof=True))
    assert r.status == "unsat" and r.proof is not None
    assert r.stats["encoding"] != "lazy"
    ep = encode(fs, EagerOptions())
    assert ep.graph is None  # encode() is one-shot unless asked for the lazy form


def test_static_lemmas_and_conflicts_on_a_small_graph():
    g = OrderGraph()
    # facts: 0 -> 1 -> 2 (strict); conditional edges: 2 -> 0 (strict, lit 5), 1 -> 0 (non-strict, lit 6)
    g.add_base((0, 1, -1))
    g.add_base((1, 2, -1))
    g.add_conditional(5, (2, 0, -1))
    g.add_conditional(6, (1, 0, 0))
    g.add_conditional(7, (0, 2, 0))
    lemmas = static_lemmas(g)
    # 2 -> 0 closes 0 -> 1 -> 2 -> 0 (strict); 1 -> 0 closes 0 -> 1 -> 0 (the fact is strict); 0 -> 2 does not
    assert sorted(lemmas) == [[-6], [-5]]
    found = conflicts(g, lambda lit: lit > 0, 10)
    assert found and all(c for c in found)
    edges = {5: (2, 0, -1), 6: (1, 0, 0), 7: (0, 2, 0)}
    for clause in found:  # each lemma: its edges together with the facts are infeasible
        adj = [[(1, -1)], [(2, -1)], []]
        for q in clause:
            y, x, c = edges[-q]
            adj[y].append((x, c))
        assert nonpositive_potentials(3, adj) is None
    assert conflicts(g, lambda lit: lit == 7, 10) == []
    assert set(map(abs, phase_hints(g))) == {5, 6, 7}


def test_fact_cycle_is_an_empty_lemma():
    g = OrderGraph()
    for e in [(0, 1, 0), (1, 2, -2), (2, 0, 0)]:
        g.add_base(e)
    assert static_lemmas(g) == [[]]


@pytest.mark.parametrize("seed", range(6))
def test_random_lock_problems_agree_with_z3(seed):
    rnd = __import__("random").Random(seed)
    cross = [(rnd.randrange(3), rnd.randrange(4), rnd.randrange(3), rnd.randrange(4)) for _ in range(7)]
    cross = [c for c in cross if c[0] != c[2]]
    fs, ev = lock_problem(3, 5, cross)
    fs.append(And(*[ev[0][4] < ev[t][0] for t in (1, 2) if rnd.random() < 0.5]))
    for t1, t2 in itertools.combinations(range(3), 2):
        if rnd.random() < 0.3:
            fs.append(ev[t1][rnd.randrange(5)] < ev[t2][rnd.randrange(5)])
    expected = z3_status(fs)
    r = solve(fs)
    assert r.status == expected
    if expected == "sat":
        assert check_model(fs, r.model).ok
