"""Ackermann's function (bug: the inner call does not decrease n)."""

from quod.spec import decreases, ensures, requires, result


def ackermann(m: int, n: int) -> int:
    requires(m >= 0 and n >= 0)
    ensures(result > n)
    decreases(m, n)
    if m == 0:
        return n + 1
    if n == 0:
        return ackermann(m - 1, 1)
    return ackermann(m - 1, ackermann(m, n))  # expect: Q0617
