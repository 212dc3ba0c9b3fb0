"""Random and PCT-style simulation, with seeds and replayable schedule files.

For state spaces too large to enumerate. A run starts in an initial state and
takes enabled transitions until a property fails, nothing is enabled, or the
step budget is used up. Two schedulers:

* `random`: each step picks uniformly among enabled transitions;
* `pct`: probabilistic concurrency testing (Burckhardt et al., ASPLOS 2010)
  adapted to protocols: every process (the first node-id parameter of an
  action, else the action itself) gets a random priority; each step runs a
  transition of the highest-priority process that has one enabled; at d-1
  random change points the running process drops to the lowest priority.
  Bugs that need a few ordering constraints (depth d) are found with a
  probability that random walks do not give.

Every run is determined by (model, parameters, seed, scheduler); a schedule
file records the labels of the transitions taken, and `replay` follows it
again step by step (and fails clearly if the model no longer allows a step).
"""

from __future__ import annotations

import json
import random
import time
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from quod.core.errors import Span
from quod.protocol.dsl import Node, Protocol
from quod.protocol.errors import ProtocolError
from quod.protocol.explore import Step, Violation
from quod.protocol.semantics import ModelFailure, Semantics, Transition, show_state


@dataclass
class SimOptions:
    runs: int = 100
    max_steps: int = 200
    seed: int = 0
    scheduler: str = "random"  # random | pct
    pct_depth: int = 3
    progress: Callable[[int, int], None] | None = None


@dataclass
class SimResult:
    model: str
    params: dict[str, Any]
    scheduler: str
    seed: int
    runs: int = 0
    steps: int = 0
    seconds: float = 0.0
    violations: list[Violation] = field(default_factory=list)
    schedule: dict[str, Any] | None = None  # of the first failing run
    distinct_states: int = 0
    trace: list[Step] = field(default_factory=list)  # replay: the states followed

    @property
    def ok(self) -> bool:
        return not self.violations

    def as_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "params": self.params,
            "result": "ok" if self.ok else "violation",
            "scheduler": self.scheduler,
            "seed": self.seed,
            "statistics": {
                "runs": self.runs,
                "steps": self.steps,
                "distinct_states_seen": self.distinct_states,
                "seconds": round(self.seconds, 3),
                "steps_per_second": round(self.steps / self.seconds, 1) if self.seconds > 0 else 0.0,
            },
            "violations": [v.as_dict() for v in self.violations],
            "schedule": self.schedule,
        }


class _Pct:
    def __init__(self, rng: random.Random, depth: int, max_steps: int) -> None:
        self.rng = rng
        self.prio: dict[Any, float] = {}
        self.change_points = sorted(rng.sample(range(1, max_steps + 1), min(max(depth - 1, 0), max_steps)))
        self.lowered = 0

    def pick(self, sem: Semantics, step: int, ts: list[Transition]) -> Transition:
        groups: dict[Any, list[Transition]] = {}
        for t in ts:
            groups.setdefault(_process(sem, t), []).append(t)
        for p in groups:
            if p not in self.prio:
                self.prio[p] = self.rng.random() + 1.0  # initial priorities above every lowered one
        best = max(groups, key=lambda p: self.prio[p])
        if self.change_points and step == self.change_points[0]:
            self.change_points.pop(0)
            self.lowered += 1
            self.prio[best] = -float(self.lowered)  # d-1 change points: lowest priority
            best = max(groups, key=lambda p: self.prio[p])
        return self.rng.choice(groups[best])


_node_params: dict[Any, list[bool]] = {}


def _process(sem: Semantics, t: Transition) -> Any:
    spec = sem.actions[t.action]
    flags = _node_params.get(spec.fn)
    if flags is None:
        hints = typing.get_type_hints(spec.fn, include_extras=True) if spec.name != "drop" else {}
        flags = [hints.get(p) is Node for p in spec.params]
        _node_params[spec.fn] = flags
    for is_node, a in zip(flags, t.args, strict=True):
        if is_node:
            return ("node", a)
    return ("action", spec.name)


def simulate(proto: Protocol, options: SimOptions | None = None) -> SimResult:
    opts = options or SimOptions()
    if opts.scheduler not in ("random", "pct"):
        raise ProtocolError(f"unknown scheduler '{opts.scheduler}' (random, pct)", code="Q0710")
    sem = Semantics(proto)
    res = SimResult(proto.name, dict(proto.param_values), opts.scheduler, opts.seed)
    seen: set[Any] = set()
    start = time.perf_counter()
    for run in range(opts.runs):
        rng = random.Random(f"{opts.seed}:{run}")
        pct = _Pct(rng, opts.pct_depth, opts.max_steps) if opts.scheduler == "pct" else None
        v, labels, init_index, n = _one_run(sem, rng, pct, opts.max_steps, seen)
        res.runs += 1
        res.steps += n
        if opts.progress is not None:
            opts.progress(run + 1, res.steps)
        if v is not None:
            res.violations.append(v)
            res.schedule = schedule_doc(proto, opts, run, init_index, labels)
            break
    res.seconds = time.perf_counter() - start
    res.distinct_states = len(seen)
    return res


def _one_run(
    sem: Semantics, rng: random.Random, pct: _Pct | None, max_steps: int, seen: set[Any]
) -> tuple[Violation | None, list[str], int, int]:
    init_index = rng.randrange(len(sem.inits))
    s = sem.inits[init_index]
    trace = [Step("init", show_state(s))]
    labels: list[str] = []
    seen.add(s)
    v = _check(sem, s, trace)
    if v is not None:
        return v, labels, init_index, 0
    for step in range(1, max_steps + 1):
        if not sem.in_constraint(s):
            break
        try:
            ts = sem.successors(s)
        except ModelFailure as e:
            return Violation("error", e.what, str(e), trace, span=e.span), labels, init_index, step - 1
        if not ts:
            break
        t = pct.pick(sem, step, ts) if pct is not None else rng.choice(ts)
        s = t.target
        lab = sem.label(t)
        labels.append(lab)
        trace.append(Step(lab, show_state(s)))
        seen.add(s)
        v = _check(sem, s, trace)
        if v is not None:
            return v, labels, init_index, step
    return None, labels, init_index, len(labels)


def _check(sem: Semantics, s: Any, trace: list[Step]) -> Violation | None:
    try:
        p = sem.violated_invariant(s)
    except ModelFailure as e:
        return Violation("error", e.what, str(e), list(trace), span=e.span)
    if p is None:
        return None
    return Violation("invariant", p.name, f"invariant {p.name} is violated", list(trace))


def schedule_doc(
    proto: Protocol, opts: SimOptions, run: int, init_index: int, labels: list[str]
) -> dict[str, Any]:
    return {
        "format": "quod-protocol-schedule/1",
        "model": proto.name,
        "params": dict(proto.param_values),
        "scheduler": opts.scheduler,
        "seed": opts.seed,
        "run": run,
        "init": init_index,
        "steps": labels,
    }


def write_schedule(doc: dict[str, Any], path: str | Path) -> None:
    Path(path).write_text(json.dumps(doc, indent=1) + "\n")


def load_schedule(path: str | Path) -> dict[str, Any]:
    p = Path(path)
    try:
        doc = json.loads(p.read_text())
    except OSError as e:
        raise ProtocolError(
            f"cannot read schedule file: {e.strerror}", Span(str(p), 1, 1), code="Q0002"
        ) from e
    except json.JSONDecodeError as e:
        raise ProtocolError(
            f"schedule file is not JSON: {e.msg}", Span(str(p), e.lineno, e.colno), code="Q0706"
        ) from e
    where = Span(str(p), 1, 1)
    if not isinstance(doc, dict) or doc.get("format") != "quod-protocol-schedule/1":
        raise ProtocolError(
            "not a quod schedule file (format must be quod-protocol-schedule/1)", where, code="Q0706"
        )
    steps = doc.get("steps")
    if not isinstance(steps, list) or not all(isinstance(x, str) for x in steps):
        raise ProtocolError("$.steps must be a list of transition labels", where, code="Q0706")
    if not isinstance(doc.get("init", 0), int):
        raise ProtocolError("$.init must be an integer", where, code="Q0706")
    if not isinstance(doc.get("params", {}), dict):
        raise ProtocolError("$.params must be an object", where, code="Q0706")
    return doc


def replay(proto: Protocol, doc: dict[str, Any], source: str = "<schedule>") -> SimResult:
    """Follow a schedule step by step, checking invariants; the result holds the trace."""
    sem = Semantics(proto)
    init_index = int(doc.get("init", 0))
    if not 0 <= init_index < len(sem.inits):
        raise ProtocolError(f"$.init: no initial state {init_index}", Span(source, 1, 1), code="Q0706")
    res = SimResult(proto.name, dict(proto.param_values), "replay", int(doc.get("seed", 0)))
    start = time.perf_counter()
    s = sem.inits[init_index]
    trace = [Step("init", show_state(s))]
    v = _check(sem, s, trace)
    for i, lab in enumerate(doc["steps"]):
        if v is not None:
            break
        t = sem.find(s, lab)
        if t is None:
            raise ProtocolError(
                f"$.steps[{i}]: '{lab}' is not enabled in the state reached (the model changed?)",
                Span(source, 1, 1),
                code="Q0706",
            )
        s = t.target
        trace.append(Step(lab, show_state(s)))
        res.steps += 1
        v = _check(sem, s, trace)
    res.runs = 1
    res.trace = trace
    res.seconds = time.perf_counter() - start
    if v is not None:
        res.violations.append(v)
    res.schedule = doc
    return res


__all__ = ["SimOptions", "SimResult", "load_schedule", "replay", "schedule_doc", "simulate", "write_schedule"]
