"""Every mutation of a real bundle proof, and of a model, is rejected; corrupted
bundles give one located error line and exit 1.

The proof is the one `quod solve F --certify DIR` stores (CaDiCaL LRAT,
renumbered and trimmed), so every lemma in it is used by a later step. The
mutations are applied exhaustively (every lemma, every literal, every hint),
not sampled. Where a mutation could in principle keep the proof valid
(flipping a literal, pointing a hint at another existing clause), the naive
reference semantics decides, and the kernel must agree with it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from kernel_reference import lrat_text, lrat_valid, parse_lrat_text  # noqa: E402

from quod.backends.certify import check_bundle, sha256_bytes, write_bundle  # noqa: E402
from quod.cli.main import main  # noqa: E402
from quod.kernel.formats import parse_dimacs  # noqa: E402
from quod.kernel.lrat import check_lrat  # noqa: E402

PIGEONS = 6  # six pigeons, five holes


def _pigeons(n: int) -> str:
    decls = "".join(
        f"(declare-const p{i} Int)\n(assert (and (<= 1 p{i}) (<= p{i} {n - 1})))\n" for i in range(n)
    )
    return (
        f"(set-logic QF_LIA)\n{decls}(assert (distinct {' '.join(f'p{i}' for i in range(n))}))\n(check-sat)\n"
    )


Step = tuple  # ("a", id, lits, hints) | ("d", ids)


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("neg")
    (root / "p.smt2").write_text(_pigeons(PIGEONS))
    assert write_bundle(root / "p.smt2", root / "b", store_cnf=True).status == "unsat"
    return root / "b"


@pytest.fixture(scope="module")
def proof(bundle: Path) -> tuple[list[tuple[int, ...]], list[Step]]:
    m = json.loads((bundle / "manifest.json").read_text())
    formula = list(parse_dimacs((bundle / m["cnf"]["file"]).read_bytes()).clauses)
    steps = parse_lrat_text((bundle / m["proof"]["file"]).read_text())
    assert check_lrat(formula, lrat_text(steps)).verified and lrat_valid(formula, steps)
    assert steps[-1][0] == "a" and steps[-1][2] == []  # ends with the empty clause
    return formula, steps


def _adds(steps: list[Step]) -> list[int]:
    return [k for k, s in enumerate(steps) if s[0] == "a"]


def _rejected(formula: list[tuple[int, ...]], steps: list[Step]) -> str:
    verdict = check_lrat(formula, lrat_text(steps))
    assert not verdict.verified, "a mutated proof was verified"
    assert verdict.reason
    return verdict.reason


def test_the_proof_is_large_enough_to_be_interesting(proof):
    formula, steps = proof
    assert len(formula) > 100 and len(_adds(steps)) > 15
    # trimmed: every lemma but the empty clause is a hint of a later lemma
    used = {abs(h) for s in steps if s[0] == "a" for h in s[3]}
    assert all(steps[k][1] in used for k in _adds(steps)[:-1])


def test_every_dropped_lemma_is_rejected(proof):
    formula, steps = proof
    for k in _adds(steps):
        _rejected(formula, steps[:k] + steps[k + 1 :])


def test_every_truncation_is_rejected(proof):
    formula, steps = proof
    for k in range(len(steps)):
        assert "without deriving the empty clause" in _rejected(formula, steps[:k])


def test_every_swap_of_adjacent_lemmas_is_rejected(proof):
    formula, steps = proof
    adds = _adds(steps)
    for k, nxt in zip(adds, adds[1:], strict=False):
        mutated = list(steps)
        mutated[k], mutated[nxt] = steps[nxt], steps[k]
        _rejected(formula, mutated)


def _renumbered(steps: list[Step]) -> list[Step]:
    """Give the added clauses increasing ids in their new order, renaming every reference."""
    first = min(s[1] for s in steps if s[0] == "a")
    new = {s[1]: first + i for i, s in enumerate(s for s in steps if s[0] == "a")}

    def ren(x: int) -> int:
        return (1 if x > 0 else -1) * new.get(abs(x), abs(x))

    return [
        ("a", new[s[1]], s[2], [ren(h) for h in s[3]]) if s[0] == "a" else ("d", [ren(x) for x in s[1]])
        for s in steps
    ]


def test_every_lemma_moved_after_its_first_use_is_rejected(proof):
    """Reordering with consistent ids: the rejection is semantic, not about id order."""
    formula, steps = proof
    for k in _adds(steps)[:-1]:
        cid = steps[k][1]
        user = next(
            u for u in range(k + 1, len(steps)) if steps[u][0] == "a" and cid in map(abs, steps[u][3])
        )
        rest = steps[:k] + steps[k + 1 :]
        mutated = rest[:user] + [steps[k]] + rest[user:]  # just after its first user
        _rejected(formula, _renumbered(mutated))


def test_every_deletion_moved_before_a_use_is_rejected(proof):
    formula, steps = proof
    moved = 0
    for k, s in enumerate(steps):
        if s[0] != "d":
            continue
        gone = set(s[1])
        users = [u for u in range(k) if steps[u][0] == "a" and gone & set(map(abs, steps[u][3]))]
        if not users:
            continue
        last = users[-1]
        mutated = [*steps[:last], s, *steps[last:k], *steps[k + 1 :]]  # just before the last use
        _rejected(formula, mutated)
        moved += 1
    assert moved > 0


def test_every_flipped_literal_is_rejected(proof):
    formula, steps = proof
    count = 0
    for k in _adds(steps):
        _, cid, lits, hints = steps[k]
        for j in range(len(lits)):
            flipped = [*lits[:j], -lits[j], *lits[j + 1 :]]
            mutated = [*steps[:k], ("a", cid, flipped, hints), *steps[k + 1 :]]
            _rejected(formula, mutated)
            assert not lrat_valid(formula, mutated)
            count += 1
    assert count > 10


def test_every_flipped_literal_in_the_formula_is_rejected_or_still_unsat(proof):
    """The proof refutes the CNF the encoder built; against any other CNF it must not pass
    unless that CNF is refuted by exactly the same steps (the reference decides)."""
    formula, steps = proof
    for c in range(len(formula)):
        for j in range(len(formula[c])):
            clause = list(formula[c])
            clause[j] = -clause[j]
            changed = [*formula[:c], tuple(clause), *formula[c + 1 :]]
            verdict = check_lrat(changed, lrat_text(steps))
            assert verdict.verified == lrat_valid(changed, steps)


def test_every_hint_pointing_to_an_unknown_clause_is_rejected(proof):
    formula, steps = proof
    unknown = max(s[1] for s in steps if s[0] == "a") + 1000
    for k in _adds(steps):
        _, cid, lits, hints = steps[k]
        for j in range(len(hints)):
            wrong = [*hints[:j], unknown, *hints[j + 1 :]]
            reason = _rejected(formula, [*steps[:k], ("a", cid, lits, wrong), *steps[k + 1 :]])
            assert f"hint {unknown} is not an active clause" in reason or "follows the conflict" in reason


def test_every_hint_pointing_to_another_clause_matches_the_reference(proof):
    formula, steps = proof
    rejected = 0
    for k in _adds(steps):
        _, cid, lits, hints = steps[k]
        for j in range(len(hints)):
            # the neighbouring ids: an existing clause, usually not the right one
            for other in (abs(hints[j]) - 1, abs(hints[j]) + 1):
                if other < 1 or other == abs(hints[j]):
                    continue
                wrong = [*hints[:j], other, *hints[j + 1 :]]
                mutated = [*steps[:k], ("a", cid, lits, wrong), *steps[k + 1 :]]
                verdict = check_lrat(formula, lrat_text(mutated))
                assert verdict.verified == lrat_valid(formula, mutated)
                rejected += not verdict.verified
    assert rejected > 50


def test_every_dropped_hint_is_rejected(proof):
    formula, steps = proof
    for k in _adds(steps):
        _, cid, lits, hints = steps[k]
        for j in range(len(hints)):
            _rejected(formula, [*steps[:k], ("a", cid, lits, [*hints[:j], *hints[j + 1 :]]), *steps[k + 1 :]])


def test_every_reused_or_decreasing_clause_id_is_rejected(proof):
    formula, steps = proof
    adds = _adds(steps)
    for prev, k in zip(adds, adds[1:], strict=False):
        _, _, lits, hints = steps[k]
        for wrong in (steps[prev][1], len(formula)):  # the previous lemma's id, a formula clause's id
            _rejected(formula, [*steps[:k], ("a", wrong, lits, hints), *steps[k + 1 :]])


# --------------------------------------------------------------------------- models

UNIQUE_SAT = """(set-logic QF_UFLIA)
(declare-fun f (Int) Int)
(declare-const x Int)
(declare-const y Int)
(declare-const b Bool)
(assert (and (<= 0 x) (<= x 5) (<= 0 y) (<= y 5)))
(assert (= x 3))
(assert (= y (+ x 2)))
(assert (= b (< x y)))
(assert (= (f x) (- y 7)))
(check-sat)
"""


def _replace_model(bundle: Path, model: dict) -> None:
    m = json.loads((bundle / "manifest.json").read_text())
    data = json.dumps(model).encode()
    digest = sha256_bytes(data)
    (bundle / "objects" / f"{digest}.json").write_bytes(data)
    m["model"].update(sha256=digest, file=f"objects/{digest}.json")
    (bundle / "manifest.json").write_text(json.dumps(m))


def test_every_one_value_change_of_a_unique_model_is_rejected(tmp_path):
    (tmp_path / "s.smt2").write_text(UNIQUE_SAT)
    assert write_bundle(tmp_path / "s.smt2", tmp_path / "b").status == "sat"
    m = json.loads((tmp_path / "b" / "manifest.json").read_text())
    model = json.loads((tmp_path / "b" / m["model"]["file"]).read_text())
    assert check_bundle(tmp_path / "b").verified
    assert model["constants"] == {"b": "true", "x": "3", "y": "5"}
    changes = [("x", v) for v in ("2", "4", "0", "(- 3)")] + [("y", v) for v in ("4", "6")] + [("b", "false")]
    for name, value in changes:
        changed = json.loads(json.dumps(model))
        changed["constants"][name] = value
        _replace_model(tmp_path / "b", changed)
        result = check_bundle(tmp_path / "b")
        assert not result.verified and "evaluates to false" in result.reason, (name, value)
    # the function: its value at x, then its default (which is its value at x when no entry covers 3)
    for edit in ("entry", "else"):
        changed = json.loads(json.dumps(model))
        fn = changed["functions"]["f"]
        if edit == "entry":
            fn["entries"] = [[["3"], "(- 1)"]]
        else:
            fn["entries"], fn["else"] = [], "0"
        _replace_model(tmp_path / "b", changed)
        result = check_bundle(tmp_path / "b")
        assert not result.verified and "evaluates to false" in result.reason, edit


# --------------------------------------------------------------------------- corrupted bundles on the CLI


def _copy(bundle: Path, dest: Path) -> Path:
    import shutil

    shutil.copytree(bundle, dest)
    return dest


def _proof_file(b: Path) -> Path:
    return b / json.loads((b / "manifest.json").read_text())["proof"]["file"]


def _bad_json(b: Path) -> None:
    (b / "manifest.json").write_text('{"format": "quod-certificate/1",\n  "status": unsat}\n')


def _missing_file(b: Path) -> None:
    _proof_file(b).unlink()


def _hash_mismatch(b: Path) -> None:
    p = _proof_file(b)
    p.write_bytes(p.read_bytes().replace(b" 0 ", b"  0 ", 1))


def _wrong_type(b: Path) -> None:
    m = json.loads((b / "manifest.json").read_text())
    m["cnf"]["sha256"] = 7
    (b / "manifest.json").write_text(json.dumps(m))


def _no_manifest(b: Path) -> None:
    (b / "manifest.json").unlink()


@pytest.mark.parametrize(
    "corrupt, fragment",
    [
        (_bad_json, r"manifest\.json:2:\d+: invalid JSON"),
        (_missing_file, r"objects/[0-9a-f]{64}\.lrat: cannot read"),
        (_hash_mismatch, r"objects/[0-9a-f]{64}\.lrat: content does not match its SHA-256"),
        (_wrong_type, r"manifest\.json: \$\.cnf\.sha256: expected"),
        (_no_manifest, r"not a bundle directory|cannot read the manifest"),
    ],
)
def test_corrupted_bundles_give_one_located_line_and_exit_1(bundle, tmp_path, capsys, corrupt, fragment):
    import re

    b = _copy(bundle, tmp_path / "b")
    corrupt(b)
    assert main(["check", str(b), "-q"]) == 1
    out = capsys.readouterr()
    assert out.out == ""
    lines = out.err.splitlines()
    assert len(lines) == 1, out.err
    assert lines[0].startswith("error[Q") and re.search(fragment, lines[0]), lines[0]
    assert str(b) in lines[0]


def test_corrupted_bundle_from_the_command_line_has_no_traceback(bundle, tmp_path):
    b = _copy(bundle, tmp_path / "b")
    _hash_mismatch(b)
    proc = subprocess.run(
        [sys.executable, "-m", "quod", "check", str(b)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("error[")]
    assert len(errors) == 1 and "content does not match its SHA-256" in errors[0]
