"""Hash-consed, immutable, well-sorted terms.

Two terms are structurally equal iff they are the same object, so identity
(`is`) is term equality, `id` gives a stable total order within a process,
and DAG sharing is automatic. Construction checks sorts (see `ops.result_sort`).

Like z3py, `a == b` on terms builds the equation term; its truth value
(`bool(a == b)`) is `a is b`, which keeps terms usable as dict keys and in
`in` tests. Other non-constant terms refuse `bool()` so that `if x < y:`
on symbolic values fails loudly instead of silently.
"""

from __future__ import annotations

import itertools
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Union

from quod.core.errors import SortError
from quod.core.ops import Op, result_sort
from quod.core.sorts import BOOL, INT, REAL, REGLAN, STRING, Sort, SortKind


@dataclass(frozen=True, slots=True)
class UninterpretedValue:
    """An element of an uninterpreted sort, as found in models."""

    sort_name: str
    index: int


Value = Union[bool, int, Fraction, str, UninterpretedValue, tuple[Any, ...]]


@dataclass(frozen=True, slots=True)
class FuncDecl:
    """An uninterpreted function symbol with its signature."""

    name: str
    domain: tuple[Sort, ...]
    range: Sort

    def __call__(self, *args: Any) -> Term:
        from quod.core.builder import apply

        return apply(self, *args)

    def __str__(self) -> str:
        return self.name


_ids = itertools.count(1)


class _Ref(weakref.ref):  # type: ignore[type-arg]
    """A weak reference that knows its table key, so the dead entry can be dropped."""

    __slots__ = ("key",)
    key: tuple[Any, ...]


def _drop(ref: _Ref) -> None:
    # called when a term dies; the key may already hold a newer term
    if _refs.get(ref.key) is ref:
        del _refs[ref.key]


# key -> weak reference to the unique live term with that key. A plain dict of weak
# references is read inline in the constructors (WeakValueDictionary.get is a Python-level
# call and cost a tenth of parsing time).
_refs: dict[tuple[Any, ...], _Ref] = {}


def _lookup(key: tuple[Any, ...]) -> Term | None:
    r = _refs.get(key)
    return r() if r is not None else None


class Term:
    __slots__ = ("__weakref__", "_hash", "args", "id", "op", "payload", "sort")

    op: Op
    args: tuple[Term, ...]
    payload: Any
    sort: Sort
    id: int
    _hash: int

    def __init__(self) -> None:  # pragma: no cover - terms come from make()
        raise TypeError("use quod.core.terms.make() or the builder API to create terms")

    # identity and hashing -------------------------------------------------
    def __hash__(self) -> int:
        return self._hash

    def __copy__(self) -> Term:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Term:
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (_unflatten, (_flatten(self),))

    def __bool__(self) -> bool:
        if self.op is Op.CONST and self.sort.is_bool:
            return bool(self.payload[0])
        if self.op is Op.EQ and len(self.args) == 2:
            return self.args[0] is self.args[1]
        if self.op is Op.NOT and self.args[0].op is Op.EQ and len(self.args[0].args) == 2:
            return self.args[0].args[0] is not self.args[0].args[1]
        raise TypeError(f"symbolic term has no truth value: {self!s:.80}")

    # inspection ------------------------------------------------------------
    @property
    def is_const(self) -> bool:
        return self.op is Op.CONST

    @property
    def is_var(self) -> bool:
        return self.op is Op.VAR

    @property
    def value(self) -> Value:
        if self.op is not Op.CONST:
            raise ValueError(f"not a constant: {self!s:.80}")
        v: Value = self.payload[0]
        return v

    @property
    def name(self) -> str:
        if self.op is Op.VAR:
            n: str = self.payload
            return n
        if self.op is Op.APPLY:
            return str(self.payload.name)
        raise ValueError(f"term has no name: {self!s:.80}")

    @property
    def decl(self) -> FuncDecl:
        if self.op is not Op.APPLY:
            raise ValueError(f"not a function application: {self!s:.80}")
        d: FuncDecl = self.payload
        return d

    @property
    def bound(self) -> tuple[Term, ...]:
        """Bound variables of a quantifier."""
        if self.op is not Op.FORALL and self.op is not Op.EXISTS:
            raise ValueError("not a quantifier")
        b: tuple[Term, ...] = self.payload
        return b

    def __str__(self) -> str:
        from quod.core.printer import to_smtlib

        return to_smtlib(self)

    def __repr__(self) -> str:
        s = str(self)
        return s if len(s) <= 200 else s[:197] + "..."

    # builder operators (z3py style) -------------------------------------
    def __eq__(self, other: object) -> Term:  # type: ignore[override]
        return _builder.Eq(self, other)

    def __ne__(self, other: object) -> Term:  # type: ignore[override]
        return _builder.Not(_builder.Eq(self, other))

    def __lt__(self, other: object) -> Term:
        return _builder.compare(Op.LT, self, other)

    def __le__(self, other: object) -> Term:
        return _builder.compare(Op.LE, self, other)

    def __gt__(self, other: object) -> Term:
        return _builder.compare(Op.GT, self, other)

    def __ge__(self, other: object) -> Term:
        return _builder.compare(Op.GE, self, other)

    def __add__(self, other: object) -> Term:
        return _builder.arith(Op.ADD, self, other)

    def __radd__(self, other: object) -> Term:
        return _builder.arith(Op.ADD, other, self)

    def __sub__(self, other: object) -> Term:
        return _builder.arith(Op.SUB, self, other)

    def __rsub__(self, other: object) -> Term:
        return _builder.arith(Op.SUB, other, self)

    def __mul__(self, other: object) -> Term:
        return _builder.arith(Op.MUL, self, other)

    def __rmul__(self, other: object) -> Term:
        return _builder.arith(Op.MUL, other, self)

    def __truediv__(self, other: object) -> Term:
        return _builder.divide(self, other)

    def __rtruediv__(self, other: object) -> Term:
        return _builder.divide(other, self)

    def __mod__(self, other: object) -> Term:
        return _builder.modulo(self, other)

    def __rmod__(self, other: object) -> Term:
        return _builder.modulo(other, self)

    def __neg__(self) -> Term:
        return _builder.negate(self)

    def __pos__(self) -> Term:
        return self

    def __invert__(self) -> Term:
        return _builder.invert(self)

    def __and__(self, other: object) -> Term:
        return _builder.bitwise(Op.AND, self, other)

    def __rand__(self, other: object) -> Term:
        return _builder.bitwise(Op.AND, other, self)

    def __or__(self, other: object) -> Term:
        return _builder.bitwise(Op.OR, self, other)

    def __ror__(self, other: object) -> Term:
        return _builder.bitwise(Op.OR, other, self)

    def __xor__(self, other: object) -> Term:
        return _builder.bitwise(Op.XOR, self, other)

    def __rxor__(self, other: object) -> Term:
        return _builder.bitwise(Op.XOR, other, self)

    def __getitem__(self, index: object) -> Term:
        return _builder.index(self, index)


def _new(op: Op, args: tuple[Term, ...], payload: Any, sort: Sort, key: tuple[Any, ...]) -> Term:
    t = object.__new__(Term)
    t.op = op
    t.args = args
    t.payload = payload
    t.sort = sort
    t.id = next(_ids)
    t._hash = hash(key)
    r = _Ref(t, _drop)
    r.key = key
    _refs[key] = r
    return t


def _check_value(value: Any, sort: Sort) -> Any:
    k = sort.kind
    if k is SortKind.BOOL:
        ok = isinstance(value, bool)
    elif k is SortKind.INT:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif k is SortKind.REAL:
        if isinstance(value, int) and not isinstance(value, bool):
            value = Fraction(value)
        ok = isinstance(value, Fraction)
    elif k is SortKind.BITVEC:
        ok = isinstance(value, int) and not isinstance(value, bool) and 0 <= value < (1 << sort.width)
    elif k is SortKind.STRING:
        ok = isinstance(value, str) and all(ord(c) <= 0x2FFFF for c in value)
    elif k is SortKind.UNINTERPRETED:
        ok = isinstance(value, UninterpretedValue) and value.sort_name == sort.name
    else:
        ok = False
    if not ok:
        raise SortError(f"{value!r} is not a constant of sort {sort}")
    return value


def const(value: Any, sort: Sort) -> Term:
    """The constant `value` of `sort` (bit-vectors: unsigned int below 2**width)."""
    value = _check_value(value, sort)
    payload = (value,)
    key = (Op.CONST, type(value), value, sort)
    t = _lookup(key)
    return t if t is not None else _new(Op.CONST, (), payload, sort, key)


def var(name: str, sort: Sort) -> Term:
    """A free constant symbol (or, inside a binder, a bound variable)."""
    key = (Op.VAR, name, sort)
    t = _lookup(key)
    return t if t is not None else _new(Op.VAR, (), name, sort, key)


def make(op: Op, args: Sequence[Term], payload: Any = None) -> Term:
    """The term `op(args)` with an optional index payload; checks sorts."""
    args = tuple(args)
    key = (op, payload, *[a.id for a in args])
    r = _refs.get(key)
    if r is not None:
        t: Term | None = r()
        if t is not None:
            return t
    for a in args:
        if not isinstance(a, Term):
            raise SortError(f"'{op.value}': argument {a!r} is not a term")
    sort = result_sort(op, [a.sort for a in args], payload)
    return _new(op, args, payload, sort, key)


def apply_decl(decl: FuncDecl, args: Sequence[Term]) -> Term:
    args = tuple(args)
    if not decl.domain:
        raise SortError(f"'{decl.name}' is a constant; use var() for it")
    key = (Op.APPLY, decl, *[a.id for a in args])
    t = _lookup(key)
    if t is not None:
        return t
    if len(args) != len(decl.domain):
        raise SortError(f"'{decl.name}' expects {len(decl.domain)} argument(s), got {len(args)}")
    for i, (a, s) in enumerate(zip(args, decl.domain, strict=True)):
        if a.sort != s:
            raise SortError(f"'{decl.name}': argument {i + 1} must have sort {s}, got {a.sort}")
    return _new(Op.APPLY, args, decl, decl.range, key)


def quantifier(op: Op, bound: Sequence[Term], body: Term) -> Term:
    if op is not Op.FORALL and op is not Op.EXISTS:
        raise ValueError(f"not a quantifier: {op}")
    bound = tuple(bound)
    if not bound:
        raise SortError(f"'{op.value}' needs at least one bound variable")
    for v in bound:
        if not isinstance(v, Term) or v.op is not Op.VAR:
            raise SortError(f"'{op.value}': bound variables must be variables, got {v!r}")
    if not body.sort.is_bool:
        raise SortError(f"'{op.value}': body must be Bool, got {body.sort}")
    key = (op, tuple(v.id for v in bound), body.id)
    t = _lookup(key)
    return t if t is not None else _new(op, (body,), bound, BOOL, key)


TRUE = const(True, BOOL)
FALSE = const(False, BOOL)


def bool_const(b: bool) -> Term:
    return TRUE if b else FALSE


def int_const(v: int) -> Term:
    return const(v, INT)


def real_const(v: Fraction | int) -> Term:
    return const(Fraction(v), REAL)


def string_const(v: str) -> Term:
    return const(v, STRING)


# pickling: flatten the DAG iteratively so that deep terms pickle without
# recursion and shared subterms are written once.
def _flatten(root: Term) -> list[tuple[Any, ...]]:
    from quod.core.walk import post_order

    index: dict[int, int] = {}
    nodes: list[tuple[Any, ...]] = []
    for t in post_order([root], into_binders=True):
        if t.op is Op.FORALL or t.op is Op.EXISTS:
            payload: Any = tuple(index[v.id] for v in t.payload)
        else:
            payload = t.payload
        nodes.append((t.op.value, payload, t.sort, tuple(index[a.id] for a in t.args)))
        index[t.id] = len(nodes) - 1
    return nodes


def _unflatten(nodes: list[tuple[Any, ...]]) -> Term:
    built: list[Term] = []
    for opname, payload, sort, kids in nodes:
        op = Op(opname)
        args = [built[i] for i in kids]
        if op is Op.CONST:
            built.append(const(payload[0], sort))
        elif op is Op.VAR:
            built.append(var(payload, sort))
        elif op is Op.APPLY:
            built.append(apply_decl(payload, args))
        elif op is Op.FORALL or op is Op.EXISTS:
            built.append(quantifier(op, [built[i] for i in payload], args[0]))
        else:
            built.append(make(op, args, payload))
    return built[-1]


def table_size() -> int:
    """Number of live terms (for tests and statistics)."""
    return len(_refs)


__all__ = [
    "BOOL",
    "FALSE",
    "INT",
    "REAL",
    "REGLAN",
    "STRING",
    "TRUE",
    "FuncDecl",
    "Term",
    "UninterpretedValue",
    "Value",
    "apply_decl",
    "bool_const",
    "const",
    "int_const",
    "make",
    "quantifier",
    "real_const",
    "string_const",
    "var",
]

# The builder implements the operators above; imported last because it builds on this module.
from quod.core import builder as _builder  # noqa: E402
