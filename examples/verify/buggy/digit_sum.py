"""Sum of decimal digits (bug: only 0 stops the recursion, so negative numbers never get there)."""

from quod.spec import ensures, result


def digit_sum(n: int) -> int:
    ensures((n - result) % 9 == 0)
    if n == 0:
        return 0
    return n % 10 + digit_sum(n // 10)  # expect: Q0617
