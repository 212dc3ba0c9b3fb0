"""Exponentiation by squaring (bug: multiplies by the base instead of the current square)."""

from quod.spec import decreases, ensures, invariant, lemma, pure, requires, result


@pure
def power(b: int, e: int) -> int:
    requires(e >= 0)
    decreases(e)
    if e == 0:
        return 1
    return b * power(b, e - 1)


@lemma
def power_of_square(x: int, n: int) -> None:
    requires(n >= 0)
    ensures(power(x * x, n) == power(x, 2 * n))
    decreases(n)
    if n > 0:
        power_of_square(x, n - 1)


def fast_power(b: int, e: int) -> int:
    requires(e >= 0)
    ensures(result == power(b, e))
    r, x, n = 1, b, e
    while n > 0:
        invariant(n >= 0)
        invariant(r * power(x, n) == power(b, e))  # expect: Q0612
        decreases(n)
        if n % 2 == 1:
            r = r * b
            n = n - 1
        else:
            power_of_square(x, n // 2)
            x = x * x
            n = n // 2
    return r
