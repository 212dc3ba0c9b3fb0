"""A cache of obligation results keyed by the hash of the query that decided them.

The key covers the complete query (every assertion of the VC, hashed
structurally), the obligation selected, the backend and its version, the
resource limit, the seed and the verifier version, so a hit is a result for
exactly the same question. Only definite results (proved, failed with a
counterexample, vacuous/reachable probes) are stored.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from pathlib import Path
from typing import Any

VERIFIER_VERSION = "1"


def default_cache_path() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "quod" / "verify.sqlite"


def cache_key(
    vc_digest: str, ob_index: int, backend: str, backend_version: str, rlimit: int | None, seed: int | None
) -> str:
    from quod import __version__

    text = "|".join(
        [
            vc_digest,
            str(ob_index),
            backend,
            backend_version,
            str(rlimit),
            str(seed),
            __version__,
            VERIFIER_VERSION,
        ]
    )
    return hashlib.sha256(text.encode()).hexdigest()


class ResultCache:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path), timeout=10)
        self.db.execute("CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        self.db.commit()
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT value FROM results WHERE key = ?", (key,)).fetchone()
        if row is None:
            self.misses += 1
            return None
        self.hits += 1
        value: dict[str, Any] = json.loads(row[0])
        return value

    def put(self, key: str, value: dict[str, Any]) -> None:
        self.db.execute("INSERT OR REPLACE INTO results (key, value) VALUES (?, ?)", (key, json.dumps(value)))
        self.db.commit()

    def close(self) -> None:
        self.db.close()
