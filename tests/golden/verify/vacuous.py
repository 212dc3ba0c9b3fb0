"""A contradictory precondition makes every obligation provable: quod proves
them (they do hold) but warns that the precondition is unsatisfiable."""

from quod.spec import ensures, requires, result


def pick(x: int) -> int:
    requires(x > 0 and x < 0)
    ensures(result == 42)
    return x
