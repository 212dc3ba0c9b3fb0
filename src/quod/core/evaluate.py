"""Evaluation of terms under a model, with SMT-LIB semantics.

This is part of the trusted base (the kernel checks models with it), so it is
written for clarity: one small function per theory, no cleverness.

Where SMT-LIB leaves a value unspecified (division by zero, `seq.nth` out of
range) or evaluation would need an infinite search (quantifiers over Int),
the result is *undetermined*; `evaluate` raises `Undetermined` with a reason
rather than guessing. Undetermined subterms that cannot affect the result
(an untaken `ite` branch, a conjunct next to a false one) do not propagate.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from fractions import Fraction
from math import floor
from typing import Any

from quod.core.model import ArrayValue, Model, default_value, values_equal
from quod.core.ops import Op
from quod.core.regex import matches
from quod.core.sorts import Sort, SortKind
from quod.core.terms import Term, const, make
from quod.core.walk import post_order


class Undetermined(Exception):
    """The value of a term is not determined by the model."""


class _Undet:
    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason


def evaluate(t: Term, model: Model, *, complete: bool = True) -> Any:
    """The value of `t` under `model`.

    With `complete`, constants and function applications the model leaves
    open take quod's default values (and those are recorded in the model, so
    the caller can report the completed model); otherwise they are undetermined.
    """
    v = _Evaluator(model, complete).run(t, {})
    if isinstance(v, _Undet):
        raise Undetermined(v.reason)
    return v


class _Evaluator:
    def __init__(self, model: Model, complete: bool) -> None:
        self.model = model
        self.complete = complete

    def run(self, root: Term, bound: dict[Term, Any]) -> Any:
        memo: dict[int, Any] = {}
        for t in post_order([root], into_bodies=False):
            if t.op is Op.FORALL or t.op is Op.EXISTS:
                memo[t.id] = self.quantifier(t, bound)
            else:
                memo[t.id] = self.node(t, [memo[a.id] for a in t.args], bound)
        return memo[root.id]

    # leaves and uninterpreted symbols ------------------------------------
    def leaf(self, t: Term, bound: dict[Term, Any]) -> Any:
        if t.op is Op.CONST:
            return t.payload[0]
        if t in bound:
            return bound[t]
        if t in self.model.consts:
            return self.model.consts[t]
        if not self.complete:
            return _Undet(f"no value for '{t.name}'")
        v = default_value(t.sort)
        self.model.consts[t] = v
        return v

    def apply(self, t: Term, args: list[Any]) -> Any:
        from quod.core.model import FuncInterp

        interp = self.model.funcs.get(t.payload)
        if interp is not None:
            found, v = interp.lookup(tuple(args))
            if found:
                return v
            if interp.default_body is not None:
                body = interp.default_body
                return self.run(body, dict(zip(interp.params, args, strict=True)))
            if interp.default is not None:
                return interp.default
        if not self.complete:
            return _Undet(f"no interpretation for '{t.payload.name}'")
        if interp is None:
            interp = FuncInterp(t.payload, default=default_value(t.sort))
            self.model.funcs[t.payload] = interp
        elif interp.default is None:
            interp.default = default_value(t.sort)
        return interp.default

    # dispatch ------------------------------------------------------------
    def node(self, t: Term, args: list[Any], bound: dict[Term, Any]) -> Any:
        op = t.op
        if op is Op.CONST or op is Op.VAR:
            return self.leaf(t, bound)
        lazy = _LAZY.get(op)
        if lazy is not None:
            return lazy(args)
        for a in args:
            if isinstance(a, _Undet):
                return a
        if op is Op.APPLY:
            return self.apply(t, args)
        fn = _STRICT.get(op)
        if fn is None:
            return _Undet(f"cannot evaluate '{op.value}'")
        try:
            return fn(t, args)
        except _UndefinedOp as e:
            return _Undet(str(e))

    def quantifier(self, q: Term, bound: dict[Term, Any]) -> Any:
        domains = [_finite_domain(v.sort) for v in q.payload]
        if any(d is None for d in domains):
            return _Undet("quantifier over an infinite domain")
        total = 1
        for d in domains:
            assert d is not None
            total *= len(d)
        if total > 4096:
            return _Undet("quantifier domain too large to enumerate")
        is_forall = q.op is Op.FORALL
        undet: _Undet | None = None
        for combo in itertools.product(*[d for d in domains if d is not None]):
            inner = dict(bound)
            inner.update(zip(q.payload, combo, strict=True))
            v = self.run(q.args[0], inner)
            if isinstance(v, _Undet):
                undet = v
            elif v is not is_forall:
                return not is_forall
        return undet if undet is not None else is_forall


class _UndefinedOp(Exception):
    pass


def _finite_domain(sort: Sort) -> list[Any] | None:
    if sort.kind is SortKind.BOOL:
        return [False, True]
    if sort.kind is SortKind.BITVEC and sort.width <= 12:
        return list(range(1 << sort.width))
    return None


# --- Boolean connectives (tolerate undetermined arguments) ------------------


def _first_undet(args: Sequence[Any]) -> _Undet | None:
    for a in args:
        if isinstance(a, _Undet):
            return a
    return None


def _and(args: list[Any]) -> Any:
    if any(a is False for a in args):
        return False
    return _first_undet(args) or True


def _or(args: list[Any]) -> Any:
    if any(a is True for a in args):
        return True
    return _first_undet(args) or False


def _implies(args: list[Any]) -> Any:
    a, b = args
    if a is False or b is True:
        return True
    return _first_undet(args) or False


def _ite(args: list[Any]) -> Any:
    c, a, b = args
    if c is True:
        return a
    if c is False:
        return b
    if not isinstance(a, _Undet) and not isinstance(b, _Undet) and values_equal(a, b):
        return a
    return c


_LAZY: dict[Op, Callable[[list[Any]], Any]] = {
    Op.AND: _and,
    Op.OR: _or,
    Op.IMPLIES: _implies,
    Op.ITE: _ite,
}


# --- strict operators ---------------------------------------------------------


def _xor(t: Term, a: list[Any]) -> Any:
    acc = False
    for x in a:
        acc ^= x
    return acc


def _eq(t: Term, a: list[Any]) -> bool:
    return all(values_equal(a[0], x) for x in a[1:])


def _distinct(t: Term, a: list[Any]) -> bool:
    return all(not values_equal(a[i], a[j]) for i in range(len(a)) for j in range(i + 1, len(a)))


def _chain(rel: Callable[[Any, Any], bool]) -> Callable[[Term, list[Any]], bool]:
    return lambda t, a: all(rel(a[i], a[i + 1]) for i in range(len(a) - 1))


def _sub(t: Term, a: list[Any]) -> Any:
    if len(a) == 1:
        return -a[0]
    acc = a[0]
    for x in a[1:]:
        acc = acc - x
    return acc


def _sum(t: Term, a: list[Any]) -> Any:
    acc = a[0]
    for x in a[1:]:
        acc = acc + x
    return acc


def _prod(t: Term, a: list[Any]) -> Any:
    acc = a[0]
    for x in a[1:]:
        acc = acc * x
    return acc


def smt_div(m: int, n: int) -> int:
    """SMT-LIB integer division: m = n*q + r with 0 <= r < |n| (n != 0)."""
    if n == 0:
        raise _UndefinedOp("integer division by zero")
    r = m % abs(n)
    return (m - r) // n


def smt_mod(m: int, n: int) -> int:
    if n == 0:
        raise _UndefinedOp("integer modulo by zero")
    return m % abs(n)


def _idiv(t: Term, a: list[Any]) -> int:
    acc: int = a[0]
    for x in a[1:]:
        acc = smt_div(acc, x)
    return acc


def _rdiv(t: Term, a: list[Any]) -> Fraction:
    acc = Fraction(a[0])
    for x in a[1:]:
        if x == 0:
            raise _UndefinedOp("real division by zero")
        acc = acc / x
    return acc


# --- bit-vectors ----------------------------------------------------------------


def _w(t: Term) -> int:
    return t.args[0].sort.width


def _signed(v: int, w: int) -> int:
    return v - (1 << w) if v >> (w - 1) else v


def _bv_udiv(s: int, u: int, w: int) -> int:
    return (1 << w) - 1 if u == 0 else s // u


def _bv_urem(s: int, u: int) -> int:
    return s if u == 0 else s % u


def _bvsdiv(s: int, u: int, w: int) -> int:
    m = 1 << w
    ns, nu = s >> (w - 1), u >> (w - 1)
    sa, ua = ((-s) % m if ns else s), ((-u) % m if nu else u)
    q = _bv_udiv(sa, ua, w)
    return (-q) % m if ns != nu else q


def _bvsrem(s: int, u: int, w: int) -> int:
    m = 1 << w
    ns, nu = s >> (w - 1), u >> (w - 1)
    sa, ua = ((-s) % m if ns else s), ((-u) % m if nu else u)
    r = _bv_urem(sa, ua)
    return (-r) % m if ns else r


def _bvsmod(s: int, u: int, w: int) -> int:
    m = 1 << w
    ns, nu = s >> (w - 1), u >> (w - 1)
    sa, ua = ((-s) % m if ns else s), ((-u) % m if nu else u)
    r = _bv_urem(sa, ua)
    if r == 0:
        return r
    if not ns and not nu:
        return r
    if ns and not nu:
        return (-r + u) % m
    if not ns and nu:
        return (r + u) % m
    return (-r) % m


def _bv_fold(fn: Callable[[int, int, int], int]) -> Callable[[Term, list[Any]], int]:
    def f(t: Term, a: list[Any]) -> int:
        w = _w(t)
        acc: int = a[0]
        for x in a[1:]:
            acc = fn(acc, x, w) % (1 << w)
        return acc

    return f


def _shift(kind: str) -> Callable[[Term, list[Any]], int]:
    def f(t: Term, a: list[Any]) -> int:
        w = _w(t)
        s, n = a
        m = (1 << w) - 1
        if kind == "shl":
            return int((s << n) & m) if n < w else 0
        if kind == "lshr":
            return int(s >> n) if n < w else 0
        sv = _signed(s, w)
        return int((sv >> min(n, w)) & m)

    return f


def _bv_cmp(rel: Callable[[int, int], bool], signed: bool) -> Callable[[Term, list[Any]], bool]:
    def f(t: Term, a: list[Any]) -> bool:
        w = _w(t)
        x, y = a
        if signed:
            x, y = _signed(x, w), _signed(y, w)
        return rel(x, y)

    return f


def _concat_bv(t: Term, a: list[Any]) -> int:
    acc = 0
    for arg, v in zip(t.args, a, strict=True):
        acc = (acc << arg.sort.width) | v
    return acc


def _extract(t: Term, a: list[Any]) -> int:
    hi, lo = t.payload
    v: int = a[0]
    return int((v >> lo) & ((1 << (hi - lo + 1)) - 1))


def _sign_extend(t: Term, a: list[Any]) -> int:
    w = _w(t)
    return int(_signed(a[0], w) % (1 << t.sort.width))


def _repeat(t: Term, a: list[Any]) -> int:
    w = _w(t)
    acc = 0
    for _ in range(t.payload[0]):
        acc = (acc << w) | a[0]
    return acc


def _rotate(left: bool) -> Callable[[Term, list[Any]], int]:
    def f(t: Term, a: list[Any]) -> int:
        w = _w(t)
        k = t.payload[0] % w
        if not left:
            k = (w - k) % w
        v: int = a[0]
        return int(((v << k) | (v >> (w - k))) & ((1 << w) - 1))

    return f


# --- strings ----------------------------------------------------------------------


def _substr(s: str, i: int, n: int) -> str:
    if i < 0 or i >= len(s) or n <= 0:
        return ""
    return s[i : i + n]


def _indexof(s: str, t: str, i: int) -> int:
    if i < 0 or i > len(s):
        return -1
    return s.find(t, i)


def _replace_all(s: str, t: str, u: str) -> str:
    return s if t == "" else s.replace(t, u)


def _to_int(s: str) -> int:
    if s == "" or any(c not in "0123456789" for c in s):
        return -1
    return int(s)


def _regex_value(t: Term, a: list[Any]) -> Term:
    """Rebuild a regular expression with its string arguments as constants."""
    args = [const(v, arg.sort) if isinstance(v, str) else v for arg, v in zip(t.args, a, strict=True)]
    return make(t.op, args, t.payload)


def _seq_extract(s: tuple[Any, ...], i: int, n: int) -> tuple[Any, ...]:
    if i < 0 or i >= len(s) or n <= 0:
        return ()
    return s[i : i + n]


def _seq_update(s: tuple[Any, ...], i: int, u: tuple[Any, ...]) -> tuple[Any, ...]:
    if i < 0 or i >= len(s):
        return s
    return (s[:i] + u + s[i + len(u) :])[: len(s)]


def _seq_nth(s: tuple[Any, ...], i: int) -> Any:
    if 0 <= i < len(s):
        return s[i]
    raise _UndefinedOp("seq.nth out of range")


def _seq_contains(s: tuple[Any, ...], u: tuple[Any, ...]) -> bool:
    return any(_seq_eq(s[i : i + len(u)], u) for i in range(len(s) - len(u) + 1))


def _seq_indexof(s: tuple[Any, ...], u: tuple[Any, ...], i: int) -> int:
    if i < 0 or i > len(s):
        return -1
    for j in range(i, len(s) - len(u) + 1):
        if _seq_eq(s[j : j + len(u)], u):
            return j
    return -1


def _seq_eq(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    return values_equal(a, b)


def _const_array(t: Term, a: list[Any]) -> ArrayValue:
    return ArrayValue(t.sort, a[0])


_STRICT: dict[Op, Callable[[Term, list[Any]], Any]] = {
    Op.NOT: lambda t, a: not a[0],
    Op.XOR: _xor,
    Op.EQ: _eq,
    Op.DISTINCT: _distinct,
    Op.ADD: _sum,
    Op.SUB: _sub,
    Op.NEG: lambda t, a: -a[0],
    Op.MUL: _prod,
    Op.IDIV: _idiv,
    Op.MOD: lambda t, a: smt_mod(a[0], a[1]),
    Op.ABS: lambda t, a: abs(a[0]),
    Op.RDIV: _rdiv,
    Op.LE: _chain(lambda x, y: x <= y),
    Op.LT: _chain(lambda x, y: x < y),
    Op.GE: _chain(lambda x, y: x >= y),
    Op.GT: _chain(lambda x, y: x > y),
    Op.TO_REAL: lambda t, a: Fraction(a[0]),
    Op.TO_INT: lambda t, a: floor(a[0]),
    Op.IS_INT: lambda t, a: a[0].denominator == 1,
    # bit-vectors
    Op.BVNOT: lambda t, a: a[0] ^ ((1 << _w(t)) - 1),
    Op.BVNEG: lambda t, a: (-a[0]) % (1 << _w(t)),
    Op.BVAND: _bv_fold(lambda x, y, w: x & y),
    Op.BVOR: _bv_fold(lambda x, y, w: x | y),
    Op.BVXOR: _bv_fold(lambda x, y, w: x ^ y),
    Op.BVNAND: _bv_fold(lambda x, y, w: ~(x & y)),
    Op.BVNOR: _bv_fold(lambda x, y, w: ~(x | y)),
    Op.BVXNOR: _bv_fold(lambda x, y, w: ~(x ^ y)),
    Op.BVADD: _bv_fold(lambda x, y, w: x + y),
    Op.BVSUB: _bv_fold(lambda x, y, w: x - y),
    Op.BVMUL: _bv_fold(lambda x, y, w: x * y),
    Op.BVUDIV: _bv_fold(_bv_udiv),
    Op.BVUREM: _bv_fold(lambda x, y, w: _bv_urem(x, y)),
    Op.BVSDIV: _bv_fold(_bvsdiv),
    Op.BVSREM: _bv_fold(_bvsrem),
    Op.BVSMOD: _bv_fold(_bvsmod),
    Op.BVSHL: _shift("shl"),
    Op.BVLSHR: _shift("lshr"),
    Op.BVASHR: _shift("ashr"),
    Op.BVULT: _bv_cmp(lambda x, y: x < y, False),
    Op.BVULE: _bv_cmp(lambda x, y: x <= y, False),
    Op.BVUGT: _bv_cmp(lambda x, y: x > y, False),
    Op.BVUGE: _bv_cmp(lambda x, y: x >= y, False),
    Op.BVSLT: _bv_cmp(lambda x, y: x < y, True),
    Op.BVSLE: _bv_cmp(lambda x, y: x <= y, True),
    Op.BVSGT: _bv_cmp(lambda x, y: x > y, True),
    Op.BVSGE: _bv_cmp(lambda x, y: x >= y, True),
    Op.BVCOMP: lambda t, a: int(a[0] == a[1]),
    Op.CONCAT: _concat_bv,
    Op.EXTRACT: _extract,
    Op.ZERO_EXTEND: lambda t, a: a[0],
    Op.SIGN_EXTEND: _sign_extend,
    Op.REPEAT: _repeat,
    Op.ROTATE_LEFT: _rotate(True),
    Op.ROTATE_RIGHT: _rotate(False),
    Op.BV2NAT: lambda t, a: a[0],
    Op.INT2BV: lambda t, a: a[0] % (1 << t.sort.width),
    # arrays
    Op.SELECT: lambda t, a: a[0].get(a[1]),
    Op.STORE: lambda t, a: a[0].set(a[1], a[2]),
    Op.CONST_ARRAY: _const_array,
    # strings
    Op.STR_CONCAT: lambda t, a: "".join(a),
    Op.STR_LEN: lambda t, a: len(a[0]),
    Op.STR_AT: lambda t, a: _substr(a[0], a[1], 1),
    Op.STR_SUBSTR: lambda t, a: _substr(a[0], a[1], a[2]),
    Op.STR_PREFIXOF: lambda t, a: a[1].startswith(a[0]),
    Op.STR_SUFFIXOF: lambda t, a: a[1].endswith(a[0]),
    Op.STR_CONTAINS: lambda t, a: a[1] in a[0],
    Op.STR_INDEXOF: lambda t, a: _indexof(a[0], a[1], a[2]),
    Op.STR_REPLACE: lambda t, a: a[0].replace(a[1], a[2], 1),
    Op.STR_REPLACE_ALL: lambda t, a: _replace_all(a[0], a[1], a[2]),
    Op.STR_TO_INT: lambda t, a: _to_int(a[0]),
    Op.STR_FROM_INT: lambda t, a: str(a[0]) if a[0] >= 0 else "",
    Op.STR_TO_CODE: lambda t, a: ord(a[0]) if len(a[0]) == 1 else -1,
    Op.STR_FROM_CODE: lambda t, a: chr(a[0]) if 0 <= a[0] <= 0x2FFFF else "",
    Op.STR_IS_DIGIT: lambda t, a: len(a[0]) == 1 and "0" <= a[0] <= "9",
    Op.STR_LT: lambda t, a: a[0] < a[1],
    Op.STR_LE: lambda t, a: a[0] <= a[1],
    Op.STR_IN_RE: lambda t, a: matches(a[0], a[1]),
    # sequences
    Op.SEQ_EMPTY: lambda t, a: (),
    Op.SEQ_UNIT: lambda t, a: (a[0],),
    Op.SEQ_CONCAT: lambda t, a: sum(a, ()),
    Op.SEQ_LEN: lambda t, a: len(a[0]),
    Op.SEQ_NTH: lambda t, a: _seq_nth(a[0], a[1]),
    Op.SEQ_EXTRACT: lambda t, a: _seq_extract(a[0], a[1], a[2]),
    Op.SEQ_UPDATE: lambda t, a: _seq_update(a[0], a[1], a[2]),
    Op.SEQ_CONTAINS: lambda t, a: _seq_contains(a[0], a[1]),
    Op.SEQ_PREFIXOF: lambda t, a: _seq_eq(a[1][: len(a[0])], a[0]),
    Op.SEQ_SUFFIXOF: lambda t, a: len(a[0]) <= len(a[1]) and _seq_eq(a[1][len(a[1]) - len(a[0]) :], a[0]),
    Op.SEQ_INDEXOF: lambda t, a: _seq_indexof(a[0], a[1], a[2]),
}
for _op in (
    Op.STR_TO_RE, Op.RE_NONE, Op.RE_ALL, Op.RE_ALLCHAR, Op.RE_CONCAT, Op.RE_UNION,
    Op.RE_INTER, Op.RE_STAR, Op.RE_PLUS, Op.RE_OPT, Op.RE_RANGE, Op.RE_COMP, Op.RE_DIFF,
    Op.RE_LOOP, Op.RE_POWER,
):  # fmt: skip
    _STRICT[_op] = _regex_value


__all__ = ["Undetermined", "evaluate", "smt_div", "smt_mod"]
