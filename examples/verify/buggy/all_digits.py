"""Does a string consist of ASCII digits only? (bug: '9' is excluded)"""

from quod.spec import ensures, invariant, result


def all_digits(s: str) -> bool:
    ensures(result == all("0" <= s[k] <= "9" for k in range(len(s))))
    for i in range(len(s)):
        invariant(all("0" <= s[k] <= "9" for k in range(i)))
        if not ("0" <= s[i] < "9"):
            return False  # expect: Q0613
    return True
