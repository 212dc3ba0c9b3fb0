"""Count how often x occurs in a list, against a recursive definition."""

from quod.spec import decreases, ensures, invariant, pure, requires, result


@pure
def count(a: list[int], x: int, k: int) -> int:
    requires(0 <= k <= len(a))
    decreases(k)
    if k == 0:
        return 0
    return count(a, x, k - 1) + (1 if a[k - 1] == x else 0)


def occurrences(a: list[int], x: int) -> int:
    ensures(result == count(a, x, len(a)))
    ensures(0 <= result <= len(a))
    n = 0
    for i in range(len(a)):
        invariant(n == count(a, x, i))
        invariant(0 <= n <= i)
        if a[i] == x:
            n += 1
    return n
