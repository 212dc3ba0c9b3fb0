"""Sorts (types) of core terms.

Sorts are small immutable values compared structurally; they are not
hash-consed because there are few of them and equality on a frozen
dataclass is cheap.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class SortKind(enum.Enum):
    # identity hash: Sort hashes include the kind (see Op in ops.py)
    __hash__ = object.__hash__

    BOOL = "Bool"
    INT = "Int"
    REAL = "Real"
    BITVEC = "BitVec"
    STRING = "String"
    REGLAN = "RegLan"
    ARRAY = "Array"
    SEQ = "Seq"
    UNINTERPRETED = "Uninterpreted"


_INTERNED: dict[tuple[object, ...], Sort] = {}


@dataclass(frozen=True, slots=True, eq=False)
class Sort:
    kind: SortKind
    # BitVec: width; uninterpreted: name; Array/Seq: parameter sorts.
    width: int = 0
    name: str = ""
    params: tuple[Sort, ...] = ()
    # hashed once: sorts nest (arrays of arrays), and rehashing shared parts would be exponential
    _hash: int = field(default=0, init=False, repr=False, compare=False)

    def __new__(cls, kind: SortKind, width: int = 0, name: str = "", params: tuple[Sort, ...] = ()) -> Sort:
        # interned: equal sorts are the same object, so equality is identity (structural
        # comparison of nested sorts with shared parts would be exponential)
        key = (kind, width, name, params)
        got = _INTERNED.get(key)
        if got is None:
            got = object.__new__(cls)
            _INTERNED[key] = got
        return got

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash((self.kind, self.width, self.name, self.params)))

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return self is other

    def __reduce__(self) -> tuple[object, ...]:
        return (Sort, (self.kind, self.width, self.name, self.params))

    def __str__(self) -> str:
        return sort_to_smtlib(self)

    def __repr__(self) -> str:
        return f"Sort({sort_to_smtlib(self)})"

    @property
    def is_bool(self) -> bool:
        return self.kind is SortKind.BOOL

    @property
    def is_int(self) -> bool:
        return self.kind is SortKind.INT

    @property
    def is_real(self) -> bool:
        return self.kind is SortKind.REAL

    @property
    def is_arith(self) -> bool:
        return self.kind is SortKind.INT or self.kind is SortKind.REAL

    @property
    def is_bv(self) -> bool:
        return self.kind is SortKind.BITVEC

    @property
    def is_string(self) -> bool:
        return self.kind is SortKind.STRING

    @property
    def is_reglan(self) -> bool:
        return self.kind is SortKind.REGLAN

    @property
    def is_array(self) -> bool:
        return self.kind is SortKind.ARRAY

    @property
    def is_seq(self) -> bool:
        return self.kind is SortKind.SEQ

    @property
    def is_uninterpreted(self) -> bool:
        return self.kind is SortKind.UNINTERPRETED

    @property
    def index_sort(self) -> Sort:
        assert self.kind is SortKind.ARRAY
        return self.params[0]

    @property
    def elem_sort(self) -> Sort:
        if self.kind is SortKind.ARRAY:
            return self.params[1]
        assert self.kind is SortKind.SEQ
        return self.params[0]


BOOL = Sort(SortKind.BOOL)
INT = Sort(SortKind.INT)
REAL = Sort(SortKind.REAL)
STRING = Sort(SortKind.STRING)
REGLAN = Sort(SortKind.REGLAN)


def BoolSort() -> Sort:
    return BOOL


def IntSort() -> Sort:
    return INT


def RealSort() -> Sort:
    return REAL


def StringSort() -> Sort:
    return STRING


def RegLanSort() -> Sort:
    return REGLAN


def BitVecSort(width: int) -> Sort:
    if width <= 0:
        raise ValueError(f"bit-vector width must be positive, got {width}")
    return Sort(SortKind.BITVEC, width=width)


def ArraySort(index: Sort, elem: Sort) -> Sort:
    return Sort(SortKind.ARRAY, params=(index, elem))


def SeqSort(elem: Sort) -> Sort:
    return Sort(SortKind.SEQ, params=(elem,))


def UninterpretedSort(name: str, params: tuple[Sort, ...] = ()) -> Sort:
    return Sort(SortKind.UNINTERPRETED, name=name, params=params)


def sort_to_smtlib(s: Sort) -> str:
    k = s.kind
    if k is SortKind.BITVEC:
        return f"(_ BitVec {s.width})"
    if k is SortKind.ARRAY:
        return f"(Array {sort_to_smtlib(s.params[0])} {sort_to_smtlib(s.params[1])})"
    if k is SortKind.SEQ:
        return f"(Seq {sort_to_smtlib(s.params[0])})"
    if k is SortKind.UNINTERPRETED:
        from quod.core.printer import quote_symbol

        name = quote_symbol(s.name)
        if s.params:
            return f"({name} {' '.join(sort_to_smtlib(p) for p in s.params)})"
        return name
    return str(k.value)
