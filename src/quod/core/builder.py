"""A small z3py-style API for building core terms.

    x, y = Ints("x y")
    f = And(x + 1 <= y, Or(x == 0, Distinct(x, y, 3)))

Python values are coerced to constants of the other operand's sort; Int
operands mixed with Real ones are lifted with `to_real`, as SMT-LIB's
mixed-arithmetic logics and z3 do. The builder does not simplify: the term
you build is the term you get.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from fractions import Fraction
from typing import Any

from quod.core.errors import SortError
from quod.core.ops import Op
from quod.core.sorts import (
    BOOL,
    INT,
    REAL,
    STRING,
    ArraySort,
    BitVecSort,
    SeqSort,
    Sort,
)
from quod.core.terms import (
    FALSE,
    TRUE,
    FuncDecl,
    Term,
    apply_decl,
    bool_const,
    const,
    make,
    quantifier,
    var,
)

# --- constants and variables ---------------------------------------------


def Const(name: str, sort: Sort) -> Term:
    return var(name, sort)


def Bool(name: str) -> Term:
    return var(name, BOOL)


def Int(name: str) -> Term:
    return var(name, INT)


def Real(name: str) -> Term:
    return var(name, REAL)


def String(name: str) -> Term:
    return var(name, STRING)


def BitVec(name: str, width: int) -> Term:
    return var(name, BitVecSort(width))


def Array(name: str, index: Sort, elem: Sort) -> Term:
    return var(name, ArraySort(index, elem))


def Seq(name: str, elem: Sort) -> Term:
    return var(name, SeqSort(elem))


def _many(names: str | Iterable[str], mk: Callable[[str], Term]) -> list[Term]:
    parts = names.split() if isinstance(names, str) else list(names)
    return [mk(n) for n in parts]


def Bools(names: str | Iterable[str]) -> list[Term]:
    return _many(names, Bool)


def Ints(names: str | Iterable[str]) -> list[Term]:
    return _many(names, Int)


def Reals(names: str | Iterable[str]) -> list[Term]:
    return _many(names, Real)


def Strings(names: str | Iterable[str]) -> list[Term]:
    return _many(names, String)


def BitVecs(names: str | Iterable[str], width: int) -> list[Term]:
    return _many(names, lambda n: BitVec(n, width))


def BoolVal(b: bool) -> Term:
    return bool_const(bool(b))


def IntVal(v: int) -> Term:
    return const(int(v), INT)


def RealVal(v: int | Fraction | float | str) -> Term:
    if isinstance(v, float):
        v = Fraction(repr(v))
    return const(Fraction(v), REAL)


def StringVal(s: str) -> Term:
    return const(s, STRING)


def BitVecVal(v: int, width: int) -> Term:
    return const(v % (1 << width), BitVecSort(width))


def Function(name: str, *sig: Sort) -> FuncDecl | Term:
    """`Function("f", Int, Int, Bool)`: f : Int x Int -> Bool (a constant if no domain)."""
    if not sig:
        raise SortError(f"function '{name}' needs at least a range sort")
    if len(sig) == 1:
        return var(name, sig[0])
    return FuncDecl(name, tuple(sig[:-1]), sig[-1])


def apply(decl: FuncDecl, *args: Any) -> Term:
    if len(args) != len(decl.domain):
        raise SortError(f"'{decl.name}' expects {len(decl.domain)} argument(s), got {len(args)}")
    return apply_decl(decl, [coerce(a, s) for a, s in zip(args, decl.domain, strict=True)])


# --- coercion --------------------------------------------------------------


def coerce(x: Any, sort: Sort | None = None) -> Term:
    """`x` as a term, using `sort` to pick the constant's sort when x is a Python value."""
    if isinstance(x, Term):
        return x
    if isinstance(x, bool):
        return bool_const(x)
    if isinstance(x, int):
        if sort is not None and sort.is_bv:
            return BitVecVal(x, sort.width)
        if sort is not None and sort.is_real:
            return RealVal(x)
        return IntVal(x)
    if isinstance(x, (Fraction, float)):
        return RealVal(x)
    if isinstance(x, str):
        return StringVal(x)
    raise SortError(f"cannot turn {x!r} of type {type(x).__name__} into a term")


def _pair(a: Any, b: Any) -> tuple[Term, Term]:
    if isinstance(a, Term):
        tb = coerce(b, a.sort)
        return a, tb
    if isinstance(b, Term):
        return coerce(a, b.sort), b
    return coerce(a), coerce(b)


def _lift(args: Sequence[Term]) -> list[Term]:
    """Lift Int arguments to Real when Reals are mixed in."""
    if any(a.sort.is_real for a in args) and any(a.sort.is_int for a in args):
        return [make(Op.TO_REAL, [a]) if a.sort.is_int else a for a in args]
    return list(args)


def _terms(args: Sequence[Any]) -> list[Term]:
    sort = next((a.sort for a in args if isinstance(a, Term)), None)
    return [coerce(a, sort) for a in args]


# --- Boolean structure -----------------------------------------------------


def _flat(args: tuple[Any, ...]) -> list[Any]:
    if len(args) == 1 and isinstance(args[0], (list, tuple)):
        return list(args[0])
    return list(args)


def And(*args: Any) -> Term:
    items = _terms(_flat(args))
    if not items:
        return TRUE
    return make(Op.AND, items)


def Or(*args: Any) -> Term:
    items = _terms(_flat(args))
    if not items:
        return FALSE
    return make(Op.OR, items)


def Not(a: Any) -> Term:
    return make(Op.NOT, [coerce(a)])


def Implies(a: Any, b: Any) -> Term:
    return make(Op.IMPLIES, [coerce(a), coerce(b)])


def Xor(a: Any, b: Any) -> Term:
    return make(Op.XOR, [coerce(a), coerce(b)])


def Ite(c: Any, a: Any, b: Any) -> Term:
    ta, tb = _pair(a, b)
    ta, tb = _lift([ta, tb])
    return make(Op.ITE, [coerce(c), ta, tb])


If = Ite


def Eq(a: Any, b: Any) -> Term:
    ta, tb = _pair(a, b)
    return make(Op.EQ, _lift([ta, tb]))


def Distinct(*args: Any) -> Term:
    return make(Op.DISTINCT, _lift(_terms(_flat(args))))


def ForAll(bound: Term | Sequence[Term], body: Any) -> Term:
    vs = [bound] if isinstance(bound, Term) else list(bound)
    return quantifier(Op.FORALL, vs, coerce(body))


def Exists(bound: Term | Sequence[Term], body: Any) -> Term:
    vs = [bound] if isinstance(bound, Term) else list(bound)
    return quantifier(Op.EXISTS, vs, coerce(body))


# --- arithmetic ------------------------------------------------------------


def arith(op: Op, a: Any, b: Any) -> Term:
    ta, tb = _pair(a, b)
    if ta.sort.is_bv:
        bvop = {Op.ADD: Op.BVADD, Op.SUB: Op.BVSUB, Op.MUL: Op.BVMUL}[op]
        return make(bvop, [ta, tb])
    if ta.sort.is_string and op is Op.ADD:
        return make(Op.STR_CONCAT, [ta, tb])
    if ta.sort.is_seq and op is Op.ADD:
        return make(Op.SEQ_CONCAT, [ta, tb])
    return make(op, _lift([ta, tb]))


def compare(op: Op, a: Any, b: Any) -> Term:
    ta, tb = _pair(a, b)
    if ta.sort.is_bv:
        bvop = {Op.LT: Op.BVSLT, Op.LE: Op.BVSLE, Op.GT: Op.BVSGT, Op.GE: Op.BVSGE}[op]
        return make(bvop, [ta, tb])
    if ta.sort.is_string:
        if op is Op.LT:
            return make(Op.STR_LT, [ta, tb])
        if op is Op.LE:
            return make(Op.STR_LE, [ta, tb])
        if op is Op.GT:
            return make(Op.STR_LT, [tb, ta])
        return make(Op.STR_LE, [tb, ta])
    return make(op, _lift([ta, tb]))


def divide(a: Any, b: Any) -> Term:
    ta, tb = _pair(a, b)
    if ta.sort.is_bv:
        return make(Op.BVSDIV, [ta, tb])
    if ta.sort.is_int and tb.sort.is_int:
        return make(Op.IDIV, [ta, tb])
    ta, tb = _lift([ta, tb])
    return make(Op.RDIV, [ta, tb])


def modulo(a: Any, b: Any) -> Term:
    ta, tb = _pair(a, b)
    if ta.sort.is_bv:
        return make(Op.BVSMOD, [ta, tb])
    return make(Op.MOD, [ta, tb])


def negate(a: Any) -> Term:
    t = coerce(a)
    if t.sort.is_bv:
        return make(Op.BVNEG, [t])
    return make(Op.NEG, [t])


def invert(a: Any) -> Term:
    t = coerce(a)
    if t.sort.is_bv:
        return make(Op.BVNOT, [t])
    return make(Op.NOT, [t])


def bitwise(op: Op, a: Any, b: Any) -> Term:
    ta, tb = _pair(a, b)
    if ta.sort.is_bv:
        return make({Op.AND: Op.BVAND, Op.OR: Op.BVOR, Op.XOR: Op.BVXOR}[op], [ta, tb])
    return make(op, [ta, tb])


def index(a: Term, i: Any) -> Term:
    if a.sort.is_array:
        return make(Op.SELECT, [a, coerce(i, a.sort.index_sort)])
    if a.sort.is_seq:
        return make(Op.SEQ_NTH, [a, coerce(i, INT)])
    if a.sort.is_string:
        return make(Op.STR_AT, [a, coerce(i, INT)])
    raise SortError(f"cannot index a term of sort {a.sort}")


def Sum(*args: Any) -> Term:
    items = _lift(_terms(_flat(args)))
    if not items:
        return IntVal(0)
    if len(items) == 1:
        return items[0]
    return make(Op.ADD, items)


def Product(*args: Any) -> Term:
    items = _lift(_terms(_flat(args)))
    if not items:
        return IntVal(1)
    if len(items) == 1:
        return items[0]
    return make(Op.MUL, items)


def Abs(a: Any) -> Term:
    return make(Op.ABS, [coerce(a)])


def ToReal(a: Any) -> Term:
    return make(Op.TO_REAL, [coerce(a)])


def ToInt(a: Any) -> Term:
    return make(Op.TO_INT, [coerce(a)])


def IsInt(a: Any) -> Term:
    return make(Op.IS_INT, [coerce(a)])


# --- bit-vectors -----------------------------------------------------------


def _bv2(op: Op) -> Callable[[Any, Any], Term]:
    def f(a: Any, b: Any) -> Term:
        ta, tb = _pair(a, b)
        return make(op, [ta, tb])

    f.__name__ = op.name
    return f


ULT = _bv2(Op.BVULT)
ULE = _bv2(Op.BVULE)
UGT = _bv2(Op.BVUGT)
UGE = _bv2(Op.BVUGE)
UDiv = _bv2(Op.BVUDIV)
URem = _bv2(Op.BVUREM)
SRem = _bv2(Op.BVSREM)
LShR = _bv2(Op.BVLSHR)
Shl = _bv2(Op.BVSHL)
AShr = _bv2(Op.BVASHR)


def Concat(*args: Any) -> Term:
    items = _terms(_flat(args))
    if len(items) == 1:
        return items[0]
    if items and items[0].sort.is_string:
        return make(Op.STR_CONCAT, items)
    if items and items[0].sort.is_seq:
        return make(Op.SEQ_CONCAT, items)
    if items and items[0].sort.is_reglan:
        return make(Op.RE_CONCAT, items)
    return make(Op.CONCAT, items)


def Extract(hi: int, lo: int, a: Term) -> Term:
    return make(Op.EXTRACT, [a], (hi, lo))


def ZeroExt(k: int, a: Term) -> Term:
    return make(Op.ZERO_EXTEND, [a], (k,))


def SignExt(k: int, a: Term) -> Term:
    return make(Op.SIGN_EXTEND, [a], (k,))


def BV2Int(a: Term) -> Term:
    return make(Op.BV2NAT, [a])


def Int2BV(a: Any, width: int) -> Term:
    return make(Op.INT2BV, [coerce(a)], (width,))


# --- arrays ----------------------------------------------------------------


def Select(a: Term, i: Any) -> Term:
    return make(Op.SELECT, [a, coerce(i, a.sort.index_sort)])


def Store(a: Term, i: Any, v: Any) -> Term:
    return make(Op.STORE, [a, coerce(i, a.sort.index_sort), coerce(v, a.sort.elem_sort)])


def K(index: Sort, v: Any) -> Term:
    tv = coerce(v)
    return make(Op.CONST_ARRAY, [tv], ArraySort(index, tv.sort))


# --- strings and regular expressions ------------------------------------------


def Length(s: Term) -> Term:
    return make(Op.SEQ_LEN if s.sort.is_seq else Op.STR_LEN, [s])


def SubString(s: Term, offset: Any, length: Any) -> Term:
    op = Op.SEQ_EXTRACT if s.sort.is_seq else Op.STR_SUBSTR
    return make(op, [s, coerce(offset, INT), coerce(length, INT)])


def Contains(s: Any, t: Any) -> Term:
    ts, tt = _pair(s, t)
    return make(Op.SEQ_CONTAINS if ts.sort.is_seq else Op.STR_CONTAINS, [ts, tt])


def PrefixOf(prefix: Any, s: Any) -> Term:
    tp, ts = _pair(prefix, s)
    return make(Op.SEQ_PREFIXOF if ts.sort.is_seq else Op.STR_PREFIXOF, [tp, ts])


def SuffixOf(suffix: Any, s: Any) -> Term:
    tp, ts = _pair(suffix, s)
    return make(Op.SEQ_SUFFIXOF if ts.sort.is_seq else Op.STR_SUFFIXOF, [tp, ts])


def IndexOf(s: Any, t: Any, start: Any = 0) -> Term:
    ts, tt = _pair(s, t)
    return make(Op.SEQ_INDEXOF if ts.sort.is_seq else Op.STR_INDEXOF, [ts, tt, coerce(start, INT)])


def Replace(s: Any, src: Any, dst: Any) -> Term:
    return make(Op.STR_REPLACE, _terms([s, src, dst]))


def StrToInt(s: Any) -> Term:
    return make(Op.STR_TO_INT, [coerce(s)])


def IntToStr(i: Any) -> Term:
    return make(Op.STR_FROM_INT, [coerce(i)])


def Re(s: Any) -> Term:
    return make(Op.STR_TO_RE, [coerce(s)])


def InRe(s: Any, r: Term) -> Term:
    return make(Op.STR_IN_RE, [coerce(s), r])


def Star(r: Term) -> Term:
    return make(Op.RE_STAR, [r])


def Plus(r: Term) -> Term:
    return make(Op.RE_PLUS, [r])


def Option(r: Term) -> Term:
    return make(Op.RE_OPT, [r])


def Complement(r: Term) -> Term:
    return make(Op.RE_COMP, [r])


def Union(*rs: Term) -> Term:
    items = _flat(rs)
    return items[0] if len(items) == 1 else make(Op.RE_UNION, items)


def Intersect(*rs: Term) -> Term:
    items = _flat(rs)
    return items[0] if len(items) == 1 else make(Op.RE_INTER, items)


def Range(lo: str, hi: str) -> Term:
    return make(Op.RE_RANGE, [StringVal(lo), StringVal(hi)])


def Loop(r: Term, lo: int, hi: int) -> Term:
    return make(Op.RE_LOOP, [r], (lo, hi))


def AllChar() -> Term:
    return make(Op.RE_ALLCHAR, [])


def Full() -> Term:
    return make(Op.RE_ALL, [])


def EmptyRe() -> Term:
    return make(Op.RE_NONE, [])


# --- sequences ---------------------------------------------------------------


def Unit(x: Any) -> Term:
    return make(Op.SEQ_UNIT, [coerce(x)])


def Empty(sort: Sort) -> Term:
    if sort.is_string:
        return StringVal("")
    if sort.is_reglan:
        return EmptyRe()
    return make(Op.SEQ_EMPTY, [], sort)


__all__ = [
    "AShr", "Abs", "AllChar", "And", "Array", "BV2Int", "BitVec", "BitVecVal", "BitVecs",
    "Bool", "BoolVal", "Bools", "Complement", "Concat", "Const", "Contains", "Distinct",
    "Empty", "EmptyRe", "Eq", "Exists", "Extract", "ForAll", "Full", "Function", "If",
    "Implies", "InRe", "IndexOf", "Int", "Int2BV", "IntToStr", "IntVal", "Ints", "Intersect",
    "IsInt", "Ite", "K", "LShR", "Length", "Loop", "Not", "Option", "Or", "Plus", "PrefixOf",
    "Product", "Range", "Re", "Real", "RealVal", "Reals", "Replace", "SRem", "Select", "Seq",
    "Shl", "SignExt", "Star", "Store", "StrToInt", "String", "StringVal", "Strings",
    "SubString", "SuffixOf", "Sum", "ToInt", "ToReal", "UDiv", "UGE", "UGT", "ULE", "ULT",
    "URem", "Union", "Unit", "Xor", "ZeroExt", "coerce",
]  # fmt: skip
