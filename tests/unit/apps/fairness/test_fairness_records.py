"""Loading records from JSONL, JSON and CSV, with locations in errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from quod.apps.fairness import load_records
from quod.apps.fairness.errors import FairnessError


def test_formats(tmp_path: Path) -> None:
    (tmp_path / "r.jsonl").write_text('{"a": 1}\n\n{"a": 2}\n')
    recs = load_records(tmp_path / "r.jsonl")
    assert [r["a"] for r in recs] == [1, 2] and recs.where[1].endswith("r.jsonl:3")
    (tmp_path / "r.json").write_text('{"records": [{"a": 1}, {"a": "x"}]}')
    assert load_records(tmp_path / "r.json").where[1].endswith("$.records[1]")
    (tmp_path / "r.csv").write_text("a,b,c,d\n1,2.5,true,en-gb\n,x,False,007\n")
    rows = load_records(tmp_path / "r.csv").rows
    assert rows[0] == {"a": 1, "b": 2.5, "c": True, "d": "en-gb"}
    assert rows[1] == {"a": None, "b": "x", "c": False, "d": 7}


@pytest.mark.parametrize(
    ("name", "text", "where"),
    [
        ("bad.jsonl", '{"a": 1}\n[1, 2]\n', "bad.jsonl:2:1"),
        ("bad.jsonl", '{"a": 1}\n{"a": }\n', "bad.jsonl:2:"),
        ("bad.json", '{"records": [1]}', "$.records[0]"),
        ("bad.json", '{"x": 1', "bad.json:1:"),
        ("bad.csv", "a,b\n1,2,3\n", "bad.csv:2:1"),
    ],
)
def test_errors_are_located(tmp_path: Path, name: str, text: str, where: str) -> None:
    (tmp_path / name).write_text(text)
    with pytest.raises(FairnessError) as e:
        load_records(tmp_path / name)
    assert where in str(e.value) and e.value.diagnostic.code == "Q1001"


def test_missing_file() -> None:
    with pytest.raises(FairnessError, match="cannot read") as e:
        load_records("/nonexistent/records.jsonl")
    assert e.value.diagnostic.code == "Q0002"
