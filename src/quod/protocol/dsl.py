"""The protocol modelling language: plain Python with a few helpers.

A model is a subclass of `Protocol`. Its state is a frozen dataclass; its
actions are methods `(self, s, *params) -> State | None` marked `@action`
that return the successor state or `None` (or call `require`) when disabled.
Parameters of actions range over domains read from their annotations (`Node`,
`bool`, `Literal[...]`, a message class) or given to `@action(name=...)`.
Inside an action, `choose(options)` is a nondeterministic choice: every
option is explored.

The same code runs on concrete states (search, simulation, monitors) and on
symbolic states (proofs). For compact symbolic translations, properties can
combine conditions with `forall`, `exists`, `implies`, `neg` and `ite`
instead of Python's `and`/`or`/`if` (which are still correct, but make the
translation split into one path per outcome).
"""

from __future__ import annotations

import dataclasses
import inspect
import typing
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Annotated, Any, ClassVar, Generic, NewType, TypeVar

from quod.protocol.errors import model_error

Node = NewType("Node", int)
"""A node id: an int in `range(N)`; node ids are what symmetry permutes."""

T = TypeVar("T")
M = TypeVar("M")


class _PerNode:
    def __repr__(self) -> str:
        return "per-node"


PER_NODE = _PerNode()
NodeMap = Annotated[tuple[T, ...], PER_NODE]
"""A tuple with one entry per node, indexed by node id."""
NodeSet = frozenset[Node]


@dataclasses.dataclass(frozen=True)
class Range:
    """`Annotated[int, Range(lo, hi)]`: an int field or parameter in [lo, hi]."""

    lo: int
    hi: int

    def values(self) -> range:
        return range(self.lo, self.hi + 1)


# --- nondeterminism and guards ----------------------------------------------


class Disabled(Exception):
    """Raised by `require` when an action's guard is false."""


class Chooser(typing.Protocol):
    def choose(self, options: Sequence[Any]) -> Any: ...

    def branch(self, cond: Any) -> bool: ...


_driver: list[Chooser] = []


def current_driver() -> Chooser | None:
    return _driver[-1] if _driver else None


def push_driver(d: Chooser) -> None:
    _driver.append(d)


def pop_driver() -> None:
    _driver.pop()


def require(cond: Any) -> None:
    """Guard: the action is disabled unless `cond` holds."""
    if not cond:
        raise Disabled


def choose(options: Iterable[T]) -> T:
    """A nondeterministic choice among `options` (none: the action is disabled)."""
    d = current_driver()
    if d is None:
        raise model_error("choose() may only be called inside an action")
    if hasattr(options, "symbolic_choose"):
        return typing.cast(T, options.symbolic_choose(d))
    opts = list(options)
    if not opts:
        raise Disabled
    return typing.cast(T, d.choose(opts))


def update(t: tuple[T, ...], i: int, value: T) -> tuple[T, ...]:
    """`t` with entry `i` replaced by `value`."""
    i = int(i.__index__())
    return (*t[:i], value, *t[i + 1 :])


# Logical helpers: plain Python on concrete values; symbolic values override
# them through the `__quod_*__` hooks so a proof does not split paths.


def truth(x: Any) -> bool:
    """`x` as a bool; anything but a bool is a model error (e.g. `~flag` is the int -2)."""
    if isinstance(x, bool):
        return x
    raise model_error(
        f"expected a bool, got {type(x).__name__} {x!r} (use neg(x) or `not x`, never ~x, on bools)"
    )


def neg(a: Any) -> Any:
    if hasattr(a, "__quod_not__"):
        return a.__quod_not__()
    return not truth(a)


def implies(a: Any, b: Any) -> Any:
    if hasattr(a, "__quod_implies__"):
        return a.__quod_implies__(b)
    if hasattr(b, "__quod_rimplies__"):
        return b.__quod_rimplies__(a)
    return (not truth(a)) or truth(b)


def _fold(items: Iterable[Any], conj: bool) -> Any:
    sym: list[Any] = []
    for x in items:
        if hasattr(x, "__quod_term__"):
            sym.append(x)
        elif truth(x) is not conj:
            return not conj
    if not sym:
        return conj
    return sym[0].__quod_fold__(sym, conj)


def forall(items: Iterable[Any]) -> Any:
    """All of `items` hold (like `all`, without path splitting on symbolic values)."""
    return _fold(items, True)


def exists(items: Iterable[Any]) -> Any:
    """Some of `items` holds (like `any`, without path splitting)."""
    return _fold(items, False)


def ite(cond: Any, a: Any, b: Any) -> Any:
    """`a if cond else b`, without path splitting on symbolic conditions."""
    if hasattr(cond, "__quod_ite__"):
        return cond.__quod_ite__(a, b)
    return a if truth(cond) else b


def member(x: Any, s: Any) -> Any:
    """`x in s`, without path splitting when `s` is symbolic."""
    if hasattr(s, "has"):
        return s.has(x)
    return x in s


def count(items: Iterable[Any]) -> Any:
    """How many of `items` hold (a symbolic sum when some are symbolic)."""
    xs = list(items)
    sym = [x for x in xs if hasattr(x, "__quod_count__")]
    if sym:
        return sym[0].__quod_count__(xs)
    return sum(1 for x in xs if x)


def card(s: Any) -> Any:
    """Number of elements of a set (symbolic sets give a symbolic count)."""
    if hasattr(s, "__quod_card__"):
        return s.__quod_card__()
    return len(s)


# --- the network --------------------------------------------------------------


class Network(Generic[M]):
    """An immutable multiset of in-flight messages.

    Any message may be delivered next (reordering). With `duplicate`, a
    delivered message may stay in flight (so it can be delivered again);
    with `lossy`, the environment may drop any message at any time.
    """

    __slots__ = ("_counts", "_hash", "duplicate", "lossy")

    def __init__(self, messages: Iterable[M] = (), *, duplicate: bool = False, lossy: bool = False) -> None:
        counts: dict[M, int] = {}
        for m in messages:
            counts[m] = counts.get(m, 0) + 1
        self._counts = counts
        self.duplicate = duplicate
        self.lossy = lossy
        self._hash = hash((frozenset(counts.items()), duplicate, lossy))

    @classmethod
    def _of(cls, counts: dict[M, int], like: Network[M]) -> Network[M]:
        n: Network[M] = cls.__new__(cls)
        n._counts = counts
        n.duplicate = like.duplicate
        n.lossy = like.lossy
        n._hash = hash((frozenset(counts.items()), like.duplicate, like.lossy))
        return n

    def send(self, *messages: M) -> Network[M]:
        counts = dict(self._counts)
        for m in messages:
            counts[m] = counts.get(m, 0) + 1
        return Network._of(counts, self)

    def remove(self, m: M) -> Network[M]:
        """One copy of `m` fewer (the action is disabled if `m` is not in flight)."""
        c = self._counts.get(m, 0)
        if c <= 0:
            raise Disabled
        counts = dict(self._counts)
        if c == 1:
            del counts[m]
        else:
            counts[m] = c - 1
        return Network._of(counts, self)

    def deliver(self, m: M) -> Network[M]:
        """The network after delivering `m`: removed, or (with duplication) possibly kept."""
        if self.duplicate and choose((False, True)):
            if self._counts.get(m, 0) <= 0:
                raise Disabled
            return self
        return self.remove(m)

    def count(self, m: M) -> int:
        return self._counts.get(m, 0)

    def has(self, m: M) -> bool:
        """`m` is in flight (like `m in net`, without path splitting in proofs)."""
        return self._counts.get(m, 0) > 0

    def messages(self, kind: type | None = None) -> list[M]:
        """Distinct messages in flight (of class `kind`), in a deterministic order."""
        ms = [m for m in self._counts if kind is None or isinstance(m, kind)]
        ms.sort(key=canon)
        return ms

    def items(self) -> list[tuple[M, int]]:
        return [(m, self._counts[m]) for m in self.messages()]

    def size(self) -> int:
        return sum(self._counts.values())

    def __contains__(self, m: object) -> bool:
        return self._counts.get(m, 0) > 0  # type: ignore[call-overload,arg-type]

    def __iter__(self) -> Iterator[M]:
        return iter(self.messages())

    def __len__(self) -> int:
        return self.size()

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Network)
            and self._hash == other._hash
            and self._counts == other._counts
            and self.duplicate == other.duplicate
            and self.lossy == other.lossy
        )

    def __hash__(self) -> int:
        return self._hash

    def __repr__(self) -> str:
        parts = [f"{m!r}" + (f" x{c}" if c > 1 else "") for m, c in self.items()]
        return "Network{" + ", ".join(parts) + "}"


_FIELD_NAMES: dict[type, tuple[str, ...] | None] = {}


def _field_names(t: type) -> tuple[str, ...] | None:
    names = _FIELD_NAMES.get(t, ())
    if names == ():
        names = tuple(f.name for f in dataclasses.fields(t)) if dataclasses.is_dataclass(t) else None
        _FIELD_NAMES[t] = names
    return names


def canon(v: Any) -> Any:
    """A hashable, totally ordered encoding of a state value (sets sorted)."""
    t = type(v)
    if t is int or t is str or t is bool or v is None:
        return v
    if t is tuple:
        return tuple([canon(x) for x in v])
    if t is frozenset:
        return ("{}", *_sorted([canon(x) for x in v]))
    if t is Network:
        return ("net", *_sorted([(canon(m), c) for m, c in v._counts.items()]))
    names = _field_names(t)
    if names is not None:
        return (t.__name__, *[canon(getattr(v, n)) for n in names])
    if isinstance(v, (int, str)):
        return v
    raise model_error(
        f"state values of type {t.__name__} are not supported (use tuples, frozensets, dataclasses)"
    )


def _sorted(xs: list[Any]) -> list[Any]:
    try:
        xs.sort()
    except TypeError:  # mixed kinds (e.g. None next to ints): fall back to a total order
        xs.sort(key=_order)
    return xs


def _order(x: Any) -> Any:
    # None < numbers < strings < tuples; makes mixed encodings comparable
    if x is None:
        return (0,)
    if isinstance(x, (bool, int)):
        return (1, x)
    if isinstance(x, str):
        return (2, x)
    return (3, tuple(_order(y) for y in x))


# --- declarations ----------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ActionSpec:
    name: str
    fn: Callable[..., Any]
    fair: bool
    domains: dict[str, Any]
    params: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class PropertySpec:
    name: str
    fn: Callable[..., Any]
    kind: str  # invariant | eventually | hot | constraint


def action(fn: Callable[..., Any] | None = None, *, fair: bool = True, **domains: Any) -> Any:
    """Mark a method as an action. `fair=False` exempts it from weak fairness;
    keyword arguments give parameter domains (an iterable, or a function of
    (self, s) returning one)."""

    def mark(f: Callable[..., Any]) -> Callable[..., Any]:
        f.__quod_action__ = (fair, domains)  # type: ignore[attr-defined]
        return f

    return mark(fn) if fn is not None else mark


def _prop(kind: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def mark(f: Callable[..., Any]) -> Callable[..., Any]:
        f.__quod_property__ = kind  # type: ignore[attr-defined]
        return f

    return mark


invariant = _prop("invariant")
"""Safety property: holds in every reachable state."""
eventually = _prop("eventually")
"""Liveness: every weakly fair behaviour reaches a state where it holds."""
hot = _prop("hot")
"""Liveness: no weakly fair behaviour stays in states where it holds forever."""
constraint = _prop("constraint")
"""State constraint: states where it is false are checked but not expanded (bounded search)."""


class Params(dict[str, Any]):
    """Model parameters and their defaults: `params = Params(N=3)` (read-only)."""

    def __setitem__(self, key: str, value: Any) -> None:
        raise TypeError("model parameters are read-only; override them with Model(N=...)")

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(sorted(self.items())))


class Protocol:
    """Base class of protocol models. Subclasses set `params` and define
    `init`, `@action` methods and properties."""

    params: ClassVar[dict[str, Any]] = Params()
    symmetric: ClassVar[bool] = False
    """True when node ids are interchangeable (enables symmetry reduction)."""

    def __init__(self, **overrides: Any) -> None:
        for k in overrides:
            if k not in self.params:
                from quod.protocol.errors import ProtocolError

                known = ", ".join(self.params) or "none"
                raise ProtocolError(f"unknown parameter '{k}' (known: {known})", code="Q0710")
        for k, v in overrides.items():
            default = self.params[k]
            if isinstance(default, (bool, int, str)) and type(v) is not type(default):
                from quod.protocol.errors import ProtocolError

                raise ProtocolError(
                    f"parameter {k} must be a {type(default).__name__} like its default {default!r}, got {v!r}",
                    code="Q0710",
                )
        self.param_values: dict[str, Any] = {**self.params, **overrides}
        for k, v in self.param_values.items():
            setattr(self, k, v)

    @property
    def nodes(self) -> range:
        n = self.param_values.get("N")
        if not isinstance(n, int):
            raise model_error("the model has no integer parameter N; define `nodes`")
        return range(n)

    def init(self) -> Any:
        raise model_error(f"{type(self).__name__} does not define init()")

    @property
    def name(self) -> str:
        return type(self).__name__

    # discovered declarations, in definition order ------------------------
    @classmethod
    def actions(cls) -> list[ActionSpec]:
        out: list[ActionSpec] = []
        for name, f in _members(cls):
            mark = getattr(f, "__quod_action__", None)
            if mark is None:
                continue
            sig = inspect.signature(f)
            params = tuple(list(sig.parameters)[2:])
            out.append(ActionSpec(name, f, mark[0], dict(mark[1]), params))
        return out

    @classmethod
    def properties(cls, kind: str | None = None) -> list[PropertySpec]:
        out = []
        for name, f in _members(cls):
            k = getattr(f, "__quod_property__", None)
            if k is not None and (kind is None or k == kind):
                out.append(PropertySpec(name, f, k))
        return out

    def init_states(self) -> list[Any]:
        r = self.init()
        states = list(r) if isinstance(r, (list, tuple, Iterator)) or inspect.isgenerator(r) else [r]
        if not states:
            raise model_error(f"{self.name}.init() produced no state")
        for s in states:
            params: Any = vars(type(s)).get("__dataclass_params__")
            if not (dataclasses.is_dataclass(s) and params is not None and params.frozen):
                raise model_error(
                    f"{self.name}.init() must return frozen dataclass states, got {type(s).__name__}"
                )
        return states

    def domain(self, spec: ActionSpec, pname: str, s: Any) -> list[Any]:
        """The values parameter `pname` of action `spec` ranges over in state `s`."""
        if pname in spec.domains:
            d = spec.domains[pname]
            if callable(d):
                d = d(self, s)
            return list(d)
        hints = typing.get_type_hints(spec.fn, include_extras=True)
        if pname not in hints:
            raise model_error(f"action {spec.name}: parameter '{pname}' needs an annotation or a domain")
        return self.values_of(hints[pname], s, f"action {spec.name}, parameter '{pname}'")

    def values_of(self, tp: Any, s: Any, where: str) -> list[Any]:
        if tp is Node:
            return list(self.nodes)
        if tp is bool:
            return [False, True]
        origin = typing.get_origin(tp)
        if origin is typing.Literal:
            return list(typing.get_args(tp))
        if origin is Annotated:
            meta = [m for m in tp.__metadata__ if isinstance(m, Range)]
            if meta:
                return list(meta[0].values())
        if isinstance(tp, type) and dataclasses.is_dataclass(tp):
            nets = [getattr(s, f.name) for f in dataclasses.fields(s) if _is_network(getattr(s, f.name))]
            if len(nets) != 1:
                raise model_error(f"{where}: message parameters need exactly one Network field in the state")
            msgs: list[Any] = nets[0].messages(tp)
            return msgs
        raise model_error(f"{where}: cannot enumerate values of {tp!r}; give a domain")


def _is_network(v: Any) -> bool:
    return isinstance(v, Network) or hasattr(v, "__quod_network__")


def _members(cls: type) -> list[tuple[str, Any]]:
    seen: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        for name, f in vars(klass).items():
            seen[name] = f
    return [(n, f) for n, f in seen.items() if callable(f)]


def label(spec_name: str, params: dict[str, Any], chosen: Sequence[Any]) -> str:
    """Human-readable name of one transition, e.g. `prepare(i=1)` or `recv(m=Vote(..)) [True]`."""
    inner = ", ".join(f"{k}={v!r}" for k, v in params.items())
    text = f"{spec_name}({inner})"
    if chosen:
        text += " [" + ", ".join(repr(c) for c in chosen) + "]"
    return text


__all__ = [
    "PER_NODE",
    "Params",
    "ActionSpec",
    "Disabled",
    "Network",
    "Node",
    "NodeMap",
    "NodeSet",
    "PropertySpec",
    "Protocol",
    "Range",
    "action",
    "canon",
    "card",
    "choose",
    "constraint",
    "count",
    "eventually",
    "exists",
    "forall",
    "hot",
    "implies",
    "invariant",
    "ite",
    "label",
    "member",
    "neg",
    "require",
    "update",
]
