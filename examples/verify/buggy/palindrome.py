"""Is a string a palindrome? (bug: reports success as soon as one pair matches)"""

from quod.spec import ensures, invariant, result


def is_palindrome(s: str) -> bool:
    ensures(result == all(s[k] == s[len(s) - 1 - k] for k in range(len(s))))
    i, j = 0, len(s) - 1
    while i < j:
        invariant(0 <= i <= len(s) and j == len(s) - 1 - i)
        invariant(all(s[k] == s[len(s) - 1 - k] for k in range(i)))  # expect: Q0612
        invariant(all(s[k] == s[len(s) - 1 - k] for k in range(j + 1, len(s))))
        if s[i] == s[j]:
            return True  # expect: Q0613
        i += 1
        j -= 1
    return True
