"""Reverse a list in place (bug: mutates its argument without declaring modifies(a))."""

from quod.spec import ensures, invariant, old


def reverse(a: list[int]) -> None:
    ensures(all(a[k] == old(a)[len(a) - 1 - k] for k in range(len(a))))
    i, j = 0, len(a) - 1
    while i < j:
        invariant(i >= 0 and j == len(a) - 1 - i)
        a[i], a[j] = a[j], a[i]  # expect: Q0605
        i += 1
        j -= 1
