"""Running maximum: result[i] is the largest of a[0..i]."""

from quod.spec import ensures, invariant, result


def running_max(a: list[int]) -> list[int]:
    ensures(len(result) == len(a))
    ensures(all(a[j] <= result[i] for i in range(len(a)) for j in range(i + 1)))
    ensures(all(any(a[j] == result[i] for j in range(i + 1)) for i in range(len(a))))
    out: list[int] = []
    for i in range(len(a)):
        invariant(len(out) == i)
        invariant(all(a[j] <= out[p] for p in range(i) for j in range(p + 1)))
        invariant(all(any(a[j] == out[p] for j in range(p + 1)) for p in range(i)))
        if i == 0 or a[i] > out[i - 1]:
            out.append(a[i])
        else:
            out.append(out[i - 1])
    return out
