"""Outside the subset: floating point is not modelled, so the file is rejected."""

from quod.spec import ensures, requires, result


def mean(a: int, b: int) -> float:
    requires(a <= b)
    ensures(a <= result <= b)
    return (a + b) / 2
