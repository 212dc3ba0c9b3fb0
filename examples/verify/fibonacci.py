"""Iterative Fibonacci equals the recursive definition."""

from quod.spec import decreases, ensures, invariant, pure, requires, result


@pure
def fib(n: int) -> int:
    requires(n >= 0)
    decreases(n)
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


def fibonacci(n: int) -> int:
    requires(n >= 0)
    ensures(result == fib(n))
    a, b = 0, 1
    for i in range(n):
        invariant(a == fib(i) and b == fib(i + 1))
        a, b = b, a + b
    return a
