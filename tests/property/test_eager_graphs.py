"""Graph helpers of the eager engine against brute force (feasibility, components, reachability)."""

import os

from hypothesis import given, settings
from hypothesis import strategies as st

from quod.eager.graphs import cyclic_nodes, nonpositive_potentials, strongly_connected, topological
from quod.eager.ordering import reconstruct

SETTINGS = settings(max_examples=int(os.environ.get("QUOD_EAGER_EXAMPLES", "60")), deadline=None)


NONPOSITIVE = st.sampled_from([-2, -1, 0, 0])


@st.composite
def graphs(draw, weights=NONPOSITIVE):
    n = draw(st.integers(1, 7))
    edges = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1), weights), max_size=14))
    return n, edges


def reach(n, edges):
    r = [{u} for u in range(n)]
    changed = True
    while changed:
        changed = False
        for u, v, _ in edges:
            if not r[v] <= r[u]:
                r[u] |= r[v]
                changed = True
    return r


def feasible(n, edges):
    """Bellman-Ford from a virtual source: no negative cycle."""
    d = [0] * n
    for _ in range(n + 1):
        changed = False
        for u, v, w in edges:
            if d[u] + w < d[v]:
                d[v] = d[u] + w
                changed = True
        if not changed:
            return True
    return False


@SETTINGS
@given(graphs())
def test_potentials_exist_exactly_when_no_negative_cycle(g):
    n, edges = g
    adj = [[] for _ in range(n)]
    for u, v, w in edges:
        adj[u].append((v, w))
    d = nonpositive_potentials(n, adj)
    assert (d is not None) == feasible(n, edges)
    if d is not None:
        assert all(d[v] <= d[u] + w for u, v, w in edges)


@SETTINGS
@given(graphs(weights=st.integers(-3, 3)))
def test_reconstruct_solves_any_difference_system(g):
    n, edges = g
    values = reconstruct([(u, v, w) for u, v, w in edges], list(range(n)))
    assert (values is not None) == feasible(n, edges)
    if values is not None:
        assert all(values[v] - values[u] <= w for u, v, w in edges)


@SETTINGS
@given(graphs())
def test_components_topological_order_and_cyclic_nodes(g):
    n, edges = g
    adj = [[] for _ in range(n)]
    for u, v, w in edges:
        adj[u].append((v, w))
    r = reach(n, edges)
    comp, k = strongly_connected(n, adj)
    for u in range(n):
        for v in range(n):
            assert (comp[u] == comp[v]) == (v in r[u] and u in r[v])
    for u, v, _ in edges:
        assert comp[u] >= comp[v]  # labels are reverse topological
    on_cycle = [any(u in r[v] for v, w in ((b, 0) for a, b, _ in edges if a == u)) for u in range(n)]
    alive = cyclic_nodes(n, adj)
    for u in range(n):
        # a node survives Kahn iff some cycle reaches it
        assert alive[u] == any(on_cycle[w] and u in r[w] for w in range(n))
    order = topological(n, adj)
    assert (order is None) == any(on_cycle)
    if order is not None:
        pos = {u: i for i, u in enumerate(order)}
        assert all(pos[u] < pos[v] for u, v, _ in edges)
