"""Integer base-2 logarithm: 2**k <= n < 2**(k+1)."""

from quod.spec import decreases, ensures, invariant, pure, requires, result


@pure
def pow2(k: int) -> int:
    requires(k >= 0)
    ensures(result > 0)
    decreases(k)
    if k == 0:
        return 1
    return 2 * pow2(k - 1)


def ilog2(n: int) -> int:
    requires(n >= 1)
    ensures(result >= 0)
    ensures(pow2(result) <= n < pow2(result + 1))
    k, m = 0, n
    while m > 1:
        invariant(k >= 0 and m >= 1)
        invariant(m * pow2(k) <= n < (m + 1) * pow2(k))
        m = m // 2
        k += 1
    return k
