"""Models for bias bounties, loaded without running untrusted code.

A submitted model is either a declarative JSON config (constant, threshold,
linear, lookup, rules over group predicates, or a table of precomputed outputs
keyed by record id -- the form agent results take) or a scikit-learn model
saved with skops, whose loader refuses any type not on an allowlist. Pickle
files (.pkl, .joblib, .pt, ...) are refused outright: unpickling runs
arbitrary code chosen by whoever wrote the file.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ..errors import FairnessError, at, require
from ..groups import Predicate, predicate
from .ledger import canonical, sha256_hex

PICKLE_SUFFIXES = (".pkl", ".pickle", ".joblib", ".pt", ".pth", ".bin", ".npy", ".npz", ".dill", ".sav")
# skops flags these as "untrusted" only because they are not plain sklearn
# estimators; they are data containers that skops rebuilds without code.
DEFAULT_TRUSTED_SKOPS = ("sklearn.tree._tree.Tree",)
CONFIG_TYPES = ("constant", "threshold", "linear", "lookup", "rules", "table", "skops")


class Model(Protocol):
    def predict(self, records: Sequence[Mapping[str, Any]]) -> list[Any]: ...


@dataclass(frozen=True)
class ConfigModel:
    """A model given as a JSON config; `predict` interprets it record by record."""

    config: Mapping[str, Any]
    rules: tuple[tuple[Predicate, Any], ...] = ()

    def predict(self, records: Sequence[Mapping[str, Any]]) -> list[Any]:
        return [self._one(r) for r in records]

    def _one(self, r: Mapping[str, Any]) -> Any:
        c = self.config
        t = c["type"]
        if t == "constant":
            return c["value"]
        if t == "threshold":
            v = r.get(c["field"])
            return c["above"] if isinstance(v, (int, float)) and v >= c["threshold"] else c["below"]
        if t == "linear":
            s = float(c.get("bias", 0.0)) + sum(w * _feature(r, f) for f, w in c["weights"].items())
            if "threshold" not in c:
                return s
            return c.get("above", 1) if s >= c["threshold"] else c.get("below", 0)
        if t == "lookup":
            v = r.get(c["field"])
            return c["table"].get(str(v), c.get("default"))
        if t == "rules":
            for pred, out in self.rules:
                if pred(r):
                    return out
            return c.get("default")
        return c["predictions"].get(str(r.get(c["key"])), c.get("default"))  # table


def _feature(r: Mapping[str, Any], f: str) -> float:
    v = r.get(f)
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return math.nan  # missing features make the score NaN, which never passes a threshold
    return float(v)


@dataclass(frozen=True)
class SkopsModel:
    estimator: Any
    features: tuple[str, ...]

    def predict(self, records: Sequence[Mapping[str, Any]]) -> list[Any]:
        if not records:
            return []
        x = np.array([[_feature(r, f) for f in self.features] for r in records], dtype=float)
        if not np.isfinite(x).all():
            bad = int(np.argwhere(~np.isfinite(x))[0][0])
            raise FairnessError("Q1003", f"record {bad}: missing or non-numeric feature for the skops model")
        return [v.item() if hasattr(v, "item") else v for v in self.estimator.predict(x)]


def model_id(config: Mapping[str, Any]) -> str:
    """Content address of a model config (for skops, the config holds the file's sha256)."""
    return sha256_hex(canonical(dict(config)))


def validate_config(cfg: Any, where: str = "$.model") -> dict[str, Any]:
    """Check a model config's shape; returns a plain dict."""
    if not isinstance(cfg, Mapping) or cfg.get("type") not in CONFIG_TYPES:
        raise FairnessError("Q1006", at(where, f"a model config needs 'type' in {CONFIG_TYPES}"))
    c = dict(cfg)
    need = {
        "constant": ("value",),
        "threshold": ("field", "threshold", "above", "below"),
        "linear": ("weights",),
        "lookup": ("field", "table"),
        "rules": ("rules",),
        "table": ("key", "predictions"),
        "skops": ("path", "features"),
    }[c["type"]]
    for k in need:
        if k not in c:
            raise FairnessError("Q1006", at(where, f"model type '{c['type']}' needs '{k}'"))
    _check_details(c, where)
    return c


def _check_details(c: dict[str, Any], where: str) -> None:
    t = c["type"]
    if t == "threshold" and not _isnum(c["threshold"]):
        raise FairnessError("Q1006", at(where + ".threshold", "must be a number"))
    if t == "linear":
        w = c["weights"]
        if not isinstance(w, Mapping) or not all(_isnum(v) for v in w.values()):
            raise FairnessError("Q1006", at(where + ".weights", "must map feature names to numbers"))
        for k in ("bias", "threshold"):
            if k in c and not _isnum(c[k]):
                raise FairnessError("Q1006", at(f"{where}.{k}", "must be a number"))
    if t in ("lookup", "table"):
        key = "table" if t == "lookup" else "predictions"
        if not isinstance(c[key], Mapping):
            raise FairnessError("Q1006", at(f"{where}.{key}", "must be a JSON object"))
    if t == "rules":
        rules = c["rules"]
        if not isinstance(rules, list):
            raise FairnessError("Q1006", at(where + ".rules", "must be a list of {when, predict}"))
        for i, r in enumerate(rules):
            if not isinstance(r, Mapping) or set(r) != {"when", "predict"}:
                raise FairnessError("Q1006", at(f"{where}.rules[{i}]", "must be {when, predict}"))
            predicate(r["when"], f"{where}.rules[{i}].when")
    if t == "skops" and (
        not isinstance(c["features"], list) or not all(isinstance(f, str) for f in c["features"])
    ):
        raise FairnessError("Q1006", at(where + ".features", "must be a list of field names"))


def _isnum(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def load_model(
    cfg: Mapping[str, Any], base_dir: Path, trusted: Sequence[str] = DEFAULT_TRUSTED_SKOPS
) -> Model:
    """Build a model from a validated config; skops paths are relative to base_dir."""
    c = validate_config(cfg)
    if c["type"] == "skops":
        return SkopsModel(load_skops(base_dir / c["path"], trusted, c.get("sha256")), tuple(c["features"]))
    rules = (
        tuple((predicate(r["when"]), r["predict"]) for r in c.get("rules", ()))
        if c["type"] == "rules"
        else ()
    )
    return ConfigModel(c, rules)


def refuse_pickle(path: Path) -> None:
    if path.suffix.lower() in PICKLE_SUFFIXES:
        raise FairnessError(
            "Q1006",
            f"{path}: refusing to load a pickle-based file: unpickling runs arbitrary code; "
            "submit a skops file or a declarative JSON model",
        )


def load_skops(path: Path, trusted: Sequence[str], expected_sha: str | None = None) -> Any:
    """Load a skops file after checking its hash and that every type in it is trusted."""
    refuse_pickle(path)
    require("skops", "loading skops models")
    import skops.io as sio

    try:
        data = path.read_bytes()
    except OSError as e:
        raise FairnessError("Q0002", f"{path}: cannot read: {e.strerror or e}") from None
    if expected_sha is not None and sha256_hex(data) != expected_sha:
        raise FairnessError("Q1006", f"{path}: content does not match its recorded sha256")
    try:
        untrusted = sio.get_untrusted_types(data=data)
    except Exception as e:  # skops raises several types for corrupt archives
        raise FairnessError("Q1006", f"{path}: not a valid skops file ({type(e).__name__})") from None
    refused = [t for t in untrusted if t not in trusted]
    if refused:
        raise FairnessError(
            "Q1006", f"{path}: skops file contains untrusted type(s) {refused}; refusing to load"
        )
    try:
        return sio.loads(data, trusted=list(untrusted)) if untrusted else sio.loads(data)
    except Exception as e:
        raise FairnessError("Q1006", f"{path}: cannot load skops model ({type(e).__name__}: {e})") from None
