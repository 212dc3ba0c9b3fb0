"""Clamping (bug: min and max are swapped, so the result can leave [lo, hi])."""

from quod.spec import ensures, requires, result


def clamp(x: int, lo: int, hi: int) -> int:
    requires(lo <= hi)
    ensures(lo <= result <= hi)
    ensures(result == x or (x < lo and result == lo) or (x > hi and result == hi))
    return min(lo, max(x, hi))  # expect: Q0613
