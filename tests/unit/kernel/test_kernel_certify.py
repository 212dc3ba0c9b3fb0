"""Certificate bundles and `quod check`: round trips, and every kind of tampering is caught."""

import json
import shutil
from pathlib import Path

import pytest
from pysat.solvers import Solver
from tests.benchdata import SMT

from quod.backends.certify import BundleError, check_bundle, sha256_bytes, write_bundle
from quod.cli.main import main
from quod.core.errors import QuodError

# unsat: x - y <= -1, y - z <= -1, z - x <= -1 plus bounds (a negative cycle) and some Boolean structure
UNSAT = """(set-logic QF_IDL)
(declare-const x Int)
(declare-const y Int)
(declare-const z Int)
(declare-const p Bool)
(assert (and (<= 0 x) (<= x 9) (<= 0 y) (<= y 9) (<= 0 z) (<= z 9)))
(assert (or p (< x y)))
(assert (or (not p) (< x y)))
(assert (< y z))
(assert (or (< z x) (and p (< z (- x 1)))))
(check-sat)
"""
SAT = """(set-logic QF_UFLIA)
(declare-fun f (Int) Int)
(declare-const x Int)
(declare-const y Int)
(declare-const b Bool)
(assert (and (<= 0 x) (<= x 5) (<= 0 y) (<= y 5)))
(assert (= (f x) (+ y 1)))
(assert (=> b (> x y)))
(assert b)
(check-sat)
"""


@pytest.fixture
def unsat_bundle(tmp_path):
    src = tmp_path / "u.smt2"
    src.write_text(UNSAT)
    summary = write_bundle(src, tmp_path / "bundle", store_cnf=True)
    assert summary.status == "unsat" and summary.directory == tmp_path / "bundle"
    return tmp_path / "bundle"


@pytest.fixture
def sat_bundle(tmp_path):
    src = tmp_path / "s.smt2"
    src.write_text(SAT)
    assert write_bundle(src, tmp_path / "sat").status == "sat"
    return tmp_path / "sat"


def _manifest(bundle: Path) -> dict:
    return json.loads((bundle / "manifest.json").read_text())


def _save(bundle: Path, manifest: dict) -> None:
    (bundle / "manifest.json").write_text(json.dumps(manifest))


def _replace_object(bundle: Path, key: str, data: bytes, ext: str) -> None:
    """Tamper consistently: new content, new content-addressed name, new hash in the manifest."""
    m = _manifest(bundle)
    digest = sha256_bytes(data)
    (bundle / "objects" / f"{digest}.{ext}").write_bytes(data)
    m[key].update(sha256=digest, file=f"objects/{digest}.{ext}")
    _save(bundle, m)


def test_unsat_bundle_round_trip(unsat_bundle):
    m = _manifest(unsat_bundle)
    assert m["status"] == "unsat" and m["proof"]["format"] == "lrat" and "file" in m["cnf"]
    result = check_bundle(unsat_bundle)
    assert result.verified and result.status == "unsat" and str(result) == "verified"
    assert set(result.times) == {"parse", "encode", "kernel", "kernel_cpu"}


def test_sat_bundle_round_trip_with_function_table(sat_bundle):
    model = json.loads((sat_bundle / _manifest(sat_bundle)["model"]["file"]).read_text())
    assert set(model["constants"]) == {"x", "y", "b"} and "f" in model["functions"]
    assert check_bundle(sat_bundle).verified


def test_cli_prints_verified(unsat_bundle, capsys):
    assert main(["check", str(unsat_bundle), "-q", "--stats"]) == 0
    out = capsys.readouterr()
    assert out.out == "verified\n" and '"kernel"' in out.err


def test_modified_input_is_caught(unsat_bundle):
    m = _manifest(unsat_bundle)
    path = unsat_bundle / m["input"]["file"]
    path.write_text(path.read_text().replace("(< y z)", "(<= y z)"))
    with pytest.raises(BundleError, match="does not match its SHA-256") as e:
        check_bundle(unsat_bundle)
    assert e.value.diagnostic.code == "Q1106"


def test_consistently_rehashed_wrong_input_is_rejected_by_the_kernel(unsat_bundle):
    # weaker input (satisfiable): the encoder yields another CNF, whose hash does not match
    _replace_object(unsat_bundle, "input", UNSAT.replace("(assert (< y z))", "").encode(), "smt2")
    result = check_bundle(unsat_bundle)
    assert not result.verified and "different CNF" in result.reason


def test_corrupted_proof_is_rejected(unsat_bundle, capsys):
    m = _manifest(unsat_bundle)
    lines = (unsat_bundle / m["proof"]["file"]).read_bytes().splitlines()
    # drop the last lemma before the empty clause: its id is then unknown to the final hint chain
    adds = [k for k, ln in enumerate(lines) if b" d " not in ln]
    del lines[adds[-2]]
    _replace_object(unsat_bundle, "proof", b"\n".join(lines) + b"\n", "lrat")
    result = check_bundle(unsat_bundle)
    assert not result.verified and "lemma" in result.reason
    assert main(["check", str(unsat_bundle), "-q"]) == 1
    assert capsys.readouterr().out.startswith("rejected: ")


def test_drat_proof_in_a_bundle(unsat_bundle):
    cnf_file = unsat_bundle / _manifest(unsat_bundle)["cnf"]["file"]
    clauses = [
        [int(t) for t in ln.split()[:-1]]
        for ln in cnf_file.read_text().splitlines()
        if ln and ln[0] not in "cp"
    ]
    with Solver(name="glucose4", bootstrap_with=clauses, with_proof=True) as s:
        assert s.solve() is False
        proof = "\n".join(s.get_proof()) + "\n"
    _replace_object(unsat_bundle, "proof", proof.encode(), "drat")
    m = _manifest(unsat_bundle)
    m["proof"]["format"] = "drat"
    _save(unsat_bundle, m)
    assert check_bundle(unsat_bundle).verified


def test_other_encoder_version_is_rejected(unsat_bundle):
    m = _manifest(unsat_bundle)
    m["encoder"]["version"] = "quod-eager-0"
    _save(unsat_bundle, m)
    result = check_bundle(unsat_bundle)
    assert not result.verified and "made by encoder quod-eager-0" in result.reason


def test_changed_encoder_option_changes_the_cnf(unsat_bundle):
    m = _manifest(unsat_bundle)
    m["encoder"]["options"]["encoding"] = "bits" if m["encoder"]["options"]["encoding"] != "bits" else "order"
    _save(unsat_bundle, m)
    result = check_bundle(unsat_bundle)
    assert not result.verified and "different CNF" in result.reason


@pytest.mark.parametrize(
    ("edit", "fragment"),
    [
        (lambda m: m.update(format="other"), "$.format"),
        (lambda m: m.update(status="unknown"), "$.status"),
        (lambda m: m.pop("proof"), "$.proof.format: missing"),
        (lambda m: m["proof"].update(format="cake"), "$.proof.format"),
        (lambda m: m["proof"].update(sha256=5), "$.proof.sha256: expected str"),
        (lambda m: m["proof"].update(file="../../etc/passwd"), "is not objects/<sha256>.<ext>"),
        (lambda m: m["proof"].update(file="objects/" + "0" * 64 + ".lrat", sha256="0" * 64), "cannot read"),
        (lambda m: m["encoder"]["options"].update(turbo=True), "$.encoder.options.turbo"),
        (lambda m: m["encoder"]["options"].update(symmetry=1), "$.encoder.options.symmetry: expected bool"),
    ],
)
def test_malformed_manifests_are_located_errors(unsat_bundle, edit, fragment):
    m = _manifest(unsat_bundle)
    edit(m)
    _save(unsat_bundle, m)
    with pytest.raises(BundleError) as e:
        check_bundle(unsat_bundle)
    assert fragment in e.value.message


def test_broken_json_and_missing_manifest(tmp_path, unsat_bundle):
    (unsat_bundle / "manifest.json").write_text('{"format": ')
    with pytest.raises(BundleError, match=r"manifest.json:1:\d+: invalid JSON"):
        check_bundle(unsat_bundle)
    (unsat_bundle / "manifest.json").write_text("[1]")
    with pytest.raises(BundleError, match=r"\$: expected a JSON object"):
        check_bundle(unsat_bundle)
    with pytest.raises(BundleError, match="cannot read the manifest"):
        check_bundle(tmp_path / "nowhere")


def test_changed_model_value_is_rejected(sat_bundle):
    path = sat_bundle / _manifest(sat_bundle)["model"]["file"]
    model = json.loads(path.read_text())
    model["constants"]["b"] = "false"
    _replace_object(sat_bundle, "model", json.dumps(model).encode(), "json")
    result = check_bundle(sat_bundle)
    assert not result.verified and "assertion 3 evaluates to false" in result.reason


def test_changed_function_table_is_rejected(sat_bundle):
    path = sat_bundle / _manifest(sat_bundle)["model"]["file"]
    model = json.loads(path.read_text())
    f = model["functions"]["f"]
    f["entries"] = [[args, str(int(v) + 1)] for args, v in f["entries"]]
    f["else"] = "100"
    _replace_object(sat_bundle, "model", json.dumps(model).encode(), "json")
    result = check_bundle(sat_bundle)
    assert not result.verified and "assertion 1" in result.reason


@pytest.mark.parametrize(
    ("model", "fragment"),
    [
        (b"{", "invalid JSON"),
        (b"[]", "expected {'constants'"),
        (json.dumps({"constants": {"x": 3}, "functions": {}}).encode(), "expected an SMT-LIB literal"),
        (json.dumps({"constants": {"x": "true"}, "functions": {}}).encode(), "not a literal of sort Int"),
        (json.dumps({"constants": {"x": "(+ 1"}, "functions": {}}).encode(), "$.constants.x"),
        (json.dumps({"constants": {}, "functions": {"f": []}}).encode(), "expected {'entries'"),
        (json.dumps({"constants": {}, "functions": {"f": {"entries": [[["1", "2"], "3"]], "else": "0"}}}).encode(),
         "entries[0]: expected [[1 arguments], value]"),
    ],
)  # fmt: skip
def test_malformed_models_are_located_errors(sat_bundle, model, fragment):
    _replace_object(sat_bundle, "model", model, "json")
    with pytest.raises(BundleError) as e:
        check_bundle(sat_bundle)
    assert fragment in e.value.message


def test_unmentioned_symbols_in_a_model_are_ignored(sat_bundle):
    path = sat_bundle / _manifest(sat_bundle)["model"]["file"]
    model = json.loads(path.read_text())
    model["constants"]["unused"] = "7"
    model["functions"]["g"] = {"entries": [], "else": "0"}
    _replace_object(sat_bundle, "model", json.dumps(model).encode(), "json")
    assert check_bundle(sat_bundle).verified


def test_input_that_is_not_utf8(unsat_bundle):
    _replace_object(unsat_bundle, "input", b"(assert \xff)", "smt2")
    with pytest.raises(BundleError, match="not UTF-8"):
        check_bundle(unsat_bundle)


def test_unknown_answer_writes_no_bundle(tmp_path, monkeypatch):
    from quod.sat.proofs import cadical_lrat

    monkeypatch.setattr(cadical_lrat, "solve_lrat", lambda *a, **k: cadical_lrat.LratSolveResult("unknown"))
    src = tmp_path / "u.smt2"
    src.write_text(UNSAT)
    summary = write_bundle(src, tmp_path / "never", timeout=1.0)
    assert summary.status == "unknown" and summary.directory is None and not (tmp_path / "never").exists()


def test_missing_input_file(tmp_path):
    with pytest.raises(QuodError, match="cannot read"):
        write_bundle(tmp_path / "none.smt2", tmp_path / "b")


def test_cvc5_proof_is_stored_but_not_claimed_checked(tmp_path):
    src = tmp_path / "u.smt2"
    src.write_text(UNSAT)
    write_bundle(src, tmp_path / "b", cvc5_proof=True)
    record = _manifest(tmp_path / "b")["cvc5_proof"]
    assert record["checked_by_quod"] is False
    if "file" in record:
        assert (tmp_path / "b" / record["file"]).stat().st_size > 0 and record["format"] == "cpc"
    assert check_bundle(tmp_path / "b").verified


# ---------------------------------------------------------------- `quod check CNF PROOF`

XOR_CNF = "p cnf 2 4\n1 2 0\n-1 2 0\n1 -2 0\n-1 -2 0\n"


def test_cli_checks_drat_and_emits_lrat(tmp_path, capsys):
    (tmp_path / "f.cnf").write_text(XOR_CNF)
    (tmp_path / "p.drat").write_text("2 0\n0\n")
    out = tmp_path / "p.lrat"
    assert main(["check", str(tmp_path / "f.cnf"), str(tmp_path / "p.drat"), "--emit-lrat", str(out)]) == 0
    assert main(["check", str(tmp_path / "f.cnf"), str(out)]) == 0
    (tmp_path / "bad.drat").write_text("0\n")
    assert main(["check", str(tmp_path / "f.cnf"), str(tmp_path / "bad.drat"), "-q"]) == 1
    assert capsys.readouterr().out.splitlines()[-1].startswith("rejected:")


def test_cli_format_option_and_usage_errors(tmp_path, capsys, unsat_bundle):
    (tmp_path / "f.cnf").write_text(XOR_CNF)
    (tmp_path / "p.txt").write_text("5 2 0 1 2 0\n6 0 5 3 4 0\n")
    assert main(["check", str(tmp_path / "f.cnf"), str(tmp_path / "p.txt"), "--format", "lrat"]) == 0
    assert (
        main(
            [
                "check",
                str(tmp_path / "f.cnf"),
                str(tmp_path / "p.txt"),
                "--format",
                "lrat",
                "--emit-lrat",
                "x",
            ]
        )
        == 1
    )
    assert main(["check", str(unsat_bundle), str(tmp_path / "p.txt")]) == 1
    assert main(["check", str(tmp_path / "f.cnf")]) == 1
    assert main(["check", str(tmp_path / "f.cnf"), str(tmp_path / "missing.drat")]) == 1
    (tmp_path / "broken.drat").write_text("1 x 0\n")
    assert main(["check", str(tmp_path / "f.cnf"), str(tmp_path / "broken.drat")]) == 1
    err = capsys.readouterr().err
    assert "error[Q0003]" in err and "error[Q0002]" in err and "broken.drat:1:1: error[Q1102]" in err


@pytest.mark.skipif(not (SMT / "qf_lia_fischer").is_dir(), reason="needs the benchmark set")
def test_public_benchmark_unsat_is_certified(tmp_path):
    src = SMT / "qf_lia_fischer" / "FISCHER1-3-fair.smt2"
    shutil.copy(src, tmp_path / src.name)
    assert write_bundle(tmp_path / src.name, tmp_path / "b").status == "unsat"
    assert check_bundle(tmp_path / "b").verified


def test_inputs_outside_the_eager_fragment_are_errors(tmp_path):
    src = tmp_path / "nl.smt2"
    src.write_text("(set-logic QF_NIA)\n(declare-const x Int)\n(assert (= (* x x) 2))\n(check-sat)\n")
    with pytest.raises(QuodError) as e:
        write_bundle(src, tmp_path / "b")
    assert e.value.diagnostic.code == "Q0103"
    src.write_text("(declare-const x Int)\n(push 1)\n(assert (= x 2))\n(check-sat)\n")
    with pytest.raises(QuodError, match="push"):
        write_bundle(src, tmp_path / "b")


@pytest.mark.parametrize("solver", ["glucose4", "cadical-bin"])
def test_bundles_with_drat_from_the_sat_layer(tmp_path, solver):
    if solver == "cadical-bin" and shutil.which("cadical") is None:
        pytest.skip("needs the cadical binary")
    for text, expected in ((UNSAT, "unsat"), (SAT, "sat")):
        src = tmp_path / f"{expected}.smt2"
        src.write_text(text)
        summary = write_bundle(src, tmp_path / expected, proof_solver=solver, timeout=30)
        assert summary.status == expected
        m = _manifest(tmp_path / expected)
        assert m["solvers"]["proof"] == solver
        if expected == "unsat":
            assert m["proof"]["format"] == "drat"
        assert check_bundle(tmp_path / expected).verified


BENCH = SMT
SMALL_UNSAT = [
    *(f"qf_lia_fischer/FISCHER1-{k}-fair.smt2" for k in range(2, 7)),
    *(f"qf_uflia_hash/hash_uns_03_{k:02d}.smt2" for k in range(5, 20, 2)),
]


@pytest.mark.slow
@pytest.mark.skipif(not BENCH.is_dir(), reason="needs the benchmark set")
@pytest.mark.parametrize("rel", SMALL_UNSAT)
def test_small_public_unsat_files_are_certified_and_verified(tmp_path, rel):
    summary = write_bundle(BENCH / rel, tmp_path / "b", timeout=120)
    assert summary.status == "unsat"
    result = check_bundle(tmp_path / "b")
    assert result.verified, result.reason
