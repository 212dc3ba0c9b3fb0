"""Count the occurrences of a character in a string."""

from quod.spec import decreases, ensures, invariant, pure, requires, result


@pure
def count_in(s: str, c: str, k: int) -> int:
    requires(0 <= k <= len(s))
    decreases(k)
    if k == 0:
        return 0
    return count_in(s, c, k - 1) + (1 if s[k - 1] == c else 0)


def count_char(s: str, c: str) -> int:
    requires(len(c) == 1)
    ensures(result == count_in(s, c, len(s)))
    n = 0
    for i in range(len(s)):
        invariant(n == count_in(s, c, i))
        if s[i] == c:
            n += 1
    return n
