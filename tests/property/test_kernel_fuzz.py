"""Fuzzing the kernel: malformed input is a located error, never a crash, never a false `verified`.

The soundness fuzz checks proofs against SATISFIABLE formulas: no proof of
any shape can refute them, so any `verified` would be a kernel bug.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit" / "kernel"))
from kernel_reference import drat_binary, lrat_binary, lrat_text, satisfiable  # noqa: E402

from quod.kernel.drat import check_drat  # noqa: E402
from quod.kernel.formats import parse_dimacs, read_drat, read_lrat  # noqa: E402
from quod.kernel.lrat import check_lrat  # noqa: E402
from quod.kernel.verdict import ProofFormatError  # noqa: E402

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PROOFISH = st.text(alphabet="0123456789 -dca\n\t", max_size=120)


def _sat_formula(seed: int, n: int = 6, m: int = 18) -> list[tuple[int, ...]]:
    """Random 3-CNF over n variables that the hidden assignment satisfies."""
    rng = random.Random(seed)
    model = [rng.random() < 0.5 for _ in range(n + 1)]
    out: list[tuple[int, ...]] = []
    while len(out) < m:
        vs = rng.sample(range(1, n + 1), 3)
        clause = tuple(v if rng.random() < 0.5 else -v for v in vs)
        if any((x > 0) == model[abs(x)] for x in clause):
            out.append(clause)
    assert satisfiable(out)
    return out


SAT_FORMULAS = [_sat_formula(s) for s in range(4)]


@FAST
@given(st.one_of(st.binary(max_size=120), PROOFISH.map(str.encode)))
def test_readers_never_crash(data):
    for read in (read_drat, lambda d: (list(read_lrat(d)[0]), False)):
        try:
            read(data)
        except ProofFormatError as e:
            assert e.diagnostic.code in ("Q1102", "Q1103") and e.message
    try:
        parse_dimacs(b"p cnf 4 2\n" + data)
    except ProofFormatError as e:
        assert e.diagnostic.code == "Q1101"


@FAST
@given(st.one_of(st.binary(max_size=150), PROOFISH), st.integers(0, len(SAT_FORMULAS) - 1))
def test_garbage_never_refutes_a_satisfiable_formula(data, k):
    clauses = SAT_FORMULAS[k]
    for check in (lambda: check_drat(clauses, data)[0], lambda: check_lrat(clauses, data)):
        try:
            assert not check().verified
        except ProofFormatError:
            pass


LIT = st.integers(1, 8).flatmap(lambda v: st.sampled_from([v, -v]))
CLAUSE = st.lists(LIT, max_size=4)


@FAST
@given(st.lists(st.tuples(st.booleans(), CLAUSE), max_size=25), st.integers(0, 3), st.booleans())
def test_structured_drat_never_refutes_a_satisfiable_formula(steps, k, binary):
    clauses = SAT_FORMULAS[k]
    steps = [*steps, (False, [])]
    proof = (
        drat_binary(steps)
        if binary
        else "".join(("d " if d else "") + " ".join(map(str, [*c, 0])) + "\n" for d, c in steps)
    )
    verdict, lines = check_drat(clauses, proof, emit_lrat=True)
    assert not verdict.verified and lines is None


@st.composite
def lrat_steps(draw):
    """Plausible-looking LRAT: fresh increasing ids, hints among ids that exist, some RAT groups."""
    n = len(SAT_FORMULAS[0])
    ids = list(range(1, n + 1))
    steps = []
    for _ in range(draw(st.integers(1, 12))):
        if draw(st.integers(0, 5)) == 0 and len(ids) > 1:
            gone = draw(st.sampled_from(ids))
            ids.remove(gone)
            steps.append(("d", [gone]))
            continue
        hints = draw(st.lists(st.sampled_from(ids), max_size=6))
        if draw(st.booleans()):
            hints += [-draw(st.sampled_from(ids)), *draw(st.lists(st.sampled_from(ids), max_size=3))]
        cid = max(ids) + 1
        lits = draw(CLAUSE) if draw(st.integers(0, 3)) else []
        steps.append(("a", cid, lits, hints))
        ids.append(cid)
    return steps


@FAST
@given(lrat_steps(), st.integers(0, 3), st.booleans())
def test_structured_lrat_never_refutes_a_satisfiable_formula(steps, k, binary):
    clauses = SAT_FORMULAS[k]
    proof = lrat_binary(steps) if binary else lrat_text(steps)
    assert not check_lrat(clauses, proof).verified
