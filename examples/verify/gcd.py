"""Euclid's algorithm, proved equal to the recursive definition."""

from quod.spec import decreases, ensures, invariant, pure, requires, result


@pure
def gcd_spec(a: int, b: int) -> int:
    requires(a >= 0 and b >= 0)
    decreases(b)
    if b == 0:
        return a
    return gcd_spec(b, a % b)


def gcd(a: int, b: int) -> int:
    requires(a >= 0 and b >= 0)
    ensures(result == gcd_spec(a, b))
    x, y = a, b
    while y != 0:
        invariant(x >= 0 and y >= 0)
        invariant(gcd_spec(x, y) == gcd_spec(a, b))
        decreases(y)
        x, y = y, x % y
    return x
