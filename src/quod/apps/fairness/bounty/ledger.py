"""Append-only, hash-chained ledger (JSON Lines).

Each entry carries the SHA-256 of the previous entry, so editing, deleting or
reordering any line breaks every later hash. Truncating the tail cannot be
detected from the file alone: publish the head hash (`quod fairness bounty
log --head`) somewhere the operator cannot rewrite, and pass it to `verify`.
"""

from __future__ import annotations

import datetime as _dt
import fcntl
import hashlib
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quod.core.errors import Span

from ..errors import FairnessError

GENESIS = "0" * 64


def canonical(obj: Any) -> bytes:
    """The byte string that is hashed: sorted keys, no whitespace, finite numbers only."""
    return json.dumps(
        obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Entry:
    seq: int
    time: str
    kind: str
    body: dict[str, Any]
    prev: str
    hash: str

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "time": self.time,
            "kind": self.kind,
            "body": self.body,
            "prev": self.prev,
            "hash": self.hash,
        }


def _entry_hash(seq: int, time: str, kind: str, body: dict[str, Any], prev: str) -> str:
    return sha256_hex(canonical({"seq": seq, "time": time, "kind": kind, "body": body, "prev": prev}))


def utc_now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


class Ledger:
    """Reader and appender for one ledger file."""

    def __init__(self, path: str | Path, clock: Callable[[], str] = utc_now) -> None:
        self.path = Path(path)
        self.clock = clock

    def entries(self) -> list[Entry]:
        """All entries, checking the hash chain; any break is a Q1009 error with file:line."""
        return list(self._read(check=True))

    def head(self) -> str:
        last = GENESIS
        for e in self._read(check=True):
            last = e.hash
        return last

    def append(self, kind: str, body: dict[str, Any]) -> Entry:
        with self.locked():
            return self.append_unlocked(kind, body)

    def append_unlocked(self, kind: str, body: dict[str, Any]) -> Entry:
        """Append while the caller already holds `locked()`."""
        entries = self.entries()
        seq = len(entries)
        prev = entries[-1].hash if entries else GENESIS
        time = self.clock()
        e = Entry(seq, time, kind, body, prev, _entry_hash(seq, time, kind, body, prev))
        line = json.dumps(e.to_json(), sort_keys=True, ensure_ascii=False, allow_nan=False)
        with self.path.open("a", encoding="utf-8") as f:
            f.write(line + "\n")
            f.flush()
            os.fsync(f.fileno())
        return e

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Exclusive lock so two processes cannot interleave read-decide-append."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with (self.path.parent / (self.path.name + ".lock")).open("a") as lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock.fileno(), fcntl.LOCK_UN)

    def _read(self, check: bool) -> Iterator[Entry]:
        if not self.path.exists():
            return
        prev = GENESIS
        with self.path.open(encoding="utf-8") as f:
            for lineno, line in enumerate(f, start=1):
                e = self._parse(line, lineno)
                if check:
                    self._check(e, lineno, prev)
                prev = e.hash
                yield e

    def _parse(self, line: str, lineno: int) -> Entry:
        span = Span(str(self.path), lineno, 1)
        try:
            d = json.loads(line)
            return Entry(
                int(d["seq"]), str(d["time"]), str(d["kind"]), dict(d["body"]), str(d["prev"]), str(d["hash"])
            )
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as e:
            raise FairnessError("Q1009", f"unreadable ledger entry ({type(e).__name__})", span) from None

    def _check(self, e: Entry, lineno: int, prev: str) -> None:
        span = Span(str(self.path), lineno, 1)
        if e.seq != lineno - 1:
            raise FairnessError("Q1009", f"entry has seq {e.seq}, expected {lineno - 1}", span)
        if e.prev != prev:
            raise FairnessError("Q1009", "entry does not link to the previous entry's hash", span)
        if _entry_hash(e.seq, e.time, e.kind, e.body, e.prev) != e.hash:
            raise FairnessError("Q1009", "entry content does not match its hash (edited?)", span)
