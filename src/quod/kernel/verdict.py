"""Verdicts of the proof checkers and the kernel's error codes (range Q1100-Q1199).

Two different outcomes must never be confused: a file that cannot be read as
a proof at all raises `ProofFormatError` (a `QuodError`, so the CLI prints one
line and exits non-zero), while a well-formed proof whose steps do not hold
gives a `ProofVerdict` with `verified=False` and the precise reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from quod.core.errors import QuodError, Span, register_codes

CODES = {
    "Q1101": "malformed DIMACS CNF",
    "Q1102": "malformed DRAT proof",
    "Q1103": "malformed LRAT proof",
    "Q1104": "proof rejected by the kernel",
    "Q1105": "malformed certificate bundle",
    "Q1106": "certificate does not match its input",
    "Q1107": "model rejected by the kernel",
}
register_codes(CODES)


class ProofFormatError(QuodError):
    """The input is not syntactically a CNF / DRAT / LRAT file."""

    code = "Q1102"


def where(name: str, line: int, col: int = 1) -> Span:
    return Span(name, line, col)


@dataclass(frozen=True)
class ProofVerdict:
    """Outcome of checking a refutation proof against a CNF.

    `verified` is True only when the checker derived the empty clause from the
    formula by steps it checked itself. Otherwise `reason` names the first
    failing step (`step` counts proof steps from 1; 0 when no step is at
    fault, e.g. the proof ends before the empty clause).
    """

    verified: bool
    reason: str = ""
    step: int = 0
    stats: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        return "verified" if self.verified else f"rejected: {self.reason}"
