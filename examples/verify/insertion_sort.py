"""Insertion sort: the result is sorted and a permutation of the input (same count of every value)."""

from quod.spec import decreases, ensures, forall, invariant, lemma, pure, requires, result


@pure
def count(a: list[int], y: int) -> int:
    decreases(len(a))
    if len(a) == 0:
        return 0
    return count(a[:-1], y) + (1 if a[-1] == y else 0)


@lemma
def count_concat(p: list[int], q: list[int]) -> None:
    ensures(forall(lambda y: count(p + q, y) == count(p, y) + count(q, y)))
    decreases(len(q))
    if len(q) > 0:
        count_concat(p, q[:-1])
        assert p + q[:-1] == (p + q)[:-1]  # a hint for the solver


def insert(s: list[int], x: int) -> list[int]:
    requires(all(s[i] <= s[j] for i in range(len(s)) for j in range(i, len(s))))
    ensures(all(result[i] <= result[j] for i in range(len(result)) for j in range(i, len(result))))
    ensures(forall(lambda y: count(result, y) == count(s, y) + (1 if y == x else 0)))
    k = 0
    while k < len(s) and s[k] < x:
        invariant(0 <= k <= len(s))
        invariant(all(s[p] < x for p in range(k)))
        k += 1
    # the count of every value adds up over the three pieces (hints for the solver)
    count_concat(s[:k], s[k:])
    count_concat([*s[:k], x], s[k:])
    count_concat(s[:k], [x])
    assert s[:k] + s[k:] == s
    assert forall(lambda y: count([x], y) == (1 if y == x else 0))
    r = [*s[:k], x, *s[k:]]
    assert len(r) == len(s) + 1 and r[k] == x
    assert all(r[p] == s[p] for p in range(k))
    assert all(r[p] == s[p - 1] for p in range(k + 1, len(r)))
    return r


def insertion_sort(a: list[int]) -> list[int]:
    ensures(all(result[i] <= result[j] for i in range(len(result)) for j in range(i, len(result))))
    ensures(forall(lambda y: count(result, y) == count(a, y)))
    out: list[int] = []
    for i in range(len(a)):
        invariant(all(out[p] <= out[q] for p in range(len(out)) for q in range(p, len(out))))
        invariant(forall(lambda y: count(out, y) == count(a[:i], y)))  # noqa: B023 (never called)
        assert a[: i + 1][:-1] == a[:i]
        out = insert(out, a[i])
    assert a[: len(a)] == a
    return out
