"""Verification conditions by weakest precondition over the passive program.

Each block B gets a Boolean `ok@B` defined as the weakest precondition of
its commands with respect to the conjunction of its successors' `ok`
variables, so no formula is ever duplicated and the VC is linear in the size
of the passive program (Barnett and Leino's encoding, as in Boogie):

    wp(assume e, Q) = e => Q
    wp(assert e, Q) = e and Q

Obligations are checked one at a time, each with the other assertions
acting as assumptions (sound, since each of those is checked in its own
query). Then everything after the obligation's block, and every block that
cannot reach it, has weakest precondition `true`, so the query for the
obligations of block B only contains B's ancestors and B up to its last
assertion: a *slice*. Within a slice, each assertion of B is guarded by a
selector literal `en$i`, defined as `sel == i` (so enabling one disables the
others); the literal is passed as the check's assumption and labels the
obligation in unsat cores:

    wp(assert_i e, Q) = (en$i => e) and (e => Q)

The query for obligation i is `defs and not ok@entry` under `en$i`; it is
unsatisfiable exactly when the obligation holds. A vacuity probe (`assert
false` at a point that should be reachable) must not cut the path when not
selected: wp(probe_i, Q) = not en$i and Q.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from quod.core.builder import And, Eq, Implies, IntVal, Not
from quod.core.ops import Op
from quod.core.sorts import BOOL, INT
from quod.core.terms import FALSE, TRUE, Term, var
from quod.core.walk import substitute
from quod.verify.ivl import Obligation
from quod.verify.passive import Passive

SELECTOR = var("sel$", INT)


@dataclass
class VC:
    """The query for the obligations of one block."""

    function: str
    block: str
    defs: list[Term]  # definitions of the block variables and selectors
    goal: Term  # not ok@entry
    obligations: list[Obligation]
    # sets of extra facts (unfoldings of recursive pure functions, sequence facts),
    # each valid; the decider tries them in order
    configs: list[list[Term]] = field(default_factory=lambda: [[]])
    # the condition each selected assertion checks (for goal-directed unfolding)
    conds: dict[int, Term] = field(default_factory=dict)
    # per obligation, a first configuration that unfolds only what the goal mentions
    goal_configs: dict[int, list[Term]] = field(default_factory=dict)
    has_recursive_functions: bool = False
    _digest: str = ""

    def configs_for(self, ob: Obligation) -> list[list[Term]]:
        first = self.goal_configs.get(ob.index)
        if first is None or any(_same(first, c) for c in self.configs):
            return self.configs
        return [first, *self.configs]

    def assertions(self) -> list[Term]:
        """Everything the decider may assert (all configurations), for hashing."""
        extra: list[Term] = []
        for c in [*self.configs, *(self.goal_configs[k] for k in sorted(self.goal_configs))]:
            extra.extend(c)
            extra.append(TRUE)  # separator: the split into configurations matters
        return [*extra, *self.defs, self.goal]

    def selector(self, ob: Obligation) -> Term:
        return enable_var(ob)

    def specialised(self, ob: Obligation) -> list[Term]:
        """defs and goal with the selectors fixed for `ob` (enabled, the others disabled).

        Equivalent to asserting the selector literal, but the solver gets the
        plain formula; z3's search turned out to be sensitive to the extra
        selector definitions.
        """
        fixed = {enable_var(o): (TRUE if o.index == ob.index else FALSE) for o in self.obligations}
        out = []
        for d in self.defs:
            if d.op is Op.EQ and d.args[0].op is Op.VAR and d.args[0] in fixed:
                continue  # the definition of a selector
            out.append(substitute(d, fixed))
        return [*out, self.goal]

    def digest(self) -> str:
        """A hash of the whole query (all assertions), independent of term ids."""
        if not self._digest:
            from quod.core.terms import _flatten

            h = hashlib.sha256()
            for t in self.assertions():
                h.update(repr(_canonical(_flatten(t))).encode())
                h.update(b"\x00")
            self._digest = h.hexdigest()
        return self._digest


def _same(a: list[Term], b: list[Term]) -> bool:
    return len(a) == len(b) and all(x is y for x, y in zip(a, b, strict=True))


def enable_var(ob: Obligation) -> Term:
    """The Boolean literal that selects obligation `ob` (defined as sel == index)."""
    return var(f"en${ob.index}", BOOL)


def _canonical(nodes: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
    # sorts and payloads print stably; node indices are positional
    return [(op, _payload(payload), str(sort), kids) for op, payload, sort, kids in nodes]


def _payload(p: object) -> object:
    from quod.core.terms import FuncDecl

    if isinstance(p, FuncDecl):
        return (p.name, tuple(str(s) for s in p.domain), str(p.range))
    if isinstance(p, tuple):
        return tuple(_payload(x) for x in p)
    if p is None or isinstance(p, (str, int, bool)):
        return p
    return str(p)


def _ancestors(passive: Passive) -> dict[str, set[str]]:
    """For each block, the blocks from which it can be reached (itself included)."""
    preds: dict[str, list[str]] = {b.name: [] for b in passive.blocks}
    for b in passive.blocks:
        for s in b.succs:
            if s in preds:
                preds[s].append(b.name)
    anc: dict[str, set[str]] = {}
    for b in passive.blocks:  # topological order: predecessors first
        acc = {b.name}
        for p in preds[b.name]:
            acc |= anc[p]
        anc[b.name] = acc
    return anc


def generate(passive: Passive) -> list[VC]:
    """Sliced queries per block that holds obligations: one for its assertions, one for its probes.

    Probes ask whether a point is reachable under the program's assumptions
    alone, so in their queries other assertions are ignored rather than
    assumed: otherwise one failing assertion would make everything after it
    look vacuous.
    """
    anc = _ancestors(passive)
    out = []
    for b in passive.blocks:
        obs = [ob for kind, _, ob, _ in b.cmds if kind == "assert" and ob is not None]
        real = [ob for ob in obs if not ob.probe]
        probes = [ob for ob in obs if ob.probe]
        if real:
            out.append(_slice(passive, b.name, anc[b.name], real, probes=False))
        if probes:
            out.append(_slice(passive, b.name, anc[b.name], probes, probes=True))
    return out


def _slice(passive: Passive, target: str, relevant: set[str], obs: list[Obligation], probes: bool) -> VC:
    ok: dict[str, Term] = {name: var(f"ok@{name}", BOOL) for name in relevant}
    selected = {ob.index for ob in obs}
    defs: list[Term] = []
    for b in reversed(passive.blocks):
        if b.name not in relevant:
            continue
        if b.name == target:
            last = max(i for i, (_, _, ob, _) in enumerate(b.cmds) if ob is not None and ob.index in selected)
            cmds = b.cmds[: last + 1]
            q: Term = TRUE
        else:
            cmds = b.cmds
            succ = [ok[s] for s in b.succs if s in relevant]
            q = And(*succ) if succ else TRUE
        for kind, cond, ob, assumed in reversed(cmds):
            if kind == "assume":
                q = Implies(cond, q)
                continue
            assert ob is not None
            if ob.index in selected:
                sel = enable_var(ob)
                q = And(Not(sel), q) if ob.probe else And(Implies(sel, cond), Implies(assumed, q))
            elif not ob.probe and not probes:
                # an assertion checked in its own query acts as an assumption here; a probe
                # never does (it would cut the path), and probe queries ask about the
                # assumptions alone (a failed assertion must not look like vacuity)
                q = Implies(assumed, q)
        defs.append(Eq(ok[b.name], q))
    for ob in obs:
        defs.append(Eq(enable_var(ob), Eq(SELECTOR, IntVal(ob.index))))
    entry = passive.blocks[0].name
    target_block = next(b for b in passive.blocks if b.name == target)
    conds = {o.index: c for _, c, o, _ in target_block.cmds if o is not None and o.index in selected}
    return VC(passive.name, target, defs, Not(ok[entry]), obs, conds=conds)
