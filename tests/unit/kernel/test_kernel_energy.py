"""The kernel's energetic-overload certificates (kernel/energy.py): acceptance and every rejection."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from tests.benchdata import SMT

from quod.backends.certify import check_bundle, energy_certificate, write_bundle
from quod.core.terms import Term
from quod.core.walk import conjuncts
from quod.kernel.energy import check_energy, clause_of, edge_of
from quod.smtlib import parse_script

JOBSHOP = SMT / "qf_idl_jobshop"


def _parse(body: str, ints: str = "", reals: str = "") -> list[Term]:
    decls = "".join(f"(declare-fun {v} () Int)" for v in ints.split())
    decls += "".join(f"(declare-fun {v} () Real)" for v in reals.split())
    return parse_script(f"(set-logic ALL){decls}{body}", "t.smt2").assertions()


def _unary(n: int, d: int, top: int, extra: str = "") -> tuple[list[Term], list[tuple[str, int, None]]]:
    """n operations of duration d, unary resource, s_i in [r, r + top]."""
    atoms = [f"(>= (- s{i} r) 0) (<= (- s{i} r) {top})" for i in range(n)]
    atoms += [
        f"(or (>= (- s{i} s{j}) {d}) (>= (- s{j} s{i}) {d}))" for i in range(n) for j in range(i + 1, n)
    ]
    names = " ".join(f"s{i}" for i in range(n)) + " r"
    return _parse(f"(assert (and {' '.join(atoms)})) {extra}", names), [(f"s{i}", d, None) for i in range(n)]


def _machines(n: int, d: int, top: int, mhi: int) -> tuple[list[Term], list[tuple[str, int, str]]]:
    """n operations on machines m_i in [r, r + mhi]; s_i in [r, r + top]."""
    atoms = [
        f"(>= (- s{i} r) 0) (<= (- s{i} r) {top}) (>= (- m{i} r) 0) (<= (- m{i} r) {mhi})" for i in range(n)
    ]
    atoms += [
        f"(or (not (= (- m{i} m{j}) 0)) (>= (- s{i} s{j}) {d}) (>= (- s{j} s{i}) {d}))"
        for i in range(n)
        for j in range(i + 1, n)
    ]
    names = " ".join(f"s{i} m{i}" for i in range(n)) + " r"
    return _parse(f"(assert (and {' '.join(atoms)}))", names), [(f"s{i}", d, f"m{i}") for i in range(n)]


def _cert(assertions: list[Term], ops: list[Any]) -> dict[str, Any]:
    cert = energy_certificate(assertions, ops)
    assert cert is not None
    return cert


def _rejects(assertions: list[Term], cert: Any, reason: str) -> None:
    v = check_energy(assertions, cert)
    assert not v.verified
    assert reason in v.reason, v.reason


# --------------------------------------------------------------------------- normalizers


def test_conjuncts_flatten_nested_ands_in_order() -> None:
    a = _parse("(assert (and (= x 0) (and (= y 0) (= x y)))) (assert (= y x))", "x y")
    assert [str(t) for t in conjuncts(a)] == ["(= x 0)", "(= y 0)", "(= x y)", "(= y x)"]


@pytest.mark.parametrize(
    ("atom", "edge"),
    [
        ("(>= (- x y) 3)", ("y", "x", 3)),
        ("(<= (- x y) 3)", ("x", "y", -3)),
        ("(<= (- x y) (- 2))", ("x", "y", 2)),
        ("(>= (+ x y) 3)", None),
        ("(>= (- x y z) 3)", None),
        ("(>= (- x 1) 3)", None),
        ("(>= (- 1 y) 3)", None),
        ("(>= (- x y) z)", None),
        ("(= (- x y) 3)", None),
        ("(>= x y 3)", None),
        ("(>= (- a b) 1.0)", None),
    ],
)
def test_edge_of(atom: str, edge: Any) -> None:
    (t,) = _parse(f"(assert {atom})", "x y z", "a b")
    assert edge_of(t) == edge


@pytest.mark.parametrize(
    ("clause", "ok"),
    [
        ("(or (not (= (- m n) 0)) (>= (- x y) 1) (>= (- y x) 2))", True),
        ("(or (>= (- x y) 1) (not (= (- m n) 0)) (<= (- x y) (- 2)))", True),
        ("(or (>= (- x y) 1) (>= (- y x) 2))", True),
        ("(or (>= (- x y) 1) (>= (- y x) 2) (>= (- y x) 3))", False),
        ("(or (not (= (- m n) 0)) (not (= (- m n) 0)) (>= (- y x) 3))", False),
        ("(or (not (= (- m n) 1)) (>= (- x y) 1) (>= (- y x) 2))", False),
        ("(or (not (= (- m 1) 0)) (>= (- x y) 1) (>= (- y x) 2))", False),
        ("(or (not (= m n)) (>= (- x y) 1) (>= (- y x) 2))", False),
        ("(or (not (> m n)) (>= (- x y) 1) (>= (- y x) 2))", False),
        ("(or (not (= (- m n) 0)) (>= (+ x y) 1) (>= (- y x) 2))", False),
        ("(or (not (= (- m n) 0)) (>= (- x y) 1) (>= (+ y x) 2))", False),
        ("(or (>= (- x y) 1))", False),
        ("(and (>= (- x y) 1) (>= (- y x) 2))", False),
    ],
)
def test_clause_of(clause: str, ok: bool) -> None:
    (t,) = _parse(f"(assert {clause})", "x y m n")
    c = clause_of(t)
    assert (c is not None) == ok
    if c is not None:
        assert {e[:2] for e in c[1:]} == {("y", "x"), ("x", "y")}


# --------------------------------------------------------------------------- acceptance


def test_unary_overload_verified() -> None:
    a, ops = _unary(3, 2, 3)  # 6 units in [0, 5)
    v = check_energy(a, _cert(a, ops))
    assert v.verified, v.reason
    assert v.stats == {"required": 6, "capacity": 1, "window": 5}


def test_machine_overload_verified() -> None:
    a, ops = _machines(6, 2, 3, 1)  # 12 units on 2 machines in [0, 5)
    cert = _cert(a, ops)
    v = check_energy(a, cert)
    assert v.verified, v.reason
    assert v.stats["capacity"] == 2


def test_precedence_evidence_and_empty_chain() -> None:
    """Operations ordered by a precedence atom; the reference is itself an operation (empty chains)."""
    body = (
        "(>= (- b a) 2) (<= (- b a) 2) (>= (- c a) 0) (<= (- c a) 2)"
        " (or (>= (- c a) 2) (>= (- a c) 2)) (or (>= (- c b) 2) (>= (- b c) 2))"
    )
    a = _parse(f"(assert (and {body}))", "a b c")
    idx = {str(t): k for k, t in enumerate(conjuncts(a))}
    cert = {
        "ref": "a",
        "window": [0, 4],
        "ops": [
            {"start": "a", "duration": 2, "lower": [], "upper": []},
            {"start": "b", "duration": 2, "lower": [idx["(>= (- b a) 2)"]], "upper": [idx["(<= (- b a) 2)"]]},
            {"start": "c", "duration": 2, "lower": [idx["(>= (- c a) 0)"]], "upper": [idx["(<= (- c a) 2)"]]},
        ],
        "pairs": [
            [0, 1, {"before": [idx["(>= (- b a) 2)"]]}],
            [2, 0, {"clause": idx["(or (>= (- c a) 2) (>= (- a c) 2))"]}],
            [1, 2, {"clause": idx["(or (>= (- c b) 2) (>= (- b c) 2))"]}],
        ],
    }
    v = check_energy(a, cert)
    assert v.verified, v.reason
    assert v.stats == {"required": 6, "capacity": 1, "window": 4}


def test_sat_instance_forged_certificates_rejected() -> None:
    a, ops = _unary(3, 2, 4)  # 6 units fit exactly in [0, 6): satisfiable (0, 2, 4)
    assert energy_certificate(a, ops) is None
    forged = _cert(*_unary(3, 2, 3))
    _rejects(a, forged, "no overload")  # the upper chains now prove s_i <= 4
    forged["window"] = [0, 4]
    _rejects(a, forged, "no overload")
    longer = copy.deepcopy(forged)
    for op in longer["ops"]:
        op["duration"] = 3
    _rejects(a, longer, "a gap is shorter than the duration")
    a_m, ops_m = _machines(4, 2, 3, 1)  # satisfiable: two operations on each of 2 machines
    assert energy_certificate(a_m, ops_m) is None
    forged_m = _cert(*_machines(6, 2, 3, 1))
    _rejects(a_m, forged_m, "is not a difference atom")
    _rejects(a_m, _manual_machine_cert(4, [0, 5]), "no overload")
    _rejects(a_m, _manual_machine_cert(4, [1, 5]), "no overload")
    assert check_energy(*_machines(6, 2, 3, 1)[:1], _manual_machine_cert(6, [0, 5])).verified


def _manual_machine_cert(n: int, window: list[int]) -> dict[str, Any]:
    """A certificate written by hand for _machines(n, 2, 3, 1) (conjuncts numbered as it asserts them)."""
    ops = [
        {"start": f"s{i}", "duration": 2, "machine": f"m{i}", "lower": [4 * i], "upper": [4 * i + 1]}
        for i in range(n)
    ]
    bounds = {f"m{i}": [[4 * i + 2], [4 * i + 3]] for i in range(n)}
    pairs = [
        [i, j, {"clause": 4 * n + k}]
        for k, (i, j) in enumerate((i, j) for i in range(n) for j in range(i + 1, n))
    ]
    return {
        "ref": "r",
        "window": window,
        "ops": ops,
        "pairs": pairs,
        "machines": {"ref": "r", "lo": 0, "hi": 1, "bounds": bounds},
    }


# --------------------------------------------------------------------------- bundles of public files


def _unsat_jobshop(k: int) -> list[Path]:
    if not JOBSHOP.is_dir():
        pytest.skip(f"shared benchmarks not found at {JOBSHOP}")
    names = ["jobshop14-2-7-7-2-4-12.smt2", "jobshop16-2-8-8-2-4-12.smt2", "jobshop12-4-6-6-2-4-24.smt2"]
    return [JOBSHOP / n for n in names[:k]]


@pytest.fixture(scope="module")
def jobshop_bundle(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Term], dict[str, Any]]:
    out = tmp_path_factory.mktemp("energy")
    f = _unsat_jobshop(1)[0]
    summary = write_bundle(f, out, timeout=30)
    assert summary.status == "unsat"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["proof"]["format"] == "energy"
    cert = json.loads((out / manifest["proof"]["file"]).read_text())
    return out, parse_script(f.read_text(), str(f)).assertions(), cert


def test_public_jobshop_bundles_verified(tmp_path: Path) -> None:
    for k, f in enumerate(_unsat_jobshop(3)):
        out = tmp_path / str(k)
        summary = write_bundle(f, out, timeout=30)
        assert summary.status == "unsat"
        check = check_bundle(out)
        assert check.verified, check.reason
        assert check.stats["required"] > check.stats["capacity"] * check.stats["window"]


def test_bundle_with_bad_json_is_an_error(jobshop_bundle: Any, tmp_path: Path) -> None:
    from quod.backends.certify import BundleError, sha256_bytes

    out, _, _ = jobshop_bundle
    copy_dir = tmp_path / "b"
    (copy_dir / "objects").mkdir(parents=True)
    manifest = json.loads((out / "manifest.json").read_text())
    (copy_dir / manifest["input"]["file"]).write_bytes((out / manifest["input"]["file"]).read_bytes())
    data = b"{not json"
    digest = sha256_bytes(data)
    manifest["proof"].update(sha256=digest, file=f"objects/{digest}.json")
    (copy_dir / manifest["proof"]["file"]).write_bytes(data)
    (copy_dir / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(BundleError, match="invalid JSON"):
        check_bundle(copy_dir)


def _mutants(a: list[Term], cert: dict[str, Any]) -> list[tuple[str, dict[str, Any], str]]:
    """(what, mutated certificate, expected reason fragment)."""
    n_conj = len(conjuncts(a))
    out: list[tuple[str, dict[str, Any], str]] = []

    def mut(what: str, reason: str) -> dict[str, Any]:
        c = copy.deepcopy(cert)
        out.append((what, c, reason))
        return c

    mut("lower chain atom dropped", "ends at")["ops"][0]["lower"].pop()
    c = mut("upper chain atom changed", "does not start at")
    c["ops"][0]["upper"][0] = cert["ops"][1]["upper"][0]
    mut("atom not in the assertions", "not the number of a top-level conjunct")["ops"][0]["lower"][0] = n_conj
    mut("negative conjunct number", "not the number")["ops"][0]["lower"][0] = -1
    mut("conjunct number as text", "not the number")["ops"][0]["lower"][0] = "3"
    mut("lower not a list", "expected list")["ops"][0]["lower"] = 3
    mut("before not a list", "expected a list")["pairs"][0][2] = {"before": 3}
    c = mut("chain through a clause", "is not a difference atom")
    clause = next(p[2]["clause"] for p in cert["pairs"] if "clause" in p[2])
    c["ops"][0]["lower"] = [clause]
    mut("duration increased", "shorter than the duration")["ops"][0]["duration"] += 1
    mut("duration zero", "is not positive")["ops"][0]["duration"] = 0
    mut("duration bool", "expected int")["ops"][0]["duration"] = True
    mut("start missing", "start: missing")["ops"][0].pop("start")
    c = mut("start listed twice", "listed twice")
    c["ops"][1]["start"] = c["ops"][0]["start"]
    mut("pair missing", "no evidence that operations")["pairs"].pop()
    c = mut("pair duplicated", "given twice")
    c["pairs"].append(c["pairs"][0])
    c = mut("pair reversed duplicate", "given twice")
    c["pairs"].append([c["pairs"][0][1], c["pairs"][0][0], c["pairs"][0][2]])
    mut("pair to itself", "not a pair of distinct")["pairs"][0][:2] = [0, 0]
    mut("pair out of range", "not a pair of distinct")["pairs"][0][1] = len(cert["ops"])
    mut("pair negative", "not a pair of distinct")["pairs"][0][0] = -1
    mut("pair malformed", "expected [i, j, evidence]")["pairs"][0] = [0, 1]
    mut("pair index text", "expected [i, j, evidence]")["pairs"][0][0] = "0"
    mut("pair evidence not an object", "not the number")["pairs"][0][2] = 5
    mut("pair evidence empty", "not the number")["pairs"][0][2] = {}
    c = mut("pair clause is an atom", "not a disjunctive pair clause")
    c["pairs"][0][2] = {"clause": cert["ops"][0]["lower"][0]}
    c = mut("pair clause of another pair", "does not order")
    c["pairs"][0][2] = copy.deepcopy(
        next(p[2] for p in cert["pairs"] if p[:2] != cert["pairs"][0][:2] and "clause" in p[2])
    )
    mut("window too wide", "no overload")["window"][1] += 1
    mut("window too wide left", "no overload")["window"][0] -= 1
    mut("window empty", "L < U")["window"] = [3, 3]
    mut("window short", "L < U")["window"] = [3]
    mut("window text", "L < U")["window"] = ["0", 4]
    mut("window not a list", "window: expected list")["window"] = None
    mut("ref missing", "ref: missing")
    out[-1][1].pop("ref")
    mut("ref wrong", "does not start at")["ref"] = "zzz"
    mut("certificate not an object", "ref: missing")
    out[-1] = (out[-1][0], [], out[-1][2])  # type: ignore[arg-type]
    mut("ops missing", "ops: missing").pop("ops")
    mut("pairs missing", "pairs: missing").pop("pairs")
    return out


def _machine_mutants(cert: dict[str, Any]) -> list[tuple[str, dict[str, Any], str]]:
    out: list[tuple[str, dict[str, Any], str]] = []

    def mut(what: str, reason: str) -> dict[str, Any]:
        c = copy.deepcopy(cert)
        out.append((what, c, reason))
        return c

    m0 = cert["ops"][0]["machine"]
    mut("capacity understated", "upper bound above")["machines"]["hi"] -= 1
    mut("capacity understated below", "lower bound below")["machines"]["lo"] += 1
    c = mut("capacity inverted", "hi < lo")
    c["machines"]["hi"] = c["machines"]["lo"] - 1
    mut("machine bound missing", "expected [lower chain, upper chain]")["machines"]["bounds"].pop(m0)
    mut("machine bound short", "expected [lower chain")["machines"]["bounds"][m0] = [[]]
    mut("machine bound chain dropped", "ends at")["machines"]["bounds"][m0][0] = []
    mut("machines without bounds", "bounds: missing")["machines"].pop("bounds")
    mut("machine of op missing", "machine: missing")["ops"][0].pop("machine")
    c = mut("machine of op swapped", "machine literal is not over")
    c["ops"][0]["machine"], c["ops"][1]["machine"] = c["ops"][1]["machine"], c["ops"][0]["machine"]
    c["machines"]["bounds"] = cert["machines"]["bounds"]
    mut("machines dropped (capacity 1 claimed)", "machine literal is not over").pop("machines")
    return out


def test_unary_mutants_rejected() -> None:
    a, ops = _unary(3, 2, 3)
    cert = _cert(a, ops)
    assert check_energy(a, cert).verified
    for what, c, reason in _mutants(a, cert):
        v = check_energy(a, c)
        assert not v.verified, what
        assert reason in v.reason, (what, v.reason)


def test_unary_before_evidence_mutants() -> None:
    body = " ".join(f"(>= (- s{i} r) 0) (<= (- s{i} r) 3)" for i in range(3))
    body += " (>= (- s1 s0) 2) (or (>= (- s0 s2) 2) (>= (- s2 s0) 2)) (or (>= (- s1 s2) 2) (>= (- s2 s1) 2))"
    a = _parse(f"(assert (and {body}))", "s0 s1 s2 r")
    cert = _cert(a, [("s0", 2, None), ("s1", 2, None), ("s2", 2, None)])
    assert check_energy(a, cert).verified
    before = next(p for p in cert["pairs"] if "before" in p[2])
    weak = copy.deepcopy(cert)
    for op in weak["ops"]:
        if op["start"] == "s0":
            op["duration"] = 3
    _rejects(a, weak, "proves less than")
    wrong_way = copy.deepcopy(cert)
    k = cert["pairs"].index(before)
    wrong_way["pairs"][k][:2] = [before[1], before[0]]
    _rejects(a, wrong_way, "does not start at")


def test_weakened_atom_in_the_input_rejected() -> None:
    """The certificate of one formula checked against a copy with one atom weakened (now satisfiable)."""
    a, ops = _unary(3, 2, 3)
    cert = _cert(a, ops)
    text = "(assert (and " + " ".join(str(t) for t in conjuncts(a)) + "))"
    weakened = text.replace("(<= (- s1 r) 3)", "(<= (- s1 r) 4)", 1)
    assert weakened != text
    _rejects(_parse(weakened, "s0 s1 s2 r"), cert, "no overload")
    similar = text.replace("(<= (- s1 r) 3)", "(<= (- s1 q) 3)", 1)
    _rejects(_parse(similar, "s0 s1 s2 r q"), cert, "the chain ends at q, not at r")
    gap = text.replace("(>= (- s0 s1) 2)", "(>= (- s0 s1) 1)", 1)
    assert gap != text
    _rejects(_parse(gap, "s0 s1 s2 r"), cert, "a gap is shorter")


def test_machine_mutants_rejected() -> None:
    a, ops = _machines(6, 2, 3, 1)
    cert = _cert(a, ops)
    for what, c, reason in _mutants(a, cert) + _machine_mutants(cert):
        v = check_energy(a, c)
        assert not v.verified, what
        assert reason in v.reason, (what, v.reason)


def test_public_jobshop_mutants_rejected(jobshop_bundle: Any) -> None:
    _, a, cert = jobshop_bundle
    assert check_energy(a, cert).verified
    for what, c, reason in _mutants(a, cert) + _machine_mutants(cert):
        v = check_energy(a, c)
        assert not v.verified, what
        assert reason in v.reason, (what, v.reason)


def test_without_a_certificate_the_bundle_falls_back_to_a_sat_proof(tmp_path: Path, monkeypatch: Any) -> None:
    import quod.backends.certify as certify

    a, _ = _unary(3, 2, 3)
    src = tmp_path / "u.smt2"
    src.write_text("(set-logic QF_IDL)" + "".join(f"(declare-fun {v} () Int)" for v in ("s0", "s1", "s2", "r"))
                   + "(assert (and " + " ".join(str(t) for t in conjuncts(a)) + "))(check-sat)")  # fmt: skip
    assert write_bundle(src, tmp_path / "e").status == "unsat"
    assert json.loads((tmp_path / "e" / "manifest.json").read_text())["proof"]["format"] == "energy"
    assert check_bundle(tmp_path / "e").verified
    monkeypatch.setattr(certify, "energy_certificate", lambda *_: None)
    assert write_bundle(src, tmp_path / "l").status == "unsat"
    assert json.loads((tmp_path / "l" / "manifest.json").read_text())["proof"]["format"] == "lrat"
    assert check_bundle(tmp_path / "l").verified
