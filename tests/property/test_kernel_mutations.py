"""Mutated certificates: the kernel's verdict must match ground truth on every mutation.

Some mutations keep a proof valid (dropping an unused lemma, swapping two
independent steps), so "every mutation is rejected" would be the wrong
test. Ground truth comes from the naive reference semantics in
tests/unit/kernel/kernel_reference.py:
  LRAT: the kernel verdict equals the reference LRAT verdict, exactly;
  DRAT: a verified proof comes with an LRAT certificate that the reference
        accepts, and a proof whose every lemma is RUP (reference, forward)
        is verified;
and in all cases a verified refutation implies the formula is unsatisfiable.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pysat.examples.genhard import PHP
from pysat.solvers import Solver

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit" / "kernel"))
from kernel_reference import (  # noqa: E402
    drat_text,
    is_rup,
    lrat_text,
    lrat_valid,
    parse_lrat_text,
    satisfiable,
)

from quod.kernel.drat import check_drat  # noqa: E402
from quod.kernel.lrat import check_lrat  # noqa: E402
from quod.sat.proofs.cadical_lrat import solve_lrat  # noqa: E402

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _random_unsat(count: int) -> list[list[tuple[int, ...]]]:
    out = []
    seed = 0
    while len(out) < count:
        rng = random.Random(seed)
        seed += 1
        f = [tuple(v if rng.random() < 0.5 else -v for v in rng.sample(range(1, 11), 3)) for _ in range(55)]
        if not satisfiable(f):
            out.append(f)
    return out


FORMULAS = [[tuple(c) for c in PHP(3).clauses], [tuple(c) for c in PHP(4).clauses], *_random_unsat(4)]


def _lrat_base(f: list[tuple[int, ...]]) -> list[tuple]:
    result = solve_lrat(f)
    assert result.status == "unsat" and result.proof is not None
    return parse_lrat_text(result.proof.decode())


def _drat_base(f: list[tuple[int, ...]], solver: str) -> list[tuple[bool, list[int]]]:
    with Solver(name=solver, bootstrap_with=[list(c) for c in f], with_proof=True) as s:
        assert s.solve() is False
        lines = s.get_proof()
    return [(ln.startswith("d"), [int(x) for x in ln.lstrip("d ").split()[:-1]]) for ln in lines]


LRAT_BASES = [(f, _lrat_base(f)) for f in FORMULAS]
DRAT_BASES = [(f, _drat_base(f, s)) for f in FORMULAS for s in ("cadical153", "glucose4")]
# a RAT proof (extension variable 11 defined as a copy of 1) to mutate as well
DRAT_BASES.append((FORMULAS[2], [(False, [-11, 1]), (False, [11, -1]), *DRAT_BASES[4][1]]))


def _mutate_lrat(steps: list[tuple], kind: int, i: int, j: int, r: int) -> list[tuple]:
    steps = [tuple(s) for s in steps]
    i %= len(steps)
    step = steps[i]
    if kind == 0:  # drop a step
        return steps[:i] + steps[i + 1 :]
    if kind == 1:  # truncate
        return steps[:i]
    if kind == 2 and i + 1 < len(steps):  # reorder two steps
        steps[i], steps[i + 1] = steps[i + 1], steps[i]
        return steps
    if step[0] == "d":
        ids = list(step[1])
        if ids:
            ids[j % len(ids)] = r
        steps[i] = ("d", ids)
        return steps
    _, cid, lits, hints = step
    lits, hints = list(lits), list(hints)
    if kind == 3 and lits:  # flip a literal
        lits[j % len(lits)] *= -1
    elif kind == 4 and hints:  # wrong clause id in a hint
        hints[j % len(hints)] = r
    elif kind == 5 and hints:  # drop a hint
        del hints[j % len(hints)]
    elif kind == 6:  # wrong id for the new clause
        cid = r
    elif kind == 7:  # add a literal
        lits.append(r % 12 + 1)
    steps[i] = ("a", cid, lits, hints)
    return steps


@SETTINGS
@given(
    st.integers(0, len(LRAT_BASES) - 1),
    st.integers(0, 8),
    st.integers(0, 10**6),
    st.integers(0, 50),
    st.integers(1, 120),
)
def test_lrat_verdict_matches_reference_under_mutation(b, kind, i, j, r):
    formula, steps = LRAT_BASES[b]
    if kind == 8:  # weaken the formula: drop one clause (the proof may now be wrong)
        formula = formula[: i % len(formula)] + formula[i % len(formula) + 1 :]
    else:
        steps = _mutate_lrat(steps, kind, i, j, r)
    verdict = check_lrat(formula, lrat_text(steps))
    assert verdict.verified == lrat_valid(formula, steps), verdict.reason
    if verdict.verified:
        assert not satisfiable(formula)
    else:
        assert verdict.reason


def test_unmutated_lrat_bases_are_valid():
    for formula, steps in LRAT_BASES:
        assert check_lrat(formula, lrat_text(steps)).verified and lrat_valid(formula, steps)


def _drup_forward_valid(formula, steps) -> bool:
    db = [list(c) for c in formula]
    for is_del, lits in steps:
        if is_del:
            key = sorted(set(lits))
            for k, c in enumerate(db):
                if sorted(set(c)) == key:
                    del db[k]
                    break
            continue
        if not is_rup(db, lits):
            return False
        if not lits:
            return True
        db.append(list(lits))
    return False


def _mutate_drat(steps, kind, i, j, r):
    steps = [(d, list(c)) for d, c in steps]
    i %= len(steps)
    if kind == 0:
        return steps[:i] + steps[i + 1 :]
    if kind == 1:
        return steps[:i]
    if kind == 2 and i + 1 < len(steps):
        steps[i], steps[i + 1] = steps[i + 1], steps[i]
    elif kind == 3 and steps[i][1]:
        steps[i][1][j % len(steps[i][1])] *= -1
    elif kind == 4:  # insert an arbitrary lemma
        steps.insert(i, (False, [r % 11 + 1, -(j % 11 + 1)]))
    elif kind == 5 and steps[i][1]:  # drop a literal
        del steps[i][1][j % len(steps[i][1])]
    return steps


@SETTINGS
@given(
    st.integers(0, len(DRAT_BASES) - 1),
    st.integers(0, 6),
    st.integers(0, 10**6),
    st.integers(0, 50),
    st.integers(1, 120),
)
def test_drat_verdict_is_backed_by_ground_truth(b, kind, i, j, r):
    formula, steps = DRAT_BASES[b]
    if kind == 6:
        formula = formula[: i % len(formula)] + formula[i % len(formula) + 1 :]
    else:
        steps = _mutate_drat(steps, kind, i, j, r)
    verdict, lines = check_drat(formula, drat_text(steps), emit_lrat=True)
    if verdict.verified:
        assert lrat_valid(formula, parse_lrat_text("\n".join(lines)))
        assert not satisfiable(formula)
    else:
        assert verdict.reason
        assert not _drup_forward_valid(formula, steps)


def test_unmutated_drat_bases_are_valid():
    for formula, steps in DRAT_BASES:
        verdict, _ = check_drat(formula, drat_text(steps))
        assert verdict.verified, verdict.reason
