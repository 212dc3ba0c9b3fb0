"""Connecting to Ray: a local instance by default, an existing cluster by address.

The same code runs on a laptop and on a cluster: only `address` changes
(`None` starts a new local instance with `workers` CPUs unless $RAY_ADDRESS
names a cluster; `"auto"` or `"ray://host:10001"` joins a running cluster).
Ray is imported lazily.
"""

from __future__ import annotations

import os
from typing import Any

from quod.core.errors import QuodError, register_codes

register_codes({"Q0503": "Ray is not available"})


def import_ray() -> Any:
    try:
        import ray
    except ImportError as e:
        raise QuodError("distributed solving needs Ray: pip install 'quod[ray]'", code="Q0503") from e
    return ray


def ensure_ray(workers: int | None = None, address: str | None = None) -> Any:
    """An initialized `ray` module (reuses an existing connection)."""
    ray = import_ray()
    if ray.is_initialized():
        return ray
    os.environ.setdefault("RAY_DEDUP_LOGS", "0")
    kwargs: dict[str, Any] = {
        "include_dashboard": False,
        "log_to_driver": False,
        "logging_level": "ERROR",
        "configure_logging": False,
    }
    try:
        address = address or os.environ.get("RAY_ADDRESS") or None
        if address:
            ray.init(address=address, **kwargs)
        else:
            # "local": a new instance of our own. Without it Ray silently joins whatever cluster was
            # started last on this machine (another user's, or a bench head), with its CPU count.
            ray.init(address="local", num_cpus=workers or os.cpu_count() or 1, **kwargs)
    except Exception as e:  # Ray raises many exception types on connection failure
        where = address or "a local instance"
        raise QuodError(f"cannot start or reach Ray ({where}): {e}", code="Q0503") from e
    return ray
