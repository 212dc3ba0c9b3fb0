"""Printing terms as SMT-LIB v2.6.

Shared compound subterms are bound with `let`, so printing a DAG is linear in
its size; the traversal is iterative, so deep terms print without recursion.
`parse(print(t))` gives back `t` itself (hash-consing makes the DAG identical).
"""

from __future__ import annotations

import re
from fractions import Fraction

from quod.core.ops import INDEXED, Op
from quod.core.sorts import sort_to_smtlib
from quod.core.terms import Term, UninterpretedValue, Value
from quod.core.walk import post_order

_SIMPLE = re.compile(r"^[a-zA-Z~!@$%^&*_\-+=<>.?/][a-zA-Z0-9~!@$%^&*_\-+=<>.?/]*$")
RESERVED = frozenset(
    {
        "!", "_", "as", "BINARY", "DECIMAL", "exists", "HEXADECIMAL", "forall", "let",
        "match", "NUMERAL", "par", "STRING", "lambda",
        "assert", "check-sat", "check-sat-assuming", "declare-const", "declare-datatype",
        "declare-datatypes", "declare-fun", "declare-sort", "define-fun", "define-fun-rec",
        "define-funs-rec", "define-sort", "echo", "exit", "get-assertions", "get-assignment",
        "get-info", "get-model", "get-option", "get-proof", "get-unsat-assumptions",
        "get-unsat-core", "get-value", "pop", "push", "reset", "reset-assertions", "set-info",
        "set-logic", "set-option",
    }
)  # fmt: skip


def quote_symbol(name: str) -> str:
    if _SIMPLE.match(name) and name not in RESERVED:
        return name
    if "|" in name or "\\" in name:
        raise ValueError(f"symbol {name!r} cannot be written in SMT-LIB (contains | or \\)")
    return f"|{name}|"


def string_literal(s: str) -> str:
    out = ['"']
    for ch in s:
        c = ord(ch)
        if ch == '"':
            out.append('""')
        elif 32 <= c <= 126 and ch != "\\":
            out.append(ch)
        else:
            out.append(f"\\u{{{c:x}}}")
    out.append('"')
    return "".join(out)


def int_text(v: int) -> str:
    """Decimal digits of a non-negative int of any size (Python's str() stops at 4300 digits)."""
    if v < 10**4000:
        return str(v)
    # split in halves of a power of ten; the recursion depth is logarithmic in the size
    k = len(bin(v)) * 3 // 20  # about half the number of decimal digits
    hi, lo = divmod(v, 10**k)
    return int_text(hi) + int_text(lo).rjust(k, "0")


def _real_literal(v: Fraction) -> str:
    neg = v < 0
    a = -v if neg else v
    n, d = int_text(a.numerator), int_text(a.denominator)
    s = f"{n}.0" if a.denominator == 1 else f"(/ {n}.0 {d}.0)"
    return f"(- {s})" if neg else s


def bv_literal(v: int, width: int) -> str:
    if width % 4 == 0:
        return f"#x{v:0{width // 4}x}"
    return f"#b{v:0{width}b}"


def value_to_smtlib(v: Value, t: Term | None = None) -> str:
    """A constant value as an SMT-LIB literal (bit-vectors need the term for the width)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, UninterpretedValue):
        return quote_symbol(f"@{v.sort_name}_{v.index}")
    if isinstance(v, int):
        if t is not None and t.sort.is_bv:
            return bv_literal(v, t.sort.width)
        if t is not None and t.sort.is_real:
            return _real_literal(Fraction(v))
        return int_text(v) if v >= 0 else f"(- {int_text(-v)})"
    if isinstance(v, Fraction):
        return _real_literal(v)
    if isinstance(v, str):
        return string_literal(v)
    raise ValueError(f"no SMT-LIB literal for {v!r}")


def _head(t: Term) -> str:
    op = t.op
    if op is Op.APPLY:
        return quote_symbol(t.payload.name)
    if op is Op.NEG:
        return "-"
    if op in INDEXED:
        return f"(_ {op.value} {' '.join(str(i) for i in t.payload)})"
    if op is Op.CONST_ARRAY:
        return f"(as const {sort_to_smtlib(t.sort)})"
    return str(op.value)


def _atom(t: Term) -> str | None:
    """The text of `t` if it prints without arguments, else None."""
    op = t.op
    if op is Op.CONST:
        return value_to_smtlib(t.payload[0], t)
    if op is Op.VAR:
        return quote_symbol(t.payload)
    if op is Op.SEQ_EMPTY:
        return f"(as seq.empty {sort_to_smtlib(t.sort)})"
    if not t.args and op is not Op.APPLY:
        return str(op.value)
    return None


def _quantifier(t: Term) -> str:
    decls = " ".join(f"({quote_symbol(v.name)} {sort_to_smtlib(v.sort)})" for v in t.payload)
    return f"({t.op.value} ({decls}) {to_smtlib(t.args[0])})"


def _args(t: Term) -> tuple[Term, ...]:
    """Arguments in the current let scope (quantifier bodies print in their own)."""
    return () if t.op is Op.FORALL or t.op is Op.EXISTS else t.args


def to_smtlib(root: Term, *, share: bool = True) -> str:
    """SMT-LIB text of `root`; with `share`, repeated compound subterms get `let` names."""
    nodes = list(post_order([root], into_bodies=False))
    refs: dict[int, int] = {}
    for t in nodes:
        for a in _args(t):
            refs[a.id] = refs.get(a.id, 0) + 1
    shared: dict[int, str] = {}
    levels: list[list[Term]] = []
    if share:
        _plan_lets(root, nodes, refs, shared, levels)
    out: list[str] = []
    for level in levels:
        out.append("(let (")
        for t in level:
            out.append(f"({shared[t.id]} ")
            _emit(t, shared, out, top=True)
            out.append(")")
        out.append(") ")
    _emit(root, shared, out, top=True)
    out.append(")" * len(levels))
    return "".join(out)


def _plan_lets(
    root: Term, nodes: list[Term], refs: dict[int, int], shared: dict[int, str], levels: list[list[Term]]
) -> None:
    candidates = [t for t in nodes if refs.get(t.id, 0) > 1 and _atom(t) is None and t is not root]
    if not candidates:
        return
    taken = {v.name for v in post_order([root]) if v.op is Op.VAR}
    counter = 0
    for t in candidates:
        while True:
            counter += 1
            name = f"?q{counter}"
            if name not in taken:
                break
        shared[t.id] = name
    # level = 1 + highest level of a shared node reachable without crossing another shared node
    depth: dict[int, int] = {}
    level_of: dict[int, int] = {}
    for t in nodes:
        d = 0
        for a in _args(t):
            d = max(d, level_of[a.id] if a.id in shared else depth[a.id])
        depth[t.id] = d
        if t.id in shared:
            level_of[t.id] = d + 1
            while len(levels) < d + 1:
                levels.append([])
            levels[d].append(t)


def _emit(t: Term, shared: dict[int, str], out: list[str], top: bool) -> None:
    # stack items: a term to print, or a literal string to append
    stack: list[Term | str] = [t]
    first = top
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
            continue
        if not first and item.id in shared:
            out.append(shared[item.id])
            continue
        first = False
        atom = _atom(item)
        if atom is not None:
            out.append(atom)
            continue
        if item.op is Op.FORALL or item.op is Op.EXISTS:
            out.append(_quantifier(item))
            continue
        out.append(f"({_head(item)}")
        stack.append(")")
        for a in reversed(item.args):
            stack.append(a)
            stack.append(" ")


__all__ = ["bv_literal", "quote_symbol", "string_literal", "to_smtlib", "value_to_smtlib"]
