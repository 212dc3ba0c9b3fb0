"""Result store: canonical keys, SQLite and a real PostgreSQL server, concurrency, crashes."""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import sqlite3
from pathlib import Path

import pytest

from quod.backends import Sat, Unsat, get_solver
from quod.core import And, Distinct, Function, Int, Ints, IntSort, Model, Or
from quod.scale.cached import CachedSolver
from quod.scale.canonical import query_key
from quod.scale.codec import model_from_json, model_to_json
from quod.scale.store import SqliteStore, StoredResult, open_store
from quod.smtlib import parse_script


def test_key_ignores_text_layout_order_and_duplicates() -> None:
    a = parse_script(
        "(declare-fun x () Int)(declare-fun y () Int)(assert (let ((s (+ x y))) (and (> s 1) (< s 5))))(assert (> x 0))"
    )
    b = parse_script(
        "(declare-fun y () Int)(declare-fun x () Int)\n(assert (> x 0))\n(assert (< (+ x y) 5))"
        "(assert (> (+ x y) 1))(assert (> x 0))"
    )
    assert query_key(a.assertions()) == query_key(b.assertions())
    x, y = Ints("x y")
    assert query_key([x + y > 1]) != query_key([x + y >= 1])
    assert query_key([x > 0]) != query_key([Int("z") > 0])
    assert query_key([x > 0], "encoder=v1") != query_key([x > 0], "encoder=v2")


def test_model_json_round_trip() -> None:
    x, y = Ints("x y")
    f = Function("f", IntSort(), IntSort())
    solver = get_solver("z3")
    solver.add(f(x) == y + 1, f(y) == 7, Distinct(x, y))
    res = solver.check()
    assert isinstance(res, Sat)
    back = model_from_json(model_to_json(res.model))
    from quod.kernel.model import check_model

    assert check_model(solver.assertions(), back).ok


def _solve_twice(store_url: str, tmp_path: Path) -> None:
    store = open_store(store_url)
    x, y = Ints("x y")
    cached = CachedSolver(get_solver("z3"), store)
    cached.add(And(x + y == 10, Or(x == 3, x == 4)), y > 6)
    first = cached.check()
    assert isinstance(first, Sat) and not cached.last_from_store
    second_solver = CachedSolver(get_solver("cvc5"), open_store(store_url))
    second_solver.add(y > 6, And(x + y == 10, Or(x == 3, x == 4)))
    second = second_solver.check()
    assert isinstance(second, Sat) and second_solver.last_from_store
    assert second.stats["store_backend"] == "z3"
    # unsat is stored too
    u = CachedSolver(get_solver("z3"), store)
    u.add(x > 0, x < 0)
    assert isinstance(u.check(), Unsat) and not u.last_from_store
    u2 = CachedSolver(get_solver("z3"), store)
    u2.add(x < 0, x > 0)
    assert isinstance(u2.check(), Unsat) and u2.last_from_store


def test_sqlite_cold_then_warm(tmp_path: Path) -> None:
    _solve_twice(str(tmp_path / "s.sqlite"), tmp_path)


def test_stored_model_is_rechecked_not_trusted(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.sqlite")
    x = Int("x")
    key = query_key([x > 5])
    store.put(key, StoredResult("sat", "evil", 0.1, model=model_to_json(Model({x: 1}))))
    cached = CachedSolver(get_solver("z3"), store)
    cached.add(x > 5)
    res = cached.check()
    assert isinstance(res, Sat) and not cached.last_from_store
    assert res.model[x] > 5


def test_conflicts_are_refused_and_recorded(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.sqlite")
    assert store.put("k", StoredResult("unsat", "a", 1.0))
    assert not store.put("k", StoredResult("unknown", "b", 1.0))
    assert not store.put("k", StoredResult("sat", "c", 1.0))
    assert store.get("k").verdict == "unsat"  # type: ignore[union-attr]
    assert store.conflicts() == [("k", "unsat", "sat", "c")]


def _writer(path: str, worker: int, n: int) -> None:
    store = SqliteStore(path)
    for i in range(n):
        store.put(f"w{worker}-{i}", StoredResult("sat" if i % 2 else "unsat", f"w{worker}", float(i)))
        store.add_lemma("shared", "note", f"{worker}:{i}")


def test_100_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    path = str(tmp_path / "c.sqlite")
    SqliteStore(path).close()
    ctx = mp.get_context("fork")
    procs = [ctx.Process(target=_writer, args=(path, w, 5)) for w in range(100)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    store = SqliteStore(path)
    assert store.count() == 500
    assert len(store.lemmas("shared", "note")) == 500


def _crash_mid_write(path: str) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    for i in range(1000):
        conn.execute(
            "INSERT INTO results (key, verdict, backend, seconds, created, quod_version) VALUES (?, 'sat', 'x', 0, 0, '')",
            (f"crash{i}",),
        )
    os.kill(os.getpid(), signal.SIGKILL)


def test_crash_mid_write_keeps_store_intact(tmp_path: Path) -> None:
    path = str(tmp_path / "k.sqlite")
    store = SqliteStore(path)
    store.put("before", StoredResult("unsat", "z3", 1.0))
    store.close()
    p = mp.get_context("fork").Process(target=_crash_mid_write, args=(path,))
    p.start()
    p.join(60)
    assert p.exitcode == -signal.SIGKILL
    store = SqliteStore(path)
    assert store.get("before") is not None
    assert store.count() == 1
    ok = sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone()[0]
    assert ok == "ok"


@pytest.mark.postgres
def test_postgres_store(postgres_url: str, tmp_path: Path) -> None:
    _solve_twice(postgres_url, tmp_path)
    store = open_store(postgres_url)
    assert store.put("pk", StoredResult("sat", "a", 1.0))
    assert not store.put("pk", StoredResult("unsat", "b", 1.0))
    assert ("pk", "sat", "unsat", "b") in store.conflicts()


def _pg_writer(url: str, worker: int, n: int) -> None:
    store = open_store(url)
    for i in range(n):
        store.put(f"pg-w{worker}-{i}", StoredResult("sat", f"w{worker}", float(i)))
        store.put("pg-shared", StoredResult("unsat", f"w{worker}", float(i)))


@pytest.mark.postgres
def test_postgres_100_concurrent_writers(postgres_url: str) -> None:
    ctx = mp.get_context("fork")
    procs = [ctx.Process(target=_pg_writer, args=(postgres_url, w, 3)) for w in range(100)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(180)
        assert p.exitcode == 0
    store = open_store(postgres_url)
    got = [store.get(f"pg-w{w}-{i}") for w in range(100) for i in range(3)]
    assert all(g is not None and g.verdict == "sat" for g in got)
    assert store.get("pg-shared").verdict == "unsat"  # type: ignore[union-attr]
