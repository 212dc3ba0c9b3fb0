"""Pure ordering components: variable elimination and weight abstraction.

A shift-invariant difference component is *pure ordering* when every
constraint a model may have to satisfy (each atom with the polarity it occurs
in) reads x - y <= c with c <= 0: "y is not before x", strictly when c < 0.
Such a conjunction is satisfiable iff its constraint graph has no cycle through
a strict edge, so only the sign of each weight matters. Two reductions follow:

1. Elimination: a variable that occurs only in top-level constraints is removed
   by Fourier-Motzkin (every predecessor edge composed with every successor
   edge) when that does not grow the graph; composed weights stay <= 0.
2. Abstraction: every strict weight becomes -1 (non-strict stays 0), so the
   small-model bound drops to n-1 for the n remaining variables.

Both preserve satisfiability, not models: the engine rebuilds the integer
values from the atoms the SAT model makes true, with the ORIGINAL weights, by
shortest paths (`reconstruct`), and the kernel checks the result as usual.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from quod.eager.analysis import NEG, POS, Component
from quod.eager.graphs import nonpositive_potentials
from quod.eager.problem import LE, Atom, Problem

Edge = tuple[int, int, int]  # (y, x, c): x - y <= c


@dataclass
class OrderingPlan:
    comp: Component
    keep: list[int]  # variables still encoded
    atoms: list[tuple[int, Atom]]  # (original atom index, abstracted atom) for non-unit atoms
    unit_edges: list[Edge]  # abstracted top-level constraints among kept variables
    eliminated: int = 0
    base_edges: list[Edge] = field(default_factory=list)  # the same with the original weights
    notes: dict[str, int] = field(default_factory=dict)


def _edges_of(at: Atom, pol: int) -> list[Edge] | None:
    """Needed-polarity edges of a difference atom, or None if it is not a difference."""
    if at.kind != LE or len(at.vars) != 2 or at.coefs != (1, -1):
        return None
    x, y = at.vars
    out = []
    if pol & POS:
        out.append((y, x, at.bound))
    if pol & NEG:
        out.append((x, y, -at.bound - 1))
    return out


def plan_ordering(
    p: Problem, comp: Component, units: dict[int, bool], apol: dict[int, int]
) -> OrderingPlan | None:
    """A plan if `comp` is a pure ordering component, else None."""
    if not comp.shift_invariant or not comp.difference:
        return None
    unit_edges: list[Edge] = []
    inner: list[int] = []
    for a in comp.atoms:
        at = p.atoms[a]
        truth = units.get(a)
        pol = apol[a] if truth is None else (POS if truth else NEG)
        es = _edges_of(at, pol)
        if es is None or any(c > 0 for _, _, c in es):
            return None
        if truth is None:
            inner.append(a)
        else:
            unit_edges.extend(es)
    in_inner = {v for a in inner for v in p.atoms[a].vars}
    edges = _eliminate(unit_edges, [v for v in comp.vars if v not in in_inner])
    if edges is None:
        return None
    touched = {v for y, x, _ in edges for v in (y, x)}
    keep = [v for v in comp.vars if v in in_inner or v in touched]
    abstract_units = [(y, x, -1 if c < 0 else 0) for y, x, c in edges]
    atoms = []
    for a in inner:
        at = p.atoms[a]
        pol = apol[a]
        b = at.bound
        if pol == POS:
            b = max(b, -1)
        elif pol == NEG:
            b = min(b, 0)
        atoms.append((a, Atom(LE, at.vars, at.coefs, b)))
    return OrderingPlan(comp, keep, atoms, abstract_units, len(comp.vars) - len(keep), base_edges=edges)


def _eliminate(edges: list[Edge], candidates: list[int]) -> list[Edge] | None:
    """Fourier-Motzkin on top-level edges for variables not in any other atom.

    Returns None when the edges contain a cycle through a strict edge (then
    the component is unsatisfiable and the regular encoding will say so).
    """
    preds: dict[int, dict[int, int]] = {}
    succs: dict[int, dict[int, int]] = {}

    def add(y: int, x: int, c: int) -> bool:
        if y == x:
            return c >= 0
        old = succs.setdefault(y, {}).get(x)
        if old is None or c < old:
            succs[y][x] = c
            preds.setdefault(x, {})[y] = c
        return True

    for y, x, c in edges:
        if not add(y, x, c):
            return None
    queue = deque(candidates)
    removed: set[int] = set()
    while queue:
        v = queue.popleft()
        if v in removed:
            continue
        ins, outs = preds.get(v, {}), succs.get(v, {})
        if len(ins) * len(outs) > len(ins) + len(outs):
            continue
        removed.add(v)
        for y in ins:
            del succs[y][v]
        for x in outs:
            del preds[x][v]
        for y, c1 in ins.items():
            for x, c2 in outs.items():
                if not add(y, x, c1 + c2):
                    return None
        preds.pop(v, None)
        succs.pop(v, None)
    return [(y, x, c) for y, d in succs.items() for x, c in d.items()]


def reconstruct(edges: list[Edge], variables: list[int]) -> dict[int, int] | None:
    """A solution of x - y <= c for all edges, or None if there is none.

    Shortest paths from a virtual source; with all weights <= 0 (every needed
    constraint of an ordering component) in linear time over the strongly
    connected components, otherwise by queue-based Bellman-Ford.
    """
    index: dict[int, int] = {}
    for v in variables:
        index.setdefault(v, len(index))
    for y, x, _ in edges:
        index.setdefault(y, len(index))
        index.setdefault(x, len(index))
    n = len(index)
    adj: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    for y, x, c in edges:
        adj[index[y]].append((index[x], c))
    if all(c <= 0 for _, _, c in edges):
        values = nonpositive_potentials(n, adj)
    else:
        values = _bellman_ford(n, adj)
    if values is None:
        return None
    return {v: values[i] for v, i in index.items()}


def _bellman_ford(n: int, adj: list[list[tuple[int, int]]]) -> list[int] | None:
    dist = [0] * n
    count = [0] * n
    queue = deque(range(n))
    inq = [True] * n
    while queue:
        u = queue.popleft()
        inq[u] = False
        du = dist[u]
        for v, w in adj[u]:
            if du + w < dist[v]:
                dist[v] = du + w
                if not inq[v]:
                    count[v] += 1
                    if count[v] > n:
                        return None
                    queue.append(v)
                    inq[v] = True
    return dist
