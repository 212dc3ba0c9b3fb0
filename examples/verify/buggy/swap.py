"""Swapping two list elements (bug: the caller passes an index that may be out of range)."""

from quod.spec import ensures, modifies, old, requires


def swap(a: list[int], i: int, j: int) -> None:
    requires(0 <= i < len(a) and 0 <= j < len(a))
    modifies(a)
    ensures(len(a) == len(old(a)))
    ensures(a[i] == old(a)[j] and a[j] == old(a)[i])
    ensures(all(a[k] == old(a)[k] for k in range(len(a)) if k != i and k != j))
    a[i], a[j] = a[j], a[i]


def sort_two(a: list[int]) -> None:
    requires(len(a) >= 1)
    modifies(a)
    if a[0] > a[-1]:
        swap(a, 0, len(a))  # expect: Q0614
