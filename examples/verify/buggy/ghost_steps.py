"""A ghost counter (bug: ghost state leaks into the program's result)."""

from quod.spec import ensures, ghost, invariant, requires, result


def halvings(n: int) -> int:
    requires(n >= 1)
    ensures(result >= 0)
    steps = ghost(0)
    k, m = 0, n
    while m > 1:
        invariant(m >= 1 and k >= 0)
        invariant(steps == k)
        m = m // 2
        k += 1
        steps = steps + 1
    return steps  # expect: Q0604
