"""Smallest and largest element of a non-empty list, returned as a tuple; clamping."""

from quod.spec import ensures, invariant, requires, result


def clamp(x: int, lo: int, hi: int) -> int:
    requires(lo <= hi)
    ensures(lo <= result <= hi)
    ensures(result == x or (x < lo and result == lo) or (x > hi and result == hi))
    return max(lo, min(x, hi))


def min_max(a: list[int]) -> tuple[int, int]:
    requires(len(a) > 0)
    ensures(result[0] <= result[1])
    ensures(all(result[0] <= a[k] <= result[1] for k in range(len(a))))
    ensures(any(a[k] == result[0] for k in range(len(a))))
    ensures(any(a[k] == result[1] for k in range(len(a))))
    lo, hi = a[0], a[0]
    for i in range(1, len(a)):
        invariant(lo <= hi)
        invariant(all(lo <= a[k] <= hi for k in range(i)))
        invariant(any(a[k] == lo for k in range(i)) and any(a[k] == hi for k in range(i)))
        if a[i] < lo:
            lo = a[i]
        elif a[i] > hi:
            hi = a[i]
    return lo, hi
