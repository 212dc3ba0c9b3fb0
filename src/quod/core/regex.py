"""Membership in SMT-LIB regular languages by Brzozowski derivatives.

Works on regular-expression terms whose leaves are constants (the evaluator
first evaluates string arguments). Intersection, complement and difference
are handled directly, which Python's `re` cannot do.
"""

from __future__ import annotations

from quod.core.ops import Op
from quod.core.terms import Term, make, string_const

_NONE = make(Op.RE_NONE, [])
_ALL = make(Op.RE_ALL, [])
_EPS = make(Op.STR_TO_RE, [string_const("")])


def _union(a: Term, b: Term) -> Term:
    if a is _NONE:
        return b
    if b is _NONE or a is b:
        return a
    if a is _ALL or b is _ALL:
        return _ALL
    return make(Op.RE_UNION, [a, b])


def _concat(a: Term, b: Term) -> Term:
    if a is _NONE or b is _NONE:
        return _NONE
    if a is _EPS:
        return b
    if b is _EPS:
        return a
    return make(Op.RE_CONCAT, [a, b])


def _inter(a: Term, b: Term) -> Term:
    if a is _NONE or b is _NONE:
        return _NONE
    if a is _ALL or a is b:
        return b
    if b is _ALL:
        return a
    return make(Op.RE_INTER, [a, b])


def _range_bounds(r: Term) -> tuple[int, int] | None:
    lo, hi = (a.payload[0] for a in r.args)
    if len(lo) != 1 or len(hi) != 1:
        return None
    return ord(lo), ord(hi)


def nullable(r: Term) -> bool:
    """Does the language of `r` contain the empty string?"""
    memo: dict[int, bool] = {}
    from quod.core.walk import post_order

    for t in post_order([r], into_binders=False):
        op = t.op
        kids = [memo[a.id] for a in t.args if a.sort.is_reglan]
        if op is Op.STR_TO_RE:
            v = t.args[0].payload[0] == ""
        elif op in (Op.RE_NONE, Op.RE_ALLCHAR, Op.RE_RANGE):
            v = False
        elif op in (Op.RE_ALL, Op.RE_STAR, Op.RE_OPT):
            v = True
        elif op is Op.RE_PLUS:
            v = kids[0]
        elif op is Op.RE_CONCAT or op is Op.RE_INTER:
            v = all(kids)
        elif op is Op.RE_UNION:
            v = any(kids)
        elif op is Op.RE_COMP:
            v = not kids[0]
        elif op is Op.RE_DIFF:
            v = kids[0] and not kids[1]
        elif op is Op.RE_LOOP or op is Op.RE_POWER:
            v = t.payload[0] == 0 or kids[0]
        else:
            v = False  # string constants below str.to_re
        memo[t.id] = v
    return memo[r.id]


def derivative(r: Term, c: str) -> Term:
    """The regular expression matching {w : c w in L(r)}."""
    op = r.op
    if op is Op.STR_TO_RE:
        s: str = r.args[0].payload[0]
        return make(Op.STR_TO_RE, [string_const(s[1:])]) if s[:1] == c else _NONE
    if op is Op.RE_NONE:
        return _NONE
    if op is Op.RE_ALL:
        return _ALL
    if op is Op.RE_ALLCHAR:
        return _EPS
    if op is Op.RE_RANGE:
        b = _range_bounds(r)
        return _EPS if b is not None and b[0] <= ord(c) <= b[1] else _NONE
    if op is Op.RE_UNION:
        acc = _NONE
        for a in r.args:
            acc = _union(acc, derivative(a, c))
        return acc
    if op is Op.RE_INTER:
        acc = _ALL
        for a in r.args:
            acc = _inter(acc, derivative(a, c))
        return acc
    if op is Op.RE_CONCAT:
        head, rest = r.args[0], r.args[1:]
        tail = rest[0] if len(rest) == 1 else make(Op.RE_CONCAT, list(rest))
        d = _concat(derivative(head, c), tail)
        return _union(d, derivative(tail, c)) if nullable(head) else d
    if op is Op.RE_STAR:
        return _concat(derivative(r.args[0], c), r)
    if op is Op.RE_PLUS:
        return _concat(derivative(r.args[0], c), make(Op.RE_STAR, [r.args[0]]))
    if op is Op.RE_OPT:
        return derivative(r.args[0], c)
    if op is Op.RE_COMP:
        return make(Op.RE_COMP, [derivative(r.args[0], c)])
    if op is Op.RE_DIFF:
        return _inter(derivative(r.args[0], c), make(Op.RE_COMP, [derivative(r.args[1], c)]))
    if op is Op.RE_LOOP:
        lo, hi = r.payload
        if hi == 0:
            return _NONE
        rest_loop = make(Op.RE_LOOP, [r.args[0]], (max(lo - 1, 0), hi - 1))
        return _concat(derivative(r.args[0], c), rest_loop)
    if op is Op.RE_POWER:
        (n,) = r.payload
        return derivative(make(Op.RE_LOOP, [r.args[0]], (n, n)), c)
    raise ValueError(f"not a regular expression: {op.value}")


def matches(s: str, r: Term) -> bool:
    """Is `s` in the language of the constant regular expression `r`?"""
    for c in s:
        r = derivative(r, c)
        if r is _NONE:
            return False
    return nullable(r)


__all__ = ["derivative", "matches", "nullable"]
