"""Checking sortedness by adjacent pairs decides global sortedness."""

from quod.spec import ensures, invariant, result


def is_sorted(a: list[int]) -> bool:
    ensures(result == all(a[k] <= a[k + 1] for k in range(len(a) - 1)))
    ensures(not result or all(a[i] <= a[j] for i in range(len(a)) for j in range(i, len(a))))
    for i in range(len(a) - 1):
        invariant(all(a[k] <= a[k + 1] for k in range(i)))
        invariant(all(a[p] <= a[q] for p in range(len(a)) for q in range(p, len(a)) if q <= i))
        if a[i] > a[i + 1]:
            return False
    return True
