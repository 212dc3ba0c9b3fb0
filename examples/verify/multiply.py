"""Multiplication by repeated addition (any sign of a, b >= 0)."""

from quod.spec import decreases, ensures, invariant, requires, result


def multiply(a: int, b: int) -> int:
    requires(b >= 0)
    ensures(result == a * b)
    r, n = 0, b
    while n > 0:
        invariant(0 <= n <= b)
        invariant(r == a * (b - n))
        decreases(n)
        r += a
        n -= 1
    return r
