"""Structure of a problem: top-level units, components, domains, polarities.

Domains are what make the encodings sound:
- *Derived* domains come from bounds the formula itself implies: the top-level
  (unit) difference and unary constraints form a graph, and shortest paths give
  each variable's bounds relative to a reference (Bellman-Ford with a queue).
  A component whose atoms all have coefficient sum 0 is shift invariant, so its
  reference can be pinned to 0 (Seshia & Bryant's observation for difference
  logic); other components are measured from absolute 0.
- *Small-model* domains (CMU-CS-03-210) are used where bounds cannot be derived:
  difference logic: values in [0, B] with B the sum of the largest
  min(n-1, m) constraint magnitudes; general linear: |x| <= d with
  d = (n+2) * min(n+1, m) * (b_max+1) * (a_max*w)^k.
If neither applies soundly the engine answers unknown.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from quod.eager.problem import AND, ATOM, EQ, ITE, LE, XOR, Atom, Problem

POS, NEG = 1, 2


@dataclass
class Component:
    vars: list[int]
    atoms: list[int]
    shift_invariant: bool
    difference: bool  # every atom is a difference (or unary) constraint
    ref: int = -1  # pinned reference variable (shift-invariant components) or -1
    lo: dict[int, int] = field(default_factory=dict)
    hi: dict[int, int] = field(default_factory=dict)
    domain_kind: str = ""  # "derived" | "small-model" | "none"
    note: str = ""


def top_level(p: Problem) -> list[int]:
    """Root literals with top-level conjunctions flattened (deterministic order)."""
    out: list[int] = []
    seen: set[int] = set()
    stack = list(reversed(p.roots))
    while stack:
        r = stack.pop()
        if r in seen:
            continue
        seen.add(r)
        if r > 0 and p.kinds[r] == AND:
            stack.extend(reversed(p.args[r]))
        else:
            out.append(r)
    return out


def polarities(p: Problem, roots: list[int]) -> list[int]:
    """pol[node] bit mask: POS if the node is needed true-implies, NEG if false-implies."""
    pol = [0] * p.num_nodes
    stack: list[tuple[int, int]] = []
    for r in roots:
        stack.append((abs(r), POS if r > 0 else NEG))
    kinds, args = p.kinds, p.args
    while stack:
        n, mask = stack.pop()
        new = mask & ~pol[n]
        if not new:
            continue
        pol[n] |= new
        k = kinds[n]
        if k == AND:
            for c in args[n]:
                stack.append((abs(c), new if c > 0 else _flip(new)))
        elif k == ITE:
            c, a, b = args[n]
            stack.append((c, POS | NEG))
            stack.append((abs(a), new if a > 0 else _flip(new)))
            stack.append((abs(b), new if b > 0 else _flip(new)))
        elif k == XOR:  # both polarities
            for c in args[n]:
                stack.append((abs(c), POS | NEG))
    return pol


def _flip(mask: int) -> int:
    return ((mask & POS) << 1) | ((mask & NEG) >> 1)


def atom_polarity(p: Problem, pol: list[int]) -> dict[int, int]:
    """atom index -> polarity mask (only atoms reachable from the roots)."""
    out: dict[int, int] = {}
    for n in range(2, p.num_nodes):
        if p.kinds[n] == ATOM and pol[n]:
            out[p.args[n][0]] = pol[n]
    return out


def components(p: Problem, used_atoms: list[int]) -> list[Component]:
    parent = list(range(len(p.int_names)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a in used_atoms:
        vs = p.atoms[a].vars
        r0 = find(vs[0])
        for v in vs[1:]:
            r = find(v)
            if r != r0:
                parent[r] = r0
    by_root: dict[int, Component] = {}
    order: list[Component] = []
    for a in used_atoms:
        at = p.atoms[a]
        root = find(at.vars[0])
        comp = by_root.get(root)
        if comp is None:
            comp = Component([], [], True, True)
            by_root[root] = comp
            order.append(comp)
        comp.atoms.append(a)
        if sum(at.coefs) != 0:
            comp.shift_invariant = False
        if not at.is_difference:
            comp.difference = False
    seen: set[int] = set()
    for comp in order:
        for a in comp.atoms:
            for v in p.atoms[a].vars:
                if v not in seen:
                    seen.add(v)
                    comp.vars.append(v)
    return order


# -- derived bounds ------------------------------------------------------------------
ZERO = -1  # virtual variable standing for the constant 0


def _edges(p: Problem, comp: Component, unit_atoms: dict[int, bool]) -> list[tuple[int, int, int]]:
    """Unit difference/unary constraints as edges (y, x, c) meaning x - y <= c."""
    out: list[tuple[int, int, int]] = []
    for a in comp.atoms:
        truth = unit_atoms.get(a)
        if truth is None:
            continue
        at = p.atoms[a]
        if not at.is_difference:
            continue
        for x, y, c in as_differences(at, truth):
            out.append((y, x, c))
    return out


def as_differences(at: Atom, truth: bool) -> list[tuple[int, int, int]]:
    """A difference atom with its truth value as constraints x - y <= c (ZERO for unary)."""
    if len(at.vars) == 1:
        x, y, sgn = at.vars[0], ZERO, at.coefs[0]
    else:
        (v0, v1), (c0, _) = at.vars, at.coefs
        x, y, sgn = (v0, v1, 1) if c0 == 1 else (v1, v0, 1)
    b = at.bound
    if sgn < 0:  # -x <= b
        x, y = y, x
    if at.kind == EQ:
        return [(x, y, b), (y, x, -b)] if truth else []
    return [(x, y, b)] if truth else [(y, x, -b - 1)]


def shortest(src: int, adj: dict[int, list[tuple[int, int]]], limit: int) -> dict[int, int] | None:
    """Single-source shortest distances (queue Bellman-Ford); None on a negative cycle."""
    dist = {src: 0}
    count: dict[int, int] = {}
    queue = deque([src])
    inq = {src}
    while queue:
        u = queue.popleft()
        inq.discard(u)
        du = dist[u]
        for v, w in adj.get(u, ()):
            nd = du + w
            if nd < dist.get(v, nd + 1):
                dist[v] = nd
                if v not in inq:
                    c = count.get(v, 0) + 1
                    if c > limit:
                        return None
                    count[v] = c
                    queue.append(v)
                    inq.add(v)
    return dist


def derive_bounds(p: Problem, comp: Component, unit_atoms: dict[int, bool]) -> bool:
    """Fill comp.lo/hi from unit constraints; True if every variable got both bounds.

    Returns False (and leaves the component without derived domains) when some
    variable is unbounded or the unit constraints are contradictory.
    """
    edges = _edges(p, comp, unit_atoms)
    fwd: dict[int, list[tuple[int, int]]] = {}
    bwd: dict[int, list[tuple[int, int]]] = {}
    degree: dict[int, int] = {}
    for y, x, c in edges:
        fwd.setdefault(y, []).append((x, c))
        bwd.setdefault(x, []).append((y, c))
        degree[x] = degree.get(x, 0) + 1
        degree[y] = degree.get(y, 0) + 1
    if comp.shift_invariant:
        if not degree:
            return False
        # the best-connected variable is the natural reference (e.g. `ref` in job-shop files)
        # ties go to the first variable (max keeps the first maximum)
        ref = max(comp.vars, key=lambda v: degree.get(v, 0))
    else:
        ref = ZERO
    limit = len(comp.vars) + 2
    up = shortest(ref, fwd, limit)
    down = shortest(ref, bwd, limit)
    if up is None or down is None:
        comp.note = "unit constraints have a negative cycle"
        return False
    for v in comp.vars:
        if v not in up or v not in down:
            return False
    for v in comp.vars:
        lo, hi = -down[v], up[v]
        if lo > hi:
            comp.note = "empty domain"
            return False
        comp.lo[v], comp.hi[v] = lo, hi
    comp.ref = ref if ref != ZERO else -1
    comp.domain_kind = "derived"
    return True


def small_model_bounds(p: Problem, comp: Component, apol: dict[int, int]) -> bool:
    """Domains from the small-model theorems; False if no bound applies."""
    n = len(comp.vars)
    m = len(comp.atoms)
    if comp.difference:
        # each literal contributes one edge of weight >= -(|b|+1); a shortest path uses
        # at most min(n, m) edges (n+1 nodes counting the virtual zero for unary atoms)
        mags = sorted((abs(p.atoms[a].bound) + 1 for a in comp.atoms), reverse=True)
        k = min(n if not comp.shift_invariant else n - 1, m)
        bound = sum(mags[:k])
        if comp.shift_invariant:
            lo, hi = 0, bound
        else:
            lo, hi = -bound, bound
    else:
        a_max = max(abs(c) for a in comp.atoms for c in p.atoms[a].coefs)
        b_max = max(abs(p.atoms[a].bound) for a in comp.atoms) + 1
        nondiff = [a for a in comp.atoms if not p.atoms[a].is_difference]
        k = len(nondiff)
        w = max(len(p.atoms[a].vars) for a in nondiff)
        # EQ atoms are two inequalities; the negation of an atom is one more constraint
        mm = 2 * m
        bound = (n + 2) * min(n + 1, mm) * (b_max + 1) * (a_max * w) ** k
        lo, hi = -bound, bound
    for v in comp.vars:
        comp.lo[v], comp.hi[v] = lo, hi
    comp.domain_kind = "small-model"
    return True


def implied_truth(at: Atom, lo: dict[int, int], hi: dict[int, int]) -> bool | None:
    """True/False if the atom's value is fixed by the variable domains, else None."""
    smin = smax = 0
    for v, c in zip(at.vars, at.coefs):
        if c > 0:
            smin += c * lo[v]
            smax += c * hi[v]
        else:
            smin += c * hi[v]
            smax += c * lo[v]
    if at.kind == LE:
        if smax <= at.bound:
            return True
        if smin > at.bound:
            return False
        return None
    if smin == smax == at.bound:
        return True
    if at.bound < smin or at.bound > smax:
        return False
    return None


def unit_atom_truths(p: Problem, roots: list[int]) -> dict[int, bool]:
    out: dict[int, bool] = {}
    for r in roots:
        n = abs(r)
        if p.kinds[n] == ATOM:
            out[p.args[n][0]] = r > 0
    return out


def ordered_unique(xs: list[int]) -> list[int]:
    seen: set[int] = set()
    out = []
    for x in xs:
        if x not in seen:
            seen.add(x)
            out.append(x)
    return out


__all__ = [
    "NEG",
    "POS",
    "Component",
    "atom_polarity",
    "components",
    "derive_bounds",
    "implied_truth",
    "ordered_unique",
    "polarities",
    "shortest",
    "small_model_bounds",
    "top_level",
    "unit_atom_truths",
]
