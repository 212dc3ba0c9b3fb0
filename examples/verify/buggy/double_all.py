"""Doubling every element (bug: the loop version squares instead)."""

from quod.spec import ensures, invariant, result


def double_comp(a: list[int]) -> list[int]:
    ensures(len(result) == len(a))
    ensures(all(result[k] == 2 * a[k] for k in range(len(a))))
    return [2 * x for x in a]


def double_loop(a: list[int]) -> list[int]:
    ensures(len(result) == len(a))
    ensures(all(result[k] == 2 * a[k] for k in range(len(a))))
    out: list[int] = []
    for i, x in enumerate(a):
        invariant(len(out) == i)
        invariant(all(out[k] == 2 * a[k] for k in range(i)))  # expect: Q0612
        out.append(x * x)
    return out
