"""Reading evaluation records (one example per record) from JSON, JSONL or CSV.

Records stay plain dicts so any model or agent can produce them; each record
remembers where it came from (`file:line` or a JSON path) so that a bad value
is reported at its place in the input.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from quod.core.errors import Span

from .errors import FairnessError

Record = Mapping[str, Any]


@dataclass
class Records(Sequence[Record]):
    """Records plus, for each, a human-readable location."""

    rows: list[dict[str, Any]]
    where: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.where:
            self.where = [f"record {i}" for i in range(len(self.rows))]

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i: int) -> dict[str, Any]:  # type: ignore[override]
        return self.rows[i]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.rows)

    def subset(self, index: Sequence[int]) -> Records:
        return Records([self.rows[i] for i in index], [self.where[i] for i in index])


def as_records(records: Sequence[Record] | Records) -> Records:
    if isinstance(records, Records):
        return records
    rows: list[dict[str, Any]] = []
    for i, r in enumerate(records):
        if not isinstance(r, Mapping):
            raise FairnessError("Q1001", f"record {i} is a {type(r).__name__}, expected a mapping")
        rows.append(dict(r))
    return Records(rows)


def load_records(path: str | Path) -> Records:
    """Load records from `.jsonl`, `.json` (a list, or {"records": [...]}) or `.csv`."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as e:
        raise FairnessError("Q0002", f"{p}: cannot read: {e.strerror or e}") from None
    suffix = p.suffix.lower()
    if suffix == ".csv":
        return _from_csv(p, text)
    if suffix == ".jsonl" or (suffix != ".json" and text.lstrip().startswith("{") and "\n{" in text):
        return _from_jsonl(p, text)
    return _from_json(p, text)


def load_json(path: str | Path) -> Any:
    """Parse a JSON file; syntax errors become one-line errors with file:line:col."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as e:
        raise FairnessError("Q0002", f"{p}: cannot read: {e.strerror or e}") from None
    return parse_json(text, str(p))


def parse_json(text: str, name: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise FairnessError("Q1001", f"invalid JSON: {e.msg}", Span(name, e.lineno, e.colno)) from None


def _from_jsonl(p: Path, text: str) -> Records:
    rows: list[dict[str, Any]] = []
    where: list[str] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            raise FairnessError("Q1001", f"invalid JSON: {e.msg}", Span(str(p), lineno, e.colno)) from None
        if not isinstance(obj, dict):
            raise FairnessError("Q1001", "each JSONL line must be a JSON object", Span(str(p), lineno, 1))
        rows.append(obj)
        where.append(f"{p}:{lineno}")
    return Records(rows, where)


def _from_json(p: Path, text: str) -> Records:
    data = parse_json(text, str(p))
    key = "$"
    if isinstance(data, dict) and "records" in data:
        data, key = data["records"], "$.records"
    if not isinstance(data, list):
        raise FairnessError("Q1001", f"{p}: {key}: expected a list of records")
    for i, obj in enumerate(data):
        if not isinstance(obj, dict):
            raise FairnessError("Q1001", f"{p}: {key}[{i}]: expected a JSON object")
    return Records(list(data), [f"{p}: {key}[{i}]" for i in range(len(data))])


def _from_csv(p: Path, text: str) -> Records:
    reader = csv.DictReader(text.splitlines())
    if not reader.fieldnames:
        raise FairnessError("Q1001", f"{p}: CSV file has no header row")
    rows: list[dict[str, Any]] = []
    where: list[str] = []
    for i, raw in enumerate(reader):
        lineno = i + 2
        if None in raw:
            raise FairnessError("Q1001", "more cells than header columns", Span(str(p), lineno, 1))
        rows.append({k: _cell(v) for k, v in raw.items()})
        where.append(f"{p}:{lineno}")
    return Records(rows, where)


def _cell(v: str | None) -> Any:
    """CSV cells are text; turn plain numbers and booleans back into values."""
    if v is None or v == "":
        return None
    low = v.strip().lower()
    if low in ("true", "false"):
        return low == "true"
    for conv in (int, float):
        try:
            return conv(v)
        except ValueError:
            pass
    return v
