"""Multiplication by repeated addition (bug: the loop can run forever for negative b)."""

from quod.spec import decreases, ensures, invariant, result


def multiply(a: int, b: int) -> int:
    ensures(result == a * b)
    r, n = 0, b
    while n != 0:
        invariant(r == a * (b - n))
        decreases(n)  # expect: Q0618
        r += a
        n -= 1
    return r
