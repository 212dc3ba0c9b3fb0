"""Implied capacity constraints for scheduling on identical parallel machines.

Pattern (any literal order, any orientation of the atoms):
    (m_i != m_j) or (s_j - s_i >= d_i) or (s_i - s_j >= d_j)
for operations i = (s_i, m_i), with all machine variables m_* over one domain
of M values. If every two operations of a group are either linked by such a
clause or ordered by a top-level precedence s_j - s_i >= d_i, then at any time
t the operations running at t (s_i <= t < s_i + d_i, d_i the smallest gap
seen for i) pairwise must use different machines, hence at most M of them run.
That cardinality constraint is implied by the formula, so adding it is sound;
it gives the SAT solver the counting argument ("pigeonhole") that resolution
on the pairwise clauses alone finds only with exponential effort.
"""

from __future__ import annotations

from quod.eager.encode import ArithEncoder
from quod.eager.problem import AND, ATOM, EQ, LE, Problem

Op = tuple[int, int]  # (start variable, machine variable)


def _diff_literal(p: Problem, ref: int) -> tuple[int, int, int] | None:
    """A literal over a difference atom as (x, y, gap) meaning y - x >= gap."""
    n = abs(ref)
    if p.kinds[n] != ATOM:
        return None
    at = p.atoms[p.args[n][0]]
    if at.kind != LE or len(at.vars) != 2 or at.coefs != (1, -1):
        return None
    v0, v1 = at.vars
    if ref > 0:  # v0 - v1 <= b  <=>  v1 - v0 >= -b
        return v0, v1, -at.bound
    return v1, v0, at.bound + 1  # v1 - v0 <= -b-1  <=>  v0 - v1 >= b+1


def _neq_literal(p: Problem, ref: int) -> tuple[int, int] | None:
    n = abs(ref)
    if ref > 0 or p.kinds[n] != ATOM:
        return None
    at = p.atoms[p.args[n][0]]
    if at.kind == EQ and len(at.vars) == 2 and at.coefs == (1, -1) and at.bound == 0:
        return at.vars[0], at.vars[1]
    return None


def find_pairs(p: Problem, roots: list[int]) -> list[tuple[int, int, int, int, int, int]]:
    """Clauses of the pattern as (s_a, s_b, gap_a_to_b, gap_b_to_a, m_1, m_2)."""
    out = []
    for r in roots:
        n = abs(r)
        if r > 0 or p.kinds[n] != AND or len(p.args[n]) != 3:
            continue
        lits = [-a for a in p.args[n]]
        neq = [_neq_literal(p, q) for q in lits]
        k = [i for i, e in enumerate(neq) if e is not None]
        if len(k) != 1:
            continue
        m1, m2 = neq[k[0]]  # type: ignore[misc]
        d = [_diff_literal(p, q) for i, q in enumerate(lits) if i != k[0]]
        if d[0] is None or d[1] is None:
            continue
        (x1, y1, g1), (x2, y2, g2) = d[0], d[1]
        if x1 != y2 or y1 != x2 or g1 <= 0 or g2 <= 0:
            continue
        out.append((x1, y1, g1, g2, m1, m2))
    return out


def add_capacity_constraints(
    p: Problem, roots: list[int], units: dict[int, bool], enc: ArithEncoder, budget: int
) -> dict[str, int]:
    pairs = find_pairs(p, roots)
    if not pairs:
        return {}
    # which machine variable belongs to which start variable: the one shared by all its clauses
    cand: dict[int, set[int]] = {}
    for sa, sb, _, _, m1, m2 in pairs:
        for s in (sa, sb):
            cand[s] = cand[s] & {m1, m2} if s in cand else {m1, m2}
    machine: dict[int, int] = {}
    for s, ms in cand.items():
        if len(ms) != 1:
            return {"capacity_skipped": 1}
        machine[s] = next(iter(ms))
    if len(set(machine.values())) != len(machine):
        return {"capacity_skipped": 1}
    dur: dict[int, int] = {}
    linked: set[tuple[int, int]] = set()
    for sa, sb, gab, gba, m1, m2 in pairs:
        if {machine[sa], machine[sb]} != {m1, m2}:
            return {"capacity_skipped": 1}
        dur[sa] = min(dur.get(sa, gab), gab)
        dur[sb] = min(dur.get(sb, gba), gba)
        linked.add((min(sa, sb), max(sa, sb)))
    doms = {(enc.codes[m].lo, enc.codes[m].hi) for m in machine.values() if m in enc.codes}
    ops = sorted(machine)
    if len(doms) != 1 or not all(s in enc.codes and enc.codes[s].order for s in ops):
        return {"capacity_skipped": 1}
    lo_m, hi_m = next(iter(doms))
    capacity = hi_m - lo_m + 1
    _add_precedences(p, units, dur, linked)
    n = len(ops)
    if len(linked) != n * (n - 1) // 2:
        return {"capacity_skipped": 1}
    return _encode_capacity(enc, ops, dur, capacity, budget)


def _add_precedences(
    p: Problem, units: dict[int, bool], dur: dict[int, int], linked: set[tuple[int, int]]
) -> None:
    """Pairs ordered by a chain of top-level precedences at least as long as the first duration."""
    succ: dict[int, list[tuple[int, int]]] = {}
    for a, truth in units.items():
        at = p.atoms[a]
        if at.kind != LE or len(at.vars) != 2 or at.coefs != (1, -1):
            continue
        v0, v1 = at.vars
        x, y, gap = (v0, v1, -at.bound) if truth else (v1, v0, at.bound + 1)
        if x in dur and y in dur and gap > 0:
            succ.setdefault(x, []).append((y, gap))
    for x in sorted(succ):
        # longest gaps from x (positive gaps: the precedence graph is acyclic when satisfiable)
        best: dict[int, int] = {x: 0}
        stack = [x]
        steps = 0
        while stack and steps < 100_000:
            u = stack.pop()
            steps += 1
            for v, g in succ.get(u, ()):
                if best[u] + g > best.get(v, -1) and v != x:
                    best[v] = best[u] + g
                    stack.append(v)
        for y, gap in best.items():
            if y != x and gap >= dur[x]:
                linked.add((min(x, y), max(x, y)))


def _encode_capacity(
    enc: ArithEncoder, ops: list[int], dur: dict[int, int], capacity: int, budget: int
) -> dict[str, int]:
    cnf = enc.cnf
    n0 = len(cnf.clauses)
    t_lo = min(enc.codes[s].lo for s in ops)
    t_hi = max(enc.codes[s].hi + dur[s] - 1 for s in ops)
    running: dict[int, list[int]] = {}
    for t in range(t_lo, t_hi + 1):
        lits = []
        for s in ops:
            code = enc.codes[s]
            if t < code.lo or t > code.hi + dur[s] - 1:
                continue
            start_le_t = -enc.ge(s, t + 1)
            start_gt = enc.ge(s, t - dur[s] + 1)
            r = cnf.new_var()
            # s <= t and s >= t - d + 1  ->  r  (r only ever counts, so one direction suffices)
            cl = [r]
            for q in (start_le_t, start_gt):
                if q == enc.c.false:
                    cl = []
                    break
                if q != enc.c.true:
                    cl.append(-q)
            if not cl:
                continue
            cnf.clauses.append(cl)
            lits.append(r)
        if len(lits) > capacity:
            running[t] = lits
    for lits in running.values():
        _at_most(cnf, lits, capacity)
        if len(cnf.clauses) - n0 > budget:
            return {"capacity_budget_hit": 1, "capacity_clauses": len(cnf.clauses) - n0}
    return {"capacity_groups": 1, "capacity_ops": len(ops), "capacity_clauses": len(cnf.clauses) - n0}


def _at_most(cnf, lits: list[int], k: int) -> None:  # type: ignore[no-untyped-def]
    """Sequential counter (Sinz 2005): at most k of `lits` are true."""
    n = len(lits)
    if k == 0:
        cnf.clauses.extend([[-x] for x in lits])
        return
    s = [list(cnf.new_vars(k)) for _ in range(n - 1)]
    out = cnf.clauses
    out.append([-lits[0], s[0][0]])
    out.extend([[-s[0][j]] for j in range(1, k)])
    for i in range(1, n - 1):
        x = lits[i]
        out.append([-x, s[i][0]])
        out.append([-s[i - 1][0], s[i][0]])
        for j in range(1, k):
            out.append([-x, -s[i - 1][j - 1], s[i][j]])
            out.append([-s[i - 1][j], s[i][j]])
        out.append([-x, -s[i - 1][k - 1]])
    out.append([-lits[n - 1], -s[n - 2][k - 1]])
