"""Gates and unsigned bit-vector arithmetic over CNF literals (Tseitin).

`Circuit` hands out literals for gates, folding constants and sharing
structurally equal gates, so that adders with constant operands shrink to what
they need. Bit-vectors are lists of literals, least significant bit first,
unsigned. The constant true is the literal `circuit.true` (a variable fixed by
a unit clause).
"""

from __future__ import annotations

from quod.sat.cnf import Cnf


class Circuit:
    def __init__(self, cnf: Cnf) -> None:
        self.cnf = cnf
        self.true = cnf.new_var()
        cnf.add([self.true])
        self.false = -self.true
        self._cache: dict[tuple[int, ...], int] = {}

    def const(self, b: bool) -> int:
        return self.true if b else self.false

    def is_const(self, lit: int) -> bool:
        return lit == self.true or lit == self.false

    # -- gates (full equivalence encodings) ------------------------------------------
    def and2(self, a: int, b: int) -> int:
        t, f = self.true, self.false
        if a == f or b == f or a == -b:
            return f
        if a in (t, b):
            return b
        if b == t:
            return a
        if a > b:
            a, b = b, a
        key = (1, a, b)
        g = self._cache.get(key)
        if g is None:
            g = self.cnf.new_var()
            self.cnf.clauses.extend([[-g, a], [-g, b], [g, -a, -b]])
            self._cache[key] = g
        return g

    def or2(self, a: int, b: int) -> int:
        return -self.and2(-a, -b)

    def xor2(self, a: int, b: int) -> int:
        t, f = self.true, self.false
        if a == f:
            return b
        if b == f:
            return a
        if a == t:
            return -b
        if b == t:
            return -a
        if a == b:
            return f
        if a == -b:
            return t
        sign = 1
        if a < 0:
            a, sign = -a, -sign
        if b < 0:
            b, sign = -b, -sign
        if a > b:
            a, b = b, a
        key = (2, a, b)
        g = self._cache.get(key)
        if g is None:
            g = self.cnf.new_var()
            self.cnf.clauses.extend([[-g, a, b], [-g, -a, -b], [g, -a, b], [g, a, -b]])
            self._cache[key] = g
        return sign * g

    def ite(self, c: int, a: int, b: int) -> int:
        t, f = self.true, self.false
        if c == t:
            return a
        if c == f:
            return b
        if a == b:
            return a
        if a == t and b == f:
            return c
        if a == f and b == t:
            return -c
        if a in (t, c):
            return self.or2(c, b)
        if a == f or a == -c:
            return self.and2(-c, b)
        if b == t or b == -c:
            return self.or2(-c, a)
        if b in (f, c):
            return self.and2(c, a)
        if c < 0:
            c, a, b = -c, b, a
        key = (3, c, a, b)
        g = self._cache.get(key)
        if g is None:
            g = self.cnf.new_var()
            self.cnf.clauses.extend(
                [[-g, -c, a], [-g, c, b], [g, -c, -a], [g, c, -b], [-g, a, b], [g, -a, -b]]
            )
            self._cache[key] = g
        return g

    def maj(self, a: int, b: int, c: int) -> int:
        if self.is_const(a) or self.is_const(b) or self.is_const(c) or a in (b, c) or b == c:
            return self.or2(self.and2(a, b), self.and2(c, self.or2(a, b)))
        x = sorted((a, b, c))
        key = (4, *x)
        g = self._cache.get(key)
        if g is None:
            g = self.cnf.new_var()
            a, b, c = x
            self.cnf.clauses.extend(
                [[-g, a, b], [-g, a, c], [-g, b, c], [g, -a, -b], [g, -a, -c], [g, -b, -c]]
            )
            self._cache[key] = g
        return g

    def xor3(self, a: int, b: int, c: int) -> int:
        return self.xor2(self.xor2(a, b), c)

    # -- unsigned bit-vectors (LSB first) ---------------------------------------------
    def constant(self, value: int, width: int) -> list[int]:
        assert value >= 0
        return [self.const(bool((value >> i) & 1)) for i in range(width)]

    def add(self, a: list[int], b: list[int]) -> list[int]:
        """a + b with one more bit than the wider operand (no overflow)."""
        n = max(len(a), len(b))
        a = a + [self.false] * (n - len(a))
        b = b + [self.false] * (n - len(b))
        out: list[int] = []
        carry = self.false
        for x, y in zip(a, b):
            out.append(self.xor3(x, y, carry))
            carry = self.maj(x, y, carry)
        out.append(carry)
        return self.trim(out)

    def trim(self, bits: list[int]) -> list[int]:
        while bits and bits[-1] == self.false:
            bits.pop()
        return bits

    def mul_const(self, a: list[int], k: int) -> list[int]:
        """a * k for a constant k >= 0 (shift and add)."""
        acc: list[int] = []
        shift = 0
        while k:
            if k & 1:
                term = [self.false] * shift + a
                acc = self.add(acc, term) if acc else term
            k >>= 1
            shift += 1
        return acc

    def ule(self, a: list[int], b: list[int]) -> int:
        """Literal for a <= b (unsigned)."""
        n = max(len(a), len(b))
        a = a + [self.false] * (n - len(a))
        b = b + [self.false] * (n - len(b))
        le = self.true
        for x, y in zip(a, b):  # LSB to MSB: the higher differing bit decides
            le = self.ite(self.xor2(x, y), y, le)
        return le

    def eq(self, a: list[int], b: list[int]) -> int:
        n = max(len(a), len(b))
        a = a + [self.false] * (n - len(a))
        b = b + [self.false] * (n - len(b))
        acc = self.true
        for x, y in zip(a, b):
            acc = self.and2(acc, -self.xor2(x, y))
        return acc
