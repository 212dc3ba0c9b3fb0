from __future__ import annotations

from typing import Any

import pytest

from quod.protocol.pytest_plugin import protocol_check, run_check  # noqa: F401  (fixture)

from .conftest import EXAMPLES


def test_fixture_passes_a_correct_model(protocol_check: Any) -> None:  # noqa: F811
    r = protocol_check(str(EXAMPLES / "two_phase_commit.py"), N=2)
    assert r.stats.complete


def test_a_violation_fails_the_test_with_the_trace(tpc: Any) -> None:
    with pytest.raises(AssertionError) as e:
        run_check(tpc.TwoPhaseCommitBuggy(N=3))
    assert "trace of" in str(e.value) and "tm_commit()" in str(e.value)
