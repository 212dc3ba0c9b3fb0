"""Prefix sums: result[k] is the sum of the first k elements."""

from quod.spec import decreases, ensures, invariant, pure, requires, result


@pure
def sum_to(a: list[int], k: int) -> int:
    requires(0 <= k <= len(a))
    decreases(k)
    if k == 0:
        return 0
    return sum_to(a, k - 1) + a[k - 1]


def prefix_sums(a: list[int]) -> list[int]:
    ensures(len(result) == len(a) + 1)
    ensures(all(result[k] == sum_to(a, k) for k in range(len(a) + 1)))
    out = [0]
    for i in range(len(a)):
        invariant(len(out) == i + 1)
        invariant(all(out[k] == sum_to(a, k) for k in range(i + 1)))
        out.append(out[i] + a[i])
    return out
