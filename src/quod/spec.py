"""Specification markers for programs checked by `quod verify`.

A verified program imports its contract vocabulary from here and still runs
as plain Python: every marker is a no-op at run time, so the specifications
cost (almost) nothing. The verifier reads them from the source instead.

    from quod.spec import requires, ensures, invariant, decreases, result

    def isqrt(n: int) -> int:
        requires(n >= 0)
        ensures(result * result <= n < (result + 1) * (result + 1))
        r = 0
        while (r + 1) * (r + 1) <= n:
            invariant(r * r <= n)
            r += 1
        return r

Contracts are the first statements of a function body (`requires`,
`ensures`, `modifies`, `decreases`); loop annotations (`invariant`,
`decreases`) are the first statements of a loop body. `result` stands for
the return value inside `ensures`, `old(e)` for the value of `e` on entry.

At run time `result` is a placeholder that absorbs every operation, so an
`ensures(...)` argument evaluates harmlessly before the body runs. To check
the contracts while the program runs, use `quod verify --runtime prog.py`
or `quod.spec.instrument(fn)`: both rewrite the functions so that
preconditions, postconditions, invariants and termination measures are
checked where they apply and a violation raises `ContractViolation`.

This module imports nothing heavy (only the standard library), so importing
it keeps programs fast to start.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")

__all__ = [
    "ContractViolation",
    "assume",
    "decreases",
    "ensures",
    "exists",
    "forall",
    "ghost",
    "instrument",
    "invariant",
    "lemma",
    "modifies",
    "old",
    "pure",
    "requires",
    "result",
]


class ContractViolation(AssertionError):
    """A specification was violated while the program ran (runtime checking).

    `kind` is one of: precondition, postcondition, invariant-entry,
    invariant-preserved, decreases, assume, assert; `line` is the source line
    of the clause (or of the call or return it is checked at).
    """

    def __init__(self, kind: str, message: str, line: int = 0, filename: str = "") -> None:
        super().__init__(message)
        self.kind = kind
        self.line = line
        self.filename = filename


# --- contract clauses (no-ops when the program runs) ------------------------


def requires(*conditions: object) -> None:
    """Precondition: the caller must establish each condition."""


def ensures(*conditions: object) -> None:
    """Postcondition: holds whenever the function returns; may use `result` and `old`."""


def invariant(*conditions: object) -> None:
    """Loop invariant: holds before every test of the loop condition."""


def decreases(*measures: object) -> None:
    """Termination measure (a non-negative int, or a tuple compared lexicographically)."""


def modifies(*lists: object) -> None:
    """Lists passed as arguments that the function may mutate in place."""


def assume(*conditions: object) -> None:
    """Let the verifier assume a fact (checked at run time only in runtime mode)."""


def old(value: T) -> T:
    """The value of an expression on entry to the function."""
    return value


def ghost(value: T) -> T:
    """Mark an initial value as ghost state: used by specifications only."""
    return value


def forall(*args: Any) -> bool:
    """`forall(lambda i: P(i))` or `forall(range(n), lambda i: P(i))`: a universal claim.

    Never evaluated at run time (unbounded quantifiers cannot be); the
    verifier proves it. Bounded claims can use `all(P(i) for i in range(n))`.
    """
    return True


def exists(*args: Any) -> bool:
    """`exists(lambda i: P(i))` or `exists(range(n), lambda i: P(i))`: an existential claim."""
    return True


def pure(fn: F) -> F:
    """A side-effect-free function that specifications may call."""
    fn.__quod_pure__ = True  # type: ignore[attr-defined]
    return fn


def lemma(fn: F) -> F:
    """A proof-only function: its contract is proved once and then used at call sites.

    Calling a lemma at run time does nothing (its body exists for the verifier).
    """

    def call(*args: Any, **kwargs: Any) -> None:
        return None

    call.__name__ = fn.__name__
    call.__qualname__ = fn.__qualname__
    call.__doc__ = fn.__doc__
    call.__wrapped__ = fn  # type: ignore[attr-defined]
    call.__quod_lemma__ = True  # type: ignore[attr-defined]
    return call  # type: ignore[return-value]


class _Result:
    """Placeholder for the return value: absorbs any operation at run time.

    `ensures(result > 0)` evaluates its argument before the body runs; the
    placeholder makes that evaluation harmless (it is never checked there).
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return "result"

    def _absorb(self, *args: Any, **kwargs: Any) -> _Result:
        return self

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _absorb
    __floordiv__ = __rfloordiv__ = __mod__ = __rmod__ = __truediv__ = __rtruediv__ = _absorb
    __pow__ = __rpow__ = __neg__ = __pos__ = __abs__ = __invert__ = _absorb
    __and__ = __rand__ = __or__ = __ror__ = __xor__ = __rxor__ = _absorb
    __lshift__ = __rlshift__ = __rshift__ = __rrshift__ = _absorb
    __lt__ = __le__ = __gt__ = __ge__ = _absorb
    __getitem__ = __call__ = __getattr__ = _absorb

    def __eq__(self, other: object) -> Any:
        return self

    def __ne__(self, other: object) -> Any:
        return self

    def __hash__(self) -> int:
        return 0

    def __bool__(self) -> bool:
        return True

    def __len__(self) -> int:
        return 0

    def __iter__(self) -> Iterator[Any]:
        return iter(())

    def __contains__(self, item: object) -> bool:
        return True

    def __index__(self) -> int:
        return 0

    def __int__(self) -> int:
        return 0


result: Any = _Result()


# --- runtime checking ---------------------------------------------------------


def instrument(fn: F) -> F:
    """A copy of `fn` whose contracts are checked while it runs.

    Rewrites the function from its source (so it must have one). Calls to
    other functions go to whatever those names denote in the function's
    module; to check a whole program use `quod verify --runtime prog.py`.
    """
    from quod.verify.runtime import instrument_function

    checked: F = instrument_function(fn)  # type: ignore[assignment]
    return checked


def _range_and_predicate(args: tuple[Any, ...]) -> tuple[Iterable[Any] | None, Callable[..., Any]]:
    """Split the arguments of `forall`/`exists` (used by the runtime checker)."""
    if len(args) == 1:
        return None, args[0]
    return args[0], args[1]
