"""Element access through uninterpreted proxies, so that quantifier triggers work.

z3's E-matching does not fire on `seq.nth` (the sequence solver rewrites
those terms internally), so a quantified fact such as "every a[k] is
positive" is only used through model-based instantiation, which is slow
and erratic. Each query is therefore rewritten before it is sent: every
`seq.nth(s, i)` becomes `nth$T(s, i)` and every `str.at(s, i)` becomes
`at$str(s, i)`, uninterpreted functions that E-matching handles well,
linked to the theory by bridge axioms:

    forall s, i. 0 <= i < len(s) => nth$T(s, i) = seq.nth(s, i)
    forall s, i. at$str(s, i) = str.at(s, i)

The rewritten query is equisatisfiable with the original: `seq.nth` is
unspecified outside the sequence (z3 treats it as an uninterpreted function
there, as the proxy is), and `str.at` is total, so its bridge has no guard.
"""

from __future__ import annotations

from quod.core.builder import And, Eq, Implies
from quod.core.ops import Op
from quod.core.sorts import INT, Sort
from quod.core.terms import FuncDecl, Term, apply_decl, make, quantifier, var
from quod.core.walk import post_order, rebuild


def _decl(op: Op, seq_sort: Sort, elem: Sort) -> FuncDecl:
    name = "at$str" if op is Op.STR_AT else f"nth${_sort_name(elem)}"
    return FuncDecl(name, (seq_sort, INT), elem)


def _sort_name(s: Sort) -> str:
    return str(s).replace(" ", "_").replace("(", "").replace(")", "")


def _bridge(decl: FuncDecl, op: Op) -> Term:
    seq_sort = decl.domain[0]
    s = var(f"s$qb_{decl.name}", seq_sort)
    i = var(f"i$qb_{decl.name}", INT)
    proxy = apply_decl(decl, [s, i])
    real = make(op, [s, i])
    if op is Op.STR_AT:
        return quantifier(Op.FORALL, [s, i], Eq(proxy, real))
    length = make(Op.SEQ_LEN, [s])
    in_range = And(make(Op.LE, [make_int(0), i]), make(Op.LT, [i, length]))
    return quantifier(Op.FORALL, [s, i], Implies(in_range, Eq(proxy, real)))


def make_int(v: int) -> Term:
    from quod.core.builder import IntVal

    return IntVal(v)


class Proxies:
    """Rewrites terms of one query and collects the bridge axioms it needs."""

    def __init__(self) -> None:
        self.memo: dict[int, Term] = {}
        self.used: dict[FuncDecl, Op] = {}

    def rewrite(self, t: Term) -> Term:
        memo = self.memo
        for s in post_order([t], into_binders=False):
            if s.id in memo:
                continue
            if s.op is Op.FORALL or s.op is Op.EXISTS:
                memo[s.id] = quantifier(s.op, s.payload, memo[s.args[0].id])
                continue
            args = [memo[a.id] for a in s.args]
            if s.op is Op.SEQ_NTH or s.op is Op.STR_AT:
                decl = _decl(s.op, s.args[0].sort, s.sort)
                self.used[decl] = s.op
                memo[s.id] = apply_decl(decl, args)
            else:
                memo[s.id] = rebuild(s, args)
        return memo[t.id]

    def bridges(self) -> list[Term]:
        return [_bridge(d, op) for d, op in sorted(self.used.items(), key=lambda kv: kv[0].name)]


def with_proxies(terms: list[Term]) -> list[Term]:
    """The query `terms` with element access through proxies, plus the bridge axioms."""
    p = Proxies()
    out = [p.rewrite(t) for t in terms]
    return [*p.bridges(), *out]
