"""CNF, DIMACS and SAT solver adapters (PySAT in-process, external binaries)."""

from quod.sat.cnf import Cnf, DimacsError, parse_dimacs, read_dimacs
from quod.sat.solvers import (
    Proof,
    SatResult,
    SatSolver,
    SatSolverError,
    get_sat_solver,
    kissat_binary,
    sat_solver_names,
)

__all__ = [
    "Cnf",
    "DimacsError",
    "Proof",
    "SatResult",
    "SatSolver",
    "SatSolverError",
    "get_sat_solver",
    "kissat_binary",
    "parse_dimacs",
    "read_dimacs",
    "sat_solver_names",
]
