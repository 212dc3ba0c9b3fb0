"""The largest element (bug: no precondition, so a[0] may be out of range)."""

from quod.spec import ensures, invariant, result


def find_max(a: list[int]) -> int:
    ensures(all(a[k] <= result for k in range(len(a))))
    best = a[0]  # expect: Q0615
    for i in range(1, len(a)):
        invariant(all(a[k] <= best for k in range(i)))
        if a[i] > best:
            best = a[i]
    return best
