"""Element-wise facts about the sequences and strings built in a query.

z3's sequence theory decides ground questions well, but with quantifiers
("every element so far is positive") it often cannot connect the elements
of `a ++ [v]`, `s[i:j]` or an updated list with those of the parts. For
each ground constructor term in a query this module adds the facts that
relate them, with the element access as the natural trigger (as Dafny's
sequence axioms do):

    c = s1 ++ s2:        len(c) = len(s1) + len(s2)
                         forall k. 0 <= k < len(s1)       => c[k] = s1[k]
                         forall k. len(s1) <= k < len(c)  => c[k] = s2[k - len(s1)]
    u = update(s, i, [v]): len(u) = len(s); 0 <= i < len(s) => u[i] = v
                         forall k. 0 <= k < len(s) and k != i => u[k] = s[k]
    e = extract(s, o, n): forall k. 0 <= k < len(e) => e[k] = s[o + k]
    [v]:                 len([v]) = 1, [v][0] = v

(for strings, with `str.at`). Each fact is valid in the theory of
sequences, so adding it never changes the answer, only what the solver
finds.
"""

from __future__ import annotations

import itertools

from quod.core.builder import And, Eq, Implies, IntVal, Not
from quod.core.ops import Op
from quod.core.sorts import INT
from quod.core.terms import Term, make, quantifier, var
from quod.core.walk import free_vars, post_order

_counter = itertools.count()

_CONSTRUCTORS = frozenset(
    {Op.SEQ_CONCAT, Op.SEQ_UNIT, Op.SEQ_UPDATE, Op.SEQ_EXTRACT, Op.STR_CONCAT, Op.STR_SUBSTR}
)


def _bound() -> Term:
    return var(f"k$qs{next(_counter)}", INT)


def _len(t: Term) -> Term:
    return make(Op.STR_LEN if t.sort.is_string else Op.SEQ_LEN, [t])


def _at(t: Term, i: Term) -> Term:
    return make(Op.STR_AT if t.sort.is_string else Op.SEQ_NTH, [t, i])


def _in(lo: Term, k: Term, hi: Term) -> Term:
    return And(make(Op.LE, [lo, k]), make(Op.LT, [k, hi]))


def _forall(k: Term, cond: Term, body: Term) -> Term:
    return quantifier(Op.FORALL, [k], Implies(cond, body))


def _concat_facts(c: Term) -> list[Term]:
    out = []
    parts = list(c.args)
    offset: Term = IntVal(0)
    for p in parts:
        k = _bound()
        end = make(Op.ADD, [offset, _len(p)])
        local = make(Op.SUB, [k, offset]) if offset.op is not Op.CONST or offset.value != 0 else k
        out.append(_forall(k, _in(offset, k, end), Eq(_at(c, k), _at(p, local))))
        offset = end
    out.append(Eq(_len(c), offset))
    return out


def _facts(t: Term) -> list[Term]:
    zero = IntVal(0)
    if t.op in (Op.SEQ_CONCAT, Op.STR_CONCAT):
        return _concat_facts(t)
    if t.op is Op.SEQ_UNIT:
        return [Eq(_len(t), IntVal(1)), Eq(_at(t, zero), t.args[0])]
    if t.op is Op.SEQ_UPDATE:
        s, i, u = t.args
        k = _bound()
        facts = [
            Eq(_len(t), _len(s)),
            _forall(k, And(_in(zero, k, _len(s)), Not(Eq(k, i))), Eq(_at(t, k), _at(s, k))),
        ]
        if u.op is Op.SEQ_UNIT:
            facts.append(Implies(_in(zero, i, _len(s)), Eq(_at(t, i), u.args[0])))
        return facts
    # extract / substr
    s, o, _ = t.args
    k = _bound()
    return [_forall(k, _in(zero, k, _len(t)), Eq(_at(t, k), _at(s, make(Op.ADD, [o, k]))))]


def sequence_facts(terms: list[Term]) -> list[Term]:
    """Facts for the ground sequence and string constructors in `terms`."""
    out: list[Term] = []
    for t in post_order(terms, into_binders=False):
        if t.op in _CONSTRUCTORS and not any("$q" in v.name for v in free_vars([t])):
            out.extend(_facts(t))
    return out
