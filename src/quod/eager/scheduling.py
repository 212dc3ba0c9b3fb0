"""Scheduling structure in the encoder: resources, energy, capacity, machine elimination.

Runs after the domains are assigned and before the atoms are encoded:

1. find the resources (resources.py) among the top-level clauses;
2. energetic reasoning on each (energy.py): an overloaded window refutes the
   formula (the engine answers unsat without search, and says so);
3. capacity constraints ("at most M running at each time") for each resource;
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


def plan_scheduling(
    p: Problem,
    roots: list[int],
    units: dict[int, bool],
    comps: list[Component],
    enc: ArithEncoder,
    *,
    capacity: bool,
    energy: bool,
    machines: bool,
    budget: int,
    stop_on_overload: bool = False,
) -> SchedulingPlan:
    plan = SchedulingPlan()
    if not (capacity or energy):
        return plan
    plan.resources = find_resources(p, roots, units, enc)
    if not plan.resources:
        return plan
    plan.stats.update(
        capacity_groups=len(plan.resources), capacity_ops=sum(len(r.ops) for r in plan.resources)
    )
    if energy:
        for res in plan.resources:
            codes = [enc.codes[s] for s in res.ops]
            hit = overload([c.lo for c in codes], [c.hi for c in codes], [res.dur[s] for s in res.ops],
                           res.capacity)  # fmt: skip
            if hit is not None:
                plan.overload = (res, hit)
                plan.stats["energy"] = f"{res.kind} resource of {len(res.ops)} operations: {hit}"
                break
        else:
            plan.stats["energy"] = "no overload"
    if not capacity or (plan.overload is not None and stop_on_overload):
        return plan
    refs = {comp.ref for comp in comps if comp.ref >= 0}
    clauses = 0
    for res in plan.resources:
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
    return plan


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
