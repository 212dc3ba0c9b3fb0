"""Is p a prefix of s? (bug: a string of the same length is rejected)"""

from quod.spec import ensures, invariant, result


def is_prefix(p: str, s: str) -> bool:
    ensures(result == (len(p) <= len(s) and all(p[k] == s[k] for k in range(len(p)))))
    if len(p) >= len(s):
        return False  # expect: Q0613
    for i in range(len(p)):
        invariant(all(p[k] == s[k] for k in range(i)))
        if p[i] != s[i]:
            return False
    return True
