"""Golden files: the counterexample of the buggy two-phase commit (regenerate
with QUOD_REGEN_GOLDEN=1)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from quod.protocol.explore import Options, check

GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "protocol"


def _compare(name: str, doc: Any) -> None:
    path = GOLDEN / name
    text = json.dumps(doc, indent=1, sort_keys=True) + "\n"
    if os.environ.get("QUOD_REGEN_GOLDEN"):
        path.write_text(text)
    assert text == path.read_text()


def test_buggy_two_phase_commit_trace(tpc: Any) -> None:
    r = check(tpc.TwoPhaseCommitBuggy(N=3), Options(invariants=["consistent"], liveness=False))
    doc = r.as_dict()
    doc.pop("statistics")
    _compare("2pc_buggy_consistent.json", doc)


def test_lossy_two_phase_commit_lasso(tpc: Any) -> None:
    r = check(tpc.TwoPhaseCommitLossy(N=2), Options())
    doc = r.as_dict()
    doc.pop("statistics")
    _compare("2pc_lossy_liveness.json", doc)
