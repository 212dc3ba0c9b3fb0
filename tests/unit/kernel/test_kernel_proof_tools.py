"""The untrusted proof tools (LRAT from CaDiCaL, renumbering and trimming), checked by the kernel."""

import pytest
from pysat.examples.genhard import PHP

from quod.core.errors import QuodError
from quod.kernel.lrat import check_lrat
from quod.sat.proofs import cadical_lrat
from quod.sat.proofs.cadical_lrat import _looks_like_lrat, solve_lrat
from quod.sat.proofs.lrat_tools import normalize_lrat

# units in the middle of the input make CaDiCaL create lemmas before the input is complete
UNITS_MID = [[1, 2], [-1], [1, 3], [-3, 2], [-2, 4], [-4, -2]]
DUPLICATES = [[1, 1, 2], [-1, 2], [1, -2, -2], [-1, -2]]


@pytest.mark.parametrize("formula", [UNITS_MID, DUPLICATES, PHP(4).clauses])
def test_raw_cadical_ids_need_renumbering_and_then_check(formula):
    res = solve_lrat(formula)
    assert res.status == "unsat" and res.time > 0
    fixed = normalize_lrat(len(formula), res.proof)
    assert check_lrat(formula, fixed).verified


def test_interleaved_ids_are_rejected_without_renumbering():
    res = solve_lrat(UNITS_MID)
    assert not check_lrat(UNITS_MID, res.proof).verified


def test_trimming_keeps_only_needed_lemmas():
    f = PHP(5).clauses
    raw = solve_lrat(f).proof
    fixed = normalize_lrat(len(f), raw)
    raw_adds = sum(1 for ln in raw.splitlines() if b" d " not in ln)
    fixed_adds = sum(1 for ln in fixed.splitlines() if b" d " not in ln)
    assert fixed_adds <= raw_adds
    verdict = check_lrat(f, fixed)
    assert verdict.verified and verdict.stats["lemmas"] == fixed_adds and verdict.stats["deleted"] > 0


def test_sat_answer_has_a_model_and_binary_unsat_proofs_check():
    res = solve_lrat([[1, 2], [-1]])
    assert res.status == "sat" and set(res.model) >= {-1, 2} and res.proof is None
    res = solve_lrat(PHP(4).clauses, binary=True)
    assert res.binary and res.proof[:1] in (b"a", b"d")


def test_time_limit_gives_unknown():
    res = solve_lrat(PHP(10).clauses, timeout=0.01)
    assert res.status == "unknown" and res.proof is None and res.stats["slices"] >= 1


def test_small_slices_grow_and_still_give_a_proof(monkeypatch):
    monkeypatch.setattr(cadical_lrat, "_FIRST_BUDGET", 10)
    f = PHP(6).clauses
    res = solve_lrat(f, timeout=60)
    assert res.status == "unsat" and res.stats["slices"] > 1
    assert check_lrat(f, normalize_lrat(len(f), res.proof)).verified


def test_drat_passed_off_as_lrat_is_refused():
    with pytest.raises(QuodError, match="did not produce LRAT"):
        _looks_like_lrat(b"1 2 0\n", False)
    with pytest.raises(QuodError, match="did not produce LRAT"):
        _looks_like_lrat(b"\x07\x00", True)
    _looks_like_lrat(b"", False)
    _looks_like_lrat(b"5 d 1 0\n", False)


def test_empty_clause_in_input_gives_an_empty_proof():
    res = solve_lrat([[1, 2], [], [1, 3]])
    assert res.status == "unsat" and res.proof == b""
    assert check_lrat([[1, 2], [], [1, 3]], res.proof).verified


def test_normalize_keeps_rat_groups():
    # RAT step (5 1) on 5 with candidate clause 1; the empty clause then follows by RUP
    formula = [[-5, 2], [1, 2, 3], [1, 2, -3], [-1, 2], [-2, 6], [-2, -6]]
    proof = b"c a comment\n7 5 1 0 -1 2 3 0\n7 d 6 0\n8 2 0 1 7 4 0\n9 0 8 5 6 0\n"
    # the deletion line above is skipped: ids are recomputed from last uses
    fixed = normalize_lrat(len(formula), proof)
    assert b"-1 2 3" in fixed
    assert check_lrat(formula, fixed).verified


@pytest.mark.parametrize(
    ("proof", "fragment"),
    [
        (b"5 2 0 1 2 0\n", "does not derive the empty clause"),
        (b"", "does not derive the empty clause"),
        (b"5 2 1 2\n", "not a text LRAT step"),
        (b"5 0 9 0\n", "hint 9 names no clause"),
    ],
)
def test_normalize_errors(proof, fragment):
    with pytest.raises(QuodError, match=fragment):
        normalize_lrat(4, proof)
