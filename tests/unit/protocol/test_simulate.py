from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from quod.core.errors import QuodError
from quod.protocol.simulate import SimOptions, load_schedule, replay, simulate, write_schedule


@pytest.mark.parametrize("scheduler", ["random", "pct"])
def test_simulation_finds_the_2pc_bug_and_replays_it(tpc: Any, tmp_path: Path, scheduler: str) -> None:
    res = simulate(
        tpc.TwoPhaseCommitBuggy(N=3), SimOptions(runs=200, max_steps=40, seed=1, scheduler=scheduler)
    )
    assert not res.ok and res.schedule is not None
    path = tmp_path / "s.json"
    write_schedule(res.schedule, path)
    again = replay(tpc.TwoPhaseCommitBuggy(N=3), load_schedule(path))
    assert not again.ok
    assert [s.action for s in again.violations[0].trace] == [s.action for s in res.violations[0].trace]


def test_same_seed_same_runs(tpc: Any) -> None:
    a = simulate(tpc.TwoPhaseCommit(N=3), SimOptions(runs=5, seed=7, scheduler="pct"))
    b = simulate(tpc.TwoPhaseCommit(N=3), SimOptions(runs=5, seed=7, scheduler="pct"))
    assert a.ok and (a.steps, a.distinct_states) == (b.steps, b.distinct_states)


def test_bad_schedule_files(tpc: Any, tmp_path: Path) -> None:
    p = tmp_path / "bad.json"
    p.write_text("{not json")
    with pytest.raises(QuodError) as e:
        load_schedule(p)
    assert e.value.diagnostic.code == "Q0706" and e.value.diagnostic.span is not None
    p.write_text(json.dumps({"format": "quod-protocol-schedule/1", "steps": [1, 2]}))
    with pytest.raises(QuodError):
        load_schedule(p)
    p.write_text(json.dumps({"format": "quod-protocol-schedule/1", "steps": ["tm_commit()"]}))
    with pytest.raises(QuodError) as e2:
        replay(tpc.TwoPhaseCommit(N=3), load_schedule(p))
    assert "not enabled" in e2.value.message
