"""Pointer decision lists (Globus-Harris, Kearns, Roth, FAccT 2022).

The model is a list of nodes, newest first. A record is handled by the first
node whose group contains it: a model node applies its submitted model, a
pointer node hands the record to an earlier version of the list (the version
at which that group had its recorded best error). Records in no group fall
through to the base model. Nodes are only ever added at the head, so every
earlier version is a prefix (in order of addition) of the current list.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import FairnessError
from ..groups import GroupSpec
from .ledger import canonical, sha256_hex
from .models import Model


@dataclass(frozen=True)
class Node:
    group: GroupSpec
    model: str | None  # model id for a submission node
    pointer: int | None  # earlier version for a repair node
    submission: int

    def to_json(self) -> dict[str, Any]:
        return {
            "group": self.group.to_json(),
            "model": self.model,
            "pointer": self.pointer,
            "submission": self.submission,
        }


@dataclass
class DecisionList:
    nodes: list[Node] = field(default_factory=list)
    lengths: list[int] = field(default_factory=lambda: [0])  # lengths[v] = nodes in version v

    @property
    def version(self) -> int:
        return len(self.lengths) - 1

    def push(self, node: Node) -> int:
        if node.pointer is not None and not 0 <= node.pointer <= self.version:
            raise ValueError(f"pointer to unknown version {node.pointer}")
        self.nodes.append(node)
        self.lengths.append(len(self.nodes))
        return self.version

    def truncate(self, version: int) -> None:
        self.nodes = self.nodes[: self.lengths[version]]
        self.lengths = self.lengths[: version + 1]

    def copy(self) -> DecisionList:
        return DecisionList(list(self.nodes), list(self.lengths))


def group_key(g: GroupSpec) -> str:
    return sha256_hex(canonical(g.where.to_json()))


class Evaluator:
    """Predictions and losses of any list version on one fixed dataset (memoized)."""

    def __init__(
        self,
        records: Sequence[Mapping[str, Any]],
        labels: np.ndarray,
        base: Model,
        models: Callable[[str], Model],
        loss: str,
    ) -> None:
        self.records = records
        self.labels = labels
        self.models = models
        self.base = base
        self.loss_name = loss
        self.n = len(records)
        self._member: dict[str, np.ndarray] = {}
        self._preds: dict[str, np.ndarray] = {}
        self.base_pred = _as_array(base.predict(records))

    def member(self, g: GroupSpec) -> np.ndarray:
        k = group_key(g)
        if k not in self._member:
            self._member[k] = np.fromiter((g.contains(r) for r in self.records), dtype=bool, count=self.n)
        return self._member[k]

    def model_pred(self, model_id: str) -> np.ndarray:
        if model_id not in self._preds:
            self._preds[model_id] = _as_array(self.models(model_id).predict(self.records))
        return self._preds[model_id]

    def predict(self, dl: DecisionList, version: int | None = None) -> np.ndarray:
        v = dl.version if version is None else version
        return np.asarray(self._predict_prefix(dl, dl.lengths[v], np.arange(self.n)))

    def _predict_prefix(self, dl: DecisionList, length: int, idx: np.ndarray) -> np.ndarray:
        out: np.ndarray = self.base_pred[idx].copy()
        pos = np.arange(len(idx))  # positions in `out` of the still-unclaimed records
        for i in range(length - 1, -1, -1):
            if len(pos) == 0:
                break
            node = dl.nodes[i]
            hit = self.member(node.group)[idx[pos]]
            claimed = pos[hit]
            if len(claimed):
                if node.model is not None:
                    out[claimed] = self.model_pred(node.model)[idx[claimed]]
                else:
                    assert node.pointer is not None
                    out[claimed] = self._predict_prefix(dl, dl.lengths[node.pointer], idx[claimed])
            pos = pos[~hit]
        return out

    def losses(self, pred: np.ndarray) -> np.ndarray:
        return row_losses(pred, self.labels, self.loss_name)


def _as_array(values: Sequence[Any]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


def row_losses(pred: np.ndarray, labels: np.ndarray, loss: str) -> np.ndarray:
    """Per-row loss: 0/1 disagreement, or squared / absolute error for numeric outputs."""
    if loss == "zero_one":
        same = (0.0 if _same(p, y) else 1.0 for p, y in zip(pred, labels))
        return np.fromiter(same, dtype=float, count=len(pred))
    diff = np.array([_num(p) - _num(y) for p, y in zip(pred, labels)], dtype=float)
    return np.asarray(diff * diff if loss == "squared" else np.abs(diff))


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return float(a) == float(b)
    return bool(a == b)


def _num(v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise FairnessError("Q1007", f"numeric loss needs numeric predictions and labels, got {v!r}")
    return float(v)
