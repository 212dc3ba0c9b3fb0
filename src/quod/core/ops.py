"""Operators of core terms and their sort rules.

Every operator carries its SMT-LIB name as its value. `result_sort` is the
single place where well-sortedness is decided; term construction calls it,
so an ill-sorted term can never exist.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence

from quod.core.errors import SortError
from quod.core.sorts import BOOL, INT, REAL, REGLAN, STRING, BitVecSort, SeqSort, Sort, SortKind


class Op(enum.Enum):
    # Members are singletons compared by identity; Enum's default __hash__ hashes
    # the name in Python code, and make() hashes an Op several times per term.
    __hash__ = object.__hash__

    # leaves
    CONST = "const"
    VAR = "var"
    # core theory
    NOT = "not"
    AND = "and"
    OR = "or"
    XOR = "xor"
    IMPLIES = "=>"
    ITE = "ite"
    EQ = "="
    DISTINCT = "distinct"
    # arithmetic
    ADD = "+"
    SUB = "-"
    NEG = "neg"  # printed as unary "-"
    MUL = "*"
    IDIV = "div"
    MOD = "mod"
    ABS = "abs"
    RDIV = "/"
    LE = "<="
    LT = "<"
    GE = ">="
    GT = ">"
    TO_REAL = "to_real"
    TO_INT = "to_int"
    IS_INT = "is_int"
    # bit-vectors
    BVNOT = "bvnot"
    BVNEG = "bvneg"
    BVAND = "bvand"
    BVOR = "bvor"
    BVXOR = "bvxor"
    BVNAND = "bvnand"
    BVNOR = "bvnor"
    BVXNOR = "bvxnor"
    BVADD = "bvadd"
    BVSUB = "bvsub"
    BVMUL = "bvmul"
    BVUDIV = "bvudiv"
    BVUREM = "bvurem"
    BVSDIV = "bvsdiv"
    BVSREM = "bvsrem"
    BVSMOD = "bvsmod"
    BVSHL = "bvshl"
    BVLSHR = "bvlshr"
    BVASHR = "bvashr"
    BVULT = "bvult"
    BVULE = "bvule"
    BVUGT = "bvugt"
    BVUGE = "bvuge"
    BVSLT = "bvslt"
    BVSLE = "bvsle"
    BVSGT = "bvsgt"
    BVSGE = "bvsge"
    BVCOMP = "bvcomp"
    CONCAT = "concat"
    EXTRACT = "extract"
    ZERO_EXTEND = "zero_extend"
    SIGN_EXTEND = "sign_extend"
    REPEAT = "repeat"
    ROTATE_LEFT = "rotate_left"
    ROTATE_RIGHT = "rotate_right"
    BV2NAT = "bv2nat"
    INT2BV = "int2bv"
    # arrays
    SELECT = "select"
    STORE = "store"
    CONST_ARRAY = "const-array"
    # strings
    STR_CONCAT = "str.++"
    STR_LEN = "str.len"
    STR_AT = "str.at"
    STR_SUBSTR = "str.substr"
    STR_PREFIXOF = "str.prefixof"
    STR_SUFFIXOF = "str.suffixof"
    STR_CONTAINS = "str.contains"
    STR_INDEXOF = "str.indexof"
    STR_REPLACE = "str.replace"
    STR_REPLACE_ALL = "str.replace_all"
    STR_TO_INT = "str.to_int"
    STR_FROM_INT = "str.from_int"
    STR_TO_CODE = "str.to_code"
    STR_FROM_CODE = "str.from_code"
    STR_IS_DIGIT = "str.is_digit"
    STR_LT = "str.<"
    STR_LE = "str.<="
    STR_IN_RE = "str.in_re"
    STR_TO_RE = "str.to_re"
    RE_NONE = "re.none"
    RE_ALL = "re.all"
    RE_ALLCHAR = "re.allchar"
    RE_CONCAT = "re.++"
    RE_UNION = "re.union"
    RE_INTER = "re.inter"
    RE_STAR = "re.*"
    RE_PLUS = "re.+"
    RE_OPT = "re.opt"
    RE_RANGE = "re.range"
    RE_COMP = "re.comp"
    RE_DIFF = "re.diff"
    RE_LOOP = "re.loop"
    RE_POWER = "re.^"
    # sequences
    SEQ_EMPTY = "seq.empty"
    SEQ_UNIT = "seq.unit"
    SEQ_CONCAT = "seq.++"
    SEQ_LEN = "seq.len"
    SEQ_NTH = "seq.nth"
    SEQ_EXTRACT = "seq.extract"
    SEQ_UPDATE = "seq.update"
    SEQ_CONTAINS = "seq.contains"
    SEQ_PREFIXOF = "seq.prefixof"
    SEQ_SUFFIXOF = "seq.suffixof"
    SEQ_INDEXOF = "seq.indexof"
    # uninterpreted functions
    APPLY = "apply"
    # binders
    FORALL = "forall"
    EXISTS = "exists"


# Operators that accept any number (>= 2 unless noted) of arguments and
# associate; the parser and builder flatten chains of them.
CHAINABLE_COMPARISONS = frozenset({Op.LE, Op.LT, Op.GE, Op.GT})
ASSOCIATIVE = frozenset(
    {
        Op.AND,
        Op.OR,
        Op.ADD,
        Op.MUL,
        Op.BVAND,
        Op.BVOR,
        Op.BVXOR,
        Op.BVADD,
        Op.BVMUL,
        Op.STR_CONCAT,
        Op.RE_CONCAT,
        Op.RE_UNION,
        Op.RE_INTER,
        Op.SEQ_CONCAT,
        Op.CONCAT,
    }
)
# Operators whose payload holds integer indices, e.g. ((_ extract 7 0) x).
INDEXED = frozenset(
    {
        Op.EXTRACT,
        Op.ZERO_EXTEND,
        Op.SIGN_EXTEND,
        Op.REPEAT,
        Op.ROTATE_LEFT,
        Op.ROTATE_RIGHT,
        Op.INT2BV,
        Op.RE_LOOP,
        Op.RE_POWER,
    }
)
BOOL_CONNECTIVES = frozenset({Op.NOT, Op.AND, Op.OR, Op.XOR, Op.IMPLIES})
ARITH_COMPARISONS = CHAINABLE_COMPARISONS

BY_NAME: dict[str, Op] = {op.value: op for op in Op if op not in (Op.CONST, Op.VAR, Op.NEG, Op.APPLY)}
# Names the SMT-LIB standard and solvers also accept for the same operator.
BY_NAME.update(
    {
        "str.in.re": Op.STR_IN_RE,
        "str.to.re": Op.STR_TO_RE,
        "str.to.int": Op.STR_TO_INT,
        "str.to-int": Op.STR_TO_INT,
        "int.to.str": Op.STR_FROM_INT,
        "str.from-int": Op.STR_FROM_INT,
        "re.nostr": Op.RE_NONE,
        "re.allchar": Op.RE_ALLCHAR,
        "re.all": Op.RE_ALL,
    }
)


def _need(cond: bool, op: Op, msg: str) -> None:
    if not cond:
        raise SortError(f"'{op.value}': {msg}")


def _same_sort(op: Op, sorts: Sequence[Sort]) -> Sort:
    first = sorts[0]
    for s in sorts[1:]:
        # messages are formatted only on failure: sort checks run for every new term
        if s is not first and s != first:
            _need(False, op, f"arguments must have the same sort, got {first} and {s}")
    return first


def _arity(op: Op, sorts: Sequence[Sort], lo: int, hi: int | None = None) -> None:
    n = len(sorts)
    if hi is None:
        _need(n >= lo, op, f"expects at least {lo} argument(s), got {n}")
    elif lo == hi:
        _need(n == lo, op, f"expects {lo} argument(s), got {n}")
    else:
        _need(lo <= n <= hi, op, f"expects {lo} to {hi} arguments, got {n}")


def _all(op: Op, sorts: Sequence[Sort], pred: Callable[[Sort], bool], what: str) -> None:
    for s in sorts:
        if not pred(s):
            _need(False, op, f"expects {what} arguments, got {s}")


def _bool_nary(op: Op, sorts: Sequence[Sort], lo: int) -> Sort:
    _arity(op, sorts, lo)
    _all(op, sorts, lambda s: s.is_bool, "Bool")
    return BOOL


def _arith_nary(op: Op, sorts: Sequence[Sort], lo: int) -> Sort:
    _arity(op, sorts, lo)
    _all(op, sorts, lambda s: s.is_arith, "Int or Real")
    return _same_sort(op, sorts)


def _bv_nary(op: Op, sorts: Sequence[Sort], lo: int, hi: int | None = None) -> Sort:
    _arity(op, sorts, lo, hi)
    _all(op, sorts, lambda s: s.is_bv, "bit-vector")
    return _same_sort(op, sorts)


def _strings(op: Op, sorts: Sequence[Sort], expected: Sequence[Sort]) -> None:
    _arity(op, sorts, len(expected), len(expected))
    for s, e in zip(sorts, expected, strict=True):
        if s is not e and s != e:
            _need(
                False,
                op,
                f"expects ({' '.join(str(x) for x in expected)}), got ({' '.join(str(x) for x in sorts)})",
            )


_BV_BINARY = frozenset(
    {
        Op.BVNAND,
        Op.BVNOR,
        Op.BVXNOR,
        Op.BVSUB,
        Op.BVUDIV,
        Op.BVUREM,
        Op.BVSDIV,
        Op.BVSREM,
        Op.BVSMOD,
        Op.BVSHL,
        Op.BVLSHR,
        Op.BVASHR,
    }
)
_BV_NARY = frozenset({Op.BVAND, Op.BVOR, Op.BVXOR, Op.BVADD, Op.BVMUL})
_BV_PRED = frozenset({Op.BVULT, Op.BVULE, Op.BVUGT, Op.BVUGE, Op.BVSLT, Op.BVSLE, Op.BVSGT, Op.BVSGE})
_RE_NARY = frozenset({Op.RE_CONCAT, Op.RE_UNION, Op.RE_INTER})
_STR_SIGS: dict[Op, tuple[tuple[Sort, ...], Sort]] = {
    Op.STR_LEN: ((STRING,), INT),
    Op.STR_AT: ((STRING, INT), STRING),
    Op.STR_SUBSTR: ((STRING, INT, INT), STRING),
    Op.STR_PREFIXOF: ((STRING, STRING), BOOL),
    Op.STR_SUFFIXOF: ((STRING, STRING), BOOL),
    Op.STR_CONTAINS: ((STRING, STRING), BOOL),
    Op.STR_INDEXOF: ((STRING, STRING, INT), INT),
    Op.STR_REPLACE: ((STRING, STRING, STRING), STRING),
    Op.STR_REPLACE_ALL: ((STRING, STRING, STRING), STRING),
    Op.STR_TO_INT: ((STRING,), INT),
    Op.STR_FROM_INT: ((INT,), STRING),
    Op.STR_TO_CODE: ((STRING,), INT),
    Op.STR_FROM_CODE: ((INT,), STRING),
    Op.STR_IS_DIGIT: ((STRING,), BOOL),
    Op.STR_LT: ((STRING, STRING), BOOL),
    Op.STR_LE: ((STRING, STRING), BOOL),
    Op.STR_IN_RE: ((STRING, REGLAN), BOOL),
    Op.STR_TO_RE: ((STRING,), REGLAN),
    Op.RE_STAR: ((REGLAN,), REGLAN),
    Op.RE_PLUS: ((REGLAN,), REGLAN),
    Op.RE_OPT: ((REGLAN,), REGLAN),
    Op.RE_COMP: ((REGLAN,), REGLAN),
    Op.RE_DIFF: ((REGLAN, REGLAN), REGLAN),
    Op.RE_RANGE: ((STRING, STRING), REGLAN),
    Op.RE_NONE: ((), REGLAN),
    Op.RE_ALL: ((), REGLAN),
    Op.RE_ALLCHAR: ((), REGLAN),
}


def _indices(op: Op, payload: object, count: int) -> tuple[int, ...]:
    ok = isinstance(payload, tuple) and len(payload) == count
    if ok:
        assert isinstance(payload, tuple)
        ok = all(isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in payload)
    _need(ok, op, f"expects {count} non-negative integer index(es), got {payload!r}")
    assert isinstance(payload, tuple)
    return payload


def _bv_indexed(op: Op, sorts: Sequence[Sort], payload: object) -> Sort:
    if op is Op.INT2BV:
        (n,) = _indices(op, payload, 1)
        _need(n > 0, op, "width must be positive")
        _strings(op, sorts, (INT,))
        return BitVecSort(n)
    _bv_nary(op, sorts, 1, 1)
    w = sorts[0].width
    if op is Op.EXTRACT:
        hi, lo = _indices(op, payload, 2)
        _need(lo <= hi < w, op, f"needs {w} > i >= j >= 0, got i={hi} j={lo}")
        return BitVecSort(hi - lo + 1)
    (k,) = _indices(op, payload, 1)
    if op is Op.ZERO_EXTEND or op is Op.SIGN_EXTEND:
        return BitVecSort(w + k)
    if op is Op.REPEAT:
        _need(k >= 1, op, "repeat count must be at least 1")
        return BitVecSort(w * k)
    return sorts[0]  # rotations


def _seq_sort(op: Op, sorts: Sequence[Sort], payload: object) -> Sort:
    if op is Op.SEQ_EMPTY:
        _need(isinstance(payload, Sort) and payload.is_seq, op, "needs a sequence sort")
        assert isinstance(payload, Sort)
        return payload
    if op is Op.SEQ_UNIT:
        _arity(op, sorts, 1, 1)
        return SeqSort(sorts[0])
    _need(len(sorts) >= 1 and sorts[0].is_seq, op, "first argument must be a sequence")
    s = sorts[0]
    if op is Op.SEQ_CONCAT:
        _arity(op, sorts, 2)
        return _same_sort(op, sorts)
    if op is Op.SEQ_LEN:
        _arity(op, sorts, 1, 1)
        return INT
    if op is Op.SEQ_NTH:
        _strings(op, sorts, (s, INT))
        return s.elem_sort
    if op is Op.SEQ_EXTRACT:
        _strings(op, sorts, (s, INT, INT))
        return s
    if op is Op.SEQ_UPDATE:
        _strings(op, sorts, (s, INT, s))
        return s
    if op is Op.SEQ_INDEXOF:
        _strings(op, sorts, (s, s, INT))
        return INT
    _strings(op, sorts, (s, s))  # contains, prefixof, suffixof
    return BOOL


def _core_sort(op: Op, sorts: Sequence[Sort]) -> Sort:
    if op is Op.NOT:
        _arity(op, sorts, 1, 1)
        return _bool_nary(op, sorts, 1)
    if op is Op.IMPLIES:
        # right-associative chains are folded by the parser and builder
        _arity(op, sorts, 2, 2)
        return _bool_nary(op, sorts, 2)
    if op is Op.XOR:
        return _bool_nary(op, sorts, 2)
    if op is Op.AND or op is Op.OR:
        return _bool_nary(op, sorts, 1)
    if op is Op.ITE:
        _arity(op, sorts, 3, 3)
        if not sorts[0].is_bool:
            _need(False, op, f"condition must be Bool, got {sorts[0]}")
        return _same_sort(op, sorts[1:])
    # EQ, DISTINCT
    _arity(op, sorts, 2)
    _same_sort(op, sorts)
    return BOOL


_ARITH_UNARY: dict[Op, tuple[Sort | None, Sort | None]] = {
    # op: (required argument sort or None for Int|Real, result or None for same)
    Op.NEG: (None, None),
    Op.ABS: (INT, INT),
    Op.TO_REAL: (INT, REAL),
    Op.TO_INT: (REAL, INT),
    Op.IS_INT: (REAL, BOOL),
}


def _arith_sort(op: Op, sorts: Sequence[Sort]) -> Sort:
    if op in _ARITH_UNARY:
        need, res = _ARITH_UNARY[op]
        _arity(op, sorts, 1, 1)
        if need is None:
            if not sorts[0].is_arith:
                _need(False, op, f"expects an Int or Real argument, got {sorts[0]}")
            return sorts[0]
        if sorts[0] != need:
            _need(False, op, f"expects a {need} argument, got {sorts[0]}")
        assert res is not None
        return res
    if op is Op.IDIV or op is Op.MOD:
        _arity(op, sorts, 2, 2 if op is Op.MOD else None)
        _all(op, sorts, lambda s: s.is_int, "Int")
        return INT
    if op is Op.RDIV:
        _arity(op, sorts, 2)
        _all(op, sorts, lambda s: s.is_real, "Real")
        return REAL
    if op in CHAINABLE_COMPARISONS:
        _arith_nary(op, sorts, 2)
        return BOOL
    return _arith_nary(op, sorts, 1 if op is Op.SUB else 2)


def _bv_sort(op: Op, sorts: Sequence[Sort], payload: object) -> Sort:
    if op in INDEXED:
        return _bv_indexed(op, sorts, payload)
    if op is Op.BVNOT or op is Op.BVNEG:
        return _bv_nary(op, sorts, 1, 1)
    if op in _BV_NARY:
        return _bv_nary(op, sorts, 2)
    if op in _BV_BINARY:
        return _bv_nary(op, sorts, 2, 2)
    if op in _BV_PRED:
        _bv_nary(op, sorts, 2, 2)
        return BOOL
    if op is Op.BVCOMP:
        _bv_nary(op, sorts, 2, 2)
        return BitVecSort(1)
    if op is Op.CONCAT:
        _arity(op, sorts, 2)
        _all(op, sorts, lambda s: s.is_bv, "bit-vector")
        return BitVecSort(sum(s.width for s in sorts))
    assert op is Op.BV2NAT
    _bv_nary(op, sorts, 1, 1)
    return INT


def _array_sort(op: Op, sorts: Sequence[Sort], payload: object) -> Sort:
    if op is Op.CONST_ARRAY:
        _need(isinstance(payload, Sort) and payload.is_array, op, "needs an array sort")
        assert isinstance(payload, Sort)
        _arity(op, sorts, 1, 1)
        if sorts[0] != payload.elem_sort:
            _need(False, op, f"value must have sort {payload.elem_sort}, got {sorts[0]}")
        return payload
    _need(len(sorts) >= 1 and sorts[0].is_array, op, "first argument must be an array")
    a = sorts[0]
    if op is Op.SELECT:
        _strings(op, sorts, (a, a.index_sort))
        return a.elem_sort
    _strings(op, sorts, (a, a.index_sort, a.elem_sort))
    return a


def _string_sort(op: Op, sorts: Sequence[Sort], payload: object) -> Sort:
    if op is Op.STR_CONCAT:
        _arity(op, sorts, 2)
        _all(op, sorts, lambda s: s.is_string, "String")
        return STRING
    if op in _RE_NARY:
        _arity(op, sorts, 2)
        _all(op, sorts, lambda s: s.is_reglan, "RegLan")
        return REGLAN
    if op is Op.RE_LOOP or op is Op.RE_POWER:
        idx = _indices(op, payload, 2 if op is Op.RE_LOOP else 1)
        _need(op is Op.RE_POWER or idx[0] <= idx[1], op, f"needs lower <= upper, got {idx}")
        _strings(op, sorts, (REGLAN,))
        return REGLAN
    args, res = _STR_SIGS[op]
    _strings(op, sorts, args)
    return res


_THEORY: dict[Op, str] = {}
for _op in (Op.NOT, Op.AND, Op.OR, Op.XOR, Op.IMPLIES, Op.ITE, Op.EQ, Op.DISTINCT):
    _THEORY[_op] = "core"
for _op in (
    Op.ADD, Op.SUB, Op.NEG, Op.MUL, Op.IDIV, Op.MOD, Op.ABS, Op.RDIV,
    Op.LE, Op.LT, Op.GE, Op.GT, Op.TO_REAL, Op.TO_INT, Op.IS_INT,
):  # fmt: skip
    _THEORY[_op] = "arith"
for _op in Op:
    if _op.value.startswith("bv") or _op in (
        Op.CONCAT, Op.EXTRACT, Op.ZERO_EXTEND, Op.SIGN_EXTEND, Op.REPEAT,
        Op.ROTATE_LEFT, Op.ROTATE_RIGHT, Op.INT2BV,
    ):  # fmt: skip
        _THEORY[_op] = "bv"
    elif _op.value.startswith(("str.", "re.")):
        _THEORY[_op] = "string"
    elif _op.value.startswith("seq."):
        _THEORY[_op] = "seq"
for _op in (Op.SELECT, Op.STORE, Op.CONST_ARRAY):
    _THEORY[_op] = "array"


# Successful sort checks of operators without a payload, keyed by (op, *sorts).
# The check is a pure function of that key, and make() runs it for every new
# term, so remembering the answers makes building large formulas much cheaper.
# Indexed operators are not memoized (their payloads need the full check), nor
# long argument lists (they would make big keys and rarely repeat).
_MEMO: dict[tuple[object, ...], Sort] = {}
_MEMO_LIMIT = 100_000


def result_sort(op: Op, sorts: Sequence[Sort], payload: object = None) -> Sort:
    """Sort of `op` applied to arguments of `sorts`; raises SortError if ill-sorted.

    Leaves (CONST, VAR), APPLY and binders are checked by the term constructors
    because their sort comes from the payload.
    """
    if payload is not None or len(sorts) > 8:
        return _result_sort(op, sorts, payload)
    key = (op, *sorts)
    hit = _MEMO.get(key)
    if hit is not None:
        return hit
    res = _result_sort(op, sorts, None)
    if len(_MEMO) < _MEMO_LIMIT:
        _MEMO[key] = res
    return res


def _result_sort(op: Op, sorts: Sequence[Sort], payload: object) -> Sort:
    theory = _THEORY.get(op)
    if theory == "core":
        return _core_sort(op, sorts)
    if theory == "arith":
        return _arith_sort(op, sorts)
    if theory == "bv":
        return _bv_sort(op, sorts, payload)
    if theory == "string":
        return _string_sort(op, sorts, payload)
    if theory == "seq":
        return _seq_sort(op, sorts, payload)
    if theory == "array":
        return _array_sort(op, sorts, payload)
    raise SortError(f"'{op.value}' has no sort rule")  # pragma: no cover


def sort_kind_name(kind: SortKind) -> str:
    return kind.value
