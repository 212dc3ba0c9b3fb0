"""Explicit-state breadth-first search.

States are deduplicated by key: the state itself (exact; default) or a
64-bit fingerprint of it (less memory, a small chance of missing states,
reported like TLC does). With symmetry reduction the key is the least
encoding of the state over all permutations of node ids. Breadth-first order
makes every counterexample a shortest one (in the reduced graph, with
symmetry). Parents are kept as (parent key, transition) so traces are
rebuilt by replaying the transitions from an initial state.
"""

from __future__ import annotations

import random
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from quod.core.errors import Span
from quod.protocol.dsl import Protocol, canon
from quod.protocol.errors import ProtocolError
from quod.protocol.semantics import ModelFailure, Semantics, Transition, show_state
from quod.protocol.shape import Permuter, shape_of


@dataclass
class Options:
    max_states: int | None = None
    max_depth: int | None = None
    symmetry: bool | None = None  # None: as the model declares
    fingerprints: bool = False
    deadlock: bool = False
    liveness: bool = True
    progress: Callable[[Stats], None] | None = None
    progress_interval: float = 2.0
    invariants: list[str] | None = None  # check only these (default: all)


@dataclass
class Stats:
    generated: int = 0
    distinct: int = 0
    depth: int = 0
    queue: int = 0
    elapsed: float = 0.0
    complete: bool = False
    symmetry: bool = False
    fingerprints: str = "exact"
    collision_probability: float = 0.0

    @property
    def states_per_s(self) -> float:
        return self.generated / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def distinct_per_s(self) -> float:
        return self.distinct / self.elapsed if self.elapsed > 0 else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "states_generated": self.generated,
            "distinct_states": self.distinct,
            "depth": self.depth,
            "queue": self.queue,
            "seconds": round(self.elapsed, 4),
            "states_per_second": round(self.states_per_s, 1),
            "distinct_per_second": round(self.distinct_per_s, 1),
            "complete": self.complete,
            "symmetry_reduction": self.symmetry,
            "fingerprints": self.fingerprints,
            "collision_probability": self.collision_probability,
        }

    def line(self) -> str:
        return (
            f"depth {self.depth}: {self.generated} states generated, {self.distinct} distinct, "
            f"{self.queue} left on queue ({self.states_per_s:,.0f} states/s)"
        )


@dataclass
class Step:
    action: str  # "init" for the first step
    state: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {"action": self.action, "state": self.state}


@dataclass
class Violation:
    kind: str  # invariant | deadlock | error | eventually | hot
    name: str
    message: str
    trace: list[Step]
    loop_start: int | None = None  # liveness: index in trace where the cycle starts
    span: Span | None = None

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "kind": self.kind,
            "property": self.name,
            "message": self.message,
            "trace_length": len(self.trace),
            "trace": [s.as_dict() for s in self.trace],
        }
        if self.loop_start is not None:
            d["loop_start"] = self.loop_start
        if self.span is not None:
            d["location"] = str(self.span)
        return d


@dataclass
class CheckResult:
    model: str
    params: dict[str, Any]
    violations: list[Violation] = field(default_factory=list)
    stats: Stats = field(default_factory=Stats)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.violations

    def as_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "params": self.params,
            "result": "ok" if self.ok else "violation",
            "complete": self.stats.complete,
            "violations": [v.as_dict() for v in self.violations],
            "statistics": self.stats.as_dict(),
            "notes": self.notes,
        }


# parent entry: (parent key or None, init index or (action, args, chosen))
_Parent = tuple[Any, Any]


class Explorer:
    def __init__(self, proto: Protocol, options: Options | None = None) -> None:
        self.proto = proto
        self.opts = options or Options()
        self.sem = Semantics(proto)
        if self.opts.invariants:
            names = {p.name for p in self.sem.invariants}
            for n in self.opts.invariants:
                if n not in names:
                    raise ProtocolError(
                        f"no invariant named '{n}' (have: {', '.join(sorted(names))})", code="Q0710"
                    )
            self.sem.invariants = [p for p in self.sem.invariants if p.name in self.opts.invariants]
        sym = proto.symmetric if self.opts.symmetry is None else self.opts.symmetry
        self.permuter: Permuter | None = None
        if sym:
            self.permuter = Permuter(shape_of(self.sem.state_type), len(proto.nodes))
        self.stats = Stats(symmetry=sym, fingerprints="64-bit" if self.opts.fingerprints else "exact")
        self.parent: dict[Any, _Parent] = {}

    def key(self, s: Any) -> Any:
        k = self.permuter.canonical(s) if self.permuter is not None else s
        return hash(k) if self.opts.fingerprints else k

    def run(self) -> CheckResult:
        result = CheckResult(self.proto.name, dict(self.proto.param_values), stats=self.stats)
        start = time.perf_counter()
        try:
            v = self._bfs()
        finally:
            self.stats.elapsed = time.perf_counter() - start
        if v is not None:
            result.violations.append(v)
        if self.opts.fingerprints:
            n = self.stats.distinct
            self.stats.collision_probability = min(1.0, n * self.stats.generated / 2.0**64)
        return result

    def _bfs(self) -> Violation | None:
        st = self.stats
        queue: deque[tuple[Any, Any, int]] = deque()
        for i, s0 in enumerate(self.sem.inits):
            st.generated += 1
            k = self.key(s0)
            if k in self.parent:
                continue
            self.parent[k] = (None, i)
            st.distinct += 1
            v = self._check_state(s0, k)
            if v is not None:
                return v
            queue.append((s0, k, 0))
        if self.permuter is not None:
            self._check_symmetric_init()
        last = time.perf_counter()
        expanded = 0
        while queue:
            s, k, d = queue.popleft()
            st.depth = max(st.depth, d + 1)
            if not self.sem.in_constraint(s):
                continue
            if self.opts.max_depth is not None and d >= self.opts.max_depth:
                continue
            try:
                succs = self.sem.successors(s)
            except ModelFailure as e:
                return Violation("error", e.what, str(e), self.trace(k), span=e.span)
            if self.permuter is not None and expanded < 40:
                self._check_symmetric(s, succs)
            expanded += 1
            if not succs and self.opts.deadlock:
                return Violation("deadlock", "deadlock", "no action is enabled", self.trace(k))
            for t in succs:
                st.generated += 1
                k2 = self.key(t.target)
                if k2 in self.parent:
                    continue
                self.parent[k2] = (k, (t.action, t.args, t.chosen))
                st.distinct += 1
                v = self._check_state(t.target, k2)
                if v is not None:
                    st.depth = max(st.depth, d + 2)
                    st.queue = len(queue)
                    return v
                queue.append((t.target, k2, d + 1))
                if self.opts.max_states is not None and st.distinct >= self.opts.max_states:
                    st.queue = len(queue)
                    return None
            if self.opts.progress is not None and expanded % 256 == 0:
                now = time.perf_counter()
                if now - last >= self.opts.progress_interval:
                    last = now
                    st.queue = len(queue)
                    st.elapsed = now - self._start_time()
                    self.opts.progress(st)
        st.queue = 0
        st.complete = self.opts.max_depth is None or st.depth <= self.opts.max_depth
        return None

    def _start_time(self) -> float:
        if not hasattr(self, "_t0"):
            self._t0 = time.perf_counter()
        return self._t0

    def _check_state(self, s: Any, k: Any) -> Violation | None:
        try:
            p = self.sem.violated_invariant(s)
        except ModelFailure as e:
            return Violation("error", e.what, str(e), self.trace(k), span=e.span)
        if p is None:
            return None
        return Violation("invariant", p.name, f"invariant {p.name} is violated", self.trace(k))

    # traces ----------------------------------------------------------------------------
    def trace(self, k: Any) -> list[Step]:
        path: list[Any] = []
        while True:
            pk, how = self.parent[k]
            path.append(how)
            if pk is None:
                break
            k = pk
        path.reverse()
        return replay(self.sem, path[0], path[1:])

    # symmetry sanity checks: a wrong `symmetric = True` would make the search unsound --
    def _check_symmetric_init(self) -> None:
        assert self.permuter is not None
        exact = {canon(s) for s in self.sem.inits}
        for p in self.permuter.perms[1:]:
            permuted = {canon(self.permuter.apply(s, self.permuter.shape, p)) for s in self.sem.inits}
            if permuted != exact:
                raise ProtocolError(
                    f"symmetric = True, but permuting node ids {list(p)} changes the set of initial states",
                    code="Q0705",
                )

    def _check_symmetric(self, s: Any, succs: list[Transition]) -> None:
        assert self.permuter is not None
        rng = random.Random(len(self.parent))
        p = rng.choice(self.permuter.perms[1:]) if len(self.permuter.perms) > 1 else None
        if p is None:
            return
        ps = self.permuter.apply(s, self.permuter.shape, p)
        mine = sorted(repr(self.permuter.canonical(t.target)) for t in succs)
        theirs = sorted(repr(self.permuter.canonical(t.target)) for t in self.sem.successors(ps))
        inv_a = [self.sem.holds(q, s) for q in self.sem.invariants]
        inv_b = [self.sem.holds(q, ps) for q in self.sem.invariants]
        if mine != theirs or inv_a != inv_b:
            what = "successors" if mine != theirs else "invariants"
            raise ProtocolError(
                f"symmetric = True, but permuting node ids {list(p)} changes the {what} of state {show_state(s)}",
                code="Q0705",
            )


def replay(
    sem: Semantics, init_index: int, steps: list[tuple[int, tuple[Any, ...], tuple[Any, ...]]]
) -> list[Step]:
    s = sem.inits[init_index]
    out = [Step("init", show_state(s))]
    for ai, args, chosen in steps:
        for t in sem.fire(ai, s, args):
            if t.chosen == chosen:
                out.append(Step(sem.label(t), show_state(t.target)))
                s = t.target
                break
        else:  # pragma: no cover - actions are pure, so replay always finds the step
            raise ProtocolError("could not replay a trace step (is an action impure?)", code="Q0703")
    return out


def check(proto: Protocol, options: Options | None = None) -> CheckResult:
    """Search all reachable states for invariant violations (and deadlocks, if asked);
    then, if the model has liveness properties, look for fair cycles that violate them."""
    opts = options or Options()
    ex = Explorer(proto, opts)
    ex._start_time()
    result = ex.run()
    if result.ok and opts.liveness and (ex.sem.eventually or ex.sem.hot) and result.stats.complete:
        from quod.protocol.liveness import check_liveness

        if ex.permuter is not None:
            result.notes.append("liveness is checked on the full state graph (without symmetry reduction)")
        result.violations.extend(check_liveness(ex.sem, opts))
    elif result.ok and (ex.sem.eventually or ex.sem.hot) and not result.stats.complete:
        result.notes.append("liveness not checked: the state space was not explored completely")
    return result


__all__ = ["CheckResult", "Explorer", "Options", "Stats", "Step", "Violation", "check", "replay"]
