"""Built-in SMT-LIB function symbols and how they become core terms.

Each handler gets the argument terms and the list node of the application
(for syntactic questions such as "was the argument a literal?") and returns
a term. Sort checking happens in `quod.core.terms.make`; the parser turns
its `SortError` into a located error.

SMT-LIB conventions implemented here (each is the standard's meaning):
chainable comparisons `(< a b c)` become `(and (< a b) (< b c))`, likewise
`=`; left-associative `-`, `/`, `div`, `xor` fold to the left; `=>` folds to
the right; `and`, `or`, `+`, `*`, `distinct` and the associative bit-vector,
string and regex operators stay n-ary. Int and Real arguments of one
arithmetic operator are mixed the way z3 does it: Int arguments become Real
(`to_real`, or a Real constant for an Int constant). A negated number
and a quotient of numbers are read as numbers: `(- 5)` is the constant -5
and `(/ 1.0 3.0)` the constant 1/3, which is how SMT-LIB writes negative and
rational values (also when the numbers come from `let`); so the terms the
reader builds never contain such a negation or quotient, and printing them
gives text that reads back to the same terms. `(- 0)` and division by zero
stay operations.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from fractions import Fraction
from functools import reduce
from typing import Any

from quod.core.errors import SortError
from quod.core.ops import BY_NAME, Op
from quod.core.sorts import REAL, SortKind
from quod.core.terms import FALSE, TRUE, Term, const, make

Node = list[Any]
Handler = Callable[[list[Term], Node], Term]

_INT = SortKind.INT
_REAL = SortKind.REAL

NUMERAL_RE = re.compile(r"[0-9]+")
DECIMAL_RE = re.compile(r"[0-9]+\.[0-9]+")


def to_real(t: Term) -> Term:
    if t.op is Op.CONST:
        return const(Fraction(t.payload[0]), REAL)
    return make(Op.TO_REAL, [t])


def lift(args: list[Term]) -> list[Term]:
    """Int arguments as Real when Int and Real are mixed; otherwise `args` itself."""
    has_real = has_int = False
    for a in args:
        k = a.sort.kind
        if k is _REAL:
            has_real = True
        elif k is _INT:
            has_int = True
    if has_real and has_int:
        return [to_real(a) if a.sort.kind is _INT else a for a in args]
    return args


def _plain(op: Op) -> Handler:
    def h(args: list[Term], node: Node) -> Term:
        return make(op, args)

    return h


def _arith_nary(op: Op) -> Handler:
    def h(args: list[Term], node: Node) -> Term:
        if len(args) == 1 and args[0].sort.kind in (_INT, _REAL):
            return args[0]  # z3 reads (+ x) as x
        return make(op, lift(args))

    return h


def _bool_nary(op: Op, empty: Term) -> Handler:
    def h(args: list[Term], node: Node) -> Term:
        return make(op, args) if args else empty

    return h


def _chain(op: Op, mix: bool) -> Handler:
    def h(args: list[Term], node: Node) -> Term:
        if len(args) == 2 and args[0].sort is args[1].sort:
            return make(op, args)  # the common case, nothing to mix
        if mix:
            args = lift(args)
        if len(args) <= 2:
            return make(op, args)
        return make(Op.AND, [make(op, [args[i], args[i + 1]]) for i in range(len(args) - 1)])

    return h


def _left(op: Op, mix: bool) -> Handler:
    def h(args: list[Term], node: Node) -> Term:
        if mix:
            args = lift(args)
        if len(args) <= 2:
            return make(op, args)
        return reduce(lambda a, b: make(op, [a, b]), args[1:], args[0])

    return h


def _implies(args: list[Term], node: Node) -> Term:
    if len(args) <= 2:
        return make(Op.IMPLIES, args)
    acc = args[-1]
    for a in reversed(args[:-1]):
        acc = make(Op.IMPLIES, [a, acc])
    return acc


def _minus(args: list[Term], node: Node) -> Term:
    if len(args) == 2:
        if args[0].sort is not args[1].sort:
            args = lift(args)
        return make(Op.SUB, args)
    if len(args) == 1:
        a = args[0]
        # a negated number is a number: how SMT-LIB writes negative values.
        # (- 0) stays a negation, since the constant 0 would print back as "0".
        if a.op is Op.CONST and a.sort.kind in (_INT, _REAL) and a.payload[0] != 0:
            return const(-a.payload[0], a.sort)
        return make(Op.NEG, args)
    args = lift(args)
    return reduce(lambda a, b: make(Op.SUB, [a, b]), args[1:], args[0])


def _div2(a: Term, b: Term) -> Term:
    # a quotient of numbers is a number: how SMT-LIB writes rational values
    if a.op is Op.CONST and b.op is Op.CONST and b.payload[0] != 0:
        return const(Fraction(a.payload[0]) / Fraction(b.payload[0]), REAL)
    return make(Op.RDIV, [a, b])


def _divide(args: list[Term], node: Node) -> Term:
    args = [to_real(a) if a.sort.kind is _INT else a for a in args]
    if len(args) < 2:
        return make(Op.RDIV, args)
    return reduce(_div2, args[1:], args[0])


def _ite(args: list[Term], node: Node) -> Term:
    if len(args) == 3:
        a, b = lift([args[1], args[2]])
        return make(Op.ITE, [args[0], a, b])
    return make(Op.ITE, args)


def _distinct(args: list[Term], node: Node) -> Term:
    return make(Op.DISTINCT, lift(args))


def _legacy_loop(args: list[Term], node: Node) -> Term:
    # (re.loop r lo hi) from before re.loop became indexed
    if len(args) == 3 and all(a.op is Op.CONST and a.sort.kind is _INT for a in args[1:]):
        return make(Op.RE_LOOP, [args[0]], (args[1].payload[0], args[2].payload[0]))
    raise SortError("'re.loop' expects (_ re.loop lo hi) applied to a regular expression")


_CHAINABLE_ARITH = (Op.LT, Op.LE, Op.GT, Op.GE)
_NARY_ARITH = (Op.ADD, Op.MUL)
_NARY_PLAIN = (
    Op.BVAND, Op.BVOR, Op.BVXOR, Op.BVADD, Op.BVMUL, Op.CONCAT,
    Op.STR_CONCAT, Op.RE_CONCAT, Op.RE_UNION, Op.RE_INTER, Op.SEQ_CONCAT,
)  # fmt: skip


def _build_table() -> dict[str, Handler]:
    table: dict[str, Handler] = {}
    for name, op in BY_NAME.items():
        if op in (Op.RE_NONE, Op.RE_ALL, Op.RE_ALLCHAR, Op.SEQ_EMPTY, Op.CONST_ARRAY):
            continue  # constants and qualified identifiers, not function heads
        if op.value in ("forall", "exists") or op in _INDEXED_ONLY:
            continue
        table[name] = _plain(op)
    for op in _CHAINABLE_ARITH:
        table[op.value] = _chain(op, True)
    for op in _NARY_ARITH:
        table[op.value] = _arith_nary(op)
    for op in _NARY_PLAIN:
        table[op.value] = _plain(op)
    table["="] = _chain(Op.EQ, True)
    table["str.<"] = _chain(Op.STR_LT, False)
    table["str.<="] = _chain(Op.STR_LE, False)
    table["and"] = _bool_nary(Op.AND, TRUE)
    table["or"] = _bool_nary(Op.OR, FALSE)
    table["xor"] = _left(Op.XOR, False)
    table["=>"] = _implies
    table["-"] = _minus
    table["/"] = _divide
    table["div"] = _left(Op.IDIV, False)
    table["ite"] = _ite
    table["distinct"] = _distinct
    table["re.loop"] = _legacy_loop
    table["bv2int"] = _plain(Op.BV2NAT)
    table["ubv_to_int"] = _plain(Op.BV2NAT)
    return table


_INDEXED_ONLY = frozenset(
    {
        Op.EXTRACT,
        Op.ZERO_EXTEND,
        Op.SIGN_EXTEND,
        Op.REPEAT,
        Op.ROTATE_LEFT,
        Op.ROTATE_RIGHT,
        Op.INT2BV,
        Op.RE_POWER,
    }
)

# (_ name i ...) function heads: name -> (op, number of indices)
INDEXED: dict[str, tuple[Op, int]] = {
    "extract": (Op.EXTRACT, 2),
    "zero_extend": (Op.ZERO_EXTEND, 1),
    "sign_extend": (Op.SIGN_EXTEND, 1),
    "repeat": (Op.REPEAT, 1),
    "rotate_left": (Op.ROTATE_LEFT, 1),
    "rotate_right": (Op.ROTATE_RIGHT, 1),
    "int2bv": (Op.INT2BV, 1),
    "int_to_bv": (Op.INT2BV, 1),
    "re.loop": (Op.RE_LOOP, 2),
    "re.^": (Op.RE_POWER, 1),
}

HEADS: dict[str, Handler] = _build_table()

BUILTIN_ATOMS: dict[str, Term] = {
    "true": TRUE,
    "false": FALSE,
    "re.none": make(Op.RE_NONE, []),
    "re.nostr": make(Op.RE_NONE, []),
    "re.all": make(Op.RE_ALL, []),
    "re.allchar": make(Op.RE_ALLCHAR, []),
}

# Names of standard symbols quod does not implement, for a clearer message.
_UNSUPPORTED_PREFIXES = (
    "fp.",
    "to_fp",
    "fp",
    "RNE",
    "RNA",
    "RTP",
    "RTN",
    "RTZ",
    "roundNearest",
    "roundToward",
)
_UNSUPPORTED = frozenset(
    {
        "str.replace_re", "str.replace_re_all", "str.rev", "str.to_lower", "str.to_upper",
        "seq.map", "seq.mapi", "seq.foldl", "seq.foldli", "seq.rev", "seq.at",
        "bvnego", "bvuaddo", "bvsaddo", "bvumulo", "bvsmulo", "bvusubo", "bvssubo", "bvsdivo",
        "sbv_to_int", "iff", "to_real_bv", "abs_bv", "lambda", "match", "choose", "select_store",
        "iand", "int.pow2", "exp", "sin", "cos", "pi",
    }
)  # fmt: skip


def is_unsupported(name: str) -> bool:
    return name in _UNSUPPORTED or (name.startswith(_UNSUPPORTED_PREFIXES) and name not in HEADS)


def all_builtin_names() -> frozenset[str]:
    return frozenset(HEADS) | frozenset(BUILTIN_ATOMS) | frozenset(INDEXED)


def indexed_handler(name: str, indices: Sequence[int]) -> Handler | None:
    entry = INDEXED.get(name)
    if entry is None:
        return None
    op, count = entry
    if len(indices) != count:
        raise SortError(f"'(_ {name} ...)' takes {count} index(es), got {len(indices)}")
    payload = tuple(indices)

    def h(args: list[Term], node: Node) -> Term:
        return make(op, args, payload)

    return h


__all__ = [
    "BUILTIN_ATOMS",
    "DECIMAL_RE",
    "HEADS",
    "INDEXED",
    "NUMERAL_RE",
    "all_builtin_names",
    "indexed_handler",
    "is_unsupported",
    "lift",
    "to_real",
]
