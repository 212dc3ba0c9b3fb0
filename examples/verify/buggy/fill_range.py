"""Build the list [0, 1, ..., n-1] (bug: writes one position too far)."""

from quod.spec import ensures, invariant, requires, result


def fill_range(n: int) -> list[int]:
    requires(n >= 0)
    ensures(len(result) == n)
    ensures(all(result[k] == k for k in range(n)))
    a = [0] * n
    for i in range(n):
        invariant(len(a) == n)
        invariant(all(a[k] == k for k in range(i)))  # expect: Q0612
        a[i + 1] = i  # expect: Q0615
    return a
