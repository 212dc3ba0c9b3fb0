"""Translation of a model (at fixed parameters) to a transition system over core terms.

The model's own Python code runs on a *symbolic state*: a state dataclass
whose fields hold symbolic values (`SBool`, `SInt`, `SEnum`, `SSet`, `SNet`)
standing for core variables. Where the code branches on a symbolic condition
(`if`, `and`, `require`, `in`), the run asks the driver, which explores both
outcomes by re-execution and records the path condition. Each run is one
path: path condition plus the terms of the successor state. The transition
relation is the disjunction of all paths of all action instances.

State layout: booleans are Bool variables; ints are Int variables; node ids
and enumerations are Int variables with range constraints; per-node tuples
are one variable per entry; sets over a finite universe are one Bool per
element; networks are one Int count per message of the (finite) message
universe. The range constraints form `type_ok`, which the prover adds to the
invariant so it is itself proved inductive.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from quod.core import builder as B
from quod.core.ops import Op
from quod.core.sorts import BOOL, INT
from quod.core.terms import FALSE, TRUE, Term, make
from quod.protocol.dsl import Disabled, Network, Protocol, canon, pop_driver, push_driver
from quod.protocol.errors import ProtocolError
from quod.protocol.semantics import DROP, Semantics, user_span
from quod.protocol.shape import Shape, shape_of

MAX_PATHS = 20000
MAX_UNIVERSE = 4096


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
        return SEnum(t_ite(c, _enum_term(e.values, a), _enum_term(e.values, b)), e.values)
    if isinstance(a, (SBool, bool)) and isinstance(b, (SBool, bool)):
        return SBool(t_ite(c, as_term(a), as_term(b)))
    if isinstance(a, (SInt, int)) and isinstance(b, (SInt, int)):
        return SInt(t_ite(c, as_term(a), as_term(b)))
    raise unsupported(f"ite() on values {a!r} and {b!r} is not supported symbolically")


def _enum_term(values: tuple[Any, ...], v: Any) -> Term:
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
        o = _as_set(other, self.universe)
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
        o = _as_set(other, self.universe)
        return SBool(t_and([t_eq(a, b) for a, b in zip(self.members, o.members, strict=True)]))

    def __ne__(self, other: object) -> SBool:  # type: ignore[override]
        return SBool(t_not((self == other).term))

    def __le__(self, other: Any) -> SBool:
        o = _as_set(other, self.universe)
        return SBool(t_and([t_or([t_not(a), b]) for a, b in zip(self.members, o.members, strict=True)]))

    def __ge__(self, other: Any) -> SBool:
        return _as_set(other, self.universe) <= self

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


def _as_set(v: Any, universe: list[Any]) -> SSet:
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


# --- layout -------------------------------------------------------------------------


@dataclass
class Layout:
    """Where each piece of state lives: variables, their ranges, and how to rebuild values."""

    variables: list[Term]
    ranges: dict[Term, tuple[int | None, int | None]]

    def type_ok(self) -> Term:
        parts = []
        for v in self.variables:
            lo, hi = self.ranges.get(v, (None, None))
            if lo is not None:
                parts.append(v >= lo)
            if hi is not None:
                parts.append(v <= hi)
        return t_and(parts)


class Encoder:
    def __init__(self, proto: Protocol, sem: Semantics) -> None:
        self.proto = proto
        self.sem = sem
        self.shape = shape_of(sem.state_type)
        self.n = len(proto.nodes) if _has_nodes_attr(proto) else 0
        self.template = sem.inits[0]
        self.layout = Layout([], {})

    # universes of finite types
    def universe(self, sh: Shape, where: str) -> list[Any]:
        k = sh.kind
        if k == "bool":
            return [False, True]
        if k == "node":
            return list(range(self.n))
        if k == "enum":
            return list(sh.values)
        if k == "int" and sh.values:
            return list(range(sh.values[0], sh.values[1] + 1))
        if k == "record":
            names = [n for n, _ in sh.fields]
            doms = [self.universe(fs, f"{where}.{n}") for n, fs in sh.fields]
            out = [sh.cls(**dict(zip(names, combo, strict=True))) for combo in itertools.product(*doms)]
            if len(out) > MAX_UNIVERSE:
                raise unsupported(
                    f"{where}: universe of {sh.cls.__name__} has more than {MAX_UNIVERSE} values"
                )
            return out
        raise unsupported(f"{where}: values of kind '{k}' have no finite universe (bound ints with Range)")

    def _var(self, name: str, sort: Any, lo: int | None = None, hi: int | None = None) -> Term:
        v = B.Const(name, sort)
        self.layout.variables.append(v)
        if lo is not None or hi is not None:
            self.layout.ranges[v] = (lo, hi)
        return v

    def symbolic_state(self) -> Any:
        return self._sym(self.template, self.shape, "")

    def _sym(self, value: Any, sh: Shape, name: str) -> Any:
        k = sh.kind
        if k == "bool":
            return SBool(self._var(name, BOOL))
        if k == "int":
            lo, hi = (sh.values[0], sh.values[1]) if sh.values else (None, None)
            return SInt(self._var(name, INT, lo, hi), lo, hi)
        if k == "node":
            return SInt(self._var(name, INT, 0, self.n - 1), 0, self.n - 1)
        if k == "enum":
            return SEnum(self._var(name, INT, 0, len(sh.values) - 1), sh.values)
        if k == "tuple":
            assert sh.elem is not None
            return tuple(self._sym(x, sh.elem, f"{name}[{i}]") for i, x in enumerate(value))
        if k == "set":
            assert sh.elem is not None
            uni = self.universe(sh.elem, name)
            return SSet(uni, [self._var(f"{name}{{{_show(u)}}}", BOOL) for u in uni])
        if k == "net":
            msgs: list[Any] = []
            for ms in sh.messages:
                msgs.extend(self.universe(ms, name))
            if not sh.messages:
                raise unsupported(
                    f"{name}: annotate the network with its message classes, e.g. Network[A | B]"
                )
            counts = [self._var(f"{name}#{_show(m)}", INT, 0, None) for m in msgs]
            return SNet(msgs, counts, value.duplicate, value.lossy)
        if k == "record":
            sep = "." if name else ""
            fields = {fn: self._sym(getattr(value, fn), fs, f"{name}{sep}{fn}") for fn, fs in sh.fields}
            return sh.cls(**fields)
        raise unsupported(f"state field '{name}' has a type the symbolic translation does not support")

    # concrete or symbolic values -> terms, in layout order
    def flatten(self, value: Any, template: Any, sh: Shape, where: str) -> list[Term]:
        k = sh.kind
        if k in ("bool", "int", "node"):
            return [as_term(value)]
        if k == "enum":
            return [_enum_term(sh.values, value)]
        if k == "tuple":
            assert sh.elem is not None
            if not isinstance(value, tuple) or len(value) != len(template):
                raise unsupported(f"{where}: tuples must keep their length (got {value!r})")
            return [
                t for x, y in zip(value, template, strict=True) for t in self.flatten(x, y, sh.elem, where)
            ]
        if k == "set":
            return _as_set(value, template.universe).members
        if k == "net":
            if isinstance(value, SNet):
                return list(value.counts)
            if isinstance(value, Network):
                return [B.IntVal(value.count(m)) for m in template.universe]
            raise unsupported(f"{where}: expected a network, got {value!r}")
        if k == "record":
            return [
                t
                for fn, fs in sh.fields
                for t in self.flatten(getattr(value, fn), getattr(template, fn), fs, where)
            ]
        raise unsupported(f"{where}: unsupported value {value!r}")


def _has_nodes_attr(proto: Protocol) -> bool:
    try:
        proto.nodes  # noqa: B018
    except ProtocolError:
        return False
    return True


def _show(v: Any) -> str:
    return repr(v).replace("|", "/").replace("\\", "/")


# --- path enumeration -----------------------------------------------------------------


class SymDriver:
    def __init__(self, prefix: Sequence[int]) -> None:
        self.prefix = prefix
        self.trail: list[tuple[int, int]] = []
        self.pc: list[Term] = []

    def _next(self, n: int) -> int:
        k = len(self.trail)
        i = self.prefix[k] if k < len(self.prefix) else 0
        self.trail.append((i, n))
        return i

    def choose(self, options: Sequence[Any]) -> Any:
        return options[self._next(len(options))]

    def branch(self, cond: Any) -> bool:
        if not isinstance(cond, Term):
            return bool(cond)
        if self._next(2) == 0:
            self.pc.append(cond)
            return True
        self.pc.append(t_not(cond))
        return False


def paths(fn: Callable[[], Any], what: str, files: set[str]) -> list[tuple[Term, Any]]:
    """(path condition, result) for every path of `fn` (result None: disabled)."""
    out: list[tuple[Term, Any]] = []
    prefix: list[int] = []
    while True:
        d = SymDriver(prefix)
        push_driver(d)
        try:
            result = fn()
        except Disabled:
            result = None
        except OutOfRange:
            result = ERROR
        except ProtocolError as e:
            span = user_span(e, files)
            raise (e.with_span(span) if span is not None else e) from None
        except Exception as e:
            span = user_span(e, files)
            err = unsupported(f"{what}: {type(e).__name__}: {e} (not supported symbolically)")
            raise (err.with_span(span) if span is not None else err) from e
        finally:
            pop_driver()
        out.append((t_and(d.pc), result))
        if len(out) > MAX_PATHS:
            raise unsupported(
                f"{what}: more than {MAX_PATHS} paths; use forall/exists/implies/ite instead of and/or/if"
            )
        trail = d.trail
        while trail and trail[-1][0] + 1 >= trail[-1][1]:
            trail.pop()
        if not trail:
            return out
        prefix = [i for i, _ in trail[:-1]] + [trail[-1][0] + 1]


# --- the transition system ---------------------------------------------------------------


@dataclass
class SymbolicModel:
    variables: list[Term]
    primed: list[Term]
    init: Term
    trans: Term
    type_ok: Term
    invariants: dict[str, Term]
    actions: dict[str, Term]  # action name -> its part of trans
    decode: Callable[[dict[Term, Any]], dict[str, Any]]
    error: Term  # flag set by paths that leave the finite universes; proofs show it stays false


def translate(proto: Protocol) -> SymbolicModel:
    sem = Semantics(proto)
    if sem.constraints:
        pass  # constraints bound the search only; proofs are about all behaviours
    enc = Encoder(proto, sem)
    sym_state = enc.symbolic_state()
    state_vars = list(enc.layout.variables)
    error = B.Const("range_error", BOOL)
    variables = [*state_vars, error]
    primed = [B.Const(v.name + "'", v.sort) for v in variables]
    error_next = primed[-1]
    shape = enc.shape

    def flat(value: Any, where: str) -> list[Term]:
        ts = enc.flatten(value, sym_state, shape, where)
        if len(ts) != len(state_vars):  # pragma: no cover - layouts are built from the same shape
            raise unsupported(f"{where}: state layout mismatch")
        return [*ts, error]

    try:
        inits = [[*flat(s0, "init")[:-1], FALSE] for s0 in sem.inits]
    except OutOfRange as e:
        raise unsupported(f"init: {e}") from e
    init = t_or([t_and(t_eq(v, t) for v, t in zip(variables, ts, strict=True)) for ts in inits])
    actions: dict[str, list[Term]] = {}
    for ai, spec in enumerate(sem.actions):
        for args, guard in _param_instances(sem, ai, sym_state, enc):
            what = f"action {spec.name}{args!r}"

            def run(spec: Any = spec, args: tuple[Any, ...] = args) -> Any:
                if spec is DROP:
                    return _sym_drop(sym_state, args[0])
                return spec.fn(proto, sym_state, *args)

            for pc, result in paths(run, what, sem.files):
                if result is None:
                    continue
                post = None
                if result is not ERROR:
                    if type(result) is not sem.state_type:
                        raise unsupported(f"{what} returned {type(result).__name__}")
                    try:
                        post = flat(result, what)
                    except OutOfRange:
                        post = None
                if post is None:  # the path leaves what the layout can represent: the error flag
                    step = t_and([guard, pc, error_next])
                else:
                    step = t_and([guard, pc, *(t_eq(p, t) for p, t in zip(primed, post, strict=True))])
                actions.setdefault(spec.name, []).append(step)
    parts = {k: t_or(v) for k, v in actions.items()}
    invs = {
        p.name: property_term(proto, p.fn, sym_state, f"invariant {p.name}", sem.files)
        for p in sem.invariants
    }

    def decode(values: dict[Term, Any]) -> dict[str, Any]:
        return decode_state(enc, sym_state, values)

    return SymbolicModel(
        variables, primed, init, t_or(parts.values()), enc.layout.type_ok(), invs, parts, decode, error
    )


def property_term(proto: Protocol, fn: Callable[..., Any], state: Any, what: str, files: set[str]) -> Term:
    return bool_function(lambda: fn(proto, state), what, files)


def bool_function(fn: Callable[[], Any], what: str, files: set[str]) -> Term:
    disj = []
    for pc, r in paths(fn, what, files):
        if r is None:
            continue
        if r is ERROR:
            raise unsupported(f"{what}: a value outside its finite universe was used")
        disj.append(t_and([pc, as_term(r)]))
    return t_or(disj)


def _param_instances(sem: Semantics, ai: int, s: Any, enc: Encoder) -> list[tuple[tuple[Any, ...], Term]]:
    """Concrete parameter tuples with their guard (message parameters need the message in flight)."""
    spec = sem.actions[ai]
    if spec is DROP:
        net = _the_net(s)
        return [((m,), c > B.IntVal(0)) for m, c in zip(net.universe, net.counts, strict=True)]
    doms: list[list[tuple[Any, Term]]] = []
    static = sem._static[ai]
    import typing

    hints = typing.get_type_hints(spec.fn, include_extras=True)
    for p, d in zip(spec.params, static, strict=True):
        if d is not None:
            doms.append([(v, TRUE) for v in d])
            continue
        tp = hints.get(p)
        if isinstance(tp, type) and dataclasses.is_dataclass(tp):
            net = _the_net(s)
            doms.append(
                [
                    (m, c > B.IntVal(0))
                    for m, c in zip(net.universe, net.counts, strict=True)
                    if isinstance(m, tp)
                ]
            )
            continue
        raise unsupported(
            f"action {spec.name}: parameter '{p}' has a state-dependent domain the translation cannot enumerate"
        )
    out = []
    for combo in itertools.product(*doms):
        out.append((tuple(v for v, _ in combo), t_and(g for _, g in combo)))
    return out


def _the_net(s: Any) -> SNet:
    nets: list[SNet] = [
        getattr(s, f.name) for f in dataclasses.fields(s) if isinstance(getattr(s, f.name), SNet)
    ]
    if len(nets) != 1:
        raise unsupported("message parameters need exactly one Network field in the state")
    return nets[0]


def _sym_drop(s: Any, m: Any) -> Any:
    for f in dataclasses.fields(s):
        v = getattr(s, f.name)
        if isinstance(v, SNet) and v.lossy:
            return dataclasses.replace(s, **{f.name: v.remove(m)})
    return None


def decode_state(enc: Encoder, sym_state: Any, values: dict[Term, Any]) -> dict[str, Any]:
    """A readable state from values of the layout variables (for counterexamples)."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(sym_state):
        out[f.name] = _decode(getattr(sym_state, f.name), values)
    return out


def _decode(v: Any, values: dict[Term, Any]) -> Any:
    if isinstance(v, SEnum):
        i = values.get(v.term)
        return v.values[i] if isinstance(i, int) and 0 <= i < len(v.values) else i
    if isinstance(v, Sym) and not isinstance(v, SSet):
        return values.get(v.term)
    if isinstance(v, tuple):
        return [_decode(x, values) for x in v]
    if isinstance(v, SSet):
        return [_json(u) for u, m in zip(v.universe, v.members, strict=True) if values.get(m)]
    if isinstance(v, SNet):
        return [
            {"message": _json(m), "count": values.get(c)}
            for m, c in zip(v.universe, v.counts, strict=True)
            if values.get(c)
        ]
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        return {f.name: _decode(getattr(v, f.name), values) for f in dataclasses.fields(v)}
    return v


def _json(v: Any) -> Any:
    from quod.protocol.semantics import to_json

    return to_json(v)


__all__ = ["SBool", "SEnum", "SInt", "SNet", "SSet", "SymbolicModel", "translate"]
