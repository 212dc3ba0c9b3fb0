"""The LRAT checker: accepts exactly the valid steps (hand-made cases, then real CaDiCaL proofs)."""

import sys
from pathlib import Path

import pytest
from pysat.examples.genhard import PHP

from quod.kernel.formats import parse_dimacs
from quod.kernel.lrat import LratChecker, _Reject, check_lrat
from quod.kernel.verdict import ProofFormatError

sys.path.insert(0, str(Path(__file__).parent))
from kernel_reference import lrat_binary  # noqa: E402

# x1 xor x2 is forced both ways: unsatisfiable
XOR = [(1, 2), (-1, 2), (1, -2), (-1, -2)]
XOR_PROOF = "5 2 0 1 2 0\n6 0 5 3 4 0\n"

# a RAT step: (5 1) is not RUP, but its resolvent with (-5 2) is, via clauses 2 and 3
RAT_CNF = [(-5, 2), (1, 2, 3), (1, 2, -3)]


def test_rup_refutation_is_verified():
    v = check_lrat(XOR, XOR_PROOF)
    assert v.verified and v.reason == "" and v.stats["lemmas"] == 2


def test_binary_refutation_is_verified():
    proof = lrat_binary([("a", 5, [2], [1, 2]), ("d", [1, 2]), ("a", 6, [], [5, 3, 4])])
    assert check_lrat(XOR, proof).verified


def test_empty_clause_in_formula_needs_no_proof():
    assert check_lrat([(1,), ()], b"").verified


def test_proof_without_empty_clause_is_rejected():
    v = check_lrat(XOR, "5 2 0 1 2 0\n")
    assert not v.verified and "without deriving the empty clause" in v.reason and v.step == 0


def test_steps_after_the_empty_clause_are_not_read():
    assert check_lrat(XOR, XOR_PROOF + "this is not LRAT\n").verified


def test_malformed_proof_raises():
    with pytest.raises(ProofFormatError):
        check_lrat(XOR, "5 2 0 1 2\n")


@pytest.mark.parametrize(
    ("proof", "fragment"),
    [
        ("5 2 0 1 9 0\n", "hint 9 is not an active clause"),
        ("5 2 0 3 0\n", "hint 3 is satisfied"),
        ("5 0 1 0\n", "hint 1 is not unit"),
        ("5 2 0 1 2 3 0\n", "hint 3 follows the conflict"),
        ("5 2 0 1 0\n", "no hints for candidate clause 4"),
        ("5 2 0 1 2 0\n5 0 5 3 4 0\n", "not larger than the previous id"),
        ("4 2 0 1 2 0\n", "not larger than the previous id"),
        ("5 0 0\n", "the hints of the empty clause reach no conflict"),
        ("5 d 7 0\n", "deletes clause 7, which is not active"),
        ("5 2 0 1 2 -3 0\n", "RAT hints follow a RUP conflict"),
        ("5 d 1 0\n5 2 0 1 2 0\n", "hint 1 is not an active clause"),
    ],
)
def test_invalid_steps_are_rejected_with_reason(proof, fragment):
    v = check_lrat(XOR, proof, "x.lrat")
    assert not v.verified
    assert fragment in v.reason and v.reason.startswith("x.lrat:")
    assert v.step >= 1


def test_tautological_lemma_holds_without_hints():
    c = LratChecker(XOR)
    c.add(5, (3, -3), ())
    assert c.db[5] == (3, -3)


def test_duplicate_literals_are_merged():
    c = LratChecker([(1, 1, 2), (-2,), (-1,)])
    c.add(4, (), (2, 1, 3))  # clause 1 is unit on 1 although 1 is written twice


def test_rat_step_with_hints_is_accepted():
    c = LratChecker(RAT_CNF)
    c.add(4, (5, 1), (-1, 2, 3))
    assert c.stats["rat"] == 1 and c.db[4] == (5, 1)


def test_rat_candidates_are_tracked_across_additions_and_deletions():
    c = LratChecker(RAT_CNF)
    c.add(4, (5, 1), (-1, 2, 3))  # the first RAT step builds the occurrence index
    c.add(5, (-5, 2, 1), (1,))  # RUP, and a new clause with -5
    assert c.occ is not None and c.occ[-5] == {1, 5}
    c.delete((5,))
    c.add(6, (5, 1, 2), (-1, 2, 3))  # clause 5 is gone, so clause 1 is the only candidate
    assert c.occ[-5] == {1} and c.occ[5] == {4, 6}


@pytest.mark.parametrize(
    ("hints", "fragment"),
    [
        ((), "no hints for candidate clause 1"),
        ((-1, 2), "hints for candidate 1 reach no conflict"),
        ((-1, 2, 3, -1, 2, 3), "two hint groups"),
        ((-2, 1), "not an active clause with -5"),
        ((-1, 1), "hint 1 is satisfied"),
    ],
)
def test_bad_rat_steps_are_rejected(hints, fragment):
    c = LratChecker(RAT_CNF)
    with pytest.raises(_Reject, match=fragment):
        c.add(4, (5, 1), hints)


def test_rat_candidates_with_tautological_resolvents_need_no_hints():
    # resolvent with clause 1 holds 3 and -3; with clause 2 it holds 2 and -2
    c = LratChecker([(-5, 3, -3), (-5, -2)])
    c.add(3, (5, 2), ())
    assert 3 in c.db


def test_rat_without_candidates_is_a_pure_literal():
    c = LratChecker([(1, 2)])
    c.add(2, (7, 1), ())
    with pytest.raises(_Reject, match="no hints for candidate clause 2"):
        c.add(3, (-7, 1), ())


@pytest.mark.parametrize("n", [4, 5, 6])
@pytest.mark.parametrize("binary", [0, 1])
def test_cadical_lrat_proofs_are_verified(n, binary):
    from quod.sat.proofs.cadical_lrat import solve_lrat

    f = PHP(n)
    result = solve_lrat(f.clauses, binary=bool(binary))
    assert result.status == "unsat"
    assert check_lrat(f.clauses, result.proof).verified


def test_dimacs_and_lrat_files_together(tmp_path):
    cnf = parse_dimacs("p cnf 2 4\n1 2 0\n-1 2 0\n1 -2 0\n-1 -2 0\n")
    assert check_lrat(cnf.clauses, XOR_PROOF).verified


def test_formula_clauses_are_read_lazily_and_stay_deleted():
    c = LratChecker([*RAT_CNF, (7, 8)])
    assert len(c.db) == 0
    c.delete((4,))  # never used, now gone
    c.add(5, (5, 1), (-1, 2, 3))  # the RAT step reads every active clause
    assert 4 not in c.db and set(c.db) == {1, 2, 3, 5}
    with pytest.raises(_Reject, match="hint 4 is not an active clause"):
        c.add(6, (7,), (4,))
