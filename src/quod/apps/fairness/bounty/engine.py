"""The bounty's decision rules, kept free of file handling so they can be replayed.

`decide` tests a submission (g, h) against the current model f on the
holdout: accept iff g has at least `min_n` rows, mu(g) * (err(f,g) - err(h,g))
>= alpha, and the lower end of a one-sided paired-bootstrap interval for the
mean improvement on g is above 0. `merge` prepends (g, h) to the pointer
decision list, then repairs: every earlier accepted group whose holdout error
is now above its recorded best gets a pointer node to the version that had the
best, until no accepted group is worse. Each repair strictly lowers the total
holdout loss, so the loop ends, and overall holdout error never rises.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import stats
from ..errors import FairnessError
from ..groups import GroupSpec, group_from_json
from .models import DEFAULT_TRUSTED_SKOPS
from .pdl import DecisionList, Evaluator, Node

EPS = 1e-12
LOSSES = ("zero_one", "squared", "absolute")


@dataclass(frozen=True)
class BountyConfig:
    label: str = "label"
    loss: str = "zero_one"
    alpha: float = 0.01
    min_n: int = 30
    level: float = 0.95
    n_boot: int = 2000
    round_to: float = 0.01
    rate_limit: int = 5
    rate_window_s: int = 86400
    audit_gate: bool = True
    max_repairs: int = 1000
    trusted_types: tuple[str, ...] = DEFAULT_TRUSTED_SKOPS

    def check(self) -> None:
        problems = [
            (self.loss not in LOSSES, f"loss must be one of {LOSSES}"),
            (not 0 < self.alpha < 1, "alpha must be in (0, 1)"),
            (self.min_n < 1, "min_n must be >= 1"),
            (not 0.5 <= self.level < 1, "level must be in [0.5, 1)"),
            (self.n_boot < 100, "n_boot must be >= 100"),
            (not 0 < self.round_to <= 1, "round_to must be in (0, 1]"),
            (self.rate_limit < 1 or self.rate_window_s < 1, "rate limit and window must be >= 1"),
        ]
        for bad, msg in problems:
            if bad:
                raise FairnessError("Q1005", msg)

    def to_json(self) -> dict[str, Any]:
        d = {k: getattr(self, k) for k in self.__dataclass_fields__}
        d["trusted_types"] = list(self.trusted_types)
        return d

    @staticmethod
    def from_json(d: Mapping[str, Any]) -> BountyConfig:
        d = dict(d)
        if "trusted_types" in d:
            d["trusted_types"] = tuple(d["trusted_types"])
        try:
            cfg = BountyConfig(**d)
        except TypeError as e:
            raise FairnessError("Q1005", f"invalid bounty configuration: {e}") from None
        cfg.check()
        return cfg


@dataclass
class Accepted:
    submission: int
    group: GroupSpec
    best_err: float
    best_version: int

    def to_json(self) -> dict[str, Any]:
        return {
            "submission": self.submission,
            "group": self.group.to_json(),
            "best_err": self.best_err,
            "best_version": self.best_version,
        }

    @staticmethod
    def from_json(d: Mapping[str, Any]) -> Accepted:
        return Accepted(
            int(d["submission"]), group_from_json(d["group"]), float(d["best_err"]), int(d["best_version"])
        )


@dataclass
class State:
    config: BountyConfig
    holdout: Evaluator
    audit: Evaluator
    dl: DecisionList = field(default_factory=DecisionList)
    accepted: list[Accepted] = field(default_factory=list)
    submissions: dict[int, dict[str, Any]] = field(default_factory=dict)
    stable: dict[int, list[Accepted]] = field(default_factory=lambda: {0: []})

    def losses(self, ev: Evaluator, dl: DecisionList | None = None) -> np.ndarray:
        return ev.losses(ev.predict(dl or self.dl))


def seed_from(*parts: str) -> int:
    import hashlib

    return int(hashlib.sha256("|".join(parts).encode()).hexdigest()[:16], 16)


def decide(state: State, group: GroupSpec, model_id: str, seed: int) -> dict[str, Any]:
    """Exact statistics and the accept/reject decision for (group, model) against the current list."""
    cfg, ev = state.config, state.holdout
    g = ev.member(group)
    n_g = int(g.sum())
    out: dict[str, Any] = {"version": state.dl.version, "n": n_g, "mu": n_g / ev.n if ev.n else 0.0}
    if n_g < cfg.min_n:
        return {**out, "accepted": False, "reason": "group-too-small"}
    f_loss = state.losses(ev)[g]
    h_loss = ev.losses(ev.model_pred(model_id))[g]
    err_f, err_h = float(f_loss.mean()), float(h_loss.mean())
    improvement = out["mu"] * (err_f - err_h)
    d = f_loss - h_loss
    bn, bd = stats.resample_sums(d, np.ones_like(d), cfg.n_boot, np.random.default_rng(seed))
    lower = float(np.quantile(bn / bd, 1 - cfg.level))
    reason = "accepted"
    if improvement < cfg.alpha:
        reason = "improvement-below-alpha"
    elif not lower > 0:
        reason = "not-significant"
    return {
        **out,
        "err_f": err_f,
        "err_h": err_h,
        "improvement": improvement,
        "lower_bound": lower,
        "accepted": reason == "accepted",
        "reason": reason,
    }


def merge(state: State, sub_id: int, seed: int) -> dict[str, Any]:
    """Re-test a pending submission against the current list and, if it still passes, apply it."""
    sub = state.submissions[sub_id]
    group, model_id = sub["group"], sub["model"]
    v0 = state.dl.version
    dec = decide(state, group, model_id, seed)
    base = {"submission": sub_id, "from_version": v0, "decision": dec}
    if not dec["accepted"]:
        return {**base, "status": "stale"}
    dl = state.dl.copy()
    accepted = [Accepted(a.submission, a.group, a.best_err, a.best_version) for a in state.accepted]
    ev = state.holdout
    dl.push(Node(group, model_id, None, sub_id))
    losses = state.losses(ev, dl)
    _improve_bests(accepted, ev, losses, dl.version)
    accepted.append(Accepted(sub_id, group, _group_err(ev, losses, group), dl.version))
    repairs = _repair(state, dl, accepted, sub_id)
    before, after = float(state.losses(ev).mean()), float(state.losses(ev, dl).mean())
    if after > before + EPS:
        raise FairnessError(
            "Q1010", f"internal invariant violated: holdout error would rise {before} -> {after}"
        )
    audit = _audit(state, dl, group)
    status = "merged"
    if state.config.audit_gate and audit["after"] > audit["before"] + EPS:
        status = "audit-failed"
    body = {
        **base,
        "status": status,
        "to_version": dl.version,
        "nodes": [n.to_json() for n in dl.nodes[len(state.dl.nodes) :]],
        "repairs": repairs,
        "holdout": {"before": before, "after": after},
        "audit": audit,
        "accepted": [a.to_json() for a in accepted],
    }
    if status == "merged":
        commit(state, dl, accepted)
    return body


def commit(state: State, dl: DecisionList, accepted: list[Accepted]) -> None:
    state.dl = dl
    state.accepted = accepted
    state.stable[dl.version] = [Accepted(a.submission, a.group, a.best_err, a.best_version) for a in accepted]


def _group_err(ev: Evaluator, losses: np.ndarray, group: GroupSpec) -> float:
    m = ev.member(group)
    return float(losses[m].mean()) if m.any() else 0.0


def _improve_bests(accepted: list[Accepted], ev: Evaluator, losses: np.ndarray, version: int) -> None:
    for a in accepted:
        e = _group_err(ev, losses, a.group)
        if e < a.best_err - EPS:
            a.best_err, a.best_version = e, version


def _repair(state: State, dl: DecisionList, accepted: list[Accepted], sub_id: int) -> int:
    """Add pointer nodes until no accepted group is worse than its recorded best."""
    ev = state.holdout
    repairs = 0
    while True:
        losses = state.losses(ev, dl)
        worse = next((a for a in accepted if _group_err(ev, losses, a.group) > a.best_err + EPS), None)
        if worse is None:
            return repairs
        repairs += 1
        if repairs > state.config.max_repairs:
            raise FairnessError("Q1010", "repair loop did not settle (max_repairs reached)")
        dl.push(Node(worse.group, None, worse.best_version, sub_id))
        _improve_bests(accepted, ev, state.losses(ev, dl), dl.version)


def _audit(state: State, dl: DecisionList, group: GroupSpec) -> dict[str, Any]:
    """Second holdout, never used for decisions: does the improvement carry over?"""
    ev = state.audit
    before, after = state.losses(ev), state.losses(ev, dl)
    m = ev.member(group)
    return {
        "n": ev.n,
        "group_n": int(m.sum()),
        "before": float(before.mean()) if ev.n else 0.0,
        "after": float(after.mean()) if ev.n else 0.0,
        "group_before": float(before[m].mean()) if m.any() else None,
        "group_after": float(after[m].mean()) if m.any() else None,
    }


def rounded(x: float, step: float) -> float:
    """Round to a grid so repeated queries leak little about the holdout."""
    if not math.isfinite(x):
        return x
    return round(round(x / step) * step, 10)


def reply(sub_id: int, dec: Mapping[str, Any], step: float) -> dict[str, Any]:
    """What a submitter is told: the decision and coarse statistics only."""
    out: dict[str, Any] = {
        "submission": sub_id,
        "decision": "accepted" if dec["accepted"] else "rejected",
        "reason": dec["reason"],
        "group_share": rounded(float(dec["mu"]), step),
    }
    if "improvement" in dec:
        out["improvement"] = rounded(float(dec["improvement"]), step)
    return out
