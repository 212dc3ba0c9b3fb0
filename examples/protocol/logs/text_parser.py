"""A custom parser hook for plain-text logs like

    2026-11-22T10:00:01Z seq=3 txn=t1 rm_prepare i=0

Use: quod protocol monitor two_phase_commit.py log.txt --parser text_parser:parse
(with this directory on PYTHONPATH). Lines that are not events give None.
"""

from __future__ import annotations

from typing import Any


def parse(line: str) -> dict[str, Any] | None:
    parts = line.split()
    if len(parts) < 3 or not parts[1].startswith("seq="):
        return None
    event: dict[str, Any] = {"action": parts[3]}
    for p in [parts[1], parts[2], *parts[4:]]:
        key, _, value = p.partition("=")
        event[key] = int(value) if value.lstrip("-").isdigit() else value
    return event
