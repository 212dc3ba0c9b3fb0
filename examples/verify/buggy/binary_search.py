"""Binary search (bug: lo = mid does not make progress)."""

from quod.spec import ensures, invariant, requires, result


def binary_search(a: list[int], x: int) -> int:
    requires(all(a[i] <= a[j] for i in range(len(a)) for j in range(i, len(a))))
    ensures(-1 <= result < len(a))
    ensures(result == -1 or a[result] == x)
    ensures(result != -1 or all(a[k] != x for k in range(len(a))))
    lo, hi = 0, len(a)
    while lo < hi:  # expect: Q0617
        invariant(0 <= lo <= hi <= len(a))
        invariant(all(a[k] != x for k in range(lo)))
        invariant(all(a[k] != x for k in range(hi, len(a))))
        mid = (lo + hi) // 2
        if a[mid] < x:
            lo = mid
        elif a[mid] > x:
            hi = mid
        else:
            return mid
    return -1
