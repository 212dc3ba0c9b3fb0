"""Scheduling structure in the encoder: resources, energy, capacity, machine elimination.

`find_scheduling` runs after the domains are chosen and before any variable
is created; it only looks at components whose domains are derived from the
formula's own unit constraints (never at small-model or ordering domains):

1. find the resources (resources.py) among the top-level clauses;
2. energetic reasoning on each (energy.py): an overloaded window refutes the
   formula (without a proof the engine answers unsat without search, and says
   so; a proof run ignores it and encodes as usual).

`encode_scheduling` runs once the variables exist, before the atoms are encoded:

3. capacity constraints ("at most M running at each time") for each resource
   whose operations are order-encoded;
4. machine elimination for identical parallel machines: when every clause's
   gaps equal the operations' durations and the machine variables occur
   nowhere else (besides bounds against the reference), the pair clauses are
   exactly "operations whose intervals overlap use different machines". An
   interval graph is colourable with as many colours as its largest clique,
   which is the largest number of operations running at one time. So the
   capacity constraints alone are equisatisfiable with the pair clauses: the
   clauses and machine atoms are dropped from the CNF and `assign_machines`
   rebuilds the machine values from the start times by greedy colouring in
   start order. The kernel checks the rebuilt model like any other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from quod.eager.analysis import Component
from quod.eager.encode import ArithEncoder
from quod.eager.energy import Overload, overload
from quod.eager.problem import AND, ATOM, Problem
from quod.eager.resources import Resource, add_capacity, find_resources


@dataclass
class SchedulingPlan:
    resources: list[Resource] = field(default_factory=list)
    overload: tuple[Resource, Overload] | None = None
    dropped_roots: set[int] = field(default_factory=set)  # pair clauses replaced by capacity
    dropped_atoms: set[int] = field(default_factory=set)  # machine equalities no longer encoded
    colour: list[Resource] = field(default_factory=list)  # groups whose machines are rebuilt
    stats: dict[str, Any] = field(default_factory=dict)


def find_scheduling(
    p: Problem, roots: list[int], units: dict[int, bool], comps: list[Component], *, energy: bool
) -> SchedulingPlan:
    """Resources over variables with derived (formula-implied) bounds, and the energetic check."""
    plan = SchedulingPlan()
    dom = {v: (c.lo[v], c.hi[v]) for c in comps if c.domain_kind == "derived" for v in c.vars}
    plan.resources = find_resources(p, roots, units, dom)
    if not plan.resources:
        return plan
    plan.stats.update(
        capacity_groups=len(plan.resources), capacity_ops=sum(len(r.ops) for r in plan.resources)
    )
    if not energy:
        return plan
    for res in plan.resources:
        hit = overload([dom[s][0] for s in res.ops], [dom[s][1] for s in res.ops], [res.dur[s] for s in res.ops],
                       res.capacity)  # fmt: skip
        if hit is not None:
            plan.overload = (res, hit)
            plan.stats["energy"] = f"{res.kind} resource of {len(res.ops)} operations: {hit}"
            return plan
    plan.stats["energy"] = "no overload"
    return plan


def encode_scheduling(
    plan: SchedulingPlan,
    p: Problem,
    roots: list[int],
    units: dict[int, bool],
    comps: list[Component],
    enc: ArithEncoder,
    *,
    machines: bool,
    budget: int,
) -> None:
    """Capacity constraints for order-encoded resources; machine elimination where exact."""
    refs = {comp.ref for comp in comps if comp.ref >= 0}
    clauses = 0
    for res in plan.resources:
        if not all(s in enc.codes and enc.codes[s].order for s in res.ops):
            continue
        st = add_capacity(enc, res, budget - clauses)
        if "capacity_budget_hit" in st:
            plan.stats["capacity_budget_hit"] = 1
            break
        clauses += st["capacity_clauses"]
        if machines and res.kind == "machines" and _eliminable(p, roots, units, res, refs):
            plan.dropped_roots.update(res.clauses)
            plan.colour.append(res)
    plan.stats["capacity_clauses"] = clauses
    if plan.colour:
        plan.dropped_atoms = _machine_atoms(p, plan.colour)
        plan.stats["machines_eliminated"] = sum(len(r.ops) for r in plan.colour)


def _machine_atoms(p: Problem, groups: list[Resource]) -> set[int]:
    mvars = {m for res in groups for m in res.machine_of.values()}
    return {a for a, at in enumerate(p.atoms) if len(at.vars) == 2 and set(at.vars) <= mvars}


def _eliminable(p: Problem, roots: list[int], units: dict[int, bool], res: Resource, refs: set[int]) -> bool:
    """Pair clauses exact, and machine variables used only in them and in bounds against a reference."""
    if not res.exact:
        return False
    mvars = set(res.machine_of.values())
    pair_roots = set(res.clauses)
    seen: set[int] = set()
    stack = [abs(r) for r in roots if r not in pair_roots]
    while stack:
        n = stack.pop()
        if n in seen:
            continue
        seen.add(n)
        kind = p.kinds[n]
        if kind == ATOM:
            a = p.args[n][0]
            vs = set(p.atoms[a].vars)
            if vs & mvars and not (a in units and len(vs - mvars - refs) == 0 and len(vs & mvars) == 1):
                return False
        elif kind >= AND:
            stack.extend(abs(c) for c in p.args[n])
    return True


def assign_machines(plan: SchedulingPlan, enc: ArithEncoder, ints: list[int]) -> None:
    """Machine values by greedy interval colouring in start order (in place)."""
    for res in plan.colour:
        lo = enc.codes[res.machine_of[res.ops[0]]].lo
        free: list[int] = []  # released machine numbers
        busy: list[tuple[int, int]] = []  # (end, machine)
        used = 0
        for s in sorted(res.ops, key=lambda v: (ints[v], v)):
            t = ints[s]
            still = []
            for end, m in busy:
                if end <= t:
                    free.append(m)
                else:
                    still.append((end, m))
            busy = still
            free.sort()
            if free:
                m = free.pop(0)
            else:
                m, used = used, used + 1
            busy.append((t + res.dur[s], m))
            ints[res.machine_of[s]] = lo + m
