"""Clock arithmetic (bug: a sign typo in the modulus gives a result in (-24, 0])."""

from quod.spec import ensures, result


def wrap(hour: int, shift: int) -> int:
    ensures(0 <= result < 24)
    ensures((result - hour - shift) % 24 == 0)
    return (hour + shift) % -24  # expect: Q0613


def div_mod_neg(a: int) -> tuple[int, int]:
    # with a negative divisor, Python's remainder is <= 0 (SMT-LIB's mod would be >= 0)
    ensures(result[0] * -7 + result[1] == a)
    ensures(-7 < result[1] <= 0)
    return a // -7, a % -7
