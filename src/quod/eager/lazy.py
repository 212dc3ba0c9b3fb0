"""Lazy cycle lemmas for pure ordering components (an offline DPLL(T) loop).

A pure ordering component (see ordering.py) is a set of constraints
`x - y <= c` with `c <= 0`; a set of them is satisfiable iff the graph with an
edge y -> x per constraint has no cycle through a strict edge (`c < 0`). In
lazy mode the atoms of such components are plain Boolean variables of the CNF
(no integer encoding at all), and the SAT solver runs in a loop:

1. solve the CNF (incrementally: learned clauses survive);
2. collect the edges the model switches on (an atom true and needed true, or
   false and needed false - the Plaisted-Greenbaum polarities decide which
   constraints a model must satisfy) together with the fixed top-level edges;
3. no cycle through a strict edge: the model is consistent, the integer values
   follow by shortest paths (engine.decode) and the kernel checks them;
   otherwise every such cycle found gives the clause "not all of its atom
   literals", a valid theory lemma, and the loop goes on.

Unsat answers from this loop rest on the lemmas, which are not logged in the
SAT solver's proof, so lazy unsat answers carry no DRAT proof; `proof=1` uses
the one-shot encoding instead.

Before the loop, two kinds of lemmas are added up front: an atom whose edge
closes a strict cycle with fixed edges alone is false (unit clause), and a
strict cycle among the fixed edges makes the CNF unsatisfiable.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from quod.eager.analysis import NEG, POS
from quod.eager.graphs import cyclic_nodes, strongly_connected, topological
from quod.eager.ordering import Edge, OrderingPlan
from quod.eager.problem import Problem
from quod.sat.solvers import model_from_lits

# graphs above this many nodes skip the reachability bitsets for up-front lemmas
MAX_REACH_NODES = 20_000


@dataclass
class OrderGraph:
    """Nodes are integer variables; base edges are facts, conditional edges need a literal."""

    n: int = 0
    node_of: dict[int, int] = field(default_factory=dict)
    base: list[list[tuple[int, bool]]] = field(default_factory=list)  # u -> [(v, strict)]
    lits: list[int] = field(default_factory=list)  # conditional edge k is on when lits[k] is true
    tails: list[int] = field(default_factory=list)
    heads: list[int] = field(default_factory=list)
    strict: list[bool] = field(default_factory=list)

    def node(self, v: int) -> int:
        k = self.node_of.get(v)
        if k is None:
            k = self.n
            self.node_of[v] = k
            self.n += 1
            self.base.append([])
        return k

    def add_base(self, e: Edge) -> None:
        y, x, c = e
        self.base[self.node(y)].append((self.node(x), c < 0))

    def add_conditional(self, lit: int, e: Edge) -> None:
        y, x, c = e
        self.lits.append(lit)
        self.tails.append(self.node(y))
        self.heads.append(self.node(x))
        self.strict.append(c < 0)


def build_graph(
    p: Problem, plans: Sequence[OrderingPlan], apol: dict[int, int], atom_lits: dict[int, int]
) -> OrderGraph:
    """One graph for all lazily solved components (their node sets are disjoint)."""
    g = OrderGraph()
    for plan in plans:
        for v in plan.keep:
            g.node(v)
        for e in plan.base_edges:
            g.add_base(e)
        for a, _ in plan.atoms:
            at = p.atoms[a]
            x, y = at.vars
            lit, pol = atom_lits[a], apol[a]
            if pol & POS:
                g.add_conditional(lit, (y, x, at.bound))
            if pol & NEG:
                g.add_conditional(-lit, (x, y, -at.bound - 1))
    return g


# -- graph algorithms ------------------------------------------------------------------
Adj = list[list[tuple[int, bool, int]]]  # u -> [(v, strict, literal or 0 for a fact)]


def _path(adj: Adj, comp: list[int], src: int, dst: int, banned: set[tuple[int, int]]) -> list[int] | None:
    """Literals on a shortest path src -> dst inside one component (BFS), or None."""
    c = comp[src]
    parent: dict[int, tuple[int, int]] = {src: (-1, 0)}
    queue = deque([src])
    while queue:
        u = queue.popleft()
        for v, _, lit in adj[u]:
            if v in parent or comp[v] != c or (u, v) in banned:
                continue
            parent[v] = (u, lit)
            if v == dst:
                lits = []
                while v != src:
                    u2, l2 = parent[v]
                    if l2:
                        lits.append(l2)
                    v = u2
                return lits
            queue.append(v)
    return None


def conflicts(g: OrderGraph, value: Callable[[int], bool], limit: int) -> list[list[int]]:
    """Lemmas (clauses) for strict cycles among the edges switched on; [] if there are none.

    An empty clause in the result means the fixed edges alone have a strict cycle.
    """
    n = g.n
    adj: Adj = [[(v, s, 0) for v, s in out] for out in g.base]
    for k, lit in enumerate(g.lits):
        if value(lit):
            adj[g.tails[k]].append((g.heads[k], g.strict[k], lit))
    alive = cyclic_nodes(n, adj)
    if not any(alive):
        return []
    comp, _ = strongly_connected(n, adj, alive)
    lemmas: list[list[int]] = []
    banned: set[tuple[int, int]] = set()
    for u in range(n):
        cu = comp[u]
        if cu < 0:
            continue
        for v, strict, lit in adj[u]:
            if not strict or comp[v] != cu or (u, v) in banned:
                continue
            back = _path(adj, comp, v, u, banned)
            if back is None:
                continue
            cycle = ([lit] if lit else []) + back
            if not cycle:
                return [[]]
            lemmas.append([-q for q in cycle])
            if lit:
                banned.add((u, v))  # look for a different cycle next
            if len(lemmas) >= limit:
                return lemmas
    return lemmas


def static_lemmas(g: OrderGraph) -> list[list[int]]:
    """Up-front lemmas: atoms whose edge closes a strict cycle with fixed edges (unit clauses).

    Uses reachability bitsets over the fixed edges in topological order; an
    empty clause if the fixed edges have a strict cycle themselves.
    """
    n = g.n
    adj: Adj = [[(v, s, 0) for v, s in out] for out in g.base]
    alive = cyclic_nodes(n, adj)
    if any(alive):
        if conflicts(g, lambda _: False, 1):
            return [[]]
        return []  # only non-strict cycles: skip the bitsets (rare)
    if n > MAX_REACH_NODES:
        return []
    order = topological(n, adj)
    assert order is not None  # no cycle: checked above
    reach = [0] * n  # nodes reachable from u (u included)
    sreach = [0] * n  # nodes reachable from u over a path with a strict edge
    for u in reversed(order):
        r, s = 1 << u, 0
        for v, strict, _ in adj[u]:
            r |= reach[v]
            s |= reach[v] if strict else sreach[v]
        reach[u], sreach[u] = r, s
    out = []
    for k, lit in enumerate(g.lits):
        y, x = g.tails[k], g.heads[k]
        closes = sreach[x] if not g.strict[k] else reach[x]
        if closes >> y & 1:
            out.append([-lit])
    return out


def phase_hints(g: OrderGraph) -> list[int]:
    """Preferred literal values: those whose edges agree with one linear extension of the facts.

    If the first models orient most edges along a single order of the fixed
    edges, few cycles appear and few lemmas are needed.
    """
    adj: Adj = [[(v, s, 0) for v, s in out] for out in g.base]
    order = topological(g.n, adj)
    if order is None:
        return []
    pos = [0] * g.n
    for i, u in enumerate(order):
        pos[u] = i
    prefer: dict[int, int] = {}
    for k, lit in enumerate(g.lits):
        if pos[g.tails[k]] < pos[g.heads[k]]:
            prefer.setdefault(abs(lit), lit)
    for lit in g.lits:
        prefer.setdefault(abs(lit), -lit)
    return list(prefer.values())


# -- the loop -------------------------------------------------------------------------------
@dataclass
class LazyOutcome:
    status: str  # sat | unsat | unknown
    model: list[bool] | None = None
    core: list[int] | None = None
    reason: str = ""
    stats: dict[str, Any] = field(default_factory=dict)


def _truth(model: list[bool]) -> Callable[[int], bool]:
    return lambda q: model[q] if q > 0 else not model[-q]


def lazy_solve(
    clauses: list[list[int]],
    num_vars: int,
    g: OrderGraph,
    solver_name: str,
    assumptions: Sequence[int] = (),
    lemmas_per_round: int = 200,
) -> LazyOutcome:
    """The lemma loop (no time limit here: the caller runs it in a child process it can kill)."""
    from pysat.solvers import Solver

    t0 = time.perf_counter()
    up_front = static_lemmas(g)
    stats: dict[str, Any] = {"lazy_static_lemmas": len(up_front), "lazy_nodes": g.n,
                             "lazy_edges": len(g.lits)}  # fmt: skip
    if [] in up_front:
        return LazyOutcome("unsat", core=[], stats=stats)
    rounds = lemmas = 0
    sat_time = 0.0
    with Solver(name=solver_name, bootstrap_with=clauses) as s:
        for c in up_front:
            s.add_clause(c)
        hints = phase_hints(g)
        if hints:
            s.set_phases(hints)
        while True:
            rounds += 1
            t1 = time.perf_counter()
            answer = s.solve(assumptions=list(assumptions))
            sat_time += time.perf_counter() - t1
            if not answer:
                stats.update(lazy_rounds=rounds, lazy_lemmas=lemmas, lazy_sat_time=sat_time,
                             lazy_time=time.perf_counter() - t0)  # fmt: skip
                core = list(s.get_core() or []) if assumptions else None
                return LazyOutcome("unsat", core=core, stats=stats)
            model = model_from_lits(s.get_model() or [], num_vars)
            found = conflicts(g, _truth(model), lemmas_per_round)
            if not found:
                stats.update(lazy_rounds=rounds, lazy_lemmas=lemmas, lazy_sat_time=sat_time,
                             lazy_time=time.perf_counter() - t0)  # fmt: skip
                return LazyOutcome("sat", model=model, stats=stats)
            if [] in found:
                return LazyOutcome("unsat", core=[], stats=stats)
            for c in found:
                s.add_clause(c)
            lemmas += len(found)
