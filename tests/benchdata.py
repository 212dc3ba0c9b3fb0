"""Where the shared benchmark data lives, for tests that read it.

The data is not part of the repository: $QUOD_SHARED_BENCH, else
../shared/bench beside the checkout, else /work/shared/bench. Tests that
need it skip with a reason when none exists (a fresh clone elsewhere).
"""

from __future__ import annotations

import os
from pathlib import Path

_REPO = Path(__file__).resolve().parents[1]


def shared_bench() -> Path:
    env = os.environ.get("QUOD_SHARED_BENCH")
    candidates = [Path(env)] if env else []
    candidates += [_REPO.parent / "shared" / "bench", Path("/work/shared/bench")]
    for c in candidates:
        if c.is_dir():
            return c
    return candidates[0]


SMT = shared_bench() / "smt"
