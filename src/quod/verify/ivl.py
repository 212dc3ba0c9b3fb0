"""The intermediate verification language (IVL).

A procedure is a control-flow graph of blocks, Boogie style: a block is a
sequence of commands (`Assign`, `Havoc`, `Assume`, `Assert`) followed by a
`goto` to any number of successors, which is a nondeterministic choice. Loops
are cut by the translator (invariants replace back edges), so the graph is
acyclic. Every `Assert` carries the `Obligation` it proves: a code, a message
and the source span it points at. Expressions are core terms over IVL
variables (core `var` terms).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from quod.core.errors import Span
from quod.core.terms import Term


@dataclass
class Obligation:
    """One thing to prove, reported on its own."""

    index: int
    code: str
    message: str
    span: Span
    function: str
    # further locations shown as notes (e.g. the ensures clause of a failing return)
    related: list[tuple[Span, str]] = field(default_factory=list)
    # a vacuity probe: `assert false` at a point that must be reachable; proving it
    # means the point is unreachable, which is reported as a warning
    probe: bool = False

    def label(self) -> str:
        return f"{self.function}#{self.index}"


@dataclass
class Assign:
    var: Term
    value: Term


@dataclass
class Havoc:
    vars: list[Term]


@dataclass
class Assume:
    cond: Term


@dataclass
class Assert:
    cond: Term
    ob: Obligation
    # what later code may assume once this is proved (None: the condition itself);
    # differs from `cond` when the checked form was skolemized
    assumed: Term | None = None


Command = Assign | Havoc | Assume | Assert


@dataclass
class Block:
    name: str
    cmds: list[Command] = field(default_factory=list)
    succs: list[str] = field(default_factory=list)


@dataclass
class Procedure:
    name: str
    blocks: dict[str, Block]
    entry: str
    obligations: list[Obligation]
    # IVL variables holding the function's inputs on entry (name -> var), for counterexamples
    inputs: dict[str, list[Term]] = field(default_factory=dict)

    def reachable_order(self) -> list[Block]:
        """Blocks reachable from the entry in topological order."""
        seen: set[str] = set()
        order: list[str] = []
        stack: list[tuple[str, int]] = [(self.entry, 0)]
        seen.add(self.entry)
        while stack:
            name, i = stack[-1]
            succs = self.blocks[name].succs
            if i < len(succs):
                stack[-1] = (name, i + 1)
                s = succs[i]
                if s not in seen:
                    seen.add(s)
                    stack.append((s, 0))
            else:
                stack.pop()
                order.append(name)
        order.reverse()
        return [self.blocks[n] for n in order]


def render(proc: Procedure) -> str:
    """A readable listing of the procedure (for `quod verify --show-ivl` and debugging)."""
    lines = [f"procedure {proc.name}"]
    for b in proc.reachable_order():
        lines.append(f"  {b.name}:")
        for c in b.cmds:
            lines.append(f"    {_render_cmd(c)}")
        lines.append(f"    goto {', '.join(b.succs)}" if b.succs else "    return")
    return "\n".join(lines)


def _render_cmd(c: Command) -> str:
    if isinstance(c, Assign):
        return f"{c.var.name} := {c.value}"
    if isinstance(c, Havoc):
        return f"havoc {', '.join(v.name for v in c.vars)}"
    if isinstance(c, Assume):
        return f"assume {c.cond}"
    return f"assert {c.cond}  // {c.ob.span.line}:{c.ob.span.col} {c.ob.message}"
