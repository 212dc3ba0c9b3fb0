"""Backends by name. Imports are lazy so only the chosen solver library loads."""

from __future__ import annotations

import importlib
from typing import Any

from quod.backends.base import BackendUnavailable, Limits, Solver
from quod.core.errors import QuodError

# name -> (module, class, what to install if missing)
_BACKENDS: dict[str, tuple[str, str, str]] = {
    "z3": ("quod.backends.z3", "Z3Solver", "pip install z3-solver"),
    "cvc5": ("quod.backends.cvc5", "Cvc5Solver", "pip install cvc5"),
    "eager": ("quod.backends.eager", "EagerSolver", "it ships with quod"),
}


def register_backend(name: str, module: str, cls: str, install_hint: str = "") -> None:
    _BACKENDS[name] = (module, cls, install_hint)


def backend_names() -> list[str]:
    return list(_BACKENDS)


def get_solver(
    name: str, *, logic: str | None = None, limits: Limits | None = None, **options: Any
) -> Solver:
    """A fresh solver of backend `name` (z3, cvc5, eager, ...)."""
    entry = _BACKENDS.get(name)
    if entry is None:
        raise QuodError(f"unknown backend '{name}' (known: {', '.join(_BACKENDS)})", code="Q0301")
    module, cls, hint = entry
    try:
        mod = importlib.import_module(module)
    except ImportError as e:
        raise QuodError(f"backend '{name}' is not available: {e} ({hint})", code="Q0301") from e
    try:
        solver: Solver = getattr(mod, cls)(logic=logic, limits=limits, **options)
    except BackendUnavailable as e:
        raise QuodError(f"backend '{name}' is not available: {e}", code="Q0301") from e
    return solver
