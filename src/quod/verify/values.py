"""Symbolic Python values and the Python semantics of basic operations on them.

A `Val` is a typed value: one core term for scalars, strings and sequences,
or a tuple of component `Val`s for tuples. The helpers here implement
Python's meaning of the operators on those terms: floor division and modulo,
negative indexing, slice clamping, truthiness, bool-as-int, and deep
equality.
"""

from __future__ import annotations

from dataclasses import dataclass

from quod.core.builder import And, Eq, IntVal, Ite, Not, Or
from quod.core.ops import Op
from quod.core.sorts import SeqSort
from quod.core.terms import FALSE, TRUE, Term, bool_const, const, make
from quod.verify.types import BOOL_T, BYTES_T, INT_T, STR_T, PyType, sort_of, tuple_of

ZERO = IntVal(0)
ONE = IntVal(1)


@dataclass(frozen=True)
class Val:
    type: PyType
    term: Term | None = None
    parts: tuple[Val, ...] = ()

    @property
    def t(self) -> Term:
        assert self.term is not None, f"tuple value {self.type} has no single term"
        return self.term

    def leaves(self) -> list[Term]:
        if self.type.is_product:
            out: list[Term] = []
            for p in self.parts:
                out.extend(p.leaves())
            return out
        return [self.t]


def int_val(t: Term) -> Val:
    return Val(INT_T, t)


def bool_val(t: Term) -> Val:
    return Val(BOOL_T, t)


def tuple_val(parts: list[Val]) -> Val:
    return Val(tuple_of(*[p.type for p in parts]), None, tuple(parts))


def product_val(t: PyType, parts: list[Val]) -> Val:
    """A tuple or dataclass value of type `t` from its component values."""
    if t.kind == "dc":
        return Val(t, None, tuple(parts))
    return tuple_val(parts)


def literal(value: object, t: PyType) -> Val:
    if t.kind == "bool":
        assert isinstance(value, bool)
        return bool_val(bool_const(value))
    if t.kind == "int":
        assert isinstance(value, int)
        return int_val(IntVal(value))
    if t.kind == "str":
        assert isinstance(value, str)
        return Val(STR_T, const(value, sort_of(STR_T)))
    assert isinstance(value, bytes) and t.kind == "bytes"
    return Val(BYTES_T, seq_of([IntVal(b) for b in value], INT_T))


def seq_of(items: list[Term], elem: PyType) -> Term:
    sort = SeqSort(sort_of(elem))
    if not items:
        return make(Op.SEQ_EMPTY, [], sort)
    units = [make(Op.SEQ_UNIT, [i]) for i in items]
    return units[0] if len(units) == 1 else make(Op.SEQ_CONCAT, units)


def int_value(t: Term) -> int | None:
    """The value of an integer constant term (also -c), else None."""
    if t.op is Op.CONST and t.sort.is_int:
        v = t.value
        assert isinstance(v, int)
        return v
    if t.op is Op.NEG and t.args[0].op is Op.CONST:
        inner = int_value(t.args[0])
        return None if inner is None else -inner
    return None


def as_int(v: Val) -> Term:
    """An int or bool value as an Int term (True is 1, False is 0)."""
    if v.type.kind == "bool":
        if v.t is TRUE:
            return ONE
        if v.t is FALSE:
            return ZERO
        return Ite(v.t, ONE, ZERO)
    assert v.type.kind == "int", v.type
    return v.t


def truthy(v: Val) -> Term:
    k = v.type.kind
    if k == "bool":
        return v.t
    if k == "int":
        return Not(Eq(v.t, ZERO))
    if k in ("str", "list", "bytes"):
        return make(Op.GT, [length(v.t), ZERO])
    if k == "tuple":
        return bool_const(bool(v.parts))
    if k == "dc":
        return TRUE  # a dataclass defines neither __bool__ nor __len__
    return FALSE  # None


def length(t: Term) -> Term:
    return make(Op.STR_LEN if t.sort.is_string else Op.SEQ_LEN, [t])


def add(a: Term, b: Term) -> Term:
    return make(Op.ADD, [a, b])


def sub(a: Term, b: Term) -> Term:
    return make(Op.SUB, [a, b])


def neg(a: Term) -> Term:
    ca = int_value(a)
    return IntVal(-ca) if ca is not None else make(Op.NEG, [a])


def lt(a: Term, b: Term) -> Term:
    return make(Op.LT, [a, b])


def le(a: Term, b: Term) -> Term:
    return make(Op.LE, [a, b])


def floordiv(a: Term, b: Term) -> Term:
    """Python's a // b (rounds toward negative infinity); SMT div is Euclidean."""
    cb = int_value(b)
    if cb is not None and cb > 0:
        return make(Op.IDIV, [a, b])
    if cb is not None and cb < 0:
        return make(Op.IDIV, [neg(a), IntVal(-cb)])
    return Ite(lt(ZERO, b), make(Op.IDIV, [a, b]), make(Op.IDIV, [neg(a), neg(b)]))


def modulo(a: Term, b: Term) -> Term:
    """Python's a % b (takes the sign of b)."""
    cb = int_value(b)
    if cb is not None and cb > 0:
        return make(Op.MOD, [a, b])
    if cb is not None and cb < 0:
        return neg(make(Op.MOD, [neg(a), IntVal(-cb)]))
    return Ite(lt(ZERO, b), make(Op.MOD, [a, b]), neg(make(Op.MOD, [neg(a), neg(b)])))


def is_nonneg(t: Term, known: set[int]) -> bool:
    """Whether `t` is non-negative by its shape (constants, lengths, known variables, sums)."""
    if t.id in known or t.op in (Op.SEQ_LEN, Op.STR_LEN):
        return True
    c = int_value(t)
    if c is not None:
        return c >= 0
    if t.op in (Op.ADD, Op.MUL):
        return all(is_nonneg(a, known) for a in t.args)
    return False


def normalize_index(i: Term, n: Term, nonneg: bool = False) -> Term:
    """Python's index i into a sequence of length n (negative counts from the end)."""
    ci = int_value(i)
    if nonneg or (ci is not None and ci >= 0):
        return i
    if ci is not None:
        return add(n, i)
    return Ite(lt(i, ZERO), add(n, i), i)


def index_in_bounds(i: Term, n: Term, nonneg: bool = False) -> Term:
    ci = int_value(i)
    if nonneg or (ci is not None and ci >= 0):
        return lt(i, n)
    if ci is not None:
        return le(IntVal(-ci), n)
    return And(le(neg(n), i), lt(i, n))


def slice_term(s: Term, lo: Term | None, hi: Term | None, known: set[int] | None = None) -> Term:
    """s[lo:hi] with Python's semantics (step 1), in as few case splits as possible.

    SMT's extract(s, i, n) is empty unless 0 <= i < len(s) and n > 0, and it
    clips n at the end of s. So only negative bounds need work: a negative
    start counts from the end and is clipped at 0; a negative stop counts from
    the end (a count that becomes negative gives the empty slice, as in Python).
    """
    kn = known or set()
    n = length(s)
    if lo is None:
        start: Term = ZERO
    elif is_nonneg(lo, kn):
        start = lo
    else:
        shifted = add(n, lo)
        from_end = Ite(lt(shifted, ZERO), ZERO, shifted)
        c = int_value(lo)
        start = from_end if c is not None else Ite(lt(lo, ZERO), from_end, lo)
    if hi is None:
        stop: Term = n
    elif is_nonneg(hi, kn):
        stop = hi
    else:
        c = int_value(hi)
        stop = add(n, hi) if c is not None else Ite(lt(hi, ZERO), add(n, hi), hi)
    count = stop if start is ZERO else sub(stop, start)
    op = Op.STR_SUBSTR if s.sort.is_string else Op.SEQ_EXTRACT
    return make(op, [s, start, count])


def at(s: Term, idx: Term) -> Term:
    """Element idx (already normalized) of a sequence, or character of a string."""
    if s.sort.is_string:
        return make(Op.STR_AT, [s, idx])
    return make(Op.SEQ_NTH, [s, idx])


def equal(a: Val, b: Val) -> Term:
    """Python == on values of compatible types."""
    if a.type.kind == "dc" or b.type.kind == "dc":
        # dataclass __eq__: field-wise, and only between instances of the same class
        if a.type != b.type:
            return FALSE
        return And(*[equal(x, y) for x, y in zip(a.parts, b.parts, strict=True)]) if a.parts else TRUE
    if a.type.kind == "tuple":
        if len(a.parts) != len(b.parts):
            return FALSE
        return And(*[equal(x, y) for x, y in zip(a.parts, b.parts, strict=True)]) if a.parts else TRUE
    if a.type.is_numeric and b.type.is_numeric:
        if a.type.kind == b.type.kind == "bool":
            return Eq(a.t, b.t)
        return Eq(as_int(a), as_int(b))
    if a.t.sort != b.t.sort:
        # an empty list literal against a typed list: compare lengths
        return Eq(length(a.t), length(b.t)) if a.type.is_seq else FALSE
    return Eq(a.t, b.t)


def ite_val(c: Term, a: Val, b: Val, t: PyType) -> Val:
    if t.is_product:
        parts = [ite_val(c, x, y, pt) for x, y, pt in zip(a.parts, b.parts, t.params, strict=True)]
        return product_val(t, parts)
    if t.kind == "int":
        return int_val(Ite(c, as_int(a), as_int(b)))
    return Val(t, Ite(c, coerce_seq(a, t), coerce_seq(b, t)))


def coerce_seq(v: Val, t: PyType) -> Term:
    """The term of `v` as type `t` (an empty list literal takes the element sort of `t`)."""
    if t.kind == "int":
        return as_int(v)
    if t.kind == "list" and v.t.sort != sort_of(t):
        return make(Op.SEQ_EMPTY, [], sort_of(t))
    return v.t


def coerce(v: Val, t: PyType) -> Val:
    """`v` converted to the (assignable) type `t`."""
    if t.is_product:
        return product_val(t, [coerce(p, pt) for p, pt in zip(v.parts, t.params, strict=True)])
    if v.type == t:
        return v
    return Val(t, coerce_seq(v, t))


def disjoin(terms: list[Term]) -> Term:
    return Or(*terms) if terms else FALSE
