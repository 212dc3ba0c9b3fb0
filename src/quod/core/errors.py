"""Source spans, diagnostics and the registry of user-facing error codes.

Every error a user can see is a `QuodError` carrying a `Diagnostic`: a stable
code from `CODES`, a one-line message and, where known, a source span. The
CLI prints `file:line:col: error[CODE]: message` and exits non-zero; it never
shows a traceback for a `QuodError`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Span:
    """A position in a source file (1-based line and column)."""

    file: str
    line: int
    col: int
    end_line: int = 0
    end_col: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


# Stable codes. Front ends register their own ranges here so that codes stay
# unique and documented in one place (docs/errors.md is generated from it).
CODES: dict[str, str] = {
    "Q0001": "internal error",
    "Q0002": "file not found or unreadable",
    "Q0003": "invalid command-line usage",
    "Q0101": "ill-sorted term",
    "Q0102": "model does not satisfy the original assertions",
    "Q0103": "unsupported construct",
    "Q0201": "SMT-LIB syntax error",
    "Q0202": "unknown symbol",
    "Q0203": "unsupported or unknown logic",
    "Q0204": "unsupported command",
    "Q0205": "invalid command argument",
    "Q0206": "sort error in SMT-LIB input",
    "Q0207": "symbol already declared",
    "Q0301": "backend not available",
    "Q0302": "backend error",
}


def register_codes(codes: dict[str, str]) -> None:
    """Add error codes for a front end; a code may be registered only once."""
    for code, text in codes.items():
        if code in CODES and CODES[code] != text:
            raise ValueError(f"error code {code} already registered as {CODES[code]!r}")
        CODES[code] = text


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str
    message: str
    span: Span | None = None
    severity: Severity = Severity.ERROR

    def render(self) -> str:
        where = f"{self.span}: " if self.span is not None else ""
        return f"{where}{self.severity.value}[{self.code}]: {self.message}"


class QuodError(Exception):
    """An error meant for users: it renders as one line with a location."""

    code = "Q0001"

    def __init__(self, message: str, span: Span | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.diagnostic = Diagnostic(code or self.code, message, span)

    @property
    def message(self) -> str:
        return self.diagnostic.message

    @property
    def span(self) -> Span | None:
        return self.diagnostic.span

    def with_span(self, span: Span) -> QuodError:
        """The same error located at `span` (keeps an existing, more precise span)."""
        if self.diagnostic.span is not None:
            return self
        err = type(self).__new__(type(self))
        Exception.__init__(err, self.message)
        err.diagnostic = Diagnostic(self.diagnostic.code, self.message, span, self.diagnostic.severity)
        return err

    def __str__(self) -> str:
        return self.diagnostic.render()


class SortError(QuodError):
    code = "Q0101"


class UnsupportedError(QuodError):
    code = "Q0103"
