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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from quod.core import builder as B
from quod.core.sorts import BOOL, INT
from quod.core.terms import FALSE, TRUE, Term
from quod.protocol.dsl import Disabled, Network, Protocol, pop_driver, push_driver
from quod.protocol.errors import ProtocolError
from quod.protocol.semantics import DROP, Semantics, user_span
from quod.protocol.shape import Shape, shape_of
from quod.protocol.symvalues import (
    ERROR,
    OutOfRange,
    SBool,
    SEnum,
    SInt,
    SNet,
    SSet,
    Sym,
    as_set,
    as_term,
    enum_term,
    t_and,
    t_eq,
    t_not,
    t_or,
    unsupported,
)

MAX_PATHS = 20000
MAX_UNIVERSE = 4096


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
            return [enum_term(sh.values, value)]
        if k == "tuple":
            assert sh.elem is not None
            if not isinstance(value, tuple) or len(value) != len(template):
                raise unsupported(f"{where}: tuples must keep their length (got {value!r})")
            return [
                t for x, y in zip(value, template, strict=True) for t in self.flatten(x, y, sh.elem, where)
            ]
        if k == "set":
            return as_set(value, template.universe).members
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
