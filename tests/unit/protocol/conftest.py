"""Shared helpers: the example models are loaded from examples/protocol."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from quod.protocol.loader import load_module

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "protocol"


def example(name: str) -> Any:
    return load_module(EXAMPLES / f"{name}.py")


@pytest.fixture(scope="session")
def tpc() -> Any:
    return example("two_phase_commit")
