"""Linear search: the first index of x, or -1 when x does not occur."""

from quod.spec import ensures, invariant, result


def find(a: list[int], x: int) -> int:
    ensures(-1 <= result < len(a))
    ensures(result == -1 or a[result] == x)
    ensures(all(a[k] != x for k in range(len(a) if result == -1 else result)))
    for i in range(len(a)):
        invariant(all(a[k] != x for k in range(i)))
        if a[i] == x:
            return i
    return -1
