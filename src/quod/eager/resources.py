"""Scheduling resources found in the formula, and what follows from them.

Two patterns of top-level clauses over start variables s_i are recognised:

* identical parallel machines: (m_i != m_j) or (s_j - s_i >= d_i) or (s_i - s_j >= d_j)
  with all machine variables m_* over one domain of M values;
* a unary (disjunctive) resource: (s_j - s_i >= d_i) or (s_i - s_j >= d_j).

A group of operations is a resource when every two of them are linked by
such a clause or ordered by a chain of top-level precedences at least as long
as the first one's duration. Then at any time t the operations running at t
(s_i <= t < s_i + d_i, d_i the smallest gap seen for i) pairwise exclude each
other (different machines, or not at the same time), so at most M of them run
(M = 1 for a unary resource). That is implied by the formula, and gives:

* capacity constraints (sequential-counter cardinality over "running at t"
  literals): the counting argument CDCL otherwise rediscovers pigeonhole-style;
* energetic reasoning (energy.py): a time window needing more than M times
  its length refutes the formula before any search.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from quod.eager.encode import ArithEncoder
from quod.eager.problem import AND, ATOM, EQ, LE, Problem
from quod.sat.cnf import Cnf


@dataclass
class Resource:
    kind: str  # "machines" | "unary"
    ops: list[int]  # start variables, sorted
    dur: dict[int, int]
    capacity: int
    machine_of: dict[int, int] = field(default_factory=dict)  # "machines": start var -> machine var
    clauses: list[int] = field(default_factory=list)  # root refs of the pair clauses
    pairs: list[tuple[int, int]] = field(default_factory=list)  # (min, max) start variables per clause
    exact: bool = True  # every clause's gaps equal the operations' durations


def diff_literal(p: Problem, ref: int) -> tuple[int, int, int] | None:
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


Pair = tuple[int, int, int, int, int, int, int]  # (s_a, s_b, gap a->b, gap b->a, m_1, m_2, root)


def _disjunction(p: Problem, lits: list[int]) -> tuple[int, int, int, int] | None:
    d = [diff_literal(p, q) for q in lits]
    if d[0] is None or d[1] is None:
        return None
    (x1, y1, g1), (x2, y2, g2) = d[0], d[1]
    if x1 != y2 or y1 != x2 or g1 <= 0 or g2 <= 0:
        return None
    return x1, y1, g1, g2


def find_pairs(p: Problem, roots: list[int]) -> tuple[list[Pair], list[Pair]]:
    """Clauses of the two patterns: (machine pairs, unary pairs); machine fields -1 for unary."""
    machines: list[Pair] = []
    unary: list[Pair] = []
    for r in roots:
        n = abs(r)
        if r > 0 or p.kinds[n] != AND or len(p.args[n]) not in (2, 3):
            continue
        lits = [-a for a in p.args[n]]
        if len(lits) == 2:
            d = _disjunction(p, lits)
            if d is not None:
                unary.append((*d, -1, -1, r))
            continue
        neq = [_neq_literal(p, q) for q in lits]
        k = [i for i, e in enumerate(neq) if e is not None]
        if len(k) != 1:
            continue
        m = neq[k[0]]
        assert m is not None
        d = _disjunction(p, [q for i, q in enumerate(lits) if i != k[0]])
        if d is not None:
            machines.append((*d, m[0], m[1], r))
    return machines, unary


Domains = dict[int, tuple[int, int]]  # variable -> bounds implied by the formula


def find_resources(p: Problem, roots: list[int], units: dict[int, bool], dom: Domains) -> list[Resource]:
    """Resources over variables with derived bounds (deterministic order)."""
    machine_pairs, unary_pairs = find_pairs(p, roots)
    succ = _precedence_graph(p, units)
    out: list[Resource] = []
    group = _machine_group(machine_pairs, dom)
    if group is not None and _complete(group, succ):
        out.append(group)
    for res in _unary_groups(unary_pairs):
        if all(s in dom for s in res.ops) and _complete(res, succ):
            out.append(res)
    return out


def _machine_group(pairs: list[Pair], dom: Domains) -> Resource | None:
    """All machine-pattern clauses as one group on M identical machines, or None."""
    if not pairs:
        return None
    # which machine variable belongs to which start variable: the one shared by all its clauses
    cand: dict[int, set[int]] = {}
    for sa, sb, _, _, m1, m2, _ in pairs:
        for s in (sa, sb):
            cand[s] = cand[s] & {m1, m2} if s in cand else {m1, m2}
    machine: dict[int, int] = {}
    for s, ms in cand.items():
        if len(ms) != 1:
            return None
        machine[s] = next(iter(ms))
    if len(set(machine.values())) != len(machine):
        return None
    res = Resource("machines", sorted(machine), {}, 0, machine_of=machine)
    for sa, sb, gab, gba, m1, m2, root in pairs:
        if {machine[sa], machine[sb]} != {m1, m2}:
            return None
        _note_pair(res, sa, sb, gab, gba, root)
    if not all(m in dom for m in machine.values()) or not all(s in dom for s in res.ops):
        return None
    doms = {dom[m] for m in machine.values()}
    if len(doms) != 1:
        return None
    lo_m, hi_m = next(iter(doms))
    res.capacity = hi_m - lo_m + 1
    return res


def _note_pair(res: Resource, sa: int, sb: int, gab: int, gba: int, root: int) -> None:
    for s, g in ((sa, gab), (sb, gba)):
        old = res.dur.get(s)
        if old is not None and old != g:
            res.exact = False
        res.dur[s] = g if old is None else min(old, g)
    res.clauses.append(root)
    res.pairs.append((min(sa, sb), max(sa, sb)))


def _unary_groups(pairs: list[Pair]) -> list[Resource]:
    """Connected components of the unary-pattern clauses (completeness is checked later)."""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for sa, sb, *_ in pairs:
        ra, rb = find(sa), find(sb)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, Resource] = {}
    for sa, sb, gab, gba, _, _, root in pairs:
        r = find(sa)
        res = groups.get(r)
        if res is None:
            res = groups[r] = Resource("unary", [], {}, 1)
        _note_pair(res, sa, sb, gab, gba, root)
    for res in groups.values():
        res.ops = sorted(res.dur)
    return [groups[r] for r in sorted(groups)]


def _precedence_graph(p: Problem, units: dict[int, bool]) -> dict[int, list[tuple[int, int]]]:
    """Top-level constraints y - x >= gap > 0 as x -> (y, gap)."""
    succ: dict[int, list[tuple[int, int]]] = {}
    for a, truth in units.items():
        at = p.atoms[a]
        if at.kind != LE or len(at.vars) != 2 or at.coefs != (1, -1):
            continue
        v0, v1 = at.vars
        x, y, gap = (v0, v1, -at.bound) if truth else (v1, v0, at.bound + 1)
        if gap > 0:
            succ.setdefault(x, []).append((y, gap))
    return succ


def _complete(res: Resource, succ: dict[int, list[tuple[int, int]]]) -> bool:
    """Every pair of operations linked by a clause or by a long enough chain of precedences."""
    n = len(res.ops)
    linked = set(res.pairs)
    pos = set(res.ops)
    if len(linked) == n * (n - 1) // 2:
        return True
    for x in res.ops:
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
            if y != x and y in pos and gap >= res.dur[x]:
                linked.add((min(x, y), max(x, y)))
    return len(linked) == n * (n - 1) // 2


def add_capacity(enc: ArithEncoder, res: Resource, budget: int) -> dict[str, int]:
    """At most `capacity` operations running at each time (sequential counters)."""
    cnf = enc.cnf
    n0 = len(cnf.clauses)
    ops, dur = res.ops, res.dur
    t_lo = min(enc.codes[s].lo for s in ops)
    t_hi = max(enc.codes[s].hi + dur[s] - 1 for s in ops)
    for t in range(t_lo, t_hi + 1):
        lits = []
        for s in ops:
            code = enc.codes[s]
            if t < code.lo or t > code.hi + dur[s] - 1:
                continue
            start_le_t = -enc.ge(s, t + 1)
            start_gt = enc.ge(s, t - dur[s] + 1)
            # s <= t and s >= t - d + 1  ->  r  (r only ever counts, so one direction suffices)
            if enc.c.false in (start_le_t, start_gt):
                continue
            cl = [-q for q in (start_le_t, start_gt) if q != enc.c.true]
            if not cl:
                lits.append(enc.c.true)  # certainly running at t
                continue
            if len(cl) == 1:
                lits.append(-cl[0])  # "running at t" is that one literal itself
                continue
            r = cnf.new_var()
            cnf.clauses.append([*cl, r])
            lits.append(r)
        if len(lits) > res.capacity:
            at_most(cnf, lits, res.capacity)
        if len(cnf.clauses) - n0 > budget:
            return {"capacity_budget_hit": 1}
    return {"capacity_clauses": len(cnf.clauses) - n0}


def at_most(cnf: Cnf, lits: list[int], k: int) -> None:
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
