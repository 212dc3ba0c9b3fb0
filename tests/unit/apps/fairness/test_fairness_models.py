"""Declarative bounty models: each config type predicts as documented; bad configs are located."""

from __future__ import annotations

from pathlib import Path

import pytest

from quod.apps.fairness.bounty.models import load_model, model_id
from quod.apps.fairness.errors import FairnessError

RECS = [
    {"id": "a", "x": 0.2, "y": 3, "region": "c"},
    {"id": "b", "x": 0.9, "y": 1, "region": "a"},
    {"id": "c"},
]


def _predict(cfg: dict[str, object]) -> list[object]:
    return load_model(cfg, Path(".")).predict(RECS)


def test_config_models() -> None:
    assert _predict({"type": "constant", "value": 1}) == [1, 1, 1]
    assert _predict({"type": "threshold", "field": "x", "threshold": 0.5, "above": "hi", "below": "lo"}) == [
        "lo",
        "hi",
        "lo",
    ]
    lin = {"type": "linear", "weights": {"x": 1.0, "y": 0.5}, "bias": -1.0}
    scores = _predict(lin)
    assert scores[:2] == pytest.approx([0.7, 0.4])
    assert _predict({**lin, "threshold": 0.5}) == [1, 0, 0]  # a missing feature never passes
    assert _predict({"type": "lookup", "field": "region", "table": {"c": 1}, "default": 0}) == [1, 0, 0]
    rules = {"type": "rules", "rules": [{"when": {"field": "region", "equals": "a"}, "predict": 2},
                                        {"when": {"field": "y", "range": [2, None]}, "predict": 3}], "default": 0}  # fmt: skip
    assert _predict(rules) == [3, 2, 0]
    assert _predict({"type": "table", "key": "id", "predictions": {"a": 5, "c": 6}}) == [5, None, 6]


def test_model_id_is_content_addressed() -> None:
    a = {"type": "constant", "value": 1}
    assert model_id(a) == model_id(dict(reversed(list(a.items()))))
    assert model_id(a) != model_id({"type": "constant", "value": 0})


@pytest.mark.parametrize(
    ("cfg", "msg"),
    [
        ({"type": "python", "code": "..."}, "needs 'type' in"),
        ({"type": "linear", "weights": {"x": "1"}}, "$.model.weights"),
        ({"type": "rules", "rules": [{"when": {"field": "x"}, "predict": 1}]}, "$.model.rules[0].when"),
        ({"type": "skops", "path": "m.skops", "features": "x"}, "$.model.features"),
    ],
)
def test_bad_configs(cfg: dict[str, object], msg: str) -> None:
    with pytest.raises(FairnessError, match=msg.replace("[", r"\[").replace("$", r"\$")):
        load_model(cfg, Path("."))
