"""Runtime monitors compiled from a protocol model.

A log is a stream of events (JSON lines by default; a parser hook turns any
other line format into events). Each event names an action of the model and
gives its parameters, e.g.

    {"seq": 17, "txn": "t-42", "action": "rm_prepare", "i": 1}

Events are partitioned by a key field (one protocol instance per key),
ordered by an order field within a bounded window (logs from several
machines interleave slightly out of order), and replayed against the model:
an event whose action is not enabled in any state the instance can be in, or
after which an invariant fails, is a violation, reported with the offending
log lines. Choices the log does not pin down (`choose` inside an action) are
tracked as a set of possible states. At the end of the stream, instances
still in a hot state or still waiting for an `@eventually` property are
reported as pending.
"""

from __future__ import annotations

import dataclasses
import heapq
import importlib
import json
import typing
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from quod.core.errors import Span
from quod.protocol.dsl import ActionSpec, Node, Protocol, Range
from quod.protocol.errors import ProtocolError
from quod.protocol.semantics import ModelFailure, Semantics, show_state

Parser = Callable[[str], dict[str, Any] | None]


@dataclass
class MonitorConfig:
    event_field: str = "action"
    key_field: str | None = "key"
    order_field: str | None = None
    window: int = 0  # events buffered for reordering (needs order_field)
    context: int = 5  # earlier lines of the same key shown with a violation
    max_states: int = 1000  # possible states tracked per key
    ignore_unknown: bool = False  # skip events naming no action of the model
    skip_malformed: bool = False

    @staticmethod
    def from_json(path: str | Path) -> MonitorConfig:
        p = Path(path)
        try:
            raw = json.loads(p.read_text())
        except OSError as e:
            raise ProtocolError(
                f"cannot read monitor configuration: {e.strerror}", Span(str(p), 1, 1), code="Q0002"
            ) from e
        except json.JSONDecodeError as e:
            raise ProtocolError(
                f"configuration is not JSON: {e.msg}", Span(str(p), e.lineno, e.colno), code="Q0708"
            ) from e
        if not isinstance(raw, dict):
            raise ProtocolError(
                "$: the configuration must be a JSON object", Span(str(p), 1, 1), code="Q0708"
            )
        cfg = MonitorConfig()
        types = {f.name: f.type for f in dataclasses.fields(MonitorConfig)}
        for k, v in raw.items():
            if k not in types:
                raise ProtocolError(
                    f"$.{k}: unknown setting (known: {', '.join(types)})", Span(str(p), 1, 1), code="Q0708"
                )
            want = {"int": int, "bool": bool}.get(str(types[k]).split(" ")[0])
            if want is not None and (not isinstance(v, want) or (want is int and isinstance(v, bool))):
                raise ProtocolError(f"$.{k}: expected {want.__name__}", Span(str(p), 1, 1), code="Q0708")
            if want is None and v is not None and not isinstance(v, str):
                raise ProtocolError(f"$.{k}: expected a string or null", Span(str(p), 1, 1), code="Q0708")
            setattr(cfg, k, v)
        cfg.validate()
        return cfg

    def validate(self) -> None:
        if self.window < 0 or self.max_states < 1 or self.context < 0:
            raise ProtocolError("window and context must be >= 0, max_states >= 1", code="Q0708")
        if self.window > 0 and not self.order_field:
            raise ProtocolError("a reordering window needs order_field", code="Q0708")


@dataclass(frozen=True)
class LogLine:
    source: str
    line: int
    text: str

    def as_dict(self) -> dict[str, Any]:
        return {"location": f"{self.source}:{self.line}", "text": self.text}


@dataclass
class MonitorViolation:
    kind: str  # not-allowed | invariant | late | error
    key: Any
    message: str
    lines: list[LogLine]
    state: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "key": self.key,
            "message": self.message,
            "offending_line": self.lines[-1].as_dict() if self.lines else None,
            "context": [ln.as_dict() for ln in self.lines[:-1]],
            "state": self.state,
        }


@dataclass
class Pending:
    key: Any
    property: str
    kind: str  # hot | eventually
    last_line: LogLine | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "property": self.property,
            "kind": self.kind,
            "last_line": self.last_line.as_dict() if self.last_line else None,
        }


@dataclass
class MonitorReport:
    model: str
    events: int = 0
    keys: int = 0
    violations: list[MonitorViolation] = field(default_factory=list)
    pending: list[Pending] = field(default_factory=list)
    skipped: int = 0

    @property
    def ok(self) -> bool:
        return not self.violations

    def as_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "result": "ok" if self.ok else "violation",
            "events": self.events,
            "keys": self.keys,
            "skipped_lines": self.skipped,
            "violations": [v.as_dict() for v in self.violations],
            "pending": [p.as_dict() for p in self.pending],
        }


@dataclass
class _Instance:
    states: list[Any]
    history: deque[LogLine]
    failed: bool = False
    last_order: Any = None
    satisfied: set[str] = field(default_factory=set)  # eventually-properties that held


def json_parser(line: str) -> dict[str, Any] | None:
    """The default parser: one JSON object per line (blank lines skipped)."""
    if not line.strip():
        return None
    obj = json.loads(line)
    if not isinstance(obj, dict):
        raise ValueError("a log event must be a JSON object")
    return obj


def load_parser(spec: str) -> Parser:
    """`module:function` -> the function (a custom parser hook)."""
    mod, _, fn = spec.partition(":")
    if not mod or not fn:
        raise ProtocolError(f"parser must be given as module:function, got '{spec}'", code="Q0708")
    try:
        f = getattr(importlib.import_module(mod), fn)
    except (ImportError, AttributeError) as e:
        raise ProtocolError(f"cannot load parser '{spec}': {e}", code="Q0708") from e
    if not callable(f):
        raise ProtocolError(f"parser '{spec}' is not callable", code="Q0708")
    return typing.cast(Parser, f)


class Monitor:
    def __init__(
        self, proto: Protocol, config: MonitorConfig | None = None, parser: Parser | None = None
    ) -> None:
        self.cfg = config or MonitorConfig()
        self.cfg.validate()
        self.proto = proto
        self.sem = Semantics(proto)
        self.parser = parser or json_parser
        self.by_name = {a.name: (i, a) for i, a in enumerate(self.sem.actions)}
        self.hints = {
            a.name: typing.get_type_hints(a.fn, include_extras=True)
            for a in self.sem.actions
            if a.name != "drop"
        }
        self.instances: dict[Any, _Instance] = {}
        self.report = MonitorReport(proto.name)
        self._buffer: list[tuple[Any, int, LogLine, dict[str, Any]]] = []
        self._arrival = 0

    # --- input ------------------------------------------------------------------------
    def feed_lines(self, lines: Iterable[str], source: str) -> None:
        for n, text in enumerate(lines, 1):
            self.feed(text.rstrip("\n"), source, n)

    def feed(self, text: str, source: str, lineno: int) -> None:
        where = LogLine(source, lineno, text)
        try:
            event = self.parser(text)
        except Exception as e:
            if self.cfg.skip_malformed:
                self.report.skipped += 1
                return
            col = getattr(e, "colno", 1)
            raise ProtocolError(f"malformed log line: {e}", Span(source, lineno, col), code="Q0707") from e
        if event is None:
            self.report.skipped += 1
            return
        if self.cfg.window > 0:
            assert self.cfg.order_field is not None
            order = self._order(event, where)
            self._arrival += 1
            heapq.heappush(self._buffer, (order, self._arrival, where, event))
            if len(self._buffer) > self.cfg.window:
                _, _, w, ev = heapq.heappop(self._buffer)
                self._process(ev, w)
        else:
            self._process(event, where)

    def _order(self, event: dict[str, Any], where: LogLine) -> Any:
        v = event.get(self.cfg.order_field or "")
        if not isinstance(v, (int, float)) or isinstance(v, bool):
            raise ProtocolError(
                f"event lacks a numeric '{self.cfg.order_field}' field",
                Span(where.source, where.line, 1),
                code="Q0707",
            )
        return v

    def finish(self) -> MonitorReport:
        while self._buffer:
            _, _, w, ev = heapq.heappop(self._buffer)
            self._process(ev, w)
        for key, inst in self.instances.items():
            if inst.failed:
                continue
            last = inst.history[-1] if inst.history else None
            for p in self.sem.hot:
                if all(self.sem.holds(p, s) for s in inst.states):
                    self.report.pending.append(Pending(key, p.name, "hot", last))
            for p in self.sem.eventually:
                if p.name not in inst.satisfied:
                    self.report.pending.append(Pending(key, p.name, "eventually", last))
        self.report.keys = len(self.instances)
        return self.report

    # --- checking -------------------------------------------------------------------------
    def _instance(self, key: Any) -> _Instance:
        inst = self.instances.get(key)
        if inst is None:
            inst = _Instance(list(self.sem.inits), deque(maxlen=self.cfg.context + 1))
            self._note_eventually(inst)
            self.instances[key] = inst
        return inst

    def _process(self, event: dict[str, Any], where: LogLine) -> None:
        self.report.events += 1
        key = event.get(self.cfg.key_field) if self.cfg.key_field else None
        if isinstance(key, (list, dict)):
            key = json.dumps(key, sort_keys=True)
        inst = self._instance(key)
        inst.history.append(where)
        if inst.failed:
            return
        if self.cfg.order_field:
            o = self._order(event, where)
            if inst.last_order is not None and o < inst.last_order:
                self._violate(
                    inst,
                    "late",
                    key,
                    f"event arrived after the reordering window ({self.cfg.order_field}={o})",
                    None,
                )
                return
            inst.last_order = o
        name = event.get(self.cfg.event_field)
        if name not in self.by_name:
            if self.cfg.ignore_unknown:
                self.report.skipped += 1
                return
            known = ", ".join(self.by_name)
            raise ProtocolError(
                f"event names no action of the model: {self.cfg.event_field}={name!r} (actions: {known})",
                Span(where.source, where.line, 1),
                code="Q0707",
            )
        ai, spec = self.by_name[name]
        args = tuple(self._arg(spec, p, event, where) for p in spec.params)
        chosen = event.get("choices")
        nxt: list[Any] = []
        seen: set[Any] = set()
        try:
            for s in inst.states:
                for t in self.sem.fire(ai, s, args):
                    if chosen is not None and list(t.chosen) != chosen:
                        continue
                    if t.target not in seen:
                        seen.add(t.target)
                        nxt.append(t.target)
        except ModelFailure as e:
            self._violate(inst, "error", key, str(e), None)
            return
        if not nxt:
            text = f"{self.sem.label_of(ai, args)} is not allowed by the model here"
            self._violate(inst, "not-allowed", key, text, show_state(inst.states[0]))
            return
        if len(nxt) > self.cfg.max_states:
            raise ProtocolError(
                f"more than {self.cfg.max_states} possible states for key {key!r}: log events must pin down more choices",
                Span(where.source, where.line, 1),
                code="Q0708",
            )
        good = [s for s in nxt if self.sem.violated_invariant(s) is None]
        if not good:
            p = self.sem.violated_invariant(nxt[0])
            assert p is not None
            self._violate(
                inst, "invariant", key, f"invariant {p.name} is violated after this event", show_state(nxt[0])
            )
            return
        inst.states = good
        self._note_eventually(inst)

    def _note_eventually(self, inst: _Instance) -> None:
        for p in self.sem.eventually:
            if p.name not in inst.satisfied and all(self.sem.holds(p, s) for s in inst.states):
                inst.satisfied.add(p.name)

    def _violate(self, inst: _Instance, kind: str, key: Any, msg: str, state: dict[str, Any] | None) -> None:
        inst.failed = True
        self.report.violations.append(MonitorViolation(kind, key, msg, list(inst.history), state))

    def _arg(self, spec: ActionSpec, p: str, event: dict[str, Any], where: LogLine) -> Any:
        span = Span(where.source, where.line, 1)
        if p not in event:
            raise ProtocolError(f"event for {spec.name} lacks parameter '{p}'", span, code="Q0707")
        return self._value(self.hints.get(spec.name, {}).get(p), event[p], f"$.{p}", span)

    def _value(self, tp: Any, raw: Any, path: str, span: Span) -> Any:
        def bad(what: str) -> ProtocolError:
            return ProtocolError(f"{path}: expected {what}, got {raw!r}", span, code="Q0707")

        if tp is None:
            return raw
        if tp is Node or tp is int:
            if not isinstance(raw, int) or isinstance(raw, bool):
                raise bad("an integer")
            if tp is Node and raw not in self.proto.nodes:
                raise bad(f"a node id in {self.proto.nodes}")
            return raw
        if tp is bool:
            if not isinstance(raw, bool):
                raise bad("true or false")
            return raw
        origin = typing.get_origin(tp)
        if origin is typing.Literal:
            if raw not in typing.get_args(tp):
                raise bad("one of " + ", ".join(map(repr, typing.get_args(tp))))
            return raw
        if origin is typing.Annotated:
            meta = [m for m in tp.__metadata__ if isinstance(m, Range)]
            v = self._value(typing.get_args(tp)[0], raw, path, span)
            if meta and v not in meta[0].values():
                raise bad(f"an integer in [{meta[0].lo}, {meta[0].hi}]")
            return v
        if isinstance(tp, type) and dataclasses.is_dataclass(tp):
            if not isinstance(raw, dict):
                raise bad(f"a {tp.__name__} object")
            if raw.get("type", tp.__name__) != tp.__name__:
                raise bad(f"a {tp.__name__} object")
            hints = typing.get_type_hints(tp, include_extras=True)
            kw = {}
            for f in dataclasses.fields(tp):
                if f.name not in raw:
                    raise ProtocolError(f"{path}.{f.name}: missing", span, code="Q0707")
                kw[f.name] = self._value(hints[f.name], raw[f.name], f"{path}.{f.name}", span)
            return tp(**kw)
        return raw


def monitor_files(
    proto: Protocol,
    paths: Iterable[str | Path],
    config: MonitorConfig | None = None,
    parser: Parser | None = None,
) -> MonitorReport:
    m = Monitor(proto, config, parser)
    for path in paths:
        p = Path(path)
        try:
            with p.open(encoding="utf-8") as fh:
                m.feed_lines(fh, str(p))
        except OSError as e:
            raise ProtocolError(f"cannot read log: {e.strerror}", Span(str(p), 1, 1), code="Q0002") from e
    return m.finish()


__all__ = [
    "LogLine",
    "Monitor",
    "MonitorConfig",
    "MonitorReport",
    "MonitorViolation",
    "Pending",
    "json_parser",
    "load_parser",
    "monitor_files",
]
