"""Recognising SMT-LIB logic names.

quod does not restrict terms to a logic's fragment; it only checks that the
name is a logic SMT-LIB (or a mainstream solver) defines, so typos such as
`QF_LAI` are caught early.
"""

from __future__ import annotations

import re

# Names following the SMT-LIB naming scheme: optional QF_, then theory parts
# in canonical order, then at most one arithmetic / string part.
_LOGIC_RE = re.compile(
    r"(?:QF_)?"
    r"(?:AX|A)?"
    r"(?:UF)?"
    r"(?:C)?"  # cardinality constraints (e.g. QF_UFC)
    r"(?:BV)?"
    r"(?:FP)?"
    r"(?:DT)?"
    r"(?:S|SLIA|SNIA)?"
    r"(?:IDL|RDL|LIA|LRA|LIRA|NIA|NRA|NIRA)?"
)

# Logics outside the scheme that solvers accept.
_EXTRA = frozenset({"ALL", "ALL_SUPPORTED", "HORN", "QF_FD", "QF_BVFPLRA", "QF_FPLRA", "BVFPLRA", "FPLRA"})


def is_known_logic(name: str) -> bool:
    if name in _EXTRA:
        return True
    if name in ("", "QF_"):
        return False
    m = _LOGIC_RE.fullmatch(name)
    if m is None:
        return False
    body = name[3:] if name.startswith("QF_") else name
    return body != ""


__all__ = ["is_known_logic"]
