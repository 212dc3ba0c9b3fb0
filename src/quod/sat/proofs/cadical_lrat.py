"""LRAT straight from CaDiCaL 1.9.5 inside PySAT (no DRAT elaboration needed).

PySAT exposes CaDiCaL's proof tracing only as DRAT, but its C extension
(`pysolvers`) lets us set CaDiCaL options before the proof file is attached;
with `lrat=1` CaDiCaL writes LRAT with its own clause ids, which start after
the input clauses in the order they were added. That module is PySAT's
internal API, so this adapter checks what it gets: the output must look like
LRAT or we raise, and the kernel re-checks every proof anyway.

PySAT's CaDiCaL cannot be interrupted, so a time limit is enforced between
solve calls with a growing conflict budget (CaDiCaL resumes where it left
off and keeps writing the same proof).
"""

from __future__ import annotations

import importlib
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from quod.core.errors import QuodError

_FIRST_BUDGET = 2000
_MAX_BUDGET = 1 << 22
_SLICE_SECONDS = 0.25


@dataclass
class LratSolveResult:
    status: str  # "sat" | "unsat" | "unknown"
    time: float = 0.0
    model: list[int] | None = None  # literals, as CaDiCaL reports them
    proof: bytes | None = None  # LRAT (text unless binary was asked for)
    binary: bool = False
    stats: dict[str, Any] = field(default_factory=dict)


def _pysolvers() -> Any:
    try:
        return importlib.import_module("pysolvers")  # PySAT's C extension (no type stubs)
    except ImportError as e:  # pragma: no cover - python-sat is a core dependency
        raise QuodError("python-sat is not installed: pip install python-sat", code="Q0301") from e


def solve_lrat(
    clauses: Iterable[Sequence[int]], *, timeout: float | None = None, binary: bool = False
) -> LratSolveResult:
    """Solve with CaDiCaL 1.9.5; on unsat, `proof` is an LRAT refutation of `clauses`."""
    ps = _pysolvers()
    start = time.perf_counter()
    solver = ps.cadical195_new()
    ps.cadical195_set(solver, "lrat", 1)
    ps.cadical195_set(solver, "binary", int(binary))
    with tempfile.TemporaryFile() as trace:
        handle = ps.cadical195_tracepr(solver, trace)
        try:
            for clause in clauses:
                ps.cadical195_add_cl(solver, list(clause))
            status, chunks = _solve_in_slices(ps, solver, start, timeout)
            result = LratSolveResult(status, binary=binary, stats={"slices": chunks})
            if status == "sat":
                result.model = list(ps.cadical195_model(solver) or [])
            elif status == "unsat":
                ps.flushpr(handle)
                trace.seek(0)
                result.proof = trace.read()
                _looks_like_lrat(result.proof, binary)
        finally:
            ps.cadical195_del(solver, trace)
    result.time = time.perf_counter() - start
    return result


def _solve_in_slices(ps: Any, solver: Any, start: float, timeout: float | None) -> tuple[str, int]:
    budget = _FIRST_BUDGET
    slices = 0
    while True:
        if timeout is None:
            code = ps.cadical195_solve(solver, [], 0)
            return ("sat" if code else "unsat"), 1
        t0 = time.perf_counter()
        ps.cadical195_cbudget(solver, budget)
        code = ps.cadical195_solve_lim(solver, [], 0)
        slices += 1
        if code != 0:
            return ("sat" if code > 0 else "unsat"), slices
        now = time.perf_counter()
        if now - start >= timeout:
            return "unknown", slices
        if now - t0 < _SLICE_SECONDS:
            budget = min(budget * 2, _MAX_BUDGET)


def _looks_like_lrat(proof: bytes, binary: bool) -> None:
    """Refuse DRAT passed off as LRAT (e.g. if a PySAT build ignored the option)."""
    if not proof:
        return
    if binary:
        ok = proof[:1] in (b"a", b"d")
    else:
        first = proof.split(b"\n", 1)[0].split()
        ok = len(first) >= 2 and (first[1] == b"d" or first.count(b"0") == 2)
    if not ok:
        raise QuodError("CaDiCaL did not produce LRAT (unexpected proof format)", code="Q0302")
