"""Weight sync between trainer and rollout engines, with version stamps and a staleness bound.

The trainer's policy version counts optimizer updates. An engine samples with
the version it last received; every model turn is stamped with it. Before a
rollout the engines are refreshed when they are `interval` or more versions
behind, or would otherwise exceed `max_staleness`. Trajectories reaching the
trainer more than `max_staleness` versions old are dropped (counted in the
metrics), and a trajectory claiming a version the trainer has not produced
yet is an error, since it means stamps are wrong.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from quod.apps.agents.errors import ConfigError, WeightSyncError
from quod.apps.agents.trajectory import Trajectory


@dataclass
class SyncStats:
    syncs: int = 0
    seconds: list[float] = field(default_factory=list)
    dropped: int = 0

    @property
    def last_latency(self) -> float:
        return self.seconds[-1] if self.seconds else 0.0


class WeightTarget(Protocol):
    """Anything that samples with pushed weights: a rollout engine or a pool of Ray workers."""

    name: str
    version: int

    def update_weights(self, model: Any, version: int) -> float: ...


class WeightSync:
    def __init__(self, engines: Sequence[WeightTarget], interval: int = 1, max_staleness: int = 0) -> None:
        if interval < 1:
            raise ConfigError("sync.interval: must be at least 1")
        if max_staleness < 0:
            raise ConfigError("sync.max_staleness: must be >= 0")
        self.engines = list(engines)
        self.interval = interval
        self.max_staleness = max_staleness
        self.stats = SyncStats()

    def engine_version(self) -> int:
        return min(e.version for e in self.engines)

    def maybe_sync(self, model: Any, trainer_version: int, force: bool = False) -> bool:
        """Push the trainer's weights if the engines lag too far; True if a sync happened."""
        lag = trainer_version - self.engine_version()
        if lag < 0:
            raise WeightSyncError(
                f"engine at version {self.engine_version()} is ahead of the trainer ({trainer_version})"
            )
        if not force and lag < self.interval and lag <= self.max_staleness:
            return False
        if lag == 0 and not force:
            return False
        start = time.perf_counter()
        for e in self.engines:
            e.update_weights(model, trainer_version)
            if e.version != trainer_version:
                raise WeightSyncError(
                    f"engine {e.name} reports version {e.version} after a sync to {trainer_version}"
                )
        self.stats.syncs += 1
        self.stats.seconds.append(time.perf_counter() - start)
        return True

    def filter(self, trajs: Sequence[Trajectory], trainer_version: int) -> list[Trajectory]:
        """Drop trajectories older than the staleness bound."""
        kept = []
        for t in trajs:
            v = t.policy_version
            if v > trainer_version:
                raise WeightSyncError(
                    f"{t.task_id}: stamped with version {v}, newer than the trainer's {trainer_version}"
                )
            if trainer_version - v > self.max_staleness:
                self.stats.dropped += 1
                continue
            kept.append(t)
        return kept
