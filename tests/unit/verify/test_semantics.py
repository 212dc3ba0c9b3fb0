"""Python semantics of the translation: each claim is checked in both directions.

A true claim must verify, and its negation must fail: a translation that
made everything provable (or nothing) cannot pass.
"""

from __future__ import annotations

import pytest
from tests.unit.verify.helpers import failures, run

TRUE_CLAIMS = [
    "7 // -2 == -4",
    "-7 // 2 == -4",
    "7 % -2 == -1",
    "-7 % 2 == 1",
    "x // 3 * 3 + x % 3 == x",
    "(x % 5 >= 0) and (x % 5 < 5)",
    "(x % -5 <= 0) and (x % -5 > -5)",
    "True + True == 2",
    "(x > 0) + (x <= 0) == 1",
    "-True == -1",
    "~x == -x - 1",
    "abs(x) >= 0",
    "max(x, 3) >= 3 and min(x, 3) <= 3",
    "(x if x > 0 else -x) == abs(x)",
    "2 ** 10 == 1024",
    "x << 3 == x * 8",
    "x >> 1 == x // 2",
    "(0 and x) == 0",
    "(5 or x) == 5",
    "(x or 7) == (x if x != 0 else 7)",
    "not ((x > 0) and not (x > 0))",
    "1 < 2 < 3",
    "not (1 < 3 < 2)",
    "[1, 2, 3][-1] == 3",
    "[1, 2, 3][-3] == 1",
    "[1, 2, 3][1:] == [2, 3]",
    "[1, 2, 3][-2:] == [2, 3]",
    "[1, 2, 3][5:] == []",
    "[1, 2, 3][:-5] == []",
    "[1, 2, 3][1:-1] == [2]",
    "[1, 2, 3][::-1] == [3, 2, 1]",
    "len([1, 2] + [3]) == 3",
    "[0] * 3 == [0, 0, 0]",
    "[0] * -2 == []",
    "2 in [1, 2, 3] and 4 not in [1, 2, 3]",
    "'abc'[-1] == 'c' and 'abc'[1:] == 'bc'",
    "'b' in 'abc' and 'abc'.startswith('ab') and 'abc'.endswith('bc')",
    "'abc'.find('c') == 2 and 'abc'.find('z') == -1",
    "'ab' < 'b' and 'a' < 'ab'",
    "str(-12) == '-12' and str(0) == '0'",
    "ord('a') == 97 and chr(98) == 'b'",
    "b'ab'[0] == 97 and len(b'abc'[1:]) == 2",
    "(1, 2) == (1, 2) and (1, 2) != (2, 1)",
    "len((1, 2, 3)) == 3",
    "all(k * k >= 0 for k in range(x))",
    "any(k == 2 for k in range(3))",
    "not any(k == 5 for k in range(3))",
    "list(range(3)) == [0, 1, 2]",
    "[2 * k for k in range(3)] == [0, 2, 4]",
    "int(True) == 1 and bool(0) == False and bool([1])",
]


def _prog(claim: str) -> str:
    return f"""
        def f(x: int) -> None:
            assert {claim}
        """


@pytest.mark.parametrize("claim", TRUE_CLAIMS)
def test_true_claim_verifies(claim: str) -> None:
    assert failures(run(_prog(claim))) == []


@pytest.mark.parametrize("claim", TRUE_CLAIMS)
def test_negated_claim_fails(claim: str) -> None:
    assert failures(run(_prog(f"not ({claim})"))) == [("Q0610", 3)]


def test_and_short_circuits_well_definedness() -> None:
    res = run(
        """
        def f(a: list[int], i: int) -> bool:
            return 0 <= i < len(a) and a[i] > 0
        """
    )
    assert failures(res) == []


def test_without_the_guard_the_index_fails() -> None:
    res = run(
        """
        def f(a: list[int], i: int) -> bool:
            return a[i] > 0 and 0 <= i < len(a)
        """
    )
    assert failures(res) == [("Q0615", 3)]


def test_division_by_zero_is_an_obligation() -> None:
    res = run(
        """
        def f(x: int, y: int) -> int:
            return x // y
        """
    )
    assert failures(res) == [("Q0616", 3)]


def test_ternary_guards_its_branches() -> None:
    res = run(
        """
        def f(x: int, y: int) -> int:
            return x // y if y != 0 else 0
        """
    )
    assert failures(res) == []


def test_negative_index_bounds() -> None:
    ok = run(
        """
        from quod.spec import requires
        def f(a: list[int]) -> int:
            requires(len(a) >= 2)
            return a[-2]
        """
    )
    assert failures(ok) == []
    bad = run(
        """
        from quod.spec import requires
        def f(a: list[int]) -> int:
            requires(len(a) >= 1)
            return a[-2]
        """
    )
    assert failures(bad) == [("Q0615", 5)]


def test_bool_is_not_stored_as_int() -> None:
    """str(True) is 'True': a bool may not silently become an int variable."""
    from tests.unit.verify.helpers import static_error

    e = static_error(
        """
        def f(x: int) -> int:
            y = 0
            y = x > 0
            return y
        """
    )
    assert e.diagnostic.code == "Q0603"


def test_missing_return_is_reported() -> None:
    res = run(
        """
        def f(x: int) -> int:
            if x > 0:
                return 1
        """
    )
    assert failures(res) == [("Q0622", 4)]


def test_possibly_unbound_local_is_an_obligation() -> None:
    res = run(
        """
        def f(x: int) -> int:
            if x > 0:
                y = 1
            return y
        """
    )
    assert failures(res) == [("Q0619", 5)]


def test_unbound_check_passes_when_paths_agree() -> None:
    res = run(
        """
        def f(x: int) -> int:
            if x > 0:
                y = 1
            if x <= 0:
                y = 2
            return y
        """
    )
    # statically y might be unbound, but every feasible path binds it
    assert failures(res) == []


def test_raise_must_be_unreachable() -> None:
    res = run(
        """
        from quod.spec import requires
        def f(x: int) -> int:
            requires(x >= 0)
            if x < 0:
                raise ValueError("negative")
            if x > 10:
                raise ValueError("too big")
            return x
        """
    )
    assert failures(res) == [("Q0620", 8)]


def test_and_of_int_and_bool_is_rejected() -> None:
    """`x and not x` is 0 or False: a value of mixed type, outside the subset."""
    from tests.unit.verify.helpers import static_error

    e = static_error(
        """
        def f(x: int) -> None:
            assert not (x and not x)
        """
    )
    assert e.diagnostic.code == "Q0603"
    assert e.span is not None and e.span.line == 3
