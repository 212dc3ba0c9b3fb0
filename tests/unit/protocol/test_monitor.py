from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from quod.core.errors import QuodError
from quod.protocol.monitor import Monitor, MonitorConfig, monitor_files

from .conftest import EXAMPLES

LOGS = EXAMPLES / "logs"
CFG = MonitorConfig(key_field="txn", order_field="seq", window=4)


def test_good_log_passes(tpc: Any) -> None:
    rep = monitor_files(tpc.TwoPhaseCommit(N=3), [LOGS / "2pc_good.jsonl"], CFG)
    assert rep.ok and rep.events == 15 and rep.keys == 2 and not rep.pending


def test_bad_log_reports_offending_lines_and_pending(tpc: Any) -> None:
    rep = monitor_files(tpc.TwoPhaseCommit(N=3), [LOGS / "2pc_bad.jsonl"], CFG)
    by_key = {v.key: v for v in rep.violations}
    assert set(by_key) == {"t7", "t8"}
    assert by_key["t7"].kind == "not-allowed" and by_key["t7"].lines[-1].line == 6
    assert '"tm_commit"' in by_key["t7"].lines[-1].text
    assert [(p.key, p.property) for p in rep.pending] == [("t9", "all_decided")]


def test_reordering_window(tpc: Any) -> None:
    lines = [
        {"seq": 2, "txn": "a", "action": "tm_receive_prepared", "m": {"type": "Prepared", "frm": 0}},
        {"seq": 1, "txn": "a", "action": "rm_prepare", "i": 0},
    ]
    text = [json.dumps(x) for x in lines]
    m = Monitor(tpc.TwoPhaseCommit(N=3), MonitorConfig(key_field="txn", order_field="seq", window=2))
    m.feed_lines(text, "mem")
    assert m.finish().ok
    m2 = Monitor(tpc.TwoPhaseCommit(N=3), MonitorConfig(key_field="txn", order_field="seq", window=0))
    m2.feed_lines(text, "mem")
    rep = m2.finish()
    assert [v.kind for v in rep.violations] == ["not-allowed"]


def test_event_later_than_the_window_is_reported(tpc: Any) -> None:
    evs = [
        {"seq": 5, "txn": "a", "action": "rm_prepare", "i": 0},
        {"seq": 1, "txn": "a", "action": "rm_prepare", "i": 1},
    ]
    m = Monitor(tpc.TwoPhaseCommit(N=3), MonitorConfig(key_field="txn", order_field="seq", window=1))
    m.feed_lines([json.dumps(e) for e in evs], "mem")
    m.feed_lines([json.dumps({"seq": 0, "txn": "a", "action": "rm_prepare", "i": 2})], "mem")
    rep = m.finish()
    assert [v.kind for v in rep.violations] == ["late"]


def test_malformed_lines_have_locations(tpc: Any, tmp_path: Path) -> None:
    p = tmp_path / "x.jsonl"
    p.write_text('{"action": "rm_prepare", "i": 0}\n{broken\n')
    with pytest.raises(QuodError) as e:
        monitor_files(tpc.TwoPhaseCommit(N=3), [p])
    assert e.value.diagnostic.code == "Q0707" and e.value.diagnostic.span.line == 2  # type: ignore[union-attr]
    rep = monitor_files(tpc.TwoPhaseCommit(N=3), [p], MonitorConfig(skip_malformed=True))
    assert rep.skipped == 1
    p.write_text('{"action": "rm_prepare", "i": 7}\n')
    with pytest.raises(QuodError) as e2:
        monitor_files(tpc.TwoPhaseCommit(N=3), [p])
    assert "$.i" in e2.value.message
    p.write_text('{"action": "launch_rockets"}\n')
    with pytest.raises(QuodError):
        monitor_files(tpc.TwoPhaseCommit(N=3), [p])
    assert monitor_files(tpc.TwoPhaseCommit(N=3), [p], MonitorConfig(ignore_unknown=True)).ok


def test_custom_parser_hook(tpc: Any) -> None:
    import sys

    sys.path.insert(0, str(LOGS))
    try:
        from text_parser import parse
    finally:
        sys.path.remove(str(LOGS))
    rep = monitor_files(
        tpc.TwoPhaseCommit(N=3), [LOGS / "2pc_text.log"], MonitorConfig(key_field="txn"), parse
    )
    assert rep.skipped == 1 and [v.lines[-1].line for v in rep.violations] == [5]


def test_config_file_errors(tmp_path: Path) -> None:
    p = tmp_path / "c.json"
    p.write_text('{"window": "big"}')
    with pytest.raises(QuodError):
        MonitorConfig.from_json(p)
    p.write_text('{"window": 3}')
    with pytest.raises(QuodError):  # a window needs an order field
        MonitorConfig.from_json(p)
    assert MonitorConfig.from_json(LOGS / "monitor.json").window == 4
