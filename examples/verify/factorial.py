"""Iterative factorial equals the recursive definition."""

from quod.spec import decreases, ensures, invariant, pure, requires, result


@pure
def fact(n: int) -> int:
    requires(n >= 0)
    decreases(n)
    if n == 0:
        return 1
    return n * fact(n - 1)


def factorial(n: int) -> int:
    requires(n >= 0)
    ensures(result == fact(n))
    r = 1
    for i in range(1, n + 1):
        invariant(r == fact(i - 1))
        r = r * i
    return r
