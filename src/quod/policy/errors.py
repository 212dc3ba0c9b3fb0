"""Error codes of the policy front end (range Q0801-Q0849).

Every message names the JSON path of the offending element (e.g.
`$.Statement[2].Condition.StringLike`) and the diagnostic carries the file
position, so the CLI prints `file:line:col: error[Q08xx]: $.path: message`.
"""

from __future__ import annotations

from quod.core.errors import QuodError, Span, register_codes

CODES: dict[str, str] = {
    "Q0801": "malformed JSON",
    "Q0802": "invalid policy structure (unknown, missing or mistyped element)",
    "Q0803": "invalid value in a policy element",
    "Q0804": "unsupported policy feature",
    "Q0805": "invalid request",
    "Q0806": "invalid evidence bundle",
    "Q0807": "evidence bundle does not check",
    "Q0808": "internal inconsistency between evaluator, encoding or solvers",
    "Q0809": "invalid automata certificate",
}
register_codes(CODES)


class PolicyError(QuodError):
    """A policy (or request) file that is not accepted; the message starts with its JSON path."""

    code = "Q0802"

    def __init__(self, message: str, path: str = "", span: Span | None = None, code: str | None = None):
        text = f"{path}: {message}" if path else message
        super().__init__(text, span, code)
        self.path = path


class UnsupportedFeature(QuodError):
    """A construct the solver encoding cannot represent exactly; queries answer unknown."""

    code = "Q0804"


class Inconsistency(QuodError):
    """Two independent parts of quod disagree (a bug to report, never a verdict)."""

    code = "Q0808"


__all__ = ["CODES", "Inconsistency", "PolicyError", "UnsupportedFeature"]
