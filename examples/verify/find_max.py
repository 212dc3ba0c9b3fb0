"""The largest element of a non-empty list."""

from quod.spec import ensures, invariant, requires, result


def find_max(a: list[int]) -> int:
    requires(len(a) > 0)
    ensures(all(a[k] <= result for k in range(len(a))))
    ensures(any(a[k] == result for k in range(len(a))))
    best = a[0]
    for i in range(1, len(a)):
        invariant(all(a[k] <= best for k in range(i)))
        invariant(any(a[k] == best for k in range(i)))
        if a[i] > best:
            best = a[i]
    return best
