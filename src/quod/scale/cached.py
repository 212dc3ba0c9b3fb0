"""A Solver wrapper that answers from, and records into, the result store.

Answers from the store are not taken on faith for `sat`: the stored model is
re-checked by the kernel against the current assertions, and a model that
fails is ignored (the query is solved again). Stored `unsat` answers are
reported as such with their origin (backend, time) in the statistics.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from quod.backends.base import Limits, Result, Sat, Solver, Unknown, Unsat
from quod.core.terms import Term
from quod.kernel.model import check_model
from quod.scale.canonical import query_key
from quod.scale.codec import model_from_json, model_to_json
from quod.scale.store import Store, StoredResult


class CachedSolver:
    def __init__(self, inner: Solver, store: Store, context: str = "") -> None:
        self.inner = inner
        self.store = store
        self.context = context
        self.name = f"{inner.name}+store"
        self.last_from_store = False
        self.last_lookup_seconds = 0.0

    def add(self, *terms: Term) -> None:
        self.inner.add(*terms)

    def push(self) -> None:
        self.inner.push()

    def pop(self, n: int = 1) -> None:
        self.inner.pop(n)

    def reset(self) -> None:
        self.inner.reset()

    def assertions(self) -> list[Term]:
        return self.inner.assertions()

    def set_limits(self, limits: Limits) -> None:
        self.inner.set_limits(limits)

    def statistics(self) -> dict[str, Any]:
        return self.inner.statistics()

    def check(self, assumptions: Sequence[Term] = ()) -> Result:
        query = self.inner.assertions() + list(assumptions)
        start = time.perf_counter()
        key = query_key(query, self.context)
        hit = self._lookup(key, query)
        self.last_lookup_seconds = time.perf_counter() - start
        self.last_from_store = hit is not None
        if hit is not None:
            return hit
        res = self.inner.check(assumptions)
        self._record(key, res)
        return res

    def _lookup(self, key: str, query: list[Term]) -> Result | None:
        stored = self.store.get(key)
        if stored is None or stored.verdict == "unknown":
            return None
        origin = {"from_store": True, "store_backend": stored.backend, "store_seconds": stored.seconds}
        if stored.verdict == "unsat":
            return Unsat(certificate=stored.certificate, stats=origin)
        if stored.model is None:
            return None
        try:
            model = model_from_json(stored.model)
        except (KeyError, ValueError, TypeError):
            return None
        if not check_model(query, model).ok:
            return None
        return Sat(model, stats=origin)

    def _record(self, key: str, res: Result) -> None:
        seconds = float(res.stats.get("time", 0.0)) if res.stats else 0.0
        if isinstance(res, Sat):
            if not res.model_checked:
                return  # only kernel-checked models go into the store
            try:
                model_json = model_to_json(res.model)
            except ValueError:
                return
            self.store.put(key, StoredResult("sat", self.inner.name, seconds, model=model_json))
        elif isinstance(res, Unsat):
            cert = res.certificate if isinstance(res.certificate, str) else None
            self.store.put(key, StoredResult("unsat", self.inner.name, seconds, certificate=cert))
        elif isinstance(res, Unknown) and "internal error" not in res.reason:
            self.store.put(key, StoredResult("unknown", self.inner.name, seconds))
