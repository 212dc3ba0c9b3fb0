"""The one interface every solver backend implements.

`check()` returns a `Result`: `Sat` (with a model that the kernel has checked
against the original assertions), `Unsat` (optionally with a certificate and
an unsat core over the assumptions), or `Unknown` (with a reason). Unknown is
a result, never an exception; backends catch their solver's failures and
report them as `Unknown`.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from quod.core.model import Model
from quod.core.terms import Term


class Status(enum.Enum):
    SAT = "sat"
    UNSAT = "unsat"
    UNKNOWN = "unknown"

    def __str__(self) -> str:
        return self.value


@dataclass
class Sat:
    model: Model
    # False when the kernel could not evaluate the assertions under the model
    # (e.g. quantifiers over Int); `check_note` says why.
    model_checked: bool = True
    check_note: str = ""
    stats: dict[str, Any] = field(default_factory=dict)
    status: Status = Status.SAT

    def __str__(self) -> str:
        return "sat"


@dataclass
class Unsat:
    certificate: Any = None
    core: list[Term] | None = None
    stats: dict[str, Any] = field(default_factory=dict)
    status: Status = Status.UNSAT

    def __str__(self) -> str:
        return "unsat"


@dataclass
class Unknown:
    reason: str
    stats: dict[str, Any] = field(default_factory=dict)
    status: Status = Status.UNKNOWN

    def __str__(self) -> str:
        return "unknown"


Result = Sat | Unsat | Unknown


@dataclass
class Limits:
    """Resource limits for one check: wall-clock seconds and/or a solver resource count."""

    timeout: float | None = None
    rlimit: int | None = None
    seed: int | None = None


@runtime_checkable
class Solver(Protocol):
    """An incremental SMT solver over core terms."""

    name: str

    def add(self, *terms: Term) -> None:
        """Assert Boolean terms at the current scope."""

    def push(self) -> None: ...

    def pop(self, n: int = 1) -> None: ...

    def reset(self) -> None:
        """Drop all assertions and scopes."""

    def assertions(self) -> list[Term]:
        """The assertions of all open scopes, in order."""

    def set_limits(self, limits: Limits) -> None: ...

    def check(self, assumptions: Sequence[Term] = ()) -> Result:
        """Decide the conjunction of the assertions and the Boolean `assumptions`.

        On unsat, `Unsat.core` is a subset of `assumptions` that is already
        unsatisfiable with the assertions (when the backend supports cores).
        """

    def statistics(self) -> dict[str, Any]: ...


class BackendUnavailable(Exception):
    """The backend's library is not installed; the message says how to get it."""
