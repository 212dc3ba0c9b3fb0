"""Every example program verifies; every buggy variant fails exactly where its markers say.

The buggy variants are the soundness tests: a wrong "verified" on any of them
fails this suite. The full set takes a few minutes, so by default a small
sample runs and the rest is marked slow.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.unit.verify.helpers import EXAMPLES, expected_markers, outcome

FAST = {
    "isqrt", "gcd", "floor_mod", "ackermann", "digit_sum", "sum_to_n", "factorial", "multiply", "min_max",
    "interval", "account",
}  # fmt: skip

PROGRAMS = sorted(p for p in EXAMPLES.glob("*.py"))
BUGGY = sorted(p for p in (EXAMPLES / "buggy").glob("*.py"))


def _param(p: Path) -> object:
    stem = p.stem.split("_frame")[0]
    marks = [] if stem in FAST else [pytest.mark.slow]
    return pytest.param(p, id=p.stem, marks=marks)


def test_there_are_at_least_30_programs_each_with_a_buggy_variant() -> None:
    names = {p.stem for p in PROGRAMS}
    buggy = {p.stem for p in BUGGY}
    assert len(names) >= 30
    assert names <= buggy, f"programs without a buggy variant: {sorted(names - buggy)}"


@pytest.mark.parametrize("path", [_param(p) for p in PROGRAMS])
def test_program_verifies(path: Path) -> None:
    assert outcome(path) == []


@pytest.mark.parametrize("path", [_param(p) for p in BUGGY])
def test_buggy_variant_fails_at_the_marked_lines(path: Path) -> None:
    expected = expected_markers(path)
    assert expected, f"{path.name} has no '# expect: CODE' marker"
    assert outcome(path) == expected
