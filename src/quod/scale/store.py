"""The result and lemma store: SQLite by default, PostgreSQL for a shared store.

Results are keyed by `canonical.query_key` (the term graph, not the text) and
hold the verdict, the model (JSON) or a certificate reference, the backend and
the solving time. Writes are single transactions, so concurrent writers are
safe and a crash mid-write leaves the previous state intact (SQLite in WAL
mode with synchronous=FULL; PostgreSQL transactions).

A definite verdict is never overwritten by `unknown`, and a contradicting
definite verdict is refused and recorded in the `conflicts` table: two
solvers disagreeing is a bug to look at, not a cache update.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from quod.core.errors import QuodError, register_codes

register_codes({"Q0501": "result store error", "Q0502": "conflicting verdicts for one query"})

SCHEMA = [
    """CREATE TABLE IF NOT EXISTS results (
        key TEXT PRIMARY KEY,
        verdict TEXT NOT NULL,
        model TEXT,
        certificate TEXT,
        backend TEXT NOT NULL,
        seconds DOUBLE PRECISION NOT NULL,
        created DOUBLE PRECISION NOT NULL,
        quod_version TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS lemmas (
        key TEXT NOT NULL,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL,
        created DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (key, kind, payload)
    )""",
    """CREATE TABLE IF NOT EXISTS conflicts (
        key TEXT NOT NULL,
        stored TEXT NOT NULL,
        offered TEXT NOT NULL,
        backend TEXT NOT NULL,
        created DOUBLE PRECISION NOT NULL
    )""",
]


@dataclass
class StoredResult:
    verdict: str  # sat | unsat | unknown
    backend: str
    seconds: float
    model: dict[str, Any] | None = None
    certificate: str | None = None
    created: float = field(default_factory=time.time)
    quod_version: str = ""

    def __post_init__(self) -> None:
        if self.verdict not in ("sat", "unsat", "unknown"):
            raise QuodError(f"invalid verdict {self.verdict!r}", code="Q0501")
        if not self.quod_version:
            from quod import __version__

            self.quod_version = __version__


class Store(Protocol):
    url: str

    def get(self, key: str) -> StoredResult | None: ...

    def put(self, key: str, result: StoredResult) -> bool:
        """Store a result; False if refused (conflict, or would replace a definite verdict)."""

    def add_lemma(self, key: str, kind: str, payload: str) -> None: ...

    def lemmas(self, key: str, kind: str) -> list[str]: ...

    def conflicts(self) -> list[tuple[str, str, str, str]]: ...

    def count(self) -> int: ...

    def close(self) -> None: ...


def _row_to_result(row: tuple[Any, ...]) -> StoredResult:
    verdict, model, cert, backend, seconds, created, version = row
    return StoredResult(
        verdict, backend, float(seconds), json.loads(model) if model else None, cert, float(created), version
    )


def _decide(existing: StoredResult | None, new: StoredResult) -> str:
    """'insert', 'replace', 'keep' or 'conflict'."""
    if existing is None:
        return "insert"
    if new.verdict == "unknown":
        return "keep" if existing.verdict != "unknown" else "replace"
    if existing.verdict == "unknown":
        return "replace"
    if existing.verdict != new.verdict:
        return "conflict"
    # same definite verdict: keep the faster record, but never lose a certificate
    if new.certificate and not existing.certificate:
        return "replace"
    return "replace" if new.seconds < existing.seconds and not existing.certificate else "keep"


class _SqlStore:
    """Shared logic; subclasses provide the connection and the placeholder style."""

    url: str
    ph = "?"

    def _conn(self) -> Any:
        raise NotImplementedError

    def _begin(self, cur: Any, key: str) -> None:
        raise NotImplementedError

    def get(self, key: str) -> StoredResult | None:
        cur = self._conn().cursor()
        cur.execute(
            f"SELECT verdict, model, certificate, backend, seconds, created, quod_version FROM results WHERE key = {self.ph}",
            (key,),
        )
        row = cur.fetchone()
        self._conn().commit()
        return _row_to_result(tuple(row)) if row else None

    def put(self, key: str, result: StoredResult) -> bool:
        conn = self._conn()
        cur = conn.cursor()
        ph = self.ph
        try:
            self._begin(cur, key)
            cur.execute(
                f"SELECT verdict, model, certificate, backend, seconds, created, quod_version FROM results WHERE key = {ph}",
                (key,),
            )
            row = cur.fetchone()
            action = _decide(_row_to_result(tuple(row)) if row else None, result)
            if action == "conflict":
                assert row is not None
                cur.execute(
                    f"INSERT INTO conflicts (key, stored, offered, backend, created) VALUES ({ph}, {ph}, {ph}, {ph}, {ph})",
                    (key, row[0], result.verdict, result.backend, time.time()),
                )
            elif action in ("insert", "replace"):
                values = (
                    result.verdict,
                    json.dumps(result.model) if result.model is not None else None,
                    result.certificate,
                    result.backend,
                    result.seconds,
                    result.created,
                    result.quod_version,
                )
                if action == "insert":
                    cur.execute(
                        "INSERT INTO results (verdict, model, certificate, backend, seconds, created, quod_version, key) "
                        f"VALUES ({ph}, {ph}, {ph}, {ph}, {ph}, {ph}, {ph}, {ph})",
                        (*values, key),
                    )
                else:
                    cur.execute(
                        f"UPDATE results SET verdict = {ph}, model = {ph}, certificate = {ph}, backend = {ph}, "
                        f"seconds = {ph}, created = {ph}, quod_version = {ph} WHERE key = {ph}",
                        (*values, key),
                    )
            conn.commit()
        except Exception:
            conn.rollback()
            raise
        return action in ("insert", "replace")

    def add_lemma(self, key: str, kind: str, payload: str) -> None:
        conn = self._conn()
        cur = conn.cursor()
        ph = self.ph
        cur.execute(
            f"INSERT INTO lemmas (key, kind, payload, created) VALUES ({ph}, {ph}, {ph}, {ph}) ON CONFLICT DO NOTHING",
            (key, kind, payload, time.time()),
        )
        conn.commit()

    def lemmas(self, key: str, kind: str) -> list[str]:
        cur = self._conn().cursor()
        cur.execute(
            f"SELECT payload FROM lemmas WHERE key = {self.ph} AND kind = {self.ph} ORDER BY created",
            (key, kind),
        )
        rows = cur.fetchall()
        self._conn().commit()
        return [str(r[0]) for r in rows]

    def conflicts(self) -> list[tuple[str, str, str, str]]:
        cur = self._conn().cursor()
        cur.execute("SELECT key, stored, offered, backend FROM conflicts ORDER BY created")
        rows = cur.fetchall()
        self._conn().commit()
        return [tuple(r) for r in rows]  # type: ignore[misc]

    def count(self) -> int:
        cur = self._conn().cursor()
        cur.execute("SELECT COUNT(*) FROM results")
        n = int(cur.fetchone()[0])
        self._conn().commit()
        return n


class SqliteStore(_SqlStore):
    """A store in one SQLite file: zero setup, safe for concurrent processes on one machine."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.url = f"sqlite:///{self.path}"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._pid = -1
        self._c: sqlite3.Connection | None = None
        conn = self._conn()
        for stmt in SCHEMA:
            conn.execute(stmt)
        conn.commit()

    def _conn(self) -> sqlite3.Connection:
        # a connection must not cross a fork
        if self._c is None or self._pid != os.getpid():
            try:
                c = sqlite3.connect(self.path, timeout=60.0, isolation_level=None, check_same_thread=False)
                c.execute("PRAGMA journal_mode=WAL")
                c.execute("PRAGMA synchronous=FULL")
                c.execute("PRAGMA busy_timeout=60000")
            except sqlite3.Error as e:
                raise QuodError(f"cannot open result store {self.path}: {e}", code="Q0501") from e
            self._c = _AutoTx(c)  # type: ignore[assignment]
            self._pid = os.getpid()
        assert self._c is not None
        return self._c

    def _begin(self, cur: Any, key: str) -> None:
        # take the write lock up front so read-decide-write is atomic across processes
        cur.execute("BEGIN IMMEDIATE")

    def close(self) -> None:
        if self._c is not None:
            self._c.close()
            self._c = None


class _AutoTx:
    """sqlite3 in autocommit mode, with commit/rollback that are no-ops outside a transaction."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.c = conn

    def cursor(self) -> sqlite3.Cursor:
        return self.c.cursor()

    def execute(self, *args: Any) -> sqlite3.Cursor:
        return self.c.execute(*args)

    def commit(self) -> None:
        if self.c.in_transaction:
            self.c.execute("COMMIT")

    def rollback(self) -> None:
        if self.c.in_transaction:
            self.c.execute("ROLLBACK")

    def close(self) -> None:
        self.c.close()


class PostgresStore(_SqlStore):
    """A shared store on a PostgreSQL server (`postgresql://user@host:port/db`)."""

    ph = "%s"

    def __init__(self, url: str) -> None:
        self.url = url
        self._pid = -1
        self._c: Any = None
        conn = self._conn()
        with conn.cursor() as cur:
            # concurrent first use: serialize schema creation
            cur.execute("SELECT pg_advisory_xact_lock(7710301)")
            for stmt in SCHEMA:
                cur.execute(stmt)
        conn.commit()

    def _conn(self) -> Any:
        if self._c is None or self._pid != os.getpid():
            try:
                import psycopg
            except ImportError as e:
                raise QuodError(
                    "PostgreSQL store needs psycopg: pip install 'quod[postgres]'", code="Q0501"
                ) from e
            try:
                self._c = psycopg.connect(self.url)
            except psycopg.Error as e:
                raise QuodError(f"cannot connect to result store {self.url}: {e}", code="Q0501") from e
            self._pid = os.getpid()
        return self._c

    def _begin(self, cur: Any, key: str) -> None:
        # serialize writers per key: read-decide-write must not interleave
        cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (key,))

    def close(self) -> None:
        if self._c is not None:
            self._c.close()
            self._c = None


def default_store_path() -> Path:
    base = os.environ.get("QUOD_STORE_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "quod")
    return Path(base) / "store.sqlite"


def open_store(url: str | None) -> Store:
    """`None`/'' -> the default SQLite file; `sqlite:///path` or a plain path; `postgresql://...`."""
    if not url or url == "default":
        return SqliteStore(default_store_path())
    if url.startswith(("postgresql://", "postgres://")):
        return PostgresStore(url)
    if url.startswith("sqlite:///"):
        return SqliteStore(url[len("sqlite:///") :])
    if "://" in url:
        raise QuodError(
            f"unsupported store URL {url!r} (use a path, sqlite:///path or postgresql://...)", code="Q0501"
        )
    return SqliteStore(url)
