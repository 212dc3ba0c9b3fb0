"""Error codes of the SMT-LIB front end (range Q0201-Q0219).

Q0201-Q0207 are registered by `quod.core.errors`; the codes below add the
cases users told us apart when fixing their files.
"""

from __future__ import annotations

from quod.core.errors import QuodError, Span, register_codes

SYNTAX = "Q0201"
UNKNOWN_SYMBOL = "Q0202"
UNKNOWN_LOGIC = "Q0203"
UNSUPPORTED_COMMAND = "Q0204"
BAD_ARGUMENT = "Q0205"
SORT = "Q0206"
REDECLARED = "Q0207"
BAD_LITERAL = "Q0208"
UNTERMINATED = "Q0209"
UNSUPPORTED = "Q0210"
INCREMENTAL = "Q0211"

register_codes(
    {
        BAD_LITERAL: "malformed SMT-LIB literal or token",
        UNTERMINATED: "unexpected end of SMT-LIB input (unclosed string, quoted symbol or parenthesis)",
        UNSUPPORTED: "unsupported SMT-LIB construct",
        INCREMENTAL: "script uses push/pop or reset; it has no single list of assertions",
    }
)


class SmtlibError(QuodError):
    """A located error in SMT-LIB input (the code says which kind)."""

    code = SYNTAX


def error(code: str, message: str, span: Span | None = None) -> SmtlibError:
    """A located error; control characters from the input are escaped so it stays one line."""
    if not message.isprintable():
        message = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in message)
    return SmtlibError(message, span, code)


__all__ = [
    "BAD_ARGUMENT",
    "BAD_LITERAL",
    "INCREMENTAL",
    "REDECLARED",
    "SORT",
    "SYNTAX",
    "UNKNOWN_LOGIC",
    "UNKNOWN_SYMBOL",
    "UNSUPPORTED",
    "UNSUPPORTED_COMMAND",
    "UNTERMINATED",
    "SmtlibError",
    "error",
]
