"""Checking sortedness (bug: the loop stops before the last pair)."""

from quod.spec import ensures, invariant, result


def is_sorted(a: list[int]) -> bool:
    ensures(result == all(a[k] <= a[k + 1] for k in range(len(a) - 1)))
    for i in range(len(a) - 2):
        invariant(all(a[k] <= a[k + 1] for k in range(i)))
        if a[i] > a[i + 1]:
            return False
    return True  # expect: Q0613
