"""Metrics as a (numerator, denominator) pair per example.

A group's value is sum(numerator) / sum(denominator). For error rate,
accuracy and task success the denominator is 1 and the value is a proportion;
for WER and CER the numerator is the edit count (substitutions + deletions +
insertions from jiwer's alignment) and the denominator the reference length,
so the group value is the corpus-level rate, not an average of per-utterance
rates (which would over-weight short utterances).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .errors import FairnessError, require
from .records import Records

# name -> (kind, higher_is_better, {role: default field name})
_BUILTIN: dict[str, tuple[str, bool, dict[str, str]]] = {
    "error_rate": ("proportion", False, {"label": "label", "prediction": "prediction"}),
    "accuracy": ("proportion", True, {"label": "label", "prediction": "prediction"}),
    "success": ("proportion", True, {"success": "success"}),
    "failure": ("proportion", False, {"success": "success"}),
    "wer": ("ratio", False, {"reference": "reference", "hypothesis": "hypothesis"}),
    "cer": ("ratio", False, {"reference": "reference", "hypothesis": "hypothesis"}),
    "ratio": ("ratio", False, {"numerator": "numerator", "denominator": "denominator"}),
    "mean": ("ratio", False, {"value": "value"}),
}


@dataclass(frozen=True)
class Metric:
    """A named metric and the record fields it reads (JSON-serializable)."""

    name: str
    fields: Mapping[str, str] = field(default_factory=dict)
    higher_is_better: bool | None = None

    def __post_init__(self) -> None:
        if self.name not in _BUILTIN:
            raise FairnessError("Q1004", f"unknown metric '{self.name}'; known: {', '.join(_BUILTIN)}")
        roles = _BUILTIN[self.name][2]
        extra = set(self.fields) - set(roles)
        if extra:
            raise FairnessError(
                "Q1004", f"metric '{self.name}' has no field role(s) {sorted(extra)}; roles: {sorted(roles)}"
            )
        object.__setattr__(self, "fields", {**roles, **self.fields})
        if self.higher_is_better is None:
            object.__setattr__(self, "higher_is_better", _BUILTIN[self.name][1])

    @property
    def kind(self) -> str:
        """'proportion' (0/1 per example) or 'ratio' (general numerator/denominator)."""
        return _BUILTIN[self.name][0]

    @property
    def better(self) -> bool:
        return bool(self.higher_is_better)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "fields": dict(self.fields), "higher_is_better": self.higher_is_better}

    @staticmethod
    def from_json(obj: Any, where: str = "$.metric") -> Metric:
        if isinstance(obj, str):
            return Metric(obj)
        if not isinstance(obj, Mapping) or not isinstance(obj.get("name"), str):
            raise FairnessError("Q1004", f"{where}: a metric is a name or {{'name': ..., 'fields': ...}}")
        fields = obj.get("fields", {})
        if not isinstance(fields, Mapping) or not all(isinstance(v, str) for v in fields.values()):
            raise FairnessError("Q1004", f"{where}.fields: expected an object of strings")
        hib = obj.get("higher_is_better")
        if hib is not None and not isinstance(hib, bool):
            raise FairnessError("Q1004", f"{where}.higher_is_better: expected a boolean")
        return Metric(obj["name"], dict(fields), hib)

    def per_example(self, records: Records) -> tuple[np.ndarray, np.ndarray]:
        """Numerator and denominator arrays, one entry per record."""
        if self.name in ("wer", "cer"):
            return _edit_counts(records, self.fields, chars=self.name == "cer")
        num = np.empty(len(records), dtype=float)
        den = np.ones(len(records), dtype=float)
        for i, r in enumerate(records):
            num[i], den[i] = self._one(r, records.where[i])
        return num, den

    def _one(self, r: Mapping[str, Any], where: str) -> tuple[float, float]:
        f = self.fields
        if self.name in ("error_rate", "accuracy"):
            y, p = _get(r, f["label"], where), _get(r, f["prediction"], where)
            wrong = not _equal(y, p)
            return float(wrong if self.name == "error_rate" else not wrong), 1.0
        if self.name in ("success", "failure"):
            ok = _bool(_get(r, f["success"], where), f["success"], where)
            return float(ok if self.name == "success" else not ok), 1.0
        if self.name == "mean":
            return _num(_get(r, f["value"], where), f["value"], where), 1.0
        n = _num(_get(r, f["numerator"], where), f["numerator"], where)
        d = _num(_get(r, f["denominator"], where), f["denominator"], where)
        if d < 0 or n < 0:
            raise FairnessError("Q1003", f"{where}: numerator and denominator must be >= 0")
        return n, d


def metric_names() -> list[str]:
    return list(_BUILTIN)


def _get(r: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in r or r[key] is None:
        raise FairnessError("Q1003", f"{where}: missing field '{key}'")
    return r[key]


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return float(a) == float(b)
    return bool(a == b)


def _bool(v: Any, key: str, where: str) -> bool:
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)) and v in (0, 1):
        return bool(v)
    raise FairnessError("Q1003", f"{where}: field '{key}' must be true/false or 0/1, got {v!r}")


def _num(v: Any, key: str, where: str) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not np.isfinite(v):
        raise FairnessError("Q1003", f"{where}: field '{key}' must be a finite number, got {v!r}")
    return float(v)


def _edit_counts(records: Records, f: Mapping[str, str], chars: bool) -> tuple[np.ndarray, np.ndarray]:
    require("jiwer", "WER/CER")
    import jiwer

    refs: list[str] = []
    hyps: list[str] = []
    for i, r in enumerate(records):
        ref, hyp = _get(r, f["reference"], records.where[i]), r.get(f["hypothesis"], "")
        if not isinstance(ref, str) or not isinstance(hyp, (str, type(None))):
            raise FairnessError("Q1003", f"{records.where[i]}: reference and hypothesis must be strings")
        if not ref.strip():
            raise FairnessError("Q1003", f"{records.where[i]}: empty reference (WER is undefined)")
        refs.append(ref)
        hyps.append(hyp or "")
    num = np.empty(len(refs))
    den = np.empty(len(refs))
    for i, (ref, hyp) in enumerate(zip(refs, hyps)):
        num[i], den[i] = edit_counts(ref, hyp, chars, jiwer)
    return num, den


def edit_counts(ref: str, hyp: str, chars: bool = False, jiwer: Any = None) -> tuple[int, int]:
    """(substitutions + deletions + insertions, reference length) from jiwer's alignment."""
    if jiwer is None:
        require("jiwer", "WER/CER")
        import jiwer as _jiwer

        jiwer = _jiwer
    if not hyp.strip():
        # jiwer rejects empty hypotheses in some versions; an empty output deletes every word.
        n = len(_tokens(ref, chars))
        return n, n
    out = jiwer.process_characters(ref, hyp) if chars else jiwer.process_words(ref, hyp)
    errors = int(out.substitutions + out.deletions + out.insertions)
    return errors, int(out.substitutions + out.deletions + out.hits)


def _tokens(text: str, chars: bool) -> Sequence[str]:
    return list(text.strip()) if chars else text.split()


def normalize_text(text: str) -> str:
    """Lower-case, drop punctuation, collapse spaces: WER should count words, not casing."""
    import re

    return " ".join(re.sub(r"[^\w\s']", " ", text.lower()).split())
