"""The sum 0 + 1 + ... + (n - 1) by a loop, against Gauss's formula."""

from quod.spec import ensures, invariant, requires, result


def sum_to(n: int) -> int:
    requires(n >= 0)
    ensures(2 * result == n * (n - 1))
    s = 0
    for i in range(n):
        invariant(2 * s == i * (i - 1))
        s += i
    return s
