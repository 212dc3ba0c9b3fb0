"""Integer square root by linear search (bug: the loop overshoots by one)."""

from quod.spec import decreases, ensures, invariant, requires, result


def isqrt(n: int) -> int:
    requires(n >= 0)
    ensures(result >= 0)
    ensures(result * result <= n < (result + 1) * (result + 1))
    r = 0
    while r * r <= n:
        invariant(r >= 0 and (r == 0 or (r - 1) * (r - 1) <= n))
        decreases(n - r * r + 1)
        r += 1
    return r  # expect: Q0613
