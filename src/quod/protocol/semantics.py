"""Concrete semantics of a model: initial states, successors, property checks.

Nondeterminism inside an action (`choose`, a duplicating network's
`deliver`) is enumerated by re-execution: the action runs once per sequence
of choices, depth first, each run replaying a prefix of earlier decisions.
Actions are pure functions of the state, so replay is exact.
"""

from __future__ import annotations

import dataclasses
import itertools
import traceback
import typing
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from quod.core.errors import Span
from quod.protocol.dsl import (
    ActionSpec,
    Disabled,
    Network,
    PropertySpec,
    Protocol,
    label,
    pop_driver,
    push_driver,
)
from quod.protocol.errors import ProtocolError, model_error


class Replay:
    """A chooser that follows `prefix` and then takes first options, recording the trail."""

    __slots__ = ("chosen", "prefix", "trail")

    def __init__(self, prefix: Sequence[int] = ()) -> None:
        self.prefix = prefix
        self.trail: list[tuple[int, int]] = []
        self.chosen: list[Any] = []

    def choose(self, options: Sequence[Any]) -> Any:
        k = len(self.trail)
        i = self.prefix[k] if k < len(self.prefix) else 0
        if i >= len(options):
            raise model_error("an action made different choices when re-executed (actions must be pure)")
        self.trail.append((i, len(options)))
        v = options[i]
        self.chosen.append(v)
        return v

    def branch(self, cond: Any) -> bool:
        return bool(cond)


def all_runs(fn: Callable[[], Any]) -> Iterator[tuple[Any, tuple[Any, ...], tuple[int, ...]]]:
    """(result, chosen values, decision indices) for every sequence of choices;
    result is None when the run was disabled."""
    prefix: list[int] = []
    while True:
        d = Replay(prefix)
        push_driver(d)
        try:
            result = fn()
        except Disabled:
            result = None
        finally:
            pop_driver()
        yield result, tuple(d.chosen), tuple(i for i, _ in d.trail)
        trail = d.trail
        while trail and trail[-1][0] + 1 >= trail[-1][1]:
            trail.pop()
        if not trail:
            return
        prefix = [i for i, _ in trail[:-1]] + [trail[-1][0] + 1]


@dataclass(frozen=True, slots=True)
class Transition:
    action: int  # index into Semantics.actions
    args: tuple[Any, ...]
    chosen: tuple[Any, ...]
    target: Any

    def instance(self) -> tuple[int, tuple[Any, ...]]:
        """The action instance (action and parameters) that weak fairness is about."""
        return (self.action, self.args)


class ModelFailure(Exception):
    """User code raised an exception while evaluating an action or property."""

    def __init__(self, what: str, exc: BaseException, span: Span | None) -> None:
        super().__init__(f"{what} raised {type(exc).__name__}: {exc}")
        self.what = what
        self.span = span


def user_span(exc: BaseException, files: set[str]) -> Span | None:
    """Location of the innermost traceback frame inside the model's files."""
    found: Span | None = None
    for fr in traceback.extract_tb(exc.__traceback__):
        if fr.filename in files:
            found = Span(fr.filename, fr.lineno or 0, 1)
    return found


def _drop(proto: Protocol, s: Any, m: Any) -> Any:
    for f in dataclasses.fields(s):
        v = getattr(s, f.name)
        if isinstance(v, Network) and v.lossy and m in v:
            return dataclasses.replace(s, **{f.name: v.remove(m)})
    return None


def _drop_domain(proto: Protocol, s: Any) -> list[Any]:
    out: list[Any] = []
    for f in dataclasses.fields(s):
        v = getattr(s, f.name)
        if isinstance(v, Network) and v.lossy:
            out.extend(v.messages())
    return out


DROP = ActionSpec("drop", _drop, False, {"m": _drop_domain}, ("m",))


class Semantics:
    """Successors and property checks of one protocol instance."""

    def __init__(self, proto: Protocol) -> None:
        self.proto = proto
        self.actions: list[ActionSpec] = proto.actions()
        if not self.actions:
            raise model_error(f"{proto.name} defines no @action")
        self.invariants = proto.properties("invariant")
        self.eventually = proto.properties("eventually")
        self.hot = proto.properties("hot")
        self.constraints = proto.properties("constraint")
        self.inits = proto.init_states()
        self.state_type = type(self.inits[0])
        if any(type(s) is not self.state_type for s in self.inits):
            raise model_error("all initial states must have the same dataclass type")
        if any(isinstance(getattr(s, f.name), Network) and getattr(s, f.name).lossy
               for s in self.inits for f in dataclasses.fields(s)):  # fmt: skip
            self.actions.append(DROP)
        self.files = {_source_file(type(proto))}
        self._static = [self._static_domains(a) for a in self.actions]

    def _static_domains(self, spec: ActionSpec) -> list[list[Any] | None]:
        """Domains that do not depend on the state (None: computed per state)."""
        hints = typing.get_type_hints(spec.fn, include_extras=True) if spec is not DROP else {}
        out: list[list[Any] | None] = []
        for p in spec.params:
            if p in spec.domains:
                d = spec.domains[p]
                out.append(None if callable(d) else list(d))
            elif p in hints and not (isinstance(hints[p], type) and dataclasses.is_dataclass(hints[p])):
                out.append(self.proto.values_of(hints[p], None, f"action {spec.name}, parameter '{p}'"))
            else:
                out.append(None)
        return out

    def domains(self, ai: int, s: Any) -> list[list[Any]]:
        spec = self.actions[ai]
        return [
            d if d is not None else self.proto.domain(spec, p, s)
            for d, p in zip(self._static[ai], spec.params, strict=True)
        ]

    def successors(self, s: Any) -> list[Transition]:
        out: list[Transition] = []
        for ai in range(len(self.actions)):
            for args in itertools.product(*self.domains(ai, s)):
                out.extend(self.fire(ai, s, args))
        return out

    def fire(self, ai: int, s: Any, args: tuple[Any, ...]) -> list[Transition]:
        spec = self.actions[ai]
        out = []
        try:
            for result, chosen, _ in all_runs(lambda: spec.fn(self.proto, s, *args)):
                if result is None:
                    continue
                if type(result) is not self.state_type:
                    raise model_error(
                        f"action {spec.name} returned {type(result).__name__}, expected {self.state_type.__name__} or None"
                    )
                out.append(Transition(ai, args, chosen, result))
        except (ProtocolError, RecursionError):
            raise
        except Exception as e:
            what = label(spec.name, dict(zip(spec.params, args, strict=True)), ())
            raise ModelFailure(f"action {what}", e, user_span(e, self.files)) from e
        return out

    def label_of(self, ai: int, args: tuple[Any, ...]) -> str:
        spec = self.actions[ai]
        return label(spec.name, dict(zip(spec.params, args, strict=True)), ())

    def label(self, t: Transition) -> str:
        spec = self.actions[t.action]
        return label(spec.name, dict(zip(spec.params, t.args, strict=True)), t.chosen)

    def holds(self, prop: PropertySpec, s: Any) -> bool:
        try:
            r = prop.fn(self.proto, s)
            if not isinstance(r, bool):
                raise TypeError(f"{prop.kind} {prop.name} returned {type(r).__name__} {r!r}, not a bool")
            return r
        except ProtocolError:
            raise
        except Exception as e:
            raise ModelFailure(f"{prop.kind} {prop.name}", e, user_span(e, self.files)) from e

    def violated_invariant(self, s: Any) -> PropertySpec | None:
        for p in self.invariants:
            if not self.holds(p, s):
                return p
        return None

    def in_constraint(self, s: Any) -> bool:
        return all(self.holds(c, s) for c in self.constraints)

    def find(self, s: Any, text: str) -> Transition | None:
        """The successor of `s` whose label is `text` (for replaying traces and schedules)."""
        for t in self.successors(s):
            if self.label(t) == text:
                return t
        return None


def _source_file(cls: type) -> str:
    import inspect

    try:
        return inspect.getfile(cls)
    except (TypeError, OSError):
        return "<model>"


def show_state(s: Any) -> dict[str, Any]:
    """A JSON-friendly view of a state."""
    return {f.name: to_json(getattr(s, f.name)) for f in dataclasses.fields(s)}


def to_json(v: Any) -> Any:
    if v is None or isinstance(v, (bool, int, str, float)):
        return v
    if isinstance(v, tuple):
        return [to_json(x) for x in v]
    if isinstance(v, frozenset):
        from quod.protocol.dsl import canon

        return [to_json(x) for x in sorted(v, key=lambda x: repr(canon(x)))]
    if isinstance(v, Network):
        return [{"message": to_json(m), "count": c} for m, c in v.items()]
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        return {
            "type": type(v).__name__,
            **{f.name: to_json(getattr(v, f.name)) for f in dataclasses.fields(v)},
        }
    return repr(v)


__all__ = ["DROP", "ModelFailure", "Replay", "Semantics", "Transition", "all_runs", "show_state", "to_json"]
