"""Error codes of `quod fairness` (range Q1001-Q1099).

Every problem a user can cause (a malformed group spec, a missing field, a
tampered ledger, an unsafe model file) is raised as `FairnessError` with one
of these codes, so the CLI prints one line and exits non-zero.
"""

from __future__ import annotations

from quod.core.errors import QuodError, Span, register_codes

CODES = {
    "Q1001": "malformed fairness input file (JSON/JSONL/CSV)",
    "Q1002": "invalid group specification",
    "Q1003": "record lacks a field the metric needs or has a bad value",
    "Q1004": "unknown or invalid metric",
    "Q1005": "invalid evaluation parameter",
    "Q1006": "invalid or unsafe model file",
    "Q1007": "bias bounty: invalid submission",
    "Q1008": "bias bounty: rate limit exceeded",
    "Q1009": "bias bounty: ledger integrity check failed",
    "Q1010": "bias bounty: invalid state or operation",
    "Q1011": "optional dependency missing",
    "Q1012": "invalid report file",
}
register_codes(CODES)


class FairnessError(QuodError):
    """A user-facing error of the fairness application."""

    code = "Q1001"

    def __init__(self, code: str, message: str, span: Span | None = None) -> None:
        super().__init__(message, span=span, code=code)


def at(where: str | None, message: str) -> str:
    """Prefix a message with a location such as `file.json: $.groups[2]`."""
    return f"{where}: {message}" if where else message


def require(module: str, purpose: str) -> None:
    """Fail with a clear message when an optional dependency is absent."""
    import importlib.util

    if importlib.util.find_spec(module) is None:
        raise FairnessError(
            "Q1011", f"{purpose} needs the Python package '{module}' (pip install 'quod[fairness]')"
        )
