"""The DRAT checker: real solver proofs, hand-made RAT proofs, every rejection path, emitted LRAT."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pysat.examples.genhard import CB, GT, PHP
from pysat.solvers import Solver

from quod.kernel.drat import DratChecker, _Reject, check_drat
from quod.kernel.lrat import check_lrat

sys.path.insert(0, str(Path(__file__).parent))
from kernel_reference import drat_binary, lrat_valid, parse_lrat_text  # noqa: E402

XOR = [(1, 2), (-1, 2), (1, -2), (-1, -2)]
# (5) is RAT (its only candidate is a tautology) and is then needed for the conflict
TAUT_RAT = "-5 3 -3 0\n5 0\n-5 2 0\n0\n"
# extended-resolution style: (-5 1) defines 5, (5) is RAT on 5 with a real hint group
ER = "-5 1 0\n5 0\n1 0\n0\n"


def checked(clauses, proof, **kw):
    """Check with the DRAT checker and re-check its LRAT with the kernel and the reference."""
    verdict, lines = check_drat(clauses, proof, emit_lrat=True, **kw)
    if verdict.verified:
        text = "\n".join(lines) + "\n"
        assert check_lrat(clauses, text).verified
        assert lrat_valid(clauses, parse_lrat_text(text))
    else:
        assert lines is None
    return verdict, lines


@pytest.mark.parametrize("solver", ["cadical153", "cadical195", "glucose4", "lingeling"])
@pytest.mark.parametrize(("name", "formula"), [("php5", PHP(5)), ("gt6", GT(6)), ("cb3", CB(3))])
def test_pysat_proofs_are_verified(solver, name, formula):
    with Solver(name=solver, bootstrap_with=formula.clauses, with_proof=True) as s:
        assert s.solve() is False
        proof = s.get_proof()
    verdict, _ = checked(formula.clauses, proof)
    assert verdict.verified, verdict.reason
    assert 0 < verdict.stats["checked"] <= verdict.stats["lemmas"]


@pytest.mark.skipif(shutil.which("cadical") is None, reason="needs the cadical binary (apt)")
@pytest.mark.parametrize("binary", [True, False])
def test_external_cadical_proof_files_are_verified(tmp_path, binary):
    f = PHP(5)
    f.to_file(str(tmp_path / "php.cnf"))
    cmd = ["cadical", "-q", str(tmp_path / "php.cnf"), str(tmp_path / "p.drat")]
    if not binary:
        cmd.insert(2, "--binary=false")
    assert subprocess.run(cmd, capture_output=True).returncode == 20
    data = (tmp_path / "p.drat").read_bytes()
    assert (b"\x00" in data) == binary
    verdict, _ = checked(f.clauses, data, name="p.drat")
    assert verdict.verified, verdict.reason


def _kissat():
    from quod.sat.solvers import kissat_binary

    return kissat_binary()


@pytest.mark.skipif(_kissat() is None, reason="needs kissat (pip install passagemath-kissat)")
@pytest.mark.parametrize("binary", [True, False])
def test_kissat_proof_files_are_verified(tmp_path, binary):
    f = PHP(5)
    f.to_file(str(tmp_path / "php.cnf"))
    cmd = [_kissat(), "-q", str(tmp_path / "php.cnf"), str(tmp_path / "p.drat")]
    if not binary:
        cmd.insert(2, "--no-binary")
    assert subprocess.run(cmd, capture_output=True).returncode == 20
    verdict, _ = checked(f.clauses, (tmp_path / "p.drat").read_bytes(), name="p.drat")
    assert verdict.verified, verdict.reason


def test_unit_propagation_refutation_needs_no_lemmas():
    verdict, lines = checked([(1,), (-1, 2), (-2,)], "")
    assert verdict.verified and lines == ["4 0 1 2 3 0"]


def test_empty_clause_in_formula():
    verdict, lines = checked([(1, 2), ()], "")
    assert verdict.verified and lines == ["2 d 1 0", "3 0 2 0"]


def test_proof_without_conflict_is_rejected():
    verdict, _ = checked(XOR, "2 -2 0\n")
    assert not verdict.verified and "ends without deriving the empty clause" in verdict.reason


def test_premature_empty_clause_is_rejected_with_location():
    verdict, _ = checked(XOR, "c first\n0\n", name="p.drat")
    assert not verdict.verified
    assert verdict.reason == "p.drat:2: step 1: the empty clause does not follow by unit propagation"


def test_needed_invalid_lemma_is_rejected_with_location():
    # (-3) is not implied: with 5 and 3 true at the top level nothing conflicts
    verdict, _ = checked([*XOR, (-5, 3)], "5 0\n-3 0\n", name="p.drat")
    assert not verdict.verified
    assert verdict.reason.startswith("p.drat:2: lemma 2: neither RUP nor RAT on -3")
    assert verdict.step == 2


def test_binary_locations_are_byte_offsets():
    verdict, _ = checked([*XOR, (-5, 3)], drat_binary([(False, [5]), (False, [-3])]), name="p.drat")
    assert verdict.reason.startswith("p.drat: byte 3: lemma 2:")


def test_unneeded_invalid_lemma_is_not_checked():
    # (3) is neither RUP nor RAT (its resolvent with (-3 4) is not RUP) but the refutation never uses it
    verdict, lines = checked([*XOR, (-3, 4)], "3 0\n2 0\n0\n")
    assert verdict.verified
    assert verdict.stats == {"lemmas": 2, "checked": 1, "rat": 0, "ignored_deletions": 0}
    assert not any(line.split()[1:3] == ["3", "0"] for line in lines)


def test_rat_lemma_with_tautological_candidate():
    verdict, lines = checked(XOR, TAUT_RAT)
    assert verdict.verified and verdict.stats["rat"] >= 1
    assert "5 -5 3 -3 0 0" in lines  # the marked tautology has no hints
    # the RAT step names the tautological candidate with an empty group, so the LRAT deletes it
    # after its last use instead of keeping it as a candidate for later RAT steps
    assert lines[1:3] == ["6 5 0 -5 0", "6 d 5 0"]


def test_extended_resolution_rat_step():
    verdict, _ = checked(XOR, ER)
    assert verdict.verified and verdict.stats["rat"] >= 1


def test_huge_extension_variables_are_renumbered_internally():
    big = 10**9
    verdict, lines = checked(XOR, ER.replace("5", str(big)))
    assert verdict.verified
    assert any(str(big) in line for line in lines)


def test_rat_failure_names_the_failing_candidate():
    # (5) has candidate (-5 3): the resolvent (5 3) is not RUP; (5) is needed for the conflict
    verdict, _ = checked([(-5, 3), (-3, 1), (-3, -1)], "5 0\n0\n")
    assert not verdict.verified
    assert "neither RUP nor RAT on 5 (formula clause 1 fails)" in verdict.reason


def test_rat_failure_on_a_lemma_candidate():
    verdict, _ = checked([(-3, 1), (-3, -1)], "-5 3 0\n5 0\n0\n")
    assert not verdict.verified
    assert "(the lemma of step 1 fails)" in verdict.reason


def test_deletions_missing_clauses_and_reasons_are_ignored():
    formula = [(1, 2), (-1, 2), (-2, 3, 4), (-2, 3, -4), (-3, 5), (-3, -5)]
    verdict, _ = checked(formula, "d 1 2 3 0\n2 0\nd 2 0\n3 0\n")
    assert verdict.verified and verdict.stats["ignored_deletions"] == 2


def test_deleted_clause_is_restored_when_going_backward():
    # clause (1 2) is used by the lemma (2) and deleted after it; the backward check needs it back
    verdict, _ = checked(XOR, "2 0\nd 1 2 0\n")
    assert verdict.verified
    verdict, _ = checked([*XOR, (3, 4, 5)], "d 3 4 5 0\n-1 2 0\n2 0\n0\n")
    assert verdict.verified


def test_lemma_that_is_a_top_level_reason_resets_the_top_level():
    # (2) is the reason of 2 at the top level; removing it while going backward recomputes the top level
    verdict, _ = checked([*XOR, (-2, 3), (-3, 4, 5)], "-1 2 0\n2 0\n0\n")
    assert verdict.verified


def test_duplicate_literals_in_lemmas_and_formula():
    verdict, _ = checked([(1, 1, 2), (-1, 2, 2), (1, -2), (-1, -2)], "2 2 0\n0\n")
    assert verdict.verified


def test_internal_error_paths_fail_safe():
    c = DratChecker([(1,), (-1,)], [])
    for i in range(2):
        c.active[i] = 1
        c.units.add(i)
    with pytest.raises(_Reject, match="conflicting unit clauses"):
        c._reset()

    c = DratChecker([(-1, -2), (1,), (2,)], [])
    for i in range(3):
        assert c._attach(i) < 0
    with pytest.raises(_Reject, match="top level conflicts"):
        c._top_level()

    c = DratChecker([(1,), (2,), (-1, -2)], [])
    c._attach(0)
    c._attach(1)
    c._top_level()
    with pytest.raises(_Reject, match="restored clause conflicts"):
        c._backward([(True, 2)])

    c = DratChecker([(1,)], [])
    with pytest.raises(_Reject, match="complementary literals"):
        c._refute([1, -1], set())

    c = DratChecker([(1,)], [])
    c._assign(1, -1)
    with pytest.raises(_Reject, match="assumption is missing"):
        c._explain([1], -1, set())

    c = DratChecker([(1,), ()], [])
    with pytest.raises(_Reject, match="empty clause cannot be a RAT lemma"):
        c._check_rat(1, set())


def test_reset_with_repeated_unit_clauses():
    c = DratChecker([(1,), (1,), (-1, 2)], [])
    for i in range(3):
        c._attach(i)
    c._reset()
    assert c.trail == [1, 2]


def test_lemma_literal_already_true_is_explained_by_its_reason():
    c = DratChecker([(1,), (1, 2)], [])
    c._attach(0)
    c._attach(1)
    c._top_level()
    assert c._refute([1, 2], set()) == [0]
    assert c.marked[0] == 1


def test_partial_reset_rewatches_or_repropagates():
    # top level: 1 (unit), 2 by (-1 2) = clause 1, 4 by (-2 4) = clause 2; clauses 3 and 4 are then
    # attached with one true literal (2) next to false ones, so they watch 2 and a false literal
    c = DratChecker([(1,), (-1, 2), (-2, 4), (-1, 2, -5, -4), (-1, 2), (5,)], [])
    for i in (0, 5, 1, 2):
        c._attach(i)
        c._top_level()
    assert c.trail == [1, 5, 2, 4]
    c._attach(3)
    c._attach(4)
    assert c.lits[3][:2] == [2, -1] and c.lits[4] == [2, -1]
    c.active[1] = 0  # the reason of 2 goes away: unassign from its position
    c._reset(2)
    assert c.trail == [1, 5, 2, 4]
    assert c.reason[2] == 4  # re-derived by clause 4, the only unit one
    assert c.lits[3][:2] == [2, -4]  # clause 3 skipped -5 (false) and moved its false watch to -4


def test_rewatch_conflict_is_an_internal_error():
    c = DratChecker([(1,), (-1, 2)], [])
    c._attach(0)
    c._attach(1)
    c._top_level()
    c._undo(1)
    c._assign(-2, -1)
    with pytest.raises(_Reject, match="conflicts while it is restored"):
        c._rewatch(1, 1, 2)


def _eager_cnf(name):
    from quod.eager.engine import EagerOptions, encode
    from quod.smtlib import parse_file

    path = Path(__file__).resolve().parents[3] / "examples" / "certify" / name
    return encode(parse_file(path).assertions(), EagerOptions()).cnf.clauses


@pytest.mark.parametrize("solver", ["cadical195", "glucose4", "lingeling"])
def test_encoder_cnfs_with_many_top_level_units(solver):
    # eager encodings have long top-level propagation chains: the backward pass keeps repairing the
    # top level as lemmas that are reasons go away; the emitted LRAT re-checks every step
    clauses = _eager_cnf("pigeons.smt2")
    with Solver(name=solver, bootstrap_with=clauses, with_proof=True) as s:
        assert s.solve() is False
        proof = s.get_proof()
    verdict, lines = check_drat(clauses, proof, emit_lrat=True)
    assert verdict.verified, verdict.reason
    assert check_lrat(clauses, lines).verified


@pytest.mark.parametrize("seed", range(6))
def test_random_unsat_3cnf_proofs(seed):
    import random

    rng = random.Random(seed)
    clauses = [[v if rng.random() < 0.5 else -v for v in rng.sample(range(1, 41), 3)] for _ in range(240)]
    with Solver(name="cadical153", bootstrap_with=clauses, with_proof=True) as s:
        if s.solve():
            pytest.skip("satisfiable draw")
        proof = s.get_proof()
    verdict, lines = check_drat(clauses, proof, emit_lrat=True)
    assert verdict.verified, verdict.reason
    assert check_lrat(clauses, lines).verified


def test_sparse_formula_variables_are_renumbered():
    big = 999_999_999
    xor = [tuple(big * x for x in c) for c in XOR]
    verdict, lines = checked(xor, f"{big * 2} 0\n0\n")
    assert verdict.verified and lines[0] == f"5 {big * 2} 0 1 2 0"
    # satisfiable (all false); (7b) is not RAT: its resolvent (7b b) with (-7b b) is not RUP
    verdict, _ = checked([(-7 * big, big), (-big, 2 * big), (-big, -2 * big)], f"{7 * big} 0\n0\n")
    assert not verdict.verified and f"neither RUP nor RAT on {7 * big}" in verdict.reason
