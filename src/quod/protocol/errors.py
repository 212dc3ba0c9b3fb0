"""Error codes of `quod protocol` (range Q0700-Q0799)."""

from __future__ import annotations

from quod.core.errors import QuodError, Span, register_codes

CODES = {
    "Q0701": "protocol model file cannot be loaded",
    "Q0702": "malformed protocol model",
    "Q0703": "error raised inside a protocol action or property",
    "Q0704": "construct not supported by the symbolic translation",
    "Q0705": "symmetry declaration contradicted by the model",
    "Q0706": "malformed schedule file",
    "Q0707": "malformed log line",
    "Q0708": "malformed monitor configuration",
    "Q0710": "invalid protocol parameter",
}
register_codes(CODES)


class ProtocolError(QuodError):
    code = "Q0702"


def model_error(message: str, span: Span | None = None) -> ProtocolError:
    return ProtocolError(message, span, code="Q0702")


__all__ = ["CODES", "ProtocolError", "model_error"]
