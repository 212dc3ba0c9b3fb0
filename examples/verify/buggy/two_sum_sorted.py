"""Two-sum on a sorted list (bug: moves the wrong pointer when the sum is too small)."""

from quod.spec import ensures, invariant, requires, result


def two_sum(a: list[int], t: int) -> tuple[int, int]:
    requires(all(a[i] <= a[j] for i in range(len(a)) for j in range(i, len(a))))
    ensures(result == (-1, -1) or (0 <= result[0] < result[1] < len(a) and a[result[0]] + a[result[1]] == t))
    ensures(result != (-1, -1) or all(a[p] + a[q] != t for p in range(len(a)) for q in range(p + 1, len(a))))
    i, j = 0, len(a) - 1
    while i < j:
        invariant(i >= 0 and j < len(a) and i <= j + 1)
        invariant(
            all(
                a[p] + a[q] != t for p in range(len(a)) for q in range(p + 1, len(a)) if p < i or q > j
            )  # expect: Q0612
        )
        s = a[i] + a[j]
        if s == t:
            return (i, j)
        if s < t:
            j -= 1
        else:
            j -= 1
    return (-1, -1)
