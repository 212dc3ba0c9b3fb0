"""Is p a prefix of s? (bug: forgets the length check, so s[i] can be out of range)"""

from quod.spec import ensures, invariant, result


def is_prefix(p: str, s: str) -> bool:
    ensures(result == (len(p) <= len(s) and all(p[k] == s[k] for k in range(len(p)))))
    for i in range(len(p)):
        invariant(all(p[k] == s[k] for k in range(i)))  # expect: Q0615
        if p[i] != s[i]:  # expect: Q0615
            return False
    return True
