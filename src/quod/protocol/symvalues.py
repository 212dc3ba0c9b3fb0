"""Symbolic values for running a protocol model's own Python code on symbolic states.

`SBool`, `SInt`, `SEnum`, `SSet` and `SNet` stand for core variables and
overload Python's operators so that the model's code builds terms; a branch
on a symbolic condition asks the active driver (see `symbolic.SymDriver`)
which outcome this run takes. Also the small simplifying term constructors
and the helpers that compare, concretize and test such values.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from typing import Any

from quod.core import builder as B
from quod.core.ops import Op
from quod.core.terms import FALSE, TRUE, Term, make
from quod.protocol.dsl import Disabled, canon
from quod.protocol.errors import ProtocolError


def unsupported(msg: str) -> ProtocolError:
    return ProtocolError(msg, code="Q0704")


class OutOfRange(Exception):
    """A path produced a value outside the finite universe the layout can represent.

    Such a path is not dropped (that would lose behaviours and make proofs
    unsound): it leads to the error flag, and proofs must show it unreachable.
    """


ERROR = object()  # result of a path that raised OutOfRange


# --- small simplifying constructors --------------------------------------------


def t_not(a: Term) -> Term:
    if a is TRUE:
        return FALSE
    if a is FALSE:
        return TRUE
    if a.op is Op.NOT:
        return a.args[0]
    return B.Not(a)


def t_and(items: Iterable[Term]) -> Term:
    out: list[Term] = []
    for x in items:
        if x is FALSE:
            return FALSE
        if x is not TRUE and all(x is not y for y in out):
            out.append(x)
    if not out:
        return TRUE
    return out[0] if len(out) == 1 else B.And(out)


def t_or(items: Iterable[Term]) -> Term:
    out: list[Term] = []
    for x in items:
        if x is TRUE:
            return TRUE
        if x is not FALSE and all(x is not y for y in out):
            out.append(x)
    if not out:
        return FALSE
    return out[0] if len(out) == 1 else B.Or(out)


def t_eq(a: Term, b: Term) -> Term:
    if a is b:
        return TRUE
    if a.is_const and b.is_const:
        return FALSE
    return B.Eq(a, b)


def t_ite(c: Term, a: Term, b: Term) -> Term:
    if c is TRUE or a is b:
        return a
    if c is FALSE:
        return b
    return B.Ite(c, a, b)


# --- symbolic values ----------------------------------------------------------------


class Sym:
    """Base of symbolic values; `term` is the core term it stands for."""

    __slots__ = ("term",)
    __quod_term__ = True

    def __init__(self, term: Term) -> None:
        self.term = term

    def __hash__(self) -> int:
        # hashing needs a concrete value (e.g. a message with a symbolic field put in a set)
        return hash(concretize(self))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.term}>"


def as_term(v: Any) -> Term:
    if isinstance(v, Sym):
        return v.term
    if isinstance(v, bool):
        return TRUE if v else FALSE
    if isinstance(v, int):
        return B.IntVal(v)
    raise unsupported(f"cannot use {v!r} ({type(v).__name__}) in a symbolic expression")


def _driver_branch(cond: Term) -> bool:
    from quod.protocol.dsl import current_driver

    if cond is TRUE:
        return True
    if cond is FALSE:
        return False
    d = current_driver()
    if d is None:
        raise unsupported("a symbolic condition was tested outside the translation")
    return d.branch(cond)


class SBool(Sym):
    __slots__ = ()

    def __bool__(self) -> bool:
        return _driver_branch(self.term)

    def __quod_not__(self) -> SBool:
        return SBool(t_not(self.term))

    def __quod_implies__(self, other: Any) -> SBool:
        return SBool(t_or([t_not(self.term), as_term(other)]))

    def __quod_rimplies__(self, other: Any) -> SBool:
        return SBool(t_or([t_not(as_term(other)), self.term]))

    def __quod_fold__(self, items: list[Sym], conj: bool) -> SBool:
        terms = [x.term for x in items]
        return SBool(t_and(terms) if conj else t_or(terms))

    def __quod_ite__(self, a: Any, b: Any) -> Any:
        return sym_ite(self.term, a, b)

    def __quod_count__(self, items: list[Any]) -> SInt:
        one, zero = B.IntVal(1), B.IntVal(0)
        return SInt(B.Sum([t_ite(as_term(x), one, zero) for x in items]))

    def __and__(self, o: Any) -> SBool:
        return SBool(t_and([self.term, as_term(o)]))

    __rand__ = __and__

    def __or__(self, o: Any) -> SBool:
        return SBool(t_or([self.term, as_term(o)]))

    __ror__ = __or__

    def __invert__(self) -> SBool:
        # on a Python bool, ~ gives an int (~True == -2): refuse it here too so both semantics agree
        raise unsupported("~ on a condition: use neg(x) or `not x`")

    def __eq__(self, o: object) -> SBool:  # type: ignore[override]
        return SBool(t_eq(self.term, as_term(o)))

    def __ne__(self, o: object) -> SBool:  # type: ignore[override]
        return SBool(t_not(t_eq(self.term, as_term(o))))

    __hash__ = Sym.__hash__


class SInt(Sym):
    """An Int; `lo`/`hi` are its range when known (node ids, ranged ints)."""

    __slots__ = ("hi", "lo")

    def __init__(self, term: Term, lo: int | None = None, hi: int | None = None) -> None:
        super().__init__(term)
        self.lo = lo
        self.hi = hi

    def _bin(self, op: Callable[[Term, Term], Term], o: Any, rev: bool = False) -> SInt:
        a, b = self.term, as_term(o)
        return SInt(op(b, a) if rev else op(a, b))

    def _shift(self, c: Any, sign: int) -> tuple[int | None, int | None]:
        # x + c stays within [lo + c, hi + c]: keeps concretization possible after arithmetic
        if isinstance(c, int) and not isinstance(c, bool) and self.lo is not None and self.hi is not None:
            return self.lo + sign * c, self.hi + sign * c
        return None, None

    def __add__(self, o: Any) -> SInt:
        return SInt(self.term + as_term(o), *self._shift(o, 1))

    def __radd__(self, o: Any) -> SInt:
        return SInt(as_term(o) + self.term, *self._shift(o, 1))

    def __sub__(self, o: Any) -> SInt:
        return SInt(self.term - as_term(o), *self._shift(o, -1))

    def __rsub__(self, o: Any) -> SInt:
        return self._bin(lambda a, b: a - b, o, True)

    def __mul__(self, o: Any) -> SInt:
        return self._bin(lambda a, b: a * b, o)

    def __rmul__(self, o: Any) -> SInt:
        return self._bin(lambda a, b: a * b, o, True)

    def __neg__(self) -> SInt:
        return SInt(-self.term)

    def __floordiv__(self, o: Any) -> SInt:
        return SInt(_py_div(self.term, _const_divisor(o)))

    def __mod__(self, o: Any) -> SInt:
        d = _const_divisor(o)
        return SInt(self.term - B.IntVal(d) * _py_div(self.term, d))

    def __lt__(self, o: Any) -> SBool:
        return SBool(self.term < as_term(o))

    def __le__(self, o: Any) -> SBool:
        return SBool(self.term <= as_term(o))

    def __gt__(self, o: Any) -> SBool:
        return SBool(self.term > as_term(o))

    def __ge__(self, o: Any) -> SBool:
        return SBool(self.term >= as_term(o))

    def __eq__(self, o: object) -> SBool:  # type: ignore[override]
        if isinstance(o, (SEnum, str)):
            return SBool(FALSE)
        return SBool(t_eq(self.term, as_term(o)))

    def __ne__(self, o: object) -> SBool:  # type: ignore[override]
        return SBool(t_not((self == o).term))

    __hash__ = Sym.__hash__

    def __index__(self) -> int:
        """A concrete value, by splitting on each value of the range."""
        if self.lo is None or self.hi is None:
            raise unsupported("an unbounded symbolic int was used as an index or made concrete")
        for v in range(self.lo, self.hi + 1):
            if _driver_branch(t_eq(self.term, B.IntVal(v))):
                return v
        raise Disabled

    def __int__(self) -> int:
        return self.__index__()


def _const_divisor(o: Any) -> int:
    if isinstance(o, int) and not isinstance(o, bool) and o != 0:
        return o
    raise unsupported("symbolic // and % need a nonzero constant divisor")


def _py_div(a: Term, d: int) -> Term:
    # Python floors; SMT-LIB div with a positive divisor floors too
    if d > 0:
        return make(Op.IDIV, [a, B.IntVal(d)])
    return make(Op.IDIV, [-a, B.IntVal(-d)])


class SEnum(Sym):
    """A string enumeration value, encoded as the Int index into `values`."""

    __slots__ = ("values",)

    def __init__(self, term: Term, values: tuple[Any, ...]) -> None:
        super().__init__(term)
        self.values = values

    def value_term(self, v: Any) -> Term | None:
        try:
            return B.IntVal(self.values.index(v))
        except ValueError:
            return None

    def __eq__(self, o: object) -> SBool:  # type: ignore[override]
        if isinstance(o, SEnum):
            if o.values == self.values:
                return SBool(t_eq(self.term, o.term))
            return SBool(
                t_or(
                    [t_and([t_eq(self.term, B.IntVal(i)), (o == v).term]) for i, v in enumerate(self.values)]
                )
            )
        idx = self.value_term(o)
        return SBool(FALSE if idx is None else t_eq(self.term, idx))

    def __ne__(self, o: object) -> SBool:  # type: ignore[override]
        return SBool(t_not((self == o).term))

    __hash__ = Sym.__hash__

    def concrete(self) -> Any:
        for i, v in enumerate(self.values):
            if _driver_branch(t_eq(self.term, B.IntVal(i))):
                return v
        raise Disabled

    def __bool__(self) -> bool:
        raise unsupported("an enumeration value has no truth value")


def sym_ite(c: Term, a: Any, b: Any) -> Any:
    if isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b):
        return tuple(sym_ite(c, x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, SEnum) or isinstance(b, SEnum):
        e = a if isinstance(a, SEnum) else b
        assert isinstance(e, SEnum)
        return SEnum(t_ite(c, enum_term(e.values, a), enum_term(e.values, b)), e.values)
    if isinstance(a, (SBool, bool)) and isinstance(b, (SBool, bool)):
        return SBool(t_ite(c, as_term(a), as_term(b)))
    if isinstance(a, (SInt, int)) and isinstance(b, (SInt, int)):
        return SInt(t_ite(c, as_term(a), as_term(b)))
    raise unsupported(f"ite() on values {a!r} and {b!r} is not supported symbolically")


def enum_term(values: tuple[Any, ...], v: Any) -> Term:
    if isinstance(v, SEnum):
        if v.values == values:
            return v.term
        return _remap(v, values)
    try:
        return B.IntVal(values.index(v))
    except ValueError:
        raise OutOfRange(f"{v!r} is not one of the enumeration values {values}") from None


def _remap(v: SEnum, values: tuple[Any, ...]) -> Term:
    out: Term = B.IntVal(-1)
    for i, x in enumerate(v.values):
        if x in values:
            out = t_ite(t_eq(v.term, B.IntVal(i)), B.IntVal(values.index(x)), out)
    return out


class SSet(Sym):
    """A set over a finite universe: one Bool per element."""

    __slots__ = ("members", "universe")

    def __init__(self, universe: list[Any], members: list[Term]) -> None:
        super().__init__(TRUE)
        self.universe = universe
        self.members = members

    def _index(self, x: Any) -> int | None:
        key = canon(x)
        for i, u in enumerate(self.universe):
            if canon(u) == key:
                return i
        return None

    def has(self, x: Any) -> SBool:
        return SBool(self.has_term(x))

    def has_term(self, x: Any) -> Term:
        if has_symbolic(x):
            return t_or([t_and([match(x, u), m]) for u, m in zip(self.universe, self.members, strict=True)])
        i = self._index(x)
        return FALSE if i is None else self.members[i]

    def __contains__(self, x: Any) -> bool:
        return _driver_branch(self.has_term(x))

    def _with(self, other: Any, fn: Callable[[Term, Term], Term]) -> SSet:
        o = as_set(other, self.universe)
        return SSet(self.universe, [fn(a, b) for a, b in zip(self.members, o.members, strict=True)])

    def __or__(self, other: Any) -> SSet:
        return self._with(other, lambda a, b: t_or([a, b]))

    __ror__ = __or__

    def __and__(self, other: Any) -> SSet:
        return self._with(other, lambda a, b: t_and([a, b]))

    __rand__ = __and__

    def __sub__(self, other: Any) -> SSet:
        return self._with(other, lambda a, b: t_and([a, t_not(b)]))

    def __eq__(self, other: object) -> SBool:  # type: ignore[override]
        o = as_set(other, self.universe)
        return SBool(t_and([t_eq(a, b) for a, b in zip(self.members, o.members, strict=True)]))

    def __ne__(self, other: object) -> SBool:  # type: ignore[override]
        return SBool(t_not((self == other).term))

    def __le__(self, other: Any) -> SBool:
        o = as_set(other, self.universe)
        return SBool(t_and([t_or([t_not(a), b]) for a, b in zip(self.members, o.members, strict=True)]))

    def __ge__(self, other: Any) -> SBool:
        return as_set(other, self.universe) <= self

    def __hash__(self) -> int:
        raise unsupported("a symbolic set cannot be hashed (a set of sets?)")

    def __quod_card__(self) -> SInt:
        return SInt(B.Sum([t_ite(m, B.IntVal(1), B.IntVal(0)) for m in self.members]))

    def __len__(self) -> int:
        raise unsupported("len() of a symbolic set: use card(s) instead")

    def __iter__(self) -> Any:
        for u, m in zip(self.universe, self.members, strict=True):
            if _driver_branch(m):
                yield u


def as_set(v: Any, universe: list[Any]) -> SSet:
    if isinstance(v, SSet):
        return v
    if isinstance(v, (set, frozenset, list, tuple)):
        members: list[Term] = [FALSE] * len(universe)
        probe = SSet(universe, members)
        for x in v:
            if isinstance(x, SInt):
                members = [
                    t_or([m, t_eq(x.term, B.IntVal(u))]) for m, u in zip(members, universe, strict=True)
                ]
                continue
            i = probe._index(concretize(x))
            if i is None:
                raise OutOfRange(f"{x!r} is outside the universe of a symbolic set")
            members[i] = TRUE
        return SSet(universe, members)
    raise unsupported(f"cannot combine a symbolic set with {v!r}")


class SNet:
    """A network over a finite message universe: one Int count per message."""

    __quod_network__ = True

    def __init__(self, universe: list[Any], counts: list[Term], duplicate: bool, lossy: bool) -> None:
        self.universe = universe
        self.counts = counts
        self.duplicate = duplicate
        self.lossy = lossy
        self._pos = {canon(m): i for i, m in enumerate(universe)}

    def index(self, m: Any) -> int:
        m = concretize(m)
        i = self._pos.get(canon(m))
        if i is None:
            raise OutOfRange(f"message {m!r} is outside the message universe")
        return i

    def _set(self, i: int, t: Term) -> SNet:
        counts = list(self.counts)
        counts[i] = t
        return SNet(self.universe, counts, self.duplicate, self.lossy)

    def send(self, *messages: Any) -> SNet:
        net = self
        for m in messages:
            i = net.index(m)
            net = net._set(i, net.counts[i] + B.IntVal(1))
        return net

    def remove(self, m: Any) -> SNet:
        i = self.index(m)
        if not _driver_branch(self.counts[i] > B.IntVal(0)):
            raise Disabled
        return self._set(i, self.counts[i] - B.IntVal(1))

    def deliver(self, m: Any) -> SNet:
        from quod.protocol.dsl import choose

        if self.duplicate and choose((False, True)):
            if not _driver_branch(self.counts[self.index(m)] > B.IntVal(0)):
                raise Disabled
            return self
        return self.remove(m)

    def count(self, m: Any) -> SInt:
        return SInt(self.counts[self.index(m)])

    def __contains__(self, m: Any) -> bool:
        return _driver_branch(self.counts[self.index(m)] > B.IntVal(0))

    def has(self, m: Any) -> SBool:
        if has_symbolic(m):
            return SBool(
                t_or(
                    [
                        t_and([match(m, u), c > B.IntVal(0)])
                        for u, c in zip(self.universe, self.counts, strict=True)
                    ]
                )
            )
        return SBool(self.counts[self.index(m)] > B.IntVal(0))

    def messages(self, kind: type | None = None) -> _SymMessages:
        return _SymMessages(self, kind)

    def __len__(self) -> int:
        raise unsupported("len() of a symbolic network: use net.size()")

    def size(self) -> SInt:
        return SInt(B.Sum(self.counts))


class _SymMessages:
    def __init__(self, net: SNet, kind: type | None) -> None:
        self.net = net
        self.kind = kind

    def candidates(self) -> list[tuple[Any, Term]]:
        return [(m, c) for m, c in zip(self.net.universe, self.net.counts, strict=True)
                if self.kind is None or isinstance(m, self.kind)]  # fmt: skip

    def symbolic_choose(self, driver: Any) -> Any:
        cands = self.candidates()
        if not cands:
            raise Disabled
        m, c = driver.choose(cands)
        if not _driver_branch(c > B.IntVal(0)):
            raise Disabled
        return m

    def __iter__(self) -> Any:
        for m, c in self.candidates():
            if _driver_branch(c > B.IntVal(0)):
                yield m


def has_symbolic(v: Any) -> bool:
    if isinstance(v, Sym):
        return True
    if isinstance(v, tuple):
        return any(has_symbolic(x) for x in v)
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        return any(has_symbolic(getattr(v, f.name)) for f in dataclasses.fields(v))
    return False


def match(v: Any, u: Any) -> Term:
    """The condition under which (possibly symbolic) `v` equals concrete `u`."""
    if isinstance(v, SEnum):
        eq: SBool = v == u
        return eq.term
    if isinstance(v, Sym):
        if isinstance(u, (bool, int)):
            return t_eq(v.term, as_term(u))
        return FALSE
    if isinstance(v, tuple):
        if not isinstance(u, tuple) or len(u) != len(v):
            return FALSE
        return t_and(match(a, b) for a, b in zip(v, u, strict=True))
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        if type(u) is not type(v):
            return FALSE
        return t_and(match(getattr(v, f.name), getattr(u, f.name)) for f in dataclasses.fields(v))
    return TRUE if canon(v) == canon(u) else FALSE


def concretize(v: Any) -> Any:
    """A concrete value for `v` (splitting on symbolic parts); messages must be concrete to be counted."""
    if isinstance(v, SInt):
        return v.__index__()
    if isinstance(v, SEnum):
        return v.concrete()
    if isinstance(v, SBool):
        return bool(v)
    if isinstance(v, tuple):
        return tuple(concretize(x) for x in v)
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        changes = {f.name: concretize(getattr(v, f.name)) for f in dataclasses.fields(v)}
        return type(v)(**changes)
    return v
