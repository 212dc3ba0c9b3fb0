"""pytest integration: a protocol check is an ordinary test.

Enable with `-p quod.protocol.pytest_plugin` or, in a conftest.py,
`pytest_plugins = ["quod.protocol.pytest_plugin"]`. Then:

    def test_two_phase_commit(protocol_check):
        protocol_check("models/two_phase_commit.py", N=3)            # fails with the trace
        protocol_check(TwoPhaseCommit(N=3), max_states=100_000)       # or a model instance

    def test_invariants_proved(protocol_prove):
        protocol_prove("models/two_phase_commit.py", N=4)

Failures show the shortest counterexample trace. Budgets are fixed by
arguments, so runs are reproducible.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from quod.protocol.dsl import Protocol
from quod.protocol.explore import CheckResult, Options, check
from quod.protocol.report import render_check


def _model(model: Protocol | str, name: str | None, params: dict[str, Any]) -> Protocol:
    if isinstance(model, Protocol):
        if params:
            return type(model)(**{**model.param_values, **params})
        return model
    from quod.protocol.loader import load

    return load(model, name, params)


def run_check(
    model: Protocol | str,
    *,
    model_name: str | None = None,
    max_states: int | None = None,
    symmetry: bool | None = None,
    deadlock: bool = False,
    liveness: bool = True,
    require_complete: bool = True,
    **params: Any,
) -> CheckResult:
    """Check `model`; raise AssertionError (with the trace) on any violation."""
    proto = _model(model, model_name, params)
    opts = Options(max_states=max_states, symmetry=symmetry, deadlock=deadlock, liveness=liveness)
    result = check(proto, opts)
    if not result.ok:
        raise AssertionError("protocol check failed\n" + render_check(result))
    if require_complete and not result.stats.complete:
        raise AssertionError("protocol check incomplete (budget reached)\n" + render_check(result))
    return result


def run_prove(
    model: Protocol | str, *, model_name: str | None = None, timeout: float = 60.0, **params: Any
) -> Any:
    """Prove the model's invariants; raise AssertionError unless proved with a checked certificate."""
    from quod.protocol.prove import ProofOptions, prove

    proto = _model(model, model_name, params)
    res = prove(proto, ProofOptions(timeout=timeout))
    if not res.proved:
        raise AssertionError(f"protocol proof {res.status}: {res.message} ({res.method})")
    return res


@pytest.fixture
def protocol_check() -> Callable[..., CheckResult]:
    return run_check


@pytest.fixture
def protocol_prove() -> Callable[..., Any]:
    return run_prove


__all__ = ["protocol_check", "protocol_prove", "run_check", "run_prove"]
