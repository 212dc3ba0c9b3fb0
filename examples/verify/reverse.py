"""Reverse a list in place with two indices."""

from quod.spec import ensures, invariant, modifies, old


def reverse(a: list[int]) -> None:
    modifies(a)
    ensures(len(a) == len(old(a)))
    ensures(all(a[k] == old(a)[len(a) - 1 - k] for k in range(len(a))))
    i, j = 0, len(a) - 1
    while i < j:
        invariant(i >= 0 and j == len(a) - 1 - i and i <= j + 1)
        invariant(len(a) == len(old(a)))
        invariant(all(a[k] == old(a)[len(a) - 1 - k] for k in range(i)))
        invariant(all(a[k] == old(a)[len(a) - 1 - k] for k in range(j + 1, len(a))))
        invariant(all(a[k] == old(a)[k] for k in range(i, j + 1)))
        a[i], a[j] = a[j], a[i]
        i += 1
        j -= 1
