"""Fuzzing `quod check` on bundles: a damaged manifest, model or proof gives a
QuodError (one located line on the command line) or a rejection, never another
exception and never a `verified` the reference semantics would not give."""

from __future__ import annotations

import copy
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent))
from kernel_reference import lrat_valid, parse_lrat_text  # noqa: E402

from quod.backends.certify import check_bundle, sha256_bytes, write_bundle  # noqa: E402
from quod.core.errors import QuodError  # noqa: E402
from quod.kernel.formats import parse_dimacs  # noqa: E402

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

UNSAT = """(set-logic QF_LIA)
(declare-const p0 Int)
(declare-const p1 Int)
(declare-const p2 Int)
(declare-const p3 Int)
(assert (and (<= 1 p0) (<= p0 3) (<= 1 p1) (<= p1 3) (<= 1 p2) (<= p2 3) (<= 1 p3) (<= p3 3)))
(assert (distinct p0 p1 p2 p3))
(check-sat)
"""
SAT = """(set-logic QF_UFLIA)
(declare-fun f (Int) Int)
(declare-const x Int)
(declare-const b Bool)
(assert (and (<= 0 x) (<= x 5) (= (f x) (+ x 1)) (= b (> x 2))))
(check-sat)
"""

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)


@pytest.fixture(scope="module")
def bundles(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("fuzz")
    out = {}
    for name, text in (("unsat", UNSAT), ("sat", SAT)):
        (root / f"{name}.smt2").write_text(text)
        assert write_bundle(root / f"{name}.smt2", root / name, store_cnf=name == "unsat").status == name
        out[name] = root / name
    return out


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path to a value in a JSON document."""
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


def _edit(doc: Any, path: tuple, value: Any, delete: bool) -> Any:
    if not path:
        return value
    doc = copy.deepcopy(doc)
    node = doc
    for p in path[:-1]:
        node = node[p]
    if delete:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return doc


def _check(b: Path) -> Any:
    try:
        return check_bundle(b)
    except QuodError as e:
        assert e.message and "\n" not in e.message
        return None


def _fresh(src: Path, tmp: Path) -> Path:
    dest = tmp / "b"
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(src, dest)
    return dest


@FUZZ
@given(st.sampled_from(["unsat", "sat"]), st.data(), JSON, st.booleans())
def test_damaged_manifests_are_errors_or_rejections(bundles, tmp_path, which, data, value, delete):
    b = _fresh(bundles[which], tmp_path)
    manifest = json.loads((b / "manifest.json").read_text())
    path = data.draw(st.sampled_from(_paths(manifest)))
    changed = _edit(manifest, path, value, delete and bool(path))
    (b / "manifest.json").write_text(json.dumps(changed))
    result = _check(b)
    if result is not None and result.verified:
        # informational fields (names, versions, counts) may change; what the check reads may not
        for dotted in READ[which]:
            assert _get(changed, dotted) == _get(manifest, dotted), dotted


READ = {
    "sat": ["status", "input.file", "input.sha256", "model.file", "model.sha256"],
    "unsat": [
        "status",
        "input.file",
        "input.sha256",
        "encoder.version",
        # encoder.options may change when the CNF does not (e.g. capacity=false on a formula
        # without capacities): the re-encoded CNF must still have the recorded hash
        "cnf.sha256",
        "proof.format",
        "proof.file",
        "proof.sha256",
    ],
}


def _get(doc: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(doc, dict) or part not in doc:
            return None
        doc = doc[part]
    return doc


@FUZZ
@given(st.data(), JSON, st.booleans())
def test_damaged_models_are_errors_or_checked_on_the_formula(bundles, tmp_path, data, value, delete):
    b = _fresh(bundles["sat"], tmp_path)
    manifest = json.loads((b / "manifest.json").read_text())
    model = json.loads((b / manifest["model"]["file"]).read_text())
    path = data.draw(st.sampled_from(_paths(model)))
    changed = json.dumps(_edit(model, path, value, delete and bool(path))).encode()
    digest = sha256_bytes(changed)
    (b / "objects" / f"{digest}.json").write_bytes(changed)
    manifest["model"].update(sha256=digest, file=f"objects/{digest}.json")
    (b / "manifest.json").write_text(json.dumps(manifest))
    result = _check(b)
    if result is not None and not result.verified:
        assert result.reason.startswith("model: ")


@FUZZ
@given(
    st.integers(0, 10**6), st.sampled_from(["replace", "insert", "delete"]), st.binary(min_size=1, max_size=3)
)
def test_damaged_proofs_are_errors_or_rejections(bundles, tmp_path, at, how, blob):
    b = _fresh(bundles["unsat"], tmp_path)
    manifest = json.loads((b / "manifest.json").read_text())
    proof = (b / manifest["proof"]["file"]).read_bytes()
    i = at % len(proof)
    if how == "replace":
        changed = proof[:i] + blob + proof[i + len(blob) :]
    elif how == "insert":
        changed = proof[:i] + blob + proof[i:]
    else:
        changed = proof[:i] + proof[i + len(blob) :]
    digest = sha256_bytes(changed)
    (b / "objects" / f"{digest}.lrat").write_bytes(changed)
    manifest["proof"].update(sha256=digest, file=f"objects/{digest}.lrat")
    (b / "manifest.json").write_text(json.dumps(manifest))
    result = _check(b)
    if result is not None and result.verified:
        # the edit kept a valid proof (e.g. a deletion id changed): the reference must agree
        formula = list(parse_dimacs((b / manifest["cnf"]["file"]).read_bytes()).clauses)
        assert lrat_valid(formula, parse_lrat_text(changed.decode()))
