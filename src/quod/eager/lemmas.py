"""Theory lemmas for difference atoms, added up front (all valid in integer arithmetic).

Each difference atom `x - y <= c` with literal l gives two edges: (x, y, c, l)
and, for its negation, (y, x, -c-1, -l). Two families of clauses are added:
- chain: on one ordered pair, x - y <= c1 implies x - y <= c2 for c1 < c2;
- triangle: x - y <= c1 and y - z <= c2 imply x - z <= c3 whenever an atom
  x - z <= c3 with c3 >= c1 + c2 exists (the tightest one is enough).
A clause valid in the theory never removes a real solution (set every atom
literal to the atom's true value), so adding lemmas is sound whatever the
polarity encoding. Orderings then propagate by unit propagation instead of
through every value of the order encoding, which is what scheduling
refutations need.
"""

from __future__ import annotations

import itertools

from quod.eager.circuit import Circuit
from quod.eager.problem import LE, Problem

Edge = tuple[int, int]  # (constant, literal)


def difference_edges(p: Problem, atom_lits: dict[int, int], c: Circuit) -> dict[tuple[int, int], list[Edge]]:
    edges: dict[tuple[int, int], list[Edge]] = {}
    for a, lit in atom_lits.items():
        at = p.atoms[a]
        if at.kind != LE or len(at.vars) != 2 or at.coefs != (1, -1) or lit == c.false:
            continue
        x, y = at.vars
        edges.setdefault((x, y), []).append((at.bound, lit))
        if lit != c.true:
            edges.setdefault((y, x), []).append((-at.bound - 1, -lit))
    for lst in edges.values():
        lst.sort()
    return edges


def add_lemmas(p: Problem, atom_lits: dict[int, int], c: Circuit, budget: int) -> dict[str, int]:
    """Add chain and triangle lemmas (at most `budget` clauses); returns counts."""
    edges = difference_edges(p, atom_lits, c)
    out = c.cnf.clauses
    t = c.true
    chain = 0
    for lst in edges.values():
        for (c1, l1), (c2, l2) in itertools.pairwise(lst):
            if l1 != l2 and l2 != t and c1 <= c2:
                out.append([-l1, l2] if l1 != t else [l2])
                chain += 1
    succ: dict[int, list[int]] = {}
    for x, y in edges:
        succ.setdefault(x, []).append(y)
    tri = 0
    for (x, y), e1 in edges.items():
        for z in succ.get(y, ()):
            if z == x:
                continue
            e3 = edges.get((x, z))
            if e3 is None:
                continue
            for c1, l1 in e1:
                for c2, l2 in edges[(y, z)]:
                    if l1 == t and l2 == t:
                        continue
                    need = c1 + c2
                    l3 = _tightest_at_least(e3, need)
                    if l3 is None or l3 == t:
                        continue
                    out.append([q for q in (-l1, -l2, l3) if q != -t])
                    tri += 1
                    if tri + chain >= budget:
                        return {"chain_lemmas": chain, "triangle_lemmas": tri, "lemma_budget_hit": 1}
    return {"chain_lemmas": chain, "triangle_lemmas": tri, "lemma_budget_hit": 0}


def _tightest_at_least(lst: list[Edge], need: int) -> int | None:
    # lst is sorted by constant; the first constant >= need is the strongest implied atom
    lo, hi = 0, len(lst)
    while lo < hi:
        mid = (lo + hi) // 2
        if lst[mid][0] < need:
            lo = mid + 1
        else:
            hi = mid
    return lst[lo][1] if lo < len(lst) else None
