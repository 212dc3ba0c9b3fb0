"""Swapping two list elements in place, used by a caller through its contract (frames)."""

from quod.spec import ensures, modifies, old, requires


def swap(a: list[int], i: int, j: int) -> None:
    requires(0 <= i < len(a) and 0 <= j < len(a))
    modifies(a)
    ensures(len(a) == len(old(a)))
    ensures(a[i] == old(a)[j] and a[j] == old(a)[i])
    ensures(all(a[k] == old(a)[k] for k in range(len(a)) if k != i and k != j))
    a[i], a[j] = a[j], a[i]


def sort_two(a: list[int]) -> None:
    requires(len(a) == 2)
    modifies(a)
    ensures(a[0] <= a[1])
    ensures((a[0] == old(a)[0] and a[1] == old(a)[1]) or (a[0] == old(a)[1] and a[1] == old(a)[0]))
    if a[0] > a[1]:
        swap(a, 0, 1)
