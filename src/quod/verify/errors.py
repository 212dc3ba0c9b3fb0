"""Error codes and diagnostics of the Python verifier (range Q0600-Q0699)."""

from __future__ import annotations

import ast

from quod.core.errors import QuodError, Span, register_codes

CODES = {
    "Q0601": "Python syntax error in a verified file",
    "Q0602": "construct outside the verified Python subset",
    "Q0603": "type error in a verified program",
    "Q0604": "ill-formed specification",
    "Q0605": "aliasing or mutation the verifier cannot model soundly",
    "Q0606": "unknown name",
    "Q0607": "function not found",
    "Q0610": "assertion might not hold",
    "Q0611": "loop invariant might not hold on entry",
    "Q0612": "loop invariant might not be preserved by the loop",
    "Q0613": "postcondition might not hold",
    "Q0614": "precondition of a call might not hold",
    "Q0615": "index out of range",
    "Q0616": "division or modulo by zero",
    "Q0617": "termination measure might not decrease",
    "Q0618": "termination measure might be negative",
    "Q0619": "variable might be unbound",
    "Q0620": "well-definedness condition might not hold",
    "Q0621": "pop from an empty list",
    "Q0622": "function might reach the end of its body without returning a value",
    "Q0630": "vacuous specification (unsatisfiable precondition, invariant or assumption)",
    "Q0631": "obligation is brittle (result depends on the solver seed)",
    "Q0632": "obligation could not be decided within the resource limit",
    "Q0640": "runtime contract violation",
}
register_codes(CODES)


def span_of(node: ast.AST, file: str) -> Span:
    """The source span of an `ast` node (columns are 1-based, like compilers print them)."""
    line = getattr(node, "lineno", 0) or 0
    col = (getattr(node, "col_offset", 0) or 0) + 1
    end_line = getattr(node, "end_lineno", line) or line
    end_col = (getattr(node, "end_col_offset", col - 1) or 0) + 1
    return Span(file, line, col, end_line, end_col)


class VerifyError(QuodError):
    """A problem with the program text itself (not a failed proof)."""

    code = "Q0602"


def unsupported(node: ast.AST, file: str, what: str) -> VerifyError:
    return VerifyError(f"{what} is outside the verified Python subset", span_of(node, file), "Q0602")


def type_error(node: ast.AST, file: str, message: str) -> VerifyError:
    return VerifyError(message, span_of(node, file), "Q0603")


def spec_error(node: ast.AST, file: str, message: str) -> VerifyError:
    return VerifyError(message, span_of(node, file), "Q0604")


def alias_error(node: ast.AST, file: str, message: str) -> VerifyError:
    return VerifyError(message, span_of(node, file), "Q0605")
