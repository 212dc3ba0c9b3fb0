"""Disjunctive precedences: orientations implied by the bounds, and ordering clauses.

Both work on top-level clauses of two difference literals,
`(s_b - s_a >= g1) or (s_a - s_b >= g2)` (a unary resource's pair clause, or
any other binary disjunction of difference literals).

`tighten` (before any variable exists) shrinks the derived domains by three
inference rules, run to a fixpoint:

* bound propagation along every precedence edge (the unit difference
  constraints, and the orientations found below);
* orientation ("immediate selection" in job-shop terms): a literal that cannot
  hold within the bounds is false in every model, so the clause's other
  literal holds in every model and becomes one more edge;
* edge-finding (Carlier & Pinson's rule) on groups of operations that pairwise
  cannot overlap: if a set O and one more operation i cannot all finish by
  O's latest completion, i runs after all of O.

Then optional shaving: probe "s <= t" (or "s >= t") for an operation, run the
fixpoint on a copy, and if it fails, no model has s <= t, so those values go.
Each rule derives only facts that hold in every model within the current
bounds, so the bounds stay implied by the formula and the smaller domains
lose no model; the order encoding gets fewer values and fewer open pair
clauses, and a contradiction refutes the formula. This only runs on
components whose domains are *derived* from the formula's own unit
constraints: small-model and ordering domains bound where *some* model lies,
not every model, so a literal outside them may still hold in the model that
matters.

`add_order_clauses` (after the atoms have literals) adds clauses that hold
under the canonical assignment "atom literal = the atom's truth value" of any
model (the polarity encoding allows that assignment whatever the atom's
polarity, so adding them keeps every model):

* exclusion: `not (s_b - s_a >= g1 and s_a - s_b >= g2)` when `g1 + g2 > 0`;
* transitivity over pairwise-linked operations: `a before b` and `b before c`
  give `a before c` when the gaps add up (`g_ab + g_bc >= g_ac`).

In the order encoding CDCL can only derive either of these value by value
(one resolution step per time point); as clauses they are one step, and
ordering cycles on a machine are refuted without touching the time line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from quod.eager.analysis import ZERO, Component, as_differences
from quod.eager.problem import AND, Problem
from quod.eager.resources import diff_literal
from quod.sat.cnf import Cnf

Lit = tuple[int, int, int]  # (x, y, gap): the literal y - x >= gap


@dataclass
class Disjunction:
    root: int
    atoms: tuple[int, int]
    truths: tuple[bool, bool]  # the atom's truth value that makes each literal true
    lits: tuple[Lit, Lit]


def _diff_literal(p: Problem, ref: int) -> tuple[int, bool, Lit] | None:
    """(atom, the atom's truth value that makes the literal true, the literal as y - x >= gap)."""
    lit = diff_literal(p, ref)
    return None if lit is None else (p.args[abs(ref)][0], ref > 0, lit)


def find_disjunctions(p: Problem, roots: list[int]) -> list[Disjunction]:
    out: list[Disjunction] = []
    for r in roots:
        n = abs(r)
        if r > 0 or p.kinds[n] != AND or len(p.args[n]) != 2:
            continue
        d1, d2 = (_diff_literal(p, -q) for q in p.args[n])
        if d1 is None or d2 is None:
            continue
        out.append(Disjunction(r, (d1[0], d2[0]), (d1[1], d2[1]), (d1[2], d2[2])))
    return out


@dataclass
class Tightening:
    lo: dict[int, int]
    hi: dict[int, int]
    implied: dict[int, bool] = field(default_factory=dict)  # atom -> truth in every model
    contradiction: bool = False
    stats: dict[str, Any] = field(default_factory=dict)


def unary_groups(disjunctions: list[Disjunction]) -> list[tuple[list[int], dict[int, int]]]:
    """Groups of operations that pairwise cannot overlap: (operations, durations).

    Operation a "runs" for d_a = the smallest gap by which any of its clauses puts
    a before another operation; each clause `b - a >= g1 or a - b >= g2` then
    says the intervals [s_a, s_a + d_a) and [s_b, s_b + d_b) are disjoint. Only
    groups where every pair has such a clause and every duration is positive.
    """
    dur: dict[int, int] = {}
    nbrs: dict[int, set[int]] = {}
    for d in disjunctions:
        (x1, y1, g1), (x2, y2, g2) = d.lits
        if x1 != y2 or y1 != x2 or x1 == y1:
            continue
        for x, g in ((x1, g1), (x2, g2)):
            dur[x] = min(dur.get(x, g), g)
        nbrs.setdefault(x1, set()).add(y1)
        nbrs.setdefault(y1, set()).add(x1)
    out: list[tuple[list[int], dict[int, int]]] = []
    seen: set[int] = set()
    for s in sorted(nbrs):
        if s in seen:
            continue
        group = sorted(nbrs[s] | {s})
        seen.update(group)
        members = set(group)
        if len(group) < 3 or any(nbrs[v] | {v} != members for v in group):
            continue
        if all(dur[v] > 0 for v in group):
            out.append((group, {v: dur[v] for v in group}))
    return out


def _edge_finding(est: list[int], lct: list[int], p: list[int]) -> list[int] | None:
    """Edge-finding on one unary resource: raised earliest starts, None on overload.

    For the set O of operations with latest completion <= lct_j and an operation
    i outside it: if O and i cannot all finish by lct_j, i runs after all of O,
    so it starts no earlier than O's earliest completion. ECT(S) is the standard
    lower bound max_k (est_k + sum of p over members of S starting no earlier).
    """
    n = len(est)
    new = list(est)
    desc = sorted(range(n), key=lambda k: -est[k])
    by_lct = sorted(range(n), key=lambda k: lct[k])
    for pos, j in enumerate(by_lct):
        big = lct[j]
        if pos + 1 < n and lct[by_lct[pos + 1]] == big:
            continue  # the same set O is handled at its last member
        omega = [k for k in desc if lct[k] <= big]
        cum = 0
        ect = -(1 << 62)
        cums: list[int] = []
        for k in omega:
            cum += p[k]
            cums.append(cum)
            if est[k] + cum > ect:
                ect = est[k] + cum
        if ect > big:
            return None
        rest = by_lct[pos + 1 :]
        # adding i raises ECT by at most p_i: most candidates (often all) are out by that alone
        if not rest or ect + max(p[i] for i in rest) <= big:
            continue
        for i in rest:
            if new[i] >= ect or ect + p[i] <= big:
                continue
            # ECT(O + i): i adds p_i to every k with est_k <= est_i, and starts its own chain
            ei, pi = est[i], p[i]
            with_i = ei + pi + sum(p[k] for k in omega if est[k] >= ei)
            for k, c in zip(omega, cums):
                e = est[k] + c + (pi if est[k] <= ei else 0)
                if e > with_i:
                    with_i = e
            if with_i > big:
                new[i] = ect
    return new


class _Propagator:
    """Bounds, precedence edges and open disjunctions, with a fixpoint and probing.

    Every bound it derives from the formula's own constraints holds in every
    model (within the derived domains); a failed probe `s_v <= t` therefore
    proves `s_v > t` in every model, since the propagators are monotone.
    """

    def __init__(
        self, lo: dict[int, int], hi: dict[int, int], edges: list[Lit], disj: list[Disjunction],
        units: dict[int, bool], groups: list[tuple[list[int], dict[int, int]]],
    ) -> None:  # fmt: skip
        self.lo, self.hi, self.edges, self.disj, self.units, self.groups = lo, hi, edges, disj, units, groups
        self.edge_at: dict[int, list[int]] = {}
        self.disj_at: dict[int, list[int]] = {}
        for i, (x, y, _) in enumerate(edges):
            self.edge_at.setdefault(x, []).append(i)
            self.edge_at.setdefault(y, []).append(i)
        for i, d in enumerate(disj):
            for v in sorted({d.lits[0][0], d.lits[0][1], d.lits[1][0], d.lits[1][1]}):
                self.disj_at.setdefault(v, []).append(i)
        self.decided: list[int] = [-1] * len(disj)  # index of the literal that holds, -1 open
        self.queue: list[int] = []
        self.queued: set[int] = set()
        self.steps = 0
        self.rounds = 0
        self.group_of: dict[int, list[int]] = {}
        for gi, (ops, _) in enumerate(groups):
            for v in ops:
                self.group_of.setdefault(v, []).append(gi)
        self.dirty: set[int] = set(range(len(groups)))  # groups whose bounds changed since their last pass

    def push(self, v: int) -> None:
        if v not in self.queued:
            self.queued.add(v)
            self.queue.append(v)
            self.dirty.update(self.group_of.get(v, ()))

    def apply(self, e: Lit) -> bool:
        """Propagate y - x >= g onto the bounds; False on an empty domain."""
        x, y, g = e
        lo, hi = self.lo, self.hi
        if lo[x] + g > lo[y]:
            lo[y] = lo[x] + g
            self.push(y)
        if hi[y] - g < hi[x]:
            hi[x] = hi[y] - g
            self.push(x)
        return lo[x] <= hi[x] and lo[y] <= hi[y]

    def check(self, i: int) -> bool:
        """Orient disjunction i if one literal is impossible; False if both are."""
        d = self.disj[i]
        lo, hi = self.lo, self.hi
        (x1, y1, g1), (x2, y2, g2) = d.lits
        ok1 = hi[y1] - lo[x1] >= g1
        ok2 = hi[y2] - lo[x2] >= g2
        if ok1 and ok2:
            return True
        if not ok1 and not ok2:
            return False
        k = 1 if ok2 else 0
        if self.units.get(d.atoms[k], d.truths[k]) != d.truths[k]:
            return False
        self.decided[i] = k
        e = d.lits[k]
        self.edges.append(e)
        self.edge_at.setdefault(e[0], []).append(len(self.edges) - 1)
        self.edge_at.setdefault(e[1], []).append(len(self.edges) - 1)
        return self.apply(e)

    def edge_find(self) -> bool:
        """One edge-finding pass over the changed groups in both time directions; False on overload."""
        lo, hi = self.lo, self.hi
        todo = sorted(self.dirty)
        self.dirty.clear()
        for gi in todo:
            ops, dur = self.groups[gi]
            self.steps += len(ops) ** 2
            ds = [dur[v] for v in ops]
            est = [lo[v] for v in ops]
            lct = [hi[v] + d for v, d in zip(ops, ds)]
            up = _edge_finding(est, lct, ds)
            # mirrored time: [s, s+d) becomes [-(s+d), -s)
            down = _edge_finding([-c for c in lct], [-e for e in est], ds)
            if up is None or down is None:
                return False
            for v, d, e, m in zip(ops, ds, up, down):
                if e > lo[v]:
                    lo[v] = e
                    self.push(v)
                if -m - d < hi[v]:
                    hi[v] = -m - d
                    self.push(v)
                if lo[v] > hi[v]:
                    return False
        return True

    def fixpoint(self, max_steps: int) -> bool:
        """Propagate until nothing changes (or the budget is spent); False on a contradiction."""
        while self.steps < max_steps:
            while self.queue and self.steps < max_steps:
                v = self.queue.pop()
                self.queued.discard(v)
                for i in self.edge_at.get(v, ()):
                    self.steps += 1
                    if not self.apply(self.edges[i]):
                        return False
                for i in self.disj_at.get(v, ()):
                    self.steps += 1
                    if self.decided[i] < 0 and not self.check(i):
                        return False
            if not self.dirty:
                return True
            self.rounds += 1
            if not self.edge_find():
                return False
            if not self.queue:
                return True
        return True

    def probe(self, v: int, lo_v: int, hi_v: int, max_steps: int) -> bool:
        """Would restricting v to [lo_v, hi_v] fail by propagation? The state is restored."""
        lo, hi, decided, n_edges = dict(self.lo), dict(self.hi), list(self.decided), len(self.edges)
        steps = self.steps
        self.lo[v], self.hi[v] = max(lo_v, self.lo[v]), min(hi_v, self.hi[v])
        self.push(v)
        failed = self.lo[v] > self.hi[v] or not self.fixpoint(steps + max_steps)
        self.lo, self.hi, self.decided = lo, hi, decided
        self.dirty.clear()
        for e in self.edges[n_edges:]:
            self.edge_at[e[0]].pop()
            self.edge_at[e[1]].pop()
        del self.edges[n_edges:]
        self.queue.clear()
        self.queued.clear()
        return failed


def tighten(
    p: Problem,
    comps: list[Component],
    disjunctions: list[Disjunction],
    units: dict[int, bool],
    max_steps: int = 5_000_000,
    edge_finding: bool = True,
    shave: int = 0,
) -> Tightening:
    """Fixpoint of bound propagation, implied orientations and edge-finding over derived domains.

    `shave`: at most that many shaving probes `s <= t` / `s >= t` on the operations
    of unary groups; a probe that fails by propagation removes those values.
    Stopping early (step or probe budget) is sound: every bound reached so far is
    implied.
    """
    lo: dict[int, int] = {ZERO: 0}
    hi: dict[int, int] = {ZERO: 0}
    edges: list[Lit] = []
    for comp in comps:
        if comp.domain_kind != "derived":
            continue
        lo.update(comp.lo)
        hi.update(comp.hi)
        for a in comp.atoms:
            truth = units.get(a)
            at = p.atoms[a]
            if truth is None or not at.is_difference:
                continue
            # x - y <= c  is the literal  y - x >= -c
            edges.extend((x, y, -c) for x, y, c in as_differences(at, truth))
    disj = [d for d in disjunctions if all(v in lo for lit in d.lits for v in lit[:2])]
    size0 = sum(hi[v] - lo[v] for v in lo)
    groups = [g for g in unary_groups(disj) if all(v in lo for v in g[0])] if edge_finding else []
    prop = _Propagator(lo, hi, edges, disj, units, groups)
    ok = all(prop.check(i) for i in range(len(disj))) and prop.fixpoint(max_steps)
    budget_hit = prop.steps >= max_steps
    shaved = probes = 0
    if ok and shave > 0:
        ok, shaved, probes = _shave(prop, sorted({v for g in groups for v in g[0]}), shave, max_steps)
    lo, hi = prop.lo, prop.hi
    del lo[ZERO], hi[ZERO]
    out = Tightening(lo, hi, contradiction=not ok)
    for i, k in enumerate(prop.decided):
        d = disj[i]
        if k >= 0 and d.atoms[k] not in units:
            out.implied[d.atoms[k]] = d.truths[k]
    out.stats = {
        "tighten_oriented": sum(k >= 0 for k in prop.decided),
        "tighten_disjunctions": len(disj),
        "tighten_domain_before": size0,
        "tighten_domain_after": sum(hi[v] - lo[v] for v in lo) if ok else 0,
        "tighten_groups": len(groups),
        "tighten_rounds": prop.rounds,
        "tighten_shaved": shaved,
        "tighten_probes": probes,
    }
    if budget_hit:
        out.stats["tighten_budget_hit"] = 1
    return out


def _shave(prop: _Propagator, ops: list[int], budget: int, max_steps: int) -> tuple[bool, int, int]:
    """Shaving passes until a pass changes nothing or `budget` probes are spent.

    Per operation and side, one probe of the extreme value first (most sides
    shave nothing, and then that is the only probe), else a binary search for the
    last failing value: failure is monotone in the restriction. The budget counts
    probes, not seconds, so the CNF stays a function of the input and options.
    Returns (consistent, values removed, probes).
    """
    shaved = probes = 0
    changed = True
    while changed and probes < budget:
        changed = False
        size = sum(prop.hi[v] - prop.lo[v] for v in ops)
        before = shaved
        for v in ops:
            for side in (0, 1):
                lo_v, hi_v = prop.lo[v], prop.hi[v]
                if probes >= budget or lo_v == hi_v:
                    break

                def fails(t: int, v: int = v, side: int = side, lo_v: int = lo_v, hi_v: int = hi_v) -> bool:
                    """Side 0 probes "v <= t", side 1 "v >= t"."""
                    lo_t, hi_t = (lo_v, t) if side == 0 else (t, hi_v)
                    return prop.probe(v, lo_t, hi_t, max_steps)

                probes += 1
                if not fails(lo_v if side == 0 else hi_v):
                    continue
                # a..b: candidates for the last failing value, first one known to fail
                a, b = (lo_v, hi_v - 1) if side == 0 else (lo_v + 1, hi_v)
                cut = lo_v if side == 0 else hi_v
                while a <= b and probes < budget:
                    mid = (a + b + 1) // 2 if side == 0 else (a + b) // 2
                    probes += 1
                    if side == 0:
                        if fails(mid):
                            cut, a = mid, mid + 1
                        else:
                            b = mid - 1
                    elif fails(mid):
                        cut, b = mid, mid - 1
                    else:
                        a = mid + 1
                if side == 0:
                    prop.lo[v] = cut + 1
                    shaved += cut + 1 - lo_v
                else:
                    prop.hi[v] = cut - 1
                    shaved += hi_v - cut + 1
                changed = True
                prop.push(v)
                if prop.lo[v] > prop.hi[v] or not prop.fixpoint(prop.steps + max_steps):
                    return False, shaved, probes
        # a pass that removes less than 2% of what is left rarely pays for the next one
        if 50 * (shaved - before) < size:
            break
    return True, shaved, probes


def add_order_clauses(
    cnf: Cnf, disjunctions: list[Disjunction], atom_lits: dict[int, int], budget: int
) -> dict[str, int]:
    """Exclusion and transitivity clauses over the disjunctions' literals (see module doc)."""
    n0 = len(cnf.clauses)
    out = cnf.clauses
    # before[a][b] = (literal "b - a >= gap", gap); only pairs of the disjunctive shape
    before: dict[int, dict[int, tuple[int, int]]] = {}
    for d in disjunctions:
        (x1, y1, g1), (x2, y2, g2) = d.lits
        if x1 != y2 or y1 != x2 or d.atoms[0] not in atom_lits or d.atoms[1] not in atom_lits:
            continue
        l1 = atom_lits[d.atoms[0]] if d.truths[0] else -atom_lits[d.atoms[0]]
        l2 = atom_lits[d.atoms[1]] if d.truths[1] else -atom_lits[d.atoms[1]]
        if g1 + g2 > 0:  # both at once would need s_b - s_a >= g1 and <= -g2
            out.append([-l1, -l2])
        for x, y, g, lit in ((x1, y1, g1, l1), (x2, y2, g2, l2)):
            row = before.setdefault(x, {})
            old = row.get(y)
            if old is None or g > old[1]:  # keep the strongest literal for the pair
                row[y] = (lit, g)
    n_excl = len(out) - n0
    for a in sorted(before):
        row_a = before[a]
        for b in sorted(row_a):
            lab, gab = row_a[b]
            for c, (lbc, gbc) in sorted(before.get(b, {}).items()):
                if c == a:
                    continue
                ac = row_a.get(c)
                if ac is None or gab + gbc < ac[1]:
                    continue
                out.append([-lab, -lbc, ac[0]])
            if len(out) - n0 > budget:
                return {"order_exclusion": n_excl, "order_transitivity": len(out) - n0 - n_excl,
                        "order_budget_hit": 1}  # fmt: skip
    return {"order_exclusion": n_excl, "order_transitivity": len(out) - n0 - n_excl}
