"""Verification conditions by weakest precondition over the passive program.

Each block B gets a Boolean `ok@B` defined as the weakest precondition of
its commands with respect to the conjunction of its successors' `ok`
variables, so no formula is ever duplicated and the VC is linear in the size
of the passive program (Barnett and Leino's encoding, as in Boogie).

To check obligations one at a time, every assertion is guarded by a
selector: obligation i is enabled exactly when `sel == i`, and the other
assertions act as assumptions (which is sound because each of them is
checked in its own query):

    wp(assert_i e, Q) = (sel == i => e) and (e => Q)
    wp(assume e, Q)   = e => Q

The query for obligation i is `defs and not ok@entry` under the assumption
of the literal `en$i`, defined as `sel == i` (so enabling one disables all
others); it is unsatisfiable exactly when the obligation holds. The
literals double as labels: an unsat core names the obligation it proves.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from quod.core.builder import And, Eq, Implies, IntVal, Not
from quod.core.sorts import BOOL, INT
from quod.core.terms import TRUE, Term, var
from quod.verify.ivl import Obligation
from quod.verify.passive import Passive

SELECTOR = var("sel$", INT)


@dataclass
class VC:
    function: str
    defs: list[Term]  # definitions of the block variables, asserted
    goal: Term  # not ok@entry, asserted
    obligations: list[Obligation]
    extra: list[Term]  # axioms (pure-function unfoldings), asserted

    def assertions(self) -> list[Term]:
        return [*self.extra, *self.defs, self.goal]

    def selector(self, ob: Obligation) -> Term:
        return enable_var(ob)

    def digest(self) -> str:
        """A hash of the whole query (all assertions), independent of term ids."""
        from quod.core.terms import _flatten

        h = hashlib.sha256()
        for t in self.assertions():
            h.update(repr(_canonical(_flatten(t))).encode())
            h.update(b"\x00")
        return h.hexdigest()


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


def generate(passive: Passive, obligations: list[Obligation]) -> VC:
    ok: dict[str, Term] = {b.name: var(f"ok@{b.name}", BOOL) for b in passive.blocks}
    defs: list[Term] = []
    for b in reversed(passive.blocks):
        post = And(*[ok[s] for s in b.succs]) if b.succs else TRUE
        q = post
        for kind, cond, ob in reversed(b.cmds):
            if kind == "assume":
                q = Implies(cond, q)
            else:
                assert ob is not None
                sel = enable_var(ob)
                if ob.probe:
                    # a reachability probe must not cut the path when it is not selected
                    q = And(Not(sel), q)
                else:
                    q = And(Implies(sel, cond), Implies(cond, q))
        defs.append(Eq(ok[b.name], q))
    # at most one obligation is enabled: each selector literal fixes sel
    for ob in obligations:
        defs.append(Eq(enable_var(ob), Eq(SELECTOR, IntVal(ob.index))))
    entry = passive.blocks[0].name
    return VC(passive.name, defs, Not(ok[entry]), obligations, [])
