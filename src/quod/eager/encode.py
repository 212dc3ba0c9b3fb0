"""Integer variables and atoms -> CNF: order encoding and small-domain bit-blasting.

Order encoding (Crawford & Baker; Tamura et al.'s Sugar): a variable with
domain [lo, hi] gets hi-lo literals `x >= v` (v = lo+1..hi) chained by
`x >= v+1 -> x >= v`. A unary atom is one of those literals; a two-variable
atom `a*x + b*y <= c` becomes, for every value u of x, the clause
`x >= u -> b*y <= c - a*u` (guarded by the atom's literal when the atom is not
a top-level unit). Only the implications the atom's polarity needs are emitted
(Plaisted-Greenbaum).

Bit-blasting: x = lo + X with X an unsigned vector of bitlen(hi-lo) bits (and
X <= hi-lo when that is not all ones). An atom sum(a_i x_i) <= b is rewritten
to P <= N + b' with P and N the sums of the positive and negative terms, both
unsigned, and compared with an unsigned comparator.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from quod.eager.analysis import NEG, POS
from quod.eager.circuit import Circuit
from quod.eager.problem import EQ, LE, Atom
from quod.sat.cnf import Cnf


@dataclass
class IntCode:
    """How variable x is represented: order literals or bits, plus its domain."""

    lo: int
    hi: int
    first: int = 0  # order: literal of x >= lo+1 is `first`, x >= v is first + v - lo - 1
    bits: list[int] = field(default_factory=list)  # bit-blasted: LSB first
    order: bool = True


class ArithEncoder:
    def __init__(self, cnf: Cnf, circuit: Circuit) -> None:
        self.cnf = cnf
        self.c = circuit
        self.codes: dict[int, IntCode] = {}
        self.clause_count_order = 0

    # -- variables -----------------------------------------------------------------
    def order_var(self, x: int, lo: int, hi: int) -> None:
        n = hi - lo
        code = IntCode(lo, hi)
        if n > 0:
            r = self.cnf.new_vars(n)
            code.first = r.start
            self.cnf.clauses.extend([[-(v + 1), v] for v in r[:-1]])
        self.codes[x] = code

    def bits_var(self, x: int, lo: int, hi: int) -> None:
        span = hi - lo
        w = span.bit_length()
        bits = list(self.cnf.new_vars(w)) if w else []
        code = IntCode(lo, hi, bits=bits, order=False)
        if w and span != (1 << w) - 1:
            self.cnf.add([self.c.ule(bits, self.c.constant(span, w))])
        self.codes[x] = code

    def ge(self, x: int, v: int) -> int:
        """Order literal for x >= v."""
        code = self.codes[x]
        if v <= code.lo:
            return self.c.true
        if v > code.hi:
            return self.c.false
        return code.first + (v - code.lo - 1)

    # -- atoms -----------------------------------------------------------------------
    def atom_literal(self, at: Atom, pol: int, unit: bool | None) -> int:
        """Literal equivalent (for the needed polarities) to the atom.

        `unit` True/False: the atom is asserted (or its negation is) at the top
        level, so its constraint is emitted unguarded and a constant is returned.
        """
        if all(self.codes[v].order for v in at.vars):
            return self._order_atom(at, pol, unit)
        return self._bits_atom(at, pol, unit)

    def _order_atom(self, at: Atom, pol: int, unit: bool | None) -> int:
        c = self.c
        if len(at.vars) == 1:  # coefficient is 1 after normalization
            x, b = at.vars[0], at.bound
            lit = -self.ge(x, b + 1) if at.kind == LE else c.and2(self.ge(x, b), -self.ge(x, b + 1))
            if unit is not None:
                self.cnf.add([lit if unit else -lit])
                return c.const(unit)
            return lit
        if unit is not None:
            g: list[int] = []
            lit = c.const(unit)
            pol = POS if unit else NEG
        else:
            lit = self.cnf.new_var()
            g = [-lit]
        x, y = at.vars
        a, b = at.coefs
        if pol & POS:
            self._le2(g, x, a, y, b, at.bound)
            if at.kind == EQ:
                self._le2(g, x, -a, y, -b, -at.bound)
        if pol & NEG:
            ng = [-q for q in g]
            if at.kind == LE:
                self._le2(ng, x, -a, y, -b, -at.bound - 1)
            else:
                self._neq2(ng, x, a, y, b, at.bound)
        return lit

    def _le2(self, guard: list[int], x: int, a: int, y: int, b: int, k: int) -> None:
        """Clauses for guard -> a*x + b*y <= k (a, b non-zero)."""
        n0 = len(self.cnf.clauses)
        if a < 0 < b:
            x, a, y, b = y, b, x, a
        if a == 1 and b == -1:
            self._diff_le(guard, x, y, k)
        else:
            self._le2_generic(guard, x, a, y, b, k)
        self.clause_count_order += len(self.cnf.clauses) - n0

    def _diff_le(self, guard: list[int], x: int, y: int, k: int) -> None:
        """guard -> x - y <= k, i.e. x >= u -> y >= u - k: a list comprehension over the
        values where both order literals are open, plus the boundary clauses."""
        cx, cy = self.codes[x], self.codes[y]
        fx, lox, hix = cx.first, cx.lo, cx.hi
        fy, loy, hiy = cy.first, cy.lo, cy.hi
        out = self.cnf.clauses
        t, f = self.c.true, self.c.false
        # u = lox: x >= lox holds, so y >= lox - k unconditionally (under the guard)
        concl = self.ge(y, lox - k)
        if concl != t:
            out.append([*guard, concl] if concl != f else [*guard] or [f])
            if concl == f:
                return
        start, stop = max(lox + 1, loy + 1 + k), min(hix, hiy + k)
        if start <= stop:
            dx, dy = fx - lox - 1, fy - k - loy - 1
            if guard:
                g = guard[0]
                out.extend([[g, -(dx + u), dy + u] for u in range(start, stop + 1)])
            else:
                out.extend([[-(dx + u), dy + u] for u in range(start, stop + 1)])
        # the first u whose conclusion is impossible: x < u (larger u follow by the chain)
        u0 = max(lox + 1, hiy + k + 1)
        if u0 <= hix:
            out.append([*guard, -(fx + u0 - lox - 1)])

    def _le2_generic(self, guard: list[int], x: int, a: int, y: int, b: int, k: int) -> None:
        cx = self.codes[x]
        t, f = self.c.true, self.c.false
        out = self.cnf.clauses
        for u in range(cx.lo, cx.hi + 1):
            # premise: x >= u (a > 0) or x <= u (a < 0); then b*y <= k - a*u
            prem = self.ge(x, u) if a > 0 else -self.ge(x, u + 1)
            if prem == f:
                continue
            r = k - a * u
            concl = -self.ge(y, r // b + 1) if b > 0 else self.ge(y, -(r // -b))
            if concl == t:
                continue
            clause = [*guard]
            if prem != t:
                clause.append(-prem)
            if concl != f:
                clause.append(concl)
            out.append(clause or [f])

    def _neq2(self, guard: list[int], x: int, a: int, y: int, b: int, k: int) -> None:
        """Clauses for guard -> a*x + b*y != k."""
        cx, cy = self.codes[x], self.codes[y]
        out = self.cnf.clauses
        us: range | list[int] = range(cx.lo, cx.hi + 1)
        if a == 1 and b == -1:
            # interior values (all four order literals open) in one comprehension
            start, stop = max(cx.lo + 1, cy.lo + 1 + k), min(cx.hi - 1, cy.hi - 1 + k)
            if start <= stop:
                dx, dy = cx.first - cx.lo - 1, cy.first - k - cy.lo - 1
                out.extend(
                    [[*guard, -(dx + u), dx + u + 1, -(dy + u), dy + u + 1] for u in range(start, stop + 1)]
                )
                us = [u for u in us if u < start or u > stop]
        for u in us:
            self._neq_value(guard, x, a, y, b, k, u)

    def _neq_value(self, guard: list[int], x: int, a: int, y: int, b: int, k: int, u: int) -> None:
        cy = self.codes[y]
        r = k - a * u
        if r % b:
            return
        w = r // b
        if w < cy.lo or w > cy.hi:
            return
        lits = [*guard, -self.ge(x, u), self.ge(x, u + 1), -self.ge(y, w), self.ge(y, w + 1)]
        if self.c.true in lits:
            return
        self.cnf.clauses.append([q for q in lits if q != self.c.false] or [self.c.false])

    # -- bit-blasted atoms -----------------------------------------------------------
    def _bits_of(self, x: int) -> list[int]:
        code = self.codes[x]
        if code.order:  # convert an order-encoded variable (mixed atoms): X = #(x >= v)
            raise AssertionError("order-encoded variable in a bit-blasted atom")
        return code.bits

    def _bits_atom(self, at: Atom, pol: int, unit: bool | None) -> int:
        c = self.c
        pos: list[int] = []
        neg: list[int] = []
        k = at.bound
        for v, a in zip(at.vars, at.coefs):
            k -= a * self.codes[v].lo
            term = c.mul_const(self._bits_of(v), abs(a))
            if a > 0:
                pos = c.add(pos, term) if pos else term
            else:
                neg = c.add(neg, term) if neg else term
        # sum <= k  <=>  P <= N + k
        if k >= 0:
            neg = c.add(neg, c.constant(k, k.bit_length())) if neg else c.constant(k, k.bit_length())
        else:
            pos = c.add(pos, c.constant(-k, (-k).bit_length())) if pos else c.constant(-k, (-k).bit_length())
        lit = c.ule(pos, neg) if at.kind == LE else c.eq(pos, neg)
        if unit is not None:
            self.cnf.add([lit if unit else -lit])
            return c.const(unit)
        return lit

    # -- decoding ----------------------------------------------------------------------
    def value(self, x: int, model: list[bool]) -> int:
        code = self.codes[x]
        if code.order:
            n = code.hi - code.lo
            k = 0
            while k < n and model[code.first + k]:
                k += 1
            return code.lo + k
        val = 0
        for i, b in enumerate(code.bits):
            if model[b]:
                val |= 1 << i
        return code.lo + val
