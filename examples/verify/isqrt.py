"""Integer square root by linear search."""

from quod.spec import decreases, ensures, invariant, requires, result


def isqrt(n: int) -> int:
    requires(n >= 0)
    ensures(result >= 0)
    ensures(result * result <= n < (result + 1) * (result + 1))
    r = 0
    while (r + 1) * (r + 1) <= n:
        invariant(r >= 0 and r * r <= n)
        decreases(n - r * r)
        r += 1
    return r
