"""Certificate bundles for the eager engine: write them, and check them with the kernel.

A bundle is a directory:

    manifest.json                    what was claimed and how to re-check it
    objects/<sha256>.smt2            the SMT-LIB input, byte for byte
    objects/<sha256>.lrat            unsat: an LRAT refutation of the encoded CNF
    objects/<sha256>.json            sat: the model; unsat by energetic reasoning: the certificate
    objects/<sha256>.cnf             optional: the CNF, for external checkers
    objects/<sha256>.cvc5-proof      optional: cvc5's own proof (not checked by quod)

Files are content-addressed: a file's name is the SHA-256 of its bytes, and
the manifest repeats the hash. Checking (`check_bundle`) re-parses the input,
re-runs the deterministic encoder with the recorded version and options,
compares the CNF hash, and has the kernel check the LRAT proof against the
CNF it just built (never against a CNF file from the bundle). An energetic
refutation (proof format "energy") is checked by kernel/energy.py directly on
the parsed assertions, without the encoder. A sat bundle's
model is evaluated by the kernel on the original assertions. See
docs/trust.md for what this trusts.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from quod import __version__
from quod.core.errors import QuodError
from quod.core.terms import Term

FORMAT = "quod-certificate/1"
Progress = Callable[[str], None]


class BundleError(QuodError):
    """The bundle cannot be read (missing files, bad JSON, hash mismatch of a stored file)."""

    code = "Q1105"


@dataclass
class BundleSummary:
    status: str  # sat | unsat | unknown (no bundle is written for unknown)
    directory: Path | None
    reason: str = ""
    times: dict[str, float] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)


@dataclass
class BundleCheck:
    verified: bool
    status: str
    reason: str = ""
    times: dict[str, float] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return "verified" if self.verified else f"rejected: {self.reason}"


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _quiet(_: str) -> None:
    pass


# --------------------------------------------------------------------------- writing


def write_bundle(
    input_path: str | Path,
    directory: str | Path,
    *,
    options: dict[str, Any] | None = None,
    timeout: float | None = None,
    proof_solver: str = "cadical-lrat",
    store_cnf: bool = False,
    cvc5_proof: bool = False,
    progress: Progress = _quiet,
) -> BundleSummary:
    """Solve the SMT-LIB file with the eager engine and write a certificate bundle for the answer.

    `proof_solver` "cadical-lrat" (default) gets LRAT straight from CaDiCaL 1.9.5; any SAT solver
    of quod.sat that writes proofs (cadical195, glucose4, cadical-bin, kissat-bin, ...) gives a
    DRAT proof instead, which `quod check` verifies with the (slower) backward DRAT checker.
    """
    from quod.backends.eager import parse_options
    from quod.eager.engine import ENCODER_VERSION, decode, encode
    from quod.kernel.model import check_model
    from quod.sat.solvers import model_from_lits

    source = _read_input(Path(input_path))
    assertions = _assertions(source, str(input_path))
    opts = parse_options(dict(options or {}))
    times: dict[str, float] = {}
    t0 = time.perf_counter()
    progress("encoding")
    # without an energetic refutation this is exactly encode(assertions, opts), as `quod check` runs it
    ep = encode(assertions, opts, stop_on_overload=True)
    if ep.sched.overload is not None:
        energy = _energy_bundle(input_path, directory, source, assertions, opts, ep, t0, progress)
        if energy is not None:
            return energy
        ep = encode(assertions, opts)  # the full CNF, for a SAT refutation
    times["encode"] = time.perf_counter() - t0
    stats: dict[str, Any] = {"vars": ep.cnf.num_vars, "clauses": len(ep.cnf.clauses)}
    progress(f"solving ({stats['vars']} variables, {stats['clauses']} clauses) with {proof_solver}")
    t1 = time.perf_counter()
    remaining = None if timeout is None else max(0.0, timeout - times["encode"])
    status, model_lits, proof = _solve(ep.cnf, proof_solver, remaining, progress)
    times["solve"] = time.perf_counter() - t1
    if status == "unknown":
        return BundleSummary("unknown", None, "timeout: no certificate written", times, stats)
    out = Path(directory)
    objects = _ObjectStore(out)
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "status": status,
        "input": {"name": Path(input_path).name, **objects.put(source, "smt2")},
        "encoder": {"version": ENCODER_VERSION, "options": _option_record(opts)},
        "cnf": {"sha256": ep.cnf.sha256(), "vars": ep.cnf.num_vars, "clauses": len(ep.cnf.clauses)},
        "solvers": {**_versions(), "proof": proof_solver},
    }
    if store_cnf:
        manifest["cnf"]["file"] = objects.put(ep.cnf.to_dimacs().encode(), "cnf")["file"]
    if status == "unsat":
        assert proof is not None
        fmt, data, producer = proof
        manifest["proof"] = {"format": fmt, "producer": producer, **objects.put(data, fmt)}
        stats["proof_bytes"] = len(data)
        if cvc5_proof:
            manifest["cvc5_proof"] = _cvc5_proof(assertions, source, objects, timeout)
    else:
        model = decode(ep, model_from_lits(model_lits, ep.cnf.num_vars))
        verdict = check_model(assertions, model)
        if not verdict.ok:
            raise QuodError(f"the eager model fails the kernel's check: {verdict.reason}", code="Q1107")
        manifest["model"] = objects.put(_model_json(model), "json")
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    progress(f"wrote {out / 'manifest.json'}")
    return BundleSummary(status, out, times=times, stats=stats)


def _solve(
    cnf: Any, proof_solver: str, timeout: float | None, progress: Progress
) -> tuple[str, list[int], tuple[str, bytes, str] | None]:
    """(status, model literals, (proof format, proof bytes, producer) for unsat)."""
    if proof_solver == "cadical-lrat":
        from quod.sat.proofs.cadical_lrat import solve_lrat
        from quod.sat.proofs.lrat_tools import normalize_lrat

        res = solve_lrat(cnf.clauses, timeout=timeout)
        if res.status != "unsat":
            return res.status, res.model or [], None
        assert res.proof is not None
        progress(f"renumbering and trimming the LRAT proof ({len(res.proof)} bytes)")
        return (
            "unsat",
            [],
            ("lrat", normalize_lrat(len(cnf.clauses), res.proof), "cadical 1.9.5 (python-sat)"),
        )
    from quod.sat.solvers import get_sat_solver

    sat = get_sat_solver(proof_solver)
    out = sat.solve(cnf, timeout=timeout, proof=True)
    if out.status == "sat":
        assert out.model is not None
        return "sat", [v if b else -v for v, b in enumerate(out.model) if v], None
    if out.status != "unsat" or out.proof is None:
        return "unknown", [], None
    data = out.proof.data()
    raw = data if isinstance(data, bytes) else ("\n".join(data) + "\n").encode()
    return "unsat", [], ("drat", raw, sat.name)


class _ObjectStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "objects").mkdir(parents=True, exist_ok=True)

    def put(self, data: bytes, ext: str) -> dict[str, str]:
        digest = sha256_bytes(data)
        rel = f"objects/{digest}.{ext}"
        path = self.root / rel
        if not path.exists():
            path.write_bytes(data)
        return {"sha256": digest, "file": rel}


# options that choose the SAT solver or proof output, not the CNF
_NOT_ENCODING = ("sat_solver", "proof")


def _option_record(opts: Any) -> dict[str, Any]:
    """Every encoder option (all fields, so a new option cannot be silently left out)."""
    return {k: v for k, v in dataclasses.asdict(opts).items() if k not in _NOT_ENCODING}


def _options_from_record(record: dict[str, Any]) -> Any:
    from quod.eager.engine import EagerOptions

    known = {f.name for f in dataclasses.fields(EagerOptions)} - set(_NOT_ENCODING)
    unknown = sorted(set(record) - known)
    if unknown:
        raise BundleError(f"manifest.json: $.encoder.options.{unknown[0]}: not an option of this encoder")
    defaults = EagerOptions()
    for key, value in record.items():
        want = type(getattr(defaults, key))
        if type(value) is not want:
            raise BundleError(f"manifest.json: $.encoder.options.{key}: expected {want.__name__}")
    opts = EagerOptions(**record)
    opts.validate()
    return opts


def _versions() -> dict[str, str]:
    try:
        import pysat

        pysat_version = str(pysat.__version__)
    except ImportError:  # pragma: no cover - python-sat is a core dependency
        pysat_version = "absent"
    return {"quod": __version__, "python-sat": pysat_version, "python": platform.python_version()}


def _cvc5_proof(assertions: list[Term], source: bytes, objects: _ObjectStore, timeout: float | None) -> Any:
    """cvc5's own refutation, stored for external checking (quod cannot check cvc5 proofs)."""
    from quod.backends.base import Limits, Unsat
    from quod.backends.registry import get_solver

    record: dict[str, Any] = {"checked_by_quod": False, "checker": "ethos (cvc5's proof checker)"}
    try:
        solver = get_solver("cvc5", limits=Limits(timeout=timeout), **{"produce-proofs": "true"})
        solver.add(*assertions)
        result = solver.check()
        slv = getattr(solver, "slv", None)
        if not isinstance(result, Unsat) or slv is None:
            record["note"] = f"cvc5 answered {result}; no proof stored"
            return record
        import cvc5

        parts = [slv.proofToString(p, cvc5.ProofFormat.CPC) for p in slv.getProof()]
        data = b"\n".join(p if isinstance(p, bytes) else p.encode() for p in parts)
        record.update(format="cpc", **objects.put(data, "cvc5-proof"))
    except (QuodError, RuntimeError, ImportError, AttributeError) as e:
        record["note"] = f"no cvc5 proof: {e}"
    return record


# --------------------------------------------------------------------------- models as JSON


def _model_json(model: Any) -> bytes:
    from quod.core.printer import value_to_smtlib

    consts = {t.name: value_to_smtlib(v, t) for t, v in model.consts.items()}
    funcs = {}
    for decl, interp in model.funcs.items():
        if interp.default_body is not None:
            raise QuodError(
                f"model of '{decl.name}' has a symbolic else-branch; cannot store it", code="Q1105"
            )
        entries = [[[_scalar(a) for a in key], _literal(v)] for key, v in interp.entries.items()]
        funcs[decl.name] = {"entries": entries, "else": _literal(interp.default)}
    return (json.dumps({"constants": consts, "functions": funcs}, indent=1, sort_keys=True) + "\n").encode()


def _scalar(key: Any) -> str:
    """Model table keys are (type name, value) pairs (see quod.core.model._key)."""
    return _literal(key[1])


def _literal(v: Any) -> str:
    from quod.core.printer import value_to_smtlib

    return value_to_smtlib(v)


# --------------------------------------------------------------------------- checking


def check_bundle(directory: str | Path, *, progress: Progress = _quiet) -> BundleCheck:
    """Re-check a bundle: `verified` only if the kernel accepts the proof (or model) for this input."""
    root = Path(directory)
    try:
        return _check_bundle(root, progress)
    except BundleError as e:
        if not e.message.startswith("manifest.json: "):
            raise
        # manifest field errors are raised without the directory; locate them fully
        rest = e.message[len("manifest.json") :]
        raise BundleError(f"{root / 'manifest.json'}{rest}", e.span) from None


def _check_bundle(root: Path, progress: Progress) -> BundleCheck:
    manifest = _load_manifest(root)
    status = _field(manifest, "status", str)
    if status not in ("sat", "unsat"):
        raise BundleError(f"{root / 'manifest.json'}: $.status: expected 'sat' or 'unsat', got {status!r}")
    times: dict[str, float] = {}
    t0 = time.perf_counter()
    source = _load_object(root, manifest, "input")
    assertions = _assertions(source, f"{root}/{_field(manifest, 'input.file', str)}")
    times["parse"] = time.perf_counter() - t0
    if status == "sat":
        return _check_sat(root, manifest, assertions, times)
    return _check_unsat(root, manifest, assertions, times, progress)


def _check_unsat(
    root: Path, manifest: dict[str, Any], assertions: list[Term], times: dict[str, float], progress: Progress
) -> BundleCheck:
    from quod.eager.engine import ENCODER_VERSION, encode
    from quod.kernel.drat import check_drat
    from quod.kernel.lrat import check_lrat

    proof_format = _field(manifest, "proof.format", str)
    if proof_format not in ("lrat", "drat", "energy"):
        raise BundleError(f"{root / 'manifest.json'}: $.proof.format: expected 'lrat', 'drat' or 'energy'")
    if proof_format == "energy":
        return _check_energy(root, manifest, assertions, times)
    version = _field(manifest, "encoder.version", str)
    if version != ENCODER_VERSION:
        return BundleCheck(False, "unsat", f"made by encoder {version}, but this quod has {ENCODER_VERSION}")
    opts = _options_from_record(_field(manifest, "encoder.options", dict))
    proof = _load_object(root, manifest, "proof")
    progress("re-encoding the input")
    t1 = time.perf_counter()
    ep = encode(assertions, opts)
    times["encode"] = time.perf_counter() - t1
    digest = ep.cnf.sha256()
    expected = _field(manifest, "cnf.sha256", str)
    if digest != expected:
        reason = (
            f"the encoder produced a different CNF (sha256 {digest[:16]}..., {len(ep.cnf.clauses)} clauses) "
            f"than the certificate's ({expected[:16]}..., {manifest['cnf'].get('clauses')} clauses)"
        )
        return BundleCheck(False, "unsat", reason, times)
    progress(f"checking the {proof_format.upper()} proof ({len(proof)} bytes) with the kernel")
    t2, c2 = time.perf_counter(), time.process_time()
    name = f"{root}/{manifest['proof']['file']}"
    if proof_format == "lrat":
        verdict = check_lrat(ep.cnf.clauses, proof, name)
    else:
        verdict = check_drat(ep.cnf.clauses, proof, name)[0]
    times["kernel"] = time.perf_counter() - t2
    times["kernel_cpu"] = time.process_time() - c2
    stats = {"clauses": len(ep.cnf.clauses), **verdict.stats}
    return BundleCheck(verdict.verified, "unsat", verdict.reason, times, stats)


def _check_sat(
    root: Path, manifest: dict[str, Any], assertions: list[Term], times: dict[str, float]
) -> BundleCheck:
    from quod.kernel.model import check_model

    name = f"{root}/{_field(manifest, 'model.file', str)}"
    model = _parse_model(_load_object(root, manifest, "model"), name, _declared(assertions))
    t1 = time.perf_counter()
    verdict = check_model(assertions, model)
    times["kernel"] = time.perf_counter() - t1
    if verdict.ok:
        return BundleCheck(True, "sat", times=times)
    return BundleCheck(False, "sat", f"model: {verdict.reason} ({verdict.verdict.value})", times)


def _load_manifest(root: Path) -> dict[str, Any]:
    path = root / "manifest.json"
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise BundleError(f"{path}: cannot read the manifest: {e}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise BundleError(f"{path}:{e.lineno}:{e.colno}: invalid JSON: {e.msg}") from None
    if not isinstance(data, dict):
        raise BundleError(f"{path}: $: expected a JSON object")
    if data.get("format") != FORMAT:
        raise BundleError(f"{path}: $.format: expected {FORMAT!r}, got {data.get('format')!r}")
    return data


def _field(manifest: dict[str, Any], dotted: str, kind: type) -> Any:
    node: Any = manifest
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            raise BundleError(f"manifest.json: $.{dotted}: missing")
        node = node[part]
    if not isinstance(node, kind) or (isinstance(node, bool) and kind is not bool):
        raise BundleError(f"manifest.json: $.{dotted}: expected {kind.__name__}, got {type(node).__name__}")
    return node


def _load_object(root: Path, manifest: dict[str, Any], key: str) -> bytes:
    """A stored file; its name, the manifest's hash and its content hash must all agree."""
    rel = _field(manifest, f"{key}.file", str)
    digest = _field(manifest, f"{key}.sha256", str)
    parts = rel.split("/")
    if len(parts) != 2 or parts[0] != "objects" or not parts[1].startswith(digest + "."):
        raise BundleError(f"manifest.json: $.{key}.file: {rel!r} is not objects/<sha256>.<ext> for its hash")
    try:
        data: bytes = (root / rel).read_bytes()
    except OSError as e:
        raise BundleError(f"{root / rel}: cannot read: {e.strerror}") from None
    if sha256_bytes(data) != digest:
        raise BundleError(
            f"{root / rel}: content does not match its SHA-256 (the file was modified)", code="Q1106"
        )
    return data


def _read_input(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:
        raise QuodError(f"{path}: cannot read: {e.strerror}", code="Q0002") from None


def _assertions(source: bytes, name: str) -> list[Term]:
    from quod.smtlib import parse_script

    try:
        text = source.decode("utf-8")
    except UnicodeDecodeError as e:
        raise BundleError(f"{name}: not UTF-8 text ({e.reason} at byte {e.start})") from None
    return parse_script(text, name).assertions()


def _declared(assertions: list[Term]) -> dict[str, Any]:
    from quod.core.ops import Op
    from quod.core.walk import post_order

    names: dict[str, Any] = {}
    for t in post_order(assertions):
        if t.op is Op.VAR:
            names[t.name] = t
        elif t.op is Op.APPLY:
            names[t.payload.name] = t.payload
    return names


def _parse_model(data: bytes, name: str, declared: dict[str, Any]) -> Any:
    from quod.core.model import FuncInterp, Model
    from quod.core.terms import FuncDecl

    try:
        doc = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise BundleError(f"{name}: invalid JSON: {e}") from None
    if (
        not isinstance(doc, dict)
        or not isinstance(doc.get("constants"), dict)
        or not isinstance(doc.get("functions"), dict)
    ):
        raise BundleError(f"{name}: $: expected {{'constants': {{...}}, 'functions': {{...}}}}")
    model = Model()
    for sym, text in doc["constants"].items():
        t = declared.get(sym)
        if not isinstance(t, Term):
            continue  # a constant the assertions do not mention cannot matter
        model.consts[t] = _value(text, t.sort, f"{name}: $.constants.{sym}")
    for sym, spec in doc["functions"].items():
        decl = declared.get(sym)
        if not isinstance(decl, FuncDecl):
            continue
        where = f"{name}: $.functions.{sym}"
        if not isinstance(spec, dict) or not isinstance(spec.get("entries"), list) or "else" not in spec:
            raise BundleError(f"{where}: expected {{'entries': [...], 'else': value}}")
        interp = FuncInterp(decl, default=_value(spec["else"], decl.range, f"{where}.else"))
        for k, entry in enumerate(spec["entries"]):
            if not (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], list)) or len(
                entry[0]
            ) != len(decl.domain):
                raise BundleError(f"{where}.entries[{k}]: expected [[{len(decl.domain)} arguments], value]")
            args = tuple(_value(a, s, f"{where}.entries[{k}]") for a, s in zip(entry[0], decl.domain))
            interp.add(args, _value(entry[1], decl.range, f"{where}.entries[{k}]"))
        model.funcs[decl] = interp
    return model


def _value(text: Any, sort: Any, where: str) -> Any:
    """An SMT-LIB literal of the given sort, as a model value."""
    from quod.core.evaluate import Undetermined, evaluate
    from quod.core.model import Model
    from quod.smtlib import SmtlibError, parse_term

    if not isinstance(text, str):
        raise BundleError(f"{where}: expected an SMT-LIB literal as a string")
    try:
        term = parse_term(text, {})
        if term.sort != sort or term.op.name not in ("CONST", "NEG"):
            raise BundleError(f"{where}: {text!r} is not a literal of sort {sort}")
        return evaluate(term, Model(), complete=False)
    except (SmtlibError, Undetermined) as e:
        raise BundleError(f"{where}: {text!r}: {e}") from None


# --------------------------------------------------------------------------- energetic certificates


def _check_energy(
    root: Path, manifest: dict[str, Any], assertions: list[Term], times: dict[str, float]
) -> BundleCheck:
    from quod.kernel.energy import check_energy

    name = f"{root}/{_field(manifest, 'proof.file', str)}"
    data = _load_object(root, manifest, "proof")
    try:
        cert = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as e:
        raise BundleError(f"{name}: invalid JSON: {e}") from None
    t1, c1 = time.perf_counter(), time.process_time()
    verdict = check_energy(assertions, cert)
    times["kernel"] = time.perf_counter() - t1
    times["kernel_cpu"] = time.process_time() - c1
    return BundleCheck(verdict.verified, "unsat", verdict.reason, times, dict(verdict.stats))


def _energy_bundle(
    input_path: str | Path,
    directory: str | Path,
    source: bytes,
    assertions: list[Term],
    opts: Any,
    ep: Any,
    t0: float,
    progress: Progress,
) -> BundleSummary | None:
    """An energy certificate for the engine's energetic refutation `ep.sched.overload`, or None."""
    from quod.eager.engine import ENCODER_VERSION
    from quod.kernel.energy import check_energy

    times = {"encode": time.perf_counter() - t0}
    progress(f"energetic reasoning: {ep.sched.overload[1]}; building an energy certificate")
    res = ep.sched.overload[0]
    names = ep.problem.int_names
    ops = [
        (names[s], res.dur[s], names[res.machine_of[s]] if res.kind == "machines" else None) for s in res.ops
    ]
    cert = energy_certificate(assertions, ops)
    if cert is None or not check_energy(assertions, cert).verified:
        progress("no energy certificate; falling back to a SAT proof")
        return None
    out = Path(directory)
    objects = _ObjectStore(out)
    data = (json.dumps(cert, sort_keys=True) + "\n").encode()
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "status": "unsat",
        "input": {"name": Path(input_path).name, **objects.put(source, "smt2")},
        "encoder": {"version": ENCODER_VERSION, "options": _option_record(opts)},
        "solvers": {**_versions(), "proof": "energy"},
        "proof": {
            "format": "energy",
            "producer": "quod eager energetic reasoning",
            **objects.put(data, "json"),
        },
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    progress(f"wrote {out / 'manifest.json'}")
    times["solve"] = time.perf_counter() - t0 - times["encode"]
    stats = {"proof_bytes": len(data), "energy_ops": len(cert["ops"]), "energy_window": cert["window"]}
    return BundleSummary("unsat", out, times=times, stats=stats)


_Graph = dict[str, list[tuple[str, int, int]]]  # x -> [(y, k, conjunct)]: y - x >= k


def _longest(graph: _Graph, src: str) -> dict[str, tuple[int, str, int]] | None:
    """Longest paths from src (Bellman-Ford): node -> (weight, previous node, conjunct); None on a positive cycle."""
    best: dict[str, tuple[int, str, int]] = {src: (0, "", -1)}
    frontier = [src]
    for _ in range(len(graph) + 2):
        nxt: list[str] = []
        for x in frontier:
            wx = best[x][0]
            for y, k, idx in graph.get(x, ()):
                if y not in best or best[y][0] < wx + k:
                    best[y] = (wx + k, x, idx)
                    nxt.append(y)
        if not nxt:
            return best
        frontier = list(dict.fromkeys(nxt))
    return None


def _path(tree: dict[str, tuple[int, str, int]], dst: str) -> list[int]:
    """The path ref -> dst recorded in a longest-path tree (edges in order from ref)."""
    return _path_rev(tree, dst)[::-1]


def energy_certificate(
    assertions: list[Term], ops: list[tuple[str, int, str | None]]
) -> dict[str, Any] | None:
    """A certificate for kernel/energy.py from a resource's operations (start, duration, machine), or None.

    Bounds come from longest paths over the asserted difference atoms, for each candidate reference
    variable; the window is the most overloaded one under those bounds (eager/energy.py).
    """
    from quod.core.walk import conjuncts
    from quod.eager.energy import overload
    from quod.kernel.energy import clause_of, edge_of

    conj = conjuncts(assertions)
    fwd: _Graph = {}
    rev: _Graph = {}
    clauses: dict[frozenset[str], list[int]] = {}
    degree: dict[str, int] = {}
    for idx, t in enumerate(conj):
        e = edge_of(t)
        if e is not None:
            fwd.setdefault(e[0], []).append((e[1], e[2], idx))
            rev.setdefault(e[1], []).append((e[0], e[2], idx))
            for v in e[:2]:
                degree[v] = degree.get(v, 0) + 1
            continue
        c = clause_of(t)
        if c is not None:
            clauses.setdefault(frozenset(c[1][:2]), []).append(idx)
    for ref in sorted(degree, key=lambda v: (-degree[v], v))[:3]:
        cert = _energy_for_ref(conj, fwd, rev, clauses, ref, ops, overload)
        if cert is not None:
            return cert
    return None


def _energy_for_ref(
    conj: list[Term],
    fwd: _Graph,
    rev: _Graph,
    clauses: dict[frozenset[str], list[int]],
    ref: str,
    ops: list[tuple[str, int, str | None]],
    overload: Any,
) -> dict[str, Any] | None:
    from quod.kernel.energy import clause_of

    down, up = _longest(fwd, ref), _longest(rev, ref)  # up[v]: longest path v -> ref (reversed edges)
    if down is None or up is None or not ops:
        return None
    vs = [s for s, _, _ in ops] + [m for _, _, m in ops if m is not None]
    if not all(v in down and v in up for v in vs):
        return None
    lo = [down[s][0] for s, _, _ in ops]
    hi = [-up[s][0] for s, _, _ in ops]
    dur = [d for _, d, _ in ops]
    machines = None
    capacity = 1
    if ops[0][2] is not None:
        mnames = sorted({m for _, _, m in ops if m is not None})
        mlo = min(down[m][0] for m in mnames)
        mhi = max(-up[m][0] for m in mnames)
        capacity = mhi - mlo + 1
        bounds = {m: [_path(down, m), _path_rev(up, m)] for m in mnames}
        machines = {"ref": ref, "lo": mlo, "hi": mhi, "bounds": bounds}
    hit = overload(lo, hi, dur, capacity)
    if hit is None:
        return None
    t1, t2 = int(hit.t1), int(hit.t2)

    def ov(s: int, d: int) -> int:
        return max(0, min(s + d, t2) - max(s, t1))

    keep = [i for i in range(len(ops)) if min(ov(lo[i], dur[i]), ov(hi[i], dur[i])) > 0]
    cert_ops = []
    for i in keep:
        s, d, m = ops[i]
        entry: dict[str, Any] = {
            "start": s,
            "duration": d,
            "lower": _path(down, s),
            "upper": _path_rev(up, s),
        }
        if m is not None:
            entry["machine"] = m
        cert_ops.append(entry)
    pairs: list[Any] = []
    trees: dict[str, dict[str, tuple[int, str, int]] | None] = {}
    for a in range(len(keep)):
        for b in range(a + 1, len(keep)):
            (sa, da, ma), (sb, db, mb) = ops[keep[a]], ops[keep[b]]
            ev = None
            for idx in clauses.get(frozenset((sa, sb)), []):
                c = clause_of(conj[idx])
                assert c is not None
                gap = {(e[0], e[1]): e[2] for e in c[1:]}
                if (
                    gap.get((sa, sb), -1) >= da
                    and gap.get((sb, sa), -1) >= db
                    and (c[0] is None or (ma is not None and c[0] == {ma, mb}))
                ):
                    ev = [a, b, {"clause": idx}]
                    break
            for x, y, i, j, dx in ((sa, sb, a, b, da), (sb, sa, b, a, db)):
                if ev is not None:
                    break
                if x not in trees:
                    trees[x] = _longest(fwd, x)
                tree = trees[x]
                if tree is not None and y in tree and tree[y][0] >= dx:
                    ev = [i, j, {"before": _path(tree, y)}]
            if ev is None:
                return None
            pairs.append(ev)
    cert: dict[str, Any] = {"ref": ref, "window": [t1, t2], "ops": cert_ops, "pairs": pairs}
    if machines is not None:
        cert["machines"] = machines
    return cert


def _path_rev(tree: dict[str, tuple[int, str, int]], src: str) -> list[int]:
    """The path src -> ref recorded in a longest-path tree over reversed edges."""
    out: list[int] = []
    while tree[src][2] >= 0:
        out.append(tree[src][2])
        src = tree[src][1]
    return out
