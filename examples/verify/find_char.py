"""Position of the first occurrence of a character, or -1; agrees with str.find."""

from quod.spec import ensures, invariant, requires, result


def find_char(s: str, c: str) -> int:
    requires(len(c) == 1)
    ensures(-1 <= result < len(s))
    ensures(result == -1 or s[result] == c)
    ensures(all(s[k] != c for k in range(len(s) if result == -1 else result)))
    for i in range(len(s)):
        invariant(all(s[k] != c for k in range(i)))
        if s[i] == c:
            return i
    return -1
