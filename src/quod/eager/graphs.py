"""Linear-time graph helpers for difference constraints (iterative: no recursion limit).

Graphs are adjacency lists over nodes 0..n-1; an edge entry starts with its
target node (further fields are the caller's).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

Adjacency = Sequence[Sequence[tuple[Any, ...]]]


def cyclic_nodes(n: int, adj: Adjacency) -> list[bool]:
    """Nodes left after repeatedly removing sources (Kahn): those on a cycle or after one."""
    indeg = [0] * n
    for out in adj:
        for e in out:
            indeg[e[0]] += 1
    alive = [True] * n
    stack = [u for u in range(n) if indeg[u] == 0]
    while stack:
        u = stack.pop()
        alive[u] = False
        for e in adj[u]:
            v = e[0]
            indeg[v] -= 1
            if indeg[v] == 0:
                stack.append(v)
    return alive


def strongly_connected(n: int, adj: Adjacency, alive: Sequence[bool] | None = None) -> tuple[list[int], int]:
    """(component label per node, number of components) by iterative Tarjan.

    Nodes with `alive[u]` false get label -1 and are ignored. Labels come in
    reverse topological order of the condensation: an edge between two
    components always goes from the higher label to the lower one.
    """
    index = [-1] * n
    low = [0] * n
    comp = [-1] * n
    onstack = [False] * n
    stack: list[int] = []
    counter = label = 0
    for root in range(n):
        if (alive is not None and not alive[root]) or index[root] >= 0:
            continue
        work = [(root, 0)]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        onstack[root] = True
        while work:
            u, i = work[-1]
            out = adj[u]
            while i < len(out) and alive is not None and not alive[out[i][0]]:
                i += 1
            if i < len(out):
                work[-1] = (u, i + 1)
                v = out[i][0]
                if index[v] < 0:
                    index[v] = low[v] = counter
                    counter += 1
                    stack.append(v)
                    onstack[v] = True
                    work.append((v, 0))
                elif onstack[v] and index[v] < low[u]:
                    low[u] = index[v]
                continue
            work.pop()
            if work:
                w = work[-1][0]
                if low[u] < low[w]:
                    low[w] = low[u]
            if low[u] == index[u]:
                while True:
                    v = stack.pop()
                    onstack[v] = False
                    comp[v] = label
                    if v == u:
                        break
                label += 1
    return comp, label


def topological(n: int, adj: Adjacency) -> list[int] | None:
    """A topological order, or None if the graph has a cycle."""
    indeg = [0] * n
    for out in adj:
        for e in out:
            indeg[e[0]] += 1
    order = [u for u in range(n) if indeg[u] == 0]
    i = 0
    while i < len(order):
        u = order[i]
        i += 1
        for e in adj[u]:
            v = e[0]
            indeg[v] -= 1
            if indeg[v] == 0:
                order.append(v)
    return order if len(order) == n else None


def nonpositive_potentials(n: int, adj: Sequence[Sequence[tuple[int, int]]]) -> list[int] | None:
    """Values d with d[v] <= d[u] + c for every edge u -> (v, c), all c <= 0; None if infeasible.

    Shortest distances from a virtual source joined to every node by 0: the
    strongly connected components are solved by the zero-weight rule (a
    negative edge inside one is a negative cycle), then one pass over the
    condensation in topological order. Linear time, unlike Bellman-Ford.
    """
    comp, k = strongly_connected(n, adj)
    best = [0] * k
    members: list[list[int]] = [[] for _ in range(k)]
    for u in range(n):
        members[comp[u]].append(u)
    # labels are reverse topological: process from the highest label down
    for c in range(k - 1, -1, -1):
        dc = best[c]
        for u in members[c]:
            for v, w in adj[u]:
                cv = comp[v]
                if cv == c:
                    if w < 0:
                        return None
                    continue
                if dc + w < best[cv]:
                    best[cv] = dc + w
    return [best[comp[u]] for u in range(n)]
