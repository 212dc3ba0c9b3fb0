"""Linear search (bug: the loop skips the last element)."""

from quod.spec import ensures, invariant, result


def find(a: list[int], x: int) -> int:
    ensures(-1 <= result < len(a))
    ensures(result == -1 or a[result] == x)
    ensures(all(a[k] != x for k in range(len(a) if result == -1 else result)))
    for i in range(len(a) - 1):
        invariant(all(a[k] != x for k in range(i)))
        if a[i] == x:
            return i
    return -1  # expect: Q0613
