"""Sum of a list: a recursive function on slices and a loop, proved equal."""

from quod.spec import decreases, ensures, invariant, pure, result


@pure
def total(a: list[int]) -> int:
    decreases(len(a))
    if len(a) == 0:
        return 0
    return total(a[:-1]) + a[-1]


def sum_list(a: list[int]) -> int:
    ensures(result == total(a))
    s = 0
    for i in range(len(a)):
        invariant(s == total(a[:i]))
        s += a[i]
    return s
