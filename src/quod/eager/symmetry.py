"""Value symmetry breaking for equality-only integer variables.

If a set of variables shares one domain and every remaining atom that mentions
any of them is an equality or disequality `x = y` between two of them, then
permuting the domain's values maps solutions to solutions (the atoms only see
which variables are equal). Machine assignments in scheduling problems look
exactly like this: `m_i = m_j -> (i before j) or (j before i)`.

Within each such class (variables x_1..x_k in first-occurrence order) we keep
only solutions in which values appear in increasing first-use order:
x_1 = lo and x_j <= max(x_1..x_{j-1}) + 1 ("value precedence"). Every solution
can be renamed into that form, so satisfiability is preserved, and the SAT
solver no longer re-proves the same conflict under every renaming of values.
"""

from __future__ import annotations

from quod.eager.encode import ArithEncoder
from quod.eager.problem import EQ, Problem


def equality_classes(
    p: Problem, live_atoms: list[int], enc: ArithEncoder, pinned: set[int]
) -> list[list[int]]:
    """Classes of interchangeable-valued variables (each of size >= 2, same domain)."""
    tainted: set[int] = set(pinned)
    edges: list[tuple[int, int]] = []
    for a in live_atoms:
        at = p.atoms[a]
        if at.kind == EQ and len(at.vars) == 2 and at.bound == 0 and sorted(at.coefs) == [-1, 1]:
            edges.append((at.vars[0], at.vars[1]))
        else:
            tainted.update(at.vars)
    for x, code in enc.codes.items():
        if not code.order:
            tainted.add(x)
    adj: dict[int, list[int]] = {}
    order: list[int] = []
    for x, y in edges:
        for u, v in ((x, y), (y, x)):
            if u not in adj:
                adj[u] = []
                order.append(u)
            adj[u].append(v)
    # a variable linked by an equality to a tainted one is tainted too
    stack = [v for v in order if v in tainted]
    while stack:
        u = stack.pop()
        for v in adj.get(u, ()):
            if v not in tainted:
                tainted.add(v)
                stack.append(v)
    seen: set[int] = set()
    classes: list[list[int]] = []
    for start in order:
        if start in seen or start in tainted:
            continue
        cls = []
        stack = [start]
        seen.add(start)
        while stack:
            u = stack.pop()
            cls.append(u)
            for v in adj[u]:
                if v not in seen:
                    seen.add(v)
                    stack.append(v)
        cls.sort()
        doms = {(enc.codes[x].lo, enc.codes[x].hi) for x in cls}
        if len(cls) >= 2 and len(doms) == 1:
            lo, hi = next(iter(doms))
            if hi > lo:
                classes.append(cls)
    return classes


def break_value_symmetry(enc: ArithEncoder, cls: list[int]) -> int:
    """Value-precedence clauses for one class; returns the number of clauses added."""
    cnf, c = enc.cnf, enc.c
    lo, hi = enc.codes[cls[0]].lo, enc.codes[cls[0]].hi
    n0 = len(cnf.clauses)
    # prev[v]: literal for max(x_1..x_{j-1}) >= v
    first = cls[0]
    cnf.clauses.append([-enc.ge(first, lo + 1)])  # x_1 = lo
    prev = {v: enc.ge(first, v) for v in range(lo + 1, hi + 1)}
    for j, x in enumerate(cls[1:], 1):
        for v in range(lo + 1, hi + 1):
            # x_j >= v  ->  max so far >= v - 1
            need = prev[v - 1] if v - 1 > lo else c.true
            if need != c.true:
                cnf.clauses.append([-enc.ge(x, v), need])
        if j == len(cls) - 1:
            break
        cur: dict[int, int] = {}
        for v in range(lo + 1, hi + 1):
            # cur[v] -> prev[v] or x_j >= v (the direction the clauses above use)
            g = cnf.new_var()
            cnf.clauses.append([-g, prev[v], enc.ge(x, v)])
            cur[v] = g
        prev = cur
    return len(cnf.clauses) - n0
