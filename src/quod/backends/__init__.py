"""Solver backends behind one protocol (see base.py)."""

from quod.backends.base import Limits, Result, Sat, Solver, Status, Unknown, Unsat
from quod.backends.registry import backend_names, get_solver

__all__ = ["Limits", "Result", "Sat", "Solver", "Status", "Unknown", "Unsat", "backend_names", "get_solver"]
