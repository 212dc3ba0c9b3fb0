"""Sum of decimal digits, recursively; a multiple of 9 has a digit sum that is a multiple of 9."""

from quod.spec import ensures, requires, result


def digit_sum(n: int) -> int:
    requires(n >= 0)
    ensures(result >= 0)
    ensures((n - result) % 9 == 0)
    if n < 10:
        return n
    return n % 10 + digit_sum(n // 10)
