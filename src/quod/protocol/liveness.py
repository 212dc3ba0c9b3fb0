"""Liveness under weak fairness: fair-cycle detection on the full state graph.

`@eventually P` is violated by a behaviour that starts in an initial state,
never satisfies P, and is fair; `@hot H` by a fair behaviour that from some
point on stays in H-states. Both are found as a reachable strongly connected
component (of the graph restricted to the relevant states) that admits a
fair cycle, or as a terminal state there (a behaviour that stutters forever
is fair: nothing is enabled).

Weak fairness is per action instance (action plus parameters): a cycle is
fair iff every fair instance that is enabled in all its states is also taken
on it. For an SCC, taking its union of edges is the best cycle, so an SCC is
fair iff each fair instance is taken inside it or disabled somewhere in it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from quod.protocol.dsl import PropertySpec
from quod.protocol.explore import Options, Step, Violation
from quod.protocol.semantics import ModelFailure, Semantics, show_state

Instance = tuple[int, tuple[Any, ...]]
_Label = tuple[int, tuple[Any, ...], tuple[Any, ...]]


@dataclass
class Graph:
    states: list[Any] = field(default_factory=list)
    index: dict[Any, int] = field(default_factory=dict)
    edges: list[list[tuple[int, Instance, _Label]]] = field(default_factory=list)
    parent: list[tuple[int, _Label | None]] = field(default_factory=list)
    expanded: list[bool] = field(default_factory=list)
    inits: list[int] = field(default_factory=list)

    def add(self, s: Any, parent: int, how: _Label | None) -> tuple[int, bool]:
        i = self.index.get(s)
        if i is not None:
            return i, False
        i = len(self.states)
        self.index[s] = i
        self.states.append(s)
        self.edges.append([])
        self.parent.append((parent, how))
        self.expanded.append(False)
        return i, True


def build_graph(sem: Semantics, max_states: int | None = None) -> Graph:
    g = Graph()
    queue: deque[int] = deque()
    for k, s in enumerate(sem.inits):
        i, new = g.add(s, -1 - k, None)
        if new:
            g.inits.append(i)
            queue.append(i)
    while queue:
        i = queue.popleft()
        s = g.states[i]
        if not sem.in_constraint(s):
            continue
        g.expanded[i] = True
        for t in sem.successors(s):
            j, new = g.add(t.target, i, (t.action, t.args, t.chosen))
            g.edges[i].append((j, t.instance(), (t.action, t.args, t.chosen)))
            if new:
                queue.append(j)
                if max_states is not None and len(g.states) > max_states:
                    raise ModelFailure("liveness graph", MemoryError(f"more than {max_states} states"), None)
    return g


def sccs(nodes: list[int], succ: Callable[[int], list[int]]) -> list[list[int]]:
    """Tarjan's algorithm, iterative."""
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[int] = []
    out: list[list[int]] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work: list[tuple[int, int]] = [(root, 0)]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            v, pos = work[-1]
            nexts = succ(v)
            if pos < len(nexts):
                work[-1] = (v, pos + 1)
                w = nexts[pos]
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, 0))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                u = work[-1][0]
                low[u] = min(low[u], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                out.append(comp)
    return out


def check_liveness(sem: Semantics, opts: Options) -> list[Violation]:
    try:
        g = build_graph(sem, opts.max_states)
    except ModelFailure as e:
        return [Violation("error", e.what, str(e), [], span=e.span)]
    fair = {ai for ai, a in enumerate(sem.actions) if a.fair}
    out: list[Violation] = []
    for p in sem.eventually:
        v = _check(sem, g, p, fair, eventually=True)
        if v is not None:
            out.append(v)
    for p in sem.hot:
        v = _check(sem, g, p, fair, eventually=False)
        if v is not None:
            out.append(v)
    return out


def _check(
    sem: Semantics, g: Graph, prop: PropertySpec, fair: set[int], eventually: bool
) -> Violation | None:
    try:
        good = [sem.holds(prop, s) for s in g.states]
    except ModelFailure as e:
        return Violation("error", e.what, str(e), [], span=e.span)
    if eventually:
        # states reachable from an initial state through states where P has not held yet
        region = _reach([i for i in g.inits if not good[i]], g, lambda j: not good[j])
    else:
        region = {i for i, h in enumerate(good) if h}
    if not region:
        return None

    def succ(i: int) -> list[int]:
        return [j for j, _, _ in g.edges[i] if j in region]

    for comp in sccs(sorted(region), succ):
        cset = set(comp)
        terminal = [i for i in comp if g.expanded[i] and not g.edges[i]]
        if terminal:
            return _report(sem, g, prop, eventually, region, terminal[0], [])
        if len(comp) == 1 and not any(j == comp[0] for j, _, _ in g.edges[comp[0]]):
            continue
        need = _fair_requirements(g, cset, fair)
        if need is not None:
            return _report(sem, g, prop, eventually, region, comp[0], _cycle(g, comp[0], cset, need))
    return None


def _fair_requirements(g: Graph, comp: set[int], fair: set[int]) -> list[tuple[str, Any]] | None:
    """What a fair cycle through `comp` must visit, or None if it cannot be fair."""
    taken: dict[Instance, tuple[int, int]] = {}
    for i in comp:
        for j, inst, _ in g.edges[i]:
            if j in comp and inst not in taken:
                taken[inst] = (i, j)
    enabled: dict[Instance, set[int]] = {}
    for i in comp:
        for _, inst, _ in g.edges[i]:
            if inst[0] in fair:
                enabled.setdefault(inst, set()).add(i)
    need: list[tuple[str, Any]] = []
    for inst, where in enabled.items():
        if inst in taken:
            need.append(("edge", taken[inst]))
        elif len(where) < len(comp):
            need.append(("state", next(i for i in sorted(comp) if i not in where)))
        else:
            return None  # enabled everywhere, never taken inside: every cycle here is unfair
    if any(not g.expanded[i] for i in comp):
        return None  # cut off by a state constraint: no conclusion about what follows
    return need


def _reach(starts: list[int], g: Graph, ok: Callable[[int], bool]) -> set[int]:
    seen = set(starts)
    queue = deque(starts)
    while queue:
        i = queue.popleft()
        for j, _, _ in g.edges[i]:
            if j not in seen and ok(j):
                seen.add(j)
                queue.append(j)
    return seen


def _path(g: Graph, src: int, dst: int, allowed: set[int]) -> list[tuple[int, _Label]]:
    """Shortest path src -> dst inside `allowed` as (state, label) steps (empty if src == dst)."""
    if src == dst:
        return []
    prev: dict[int, tuple[int, _Label]] = {src: (-1, (0, (), ()))}
    queue = deque([src])
    while queue:
        i = queue.popleft()
        for j, _, lab in g.edges[i]:
            if j in allowed and j not in prev:
                prev[j] = (i, lab)
                if j == dst:
                    steps = []
                    k = j
                    while k != src:
                        p, lab2 = prev[k]
                        steps.append((k, lab2))
                        k = p
                    return steps[::-1]
                queue.append(j)
    raise AssertionError("no path inside a strongly connected component")


def _cycle(g: Graph, entry: int, comp: set[int], need: list[tuple[str, Any]]) -> list[tuple[int, _Label]]:
    steps: list[tuple[int, _Label]] = []
    cur = entry
    for kind, what in need:
        if kind == "edge":
            i, j = what
            steps += _path(g, cur, i, comp)
            lab = next(lab for k, _, lab in g.edges[i] if k == j)
            steps.append((j, lab))
            cur = j
        else:
            steps += _path(g, cur, what, comp)
            cur = what
    back = _path(g, cur, entry, comp)
    if not steps and not back:
        # one state with a self-loop
        lab = next(lab for k, _, lab in g.edges[entry] if k == entry)
        back = [(entry, lab)]
    return steps + back


def _report(
    sem: Semantics,
    g: Graph,
    prop: PropertySpec,
    eventually: bool,
    region: set[int],
    entry: int,
    cycle: list[tuple[int, _Label]],
) -> Violation:
    prefix = _prefix(g, entry, region if eventually else None)
    trace = [Step("init", show_state(g.states[prefix[0][0]]))]
    for i, lab in prefix[1:] + cycle:
        assert lab is not None
        trace.append(Step(_label(sem, lab), show_state(g.states[i])))
    loop_start = len(prefix) - 1
    if eventually:
        msg = f"a fair behaviour never reaches a state satisfying {prop.name}"
    else:
        msg = f"a fair behaviour stays in hot states ({prop.name}) forever"
    if not cycle:
        msg += " (it ends in a state where no action is enabled)"
    return Violation("eventually" if eventually else "hot", prop.name, msg, trace, loop_start=loop_start)


def _prefix(g: Graph, target: int, region: set[int] | None) -> list[tuple[int, _Label | None]]:
    """Shortest path from an initial state to `target` (inside `region` if given)."""
    starts = [i for i in g.inits if region is None or i in region]
    prev: dict[int, tuple[int, _Label | None]] = {i: (-1, None) for i in starts}
    queue = deque(starts)
    while queue and target not in prev:
        i = queue.popleft()
        for j, _, lab in g.edges[i]:
            if j not in prev and (region is None or j in region):
                prev[j] = (i, lab)
                queue.append(j)
    out: list[tuple[int, _Label | None]] = []
    k = target
    while k != -1:
        p, plab = prev[k]
        out.append((k, plab))
        k = p
    return out[::-1]


def _label(sem: Semantics, lab: _Label) -> str:
    from quod.protocol.dsl import label

    ai, args, chosen = lab
    spec = sem.actions[ai]
    return label(spec.name, dict(zip(spec.params, args, strict=True)), chosen)


__all__ = ["Graph", "build_graph", "check_liveness", "sccs"]
