"""Passive form: single assignment, no havoc (Flanagan-Saxe / Boogie).

An assignment `x := e` makes x stand for the term e (over the current
incarnations) from then on, without a new variable (copy propagation; terms
are shared DAGs, so nothing is duplicated); `havoc x` moves on to a fresh
incarnation `x@k`. Where branches join with different values of a variable,
a new incarnation is introduced and each predecessor ends with
`assume x@new == <its value>`. The result has only
`assume` and `assert` commands, so its weakest precondition has no
substitutions and grows linearly with the program.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from quod.core.builder import Eq
from quod.core.terms import Term, var
from quod.core.walk import substitute
from quod.verify.ivl import Assert, Assign, Assume, Havoc, Obligation, Procedure


@dataclass
class PBlock:
    name: str
    # (kind, condition, obligation, condition to assume once proved)
    cmds: list[tuple[str, Term, Obligation | None, Term]] = field(default_factory=list)
    succs: list[str] = field(default_factory=list)


@dataclass
class Passive:
    name: str
    blocks: list[PBlock]  # topological order, entry first
    # incarnations that hold the inputs on entry
    entry_map: dict[Term, Term]


class _Incarnations:
    def __init__(self) -> None:
        self.counter: dict[Term, int] = {}

    def fresh(self, v: Term) -> Term:
        k = self.counter.get(v, 0) + 1
        self.counter[v] = k
        return var(f"{v.name}@{k}", v.sort)


def initial(v: Term) -> Term:
    return var(f"{v.name}@0", v.sort)


def passify(proc: Procedure) -> Passive:
    order = proc.reachable_order()
    preds: dict[str, list[str]] = {b.name: [] for b in order}
    for b in order:
        for s in b.succs:
            preds[s].append(b.name)
    inc = _Incarnations()
    out: dict[str, PBlock] = {}
    exit_maps: dict[str, dict[Term, Term]] = {}
    for b in order:
        pb = PBlock(b.name, succs=list(b.succs))
        current = _merge([(p, exit_maps[p]) for p in preds[b.name]], out, inc)
        for c in b.cmds:
            if isinstance(c, Assign):
                # copy propagation: the variable stands for the term itself (no equation);
                # z3's sequence solver reasons far better about terms than about
                # chains of variables equated to them
                current[c.var] = _rename(c.value, current)
            elif isinstance(c, Havoc):
                for v in c.vars:
                    current[v] = inc.fresh(v)
            elif isinstance(c, Assume):
                cond = _rename(c.cond, current)
                pb.cmds.append(("assume", cond, None, cond))
            else:
                assert isinstance(c, Assert)
                cond = _rename(c.cond, current)
                assumed = cond if c.assumed is None else _rename(c.assumed, current)
                pb.cmds.append(("assert", cond, c.ob, assumed))
        exit_maps[b.name] = current
        out[b.name] = pb
    return Passive(proc.name, [out[b.name] for b in order], {})


class _Lazy(dict[Term, Term]):
    """An incarnation map that gives unseen variables their initial incarnation."""

    def __missing__(self, key: Term) -> Term:
        v = initial(key)
        self[key] = v
        return v


def _rename(t: Term, current: dict[Term, Term]) -> Term:
    from quod.core.walk import free_vars

    mapping = {}
    for v in free_vars([t]):
        if "@" not in v.name:  # not already an incarnation
            mapping[v] = current[v]
    return substitute(t, mapping)


def _merge(
    incoming: list[tuple[str, dict[Term, Term]]], out: dict[str, PBlock], inc: _Incarnations
) -> dict[Term, Term]:
    if not incoming:
        return _Lazy()
    if len(incoming) == 1:
        return _Lazy(incoming[0][1])
    merged: dict[Term, Term] = _Lazy()
    # a variable missing from a path's map was never assigned there: its
    # incarnation on that path is the initial one
    keys: set[Term] = set()
    for _, m in incoming:
        keys |= set(m)
    for v in sorted(keys, key=lambda t: t.id):
        versions = {m.get(v, initial(v)).id: m.get(v, initial(v)) for _, m in incoming}
        if len(versions) == 1:
            merged[v] = next(iter(versions.values()))
            continue
        fresh = inc.fresh(v)
        merged[v] = fresh
        for name, m in incoming:
            eq = Eq(fresh, m.get(v, initial(v)))
            out[name].cmds.append(("assume", eq, None, eq))
    return merged
