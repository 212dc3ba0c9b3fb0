"""The Boolean skeleton -> CNF (Tseitin with Plaisted-Greenbaum polarities).

Top-level conjunctions are split into separate roots and a top-level
disjunction becomes one clause, so most of a typical benchmark's structure
costs no auxiliary variables. Inner nodes get one variable each and only the
implications their polarity needs.
"""

from __future__ import annotations

from quod.eager.analysis import NEG, POS
from quod.eager.circuit import Circuit
from quod.eager.problem import AND, ATOM, BVAR, ITE, TRUE_NODE, XOR, Problem


class SkeletonEncoder:
    def __init__(self, p: Problem, circuit: Circuit, pol: list[int], atom_lits: dict[int, int]) -> None:
        self.p = p
        self.c = circuit
        self.cnf = circuit.cnf
        self.pol = pol
        self.atom_lits = atom_lits
        self.node_lit: dict[int, int] = {}
        self.bool_lit: dict[int, int] = {}

    def lit(self, ref: int) -> int:
        n = abs(ref)
        v = self.node_lit.get(n)
        if v is None:
            v = self._encode(n)
        return v if ref > 0 else -v

    def _encode(self, root: int) -> int:
        # iterative post-order so that deep formulas do not hit the recursion limit
        stack = [root]
        p = self.p
        while stack:
            n = stack[-1]
            if n in self.node_lit:
                stack.pop()
                continue
            kind = p.kinds[n]
            pending = [abs(a) for a in p.args[n] if abs(a) not in self.node_lit] if kind >= AND else []
            if pending:
                stack.extend(pending)
                continue
            stack.pop()
            self.node_lit[n] = self._gate(n, kind)
        return self.node_lit[root]

    def _gate(self, n: int, kind: int) -> int:
        p, c = self.p, self.c
        if kind == TRUE_NODE:
            return c.true
        if kind == BVAR:
            v = self.cnf.new_var()
            self.bool_lit[p.args[n][0]] = v
            return v
        if kind == ATOM:
            return self.atom_lits[p.args[n][0]]
        kids = [self.lit(a) for a in p.args[n]]
        mask = self.pol[n] or (POS | NEG)
        if kind == AND:
            return self._and(kids, mask)
        if kind == XOR:
            return c.xor2(kids[0], kids[1])
        if kind == ITE:
            return self._ite(kids[0], kids[1], kids[2], mask)
        raise AssertionError(f"unknown node kind {kind}")

    def _and(self, kids: list[int], mask: int) -> int:
        c = self.c
        kids = [k for k in kids if k != c.true]
        if c.false in kids:
            return c.false
        if not kids:
            return c.true
        if len(kids) == 1:
            return kids[0]
        g = self.cnf.new_var()
        if mask & POS:
            self.cnf.clauses.extend([[-g, k] for k in kids])
        if mask & NEG:
            self.cnf.clauses.append([g, *(-k for k in kids)])
        return g

    def _ite(self, cond: int, a: int, b: int, mask: int) -> int:
        c = self.c
        if c.is_const(cond) or c.is_const(a) or c.is_const(b):
            return c.ite(cond, a, b)
        g = self.cnf.new_var()
        if mask & POS:
            self.cnf.clauses.extend([[-g, -cond, a], [-g, cond, b]])
        if mask & NEG:
            self.cnf.clauses.extend([[g, -cond, -a], [g, cond, -b]])
        return g

    def assert_root(self, ref: int) -> None:
        """Add the root literal; a negated AND (a disjunction) becomes one clause."""
        p, c = self.p, self.c
        n = abs(ref)
        if ref < 0 and p.kinds[n] == AND:
            clause = [-self.lit(a) for a in p.args[n]]
            if c.true in clause:
                return
            self.cnf.clauses.append([q for q in clause if q != c.false] or [c.false])
            return
        lit = self.lit(ref)
        if lit != c.true:
            self.cnf.clauses.append([lit])
