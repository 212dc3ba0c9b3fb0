"""Position of the first occurrence of a character (bug: returns the last one)."""

from quod.spec import ensures, invariant, requires, result


def find_char(s: str, c: str) -> int:
    requires(len(c) == 1)
    ensures(-1 <= result < len(s))
    ensures(result == -1 or s[result] == c)
    ensures(all(s[k] != c for k in range(len(s) if result == -1 else result)))
    found = -1
    for i in range(len(s)):
        invariant(-1 <= found < i)
        invariant(found == -1 or s[found] == c)
        if s[i] == c:
            found = i
    return found  # expect: Q0613
