"""Pieces shared by the backends: the assertion stack and the model gate."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from quod.backends.base import Limits, Result, Sat, Unknown
from quod.core.model import Model
from quod.core.terms import Term
from quod.kernel.model import Verdict, check_model


class AssertionStack:
    """Assertions grouped by push/pop scope (scope 0 is the base)."""

    def __init__(self) -> None:
        self.scopes: list[list[Term]] = [[]]

    def add(self, t: Term) -> None:
        if not isinstance(t, Term) or not t.sort.is_bool:
            from quod.core.errors import SortError

            raise SortError(f"assertions must be Boolean terms, got {t!r}")
        self.scopes[-1].append(t)

    def push(self) -> None:
        self.scopes.append([])

    def pop(self, n: int = 1) -> None:
        if n < 0 or n > len(self.scopes) - 1:
            from quod.core.errors import QuodError

            raise QuodError(f"cannot pop {n} scope(s): only {len(self.scopes) - 1} open", code="Q0205")
        if n:
            del self.scopes[-n:]

    @property
    def depth(self) -> int:
        return len(self.scopes) - 1

    def all(self) -> list[Term]:
        return [t for scope in self.scopes for t in scope]


class StackedSolver:
    """Assertion-stack half of the Solver protocol, for solvers that re-solve the whole stack per check
    (eager, portfolio, cubes); subclasses set `limits` and implement check/statistics."""

    limits: Limits

    def __init__(self) -> None:
        self.stack = AssertionStack()

    def add(self, *terms: Term) -> None:
        for t in terms:
            self.stack.add(t)

    def push(self) -> None:
        self.stack.push()

    def pop(self, n: int = 1) -> None:
        self.stack.pop(n)

    def reset(self) -> None:
        self.stack = AssertionStack()

    def assertions(self) -> list[Term]:
        return self.stack.all()

    def set_limits(self, limits: Limits) -> None:
        self.limits = limits


def finish_sat(
    backend: str, assertions: Sequence[Term], assumptions: Sequence[Term], model: Model, stats: dict[str, Any]
) -> Result:
    """Gate a backend's `sat`: the kernel evaluates the ORIGINAL assertions under the model.

    A model that falsifies an assertion is an internal error: it is reported as
    `Unknown` with the reason (and `stats["model_check_failed"]`), never as sat.
    """
    check = check_model(list(assertions) + list(assumptions), model)
    if check.verdict is Verdict.FAILED:
        stats = {**stats, "model_check_failed": True}
        return Unknown(
            f"internal error: {backend} model rejected by the kernel ({check.reason})", stats=stats
        )
    if check.verdict is Verdict.UNDETERMINED:
        return Sat(model, model_checked=False, check_note=check.reason, stats=stats)
    return Sat(model, stats=stats)
