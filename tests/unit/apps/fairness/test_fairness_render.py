"""Reports: self-contained HTML, Markdown (golden file), JSON."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from quod.apps.fairness import evaluate
from quod.apps.fairness.errors import FairnessError
from quod.apps.fairness.render import to_html, to_markdown, to_text, write_report

GOLDEN = Path(__file__).parents[4] / "tests" / "golden" / "fairness"


def _report():  # type: ignore[no-untyped-def]
    recs = []
    for g, (n, k) in {"en-us": (120, 12), "en-gb": (100, 21), "en-029": (90, 36), "en-nz": (8, 5)}.items():
        recs += [{"accent": g, "label": 1, "prediction": int(i >= k)} for i in range(n)]
    groups = [
        {"name": a, "where": {"field": "accent", "equals": a}, "provenance": "measured", "kind": "condition"}
        for a in ("en-us", "en-gb", "en-029", "en-nz")
    ]
    groups.append(
        {"name": "guessed-female", "where": {"field": "accent", "equals": "en-gb"}, "provenance": "inferred"}
    )
    return evaluate(recs, "error_rate", groups, n_boot=500, seed=3)


def test_markdown_matches_golden() -> None:
    text = to_markdown(_report())
    path = GOLDEN / "report.md"
    if os.environ.get("QUOD_REGEN_GOLDEN"):
        path.write_text(text)
    assert text == path.read_text(), "regenerate with QUOD_REGEN_GOLDEN=1 if the change is intended"


def test_html_is_self_contained() -> None:
    html = to_html(_report())
    assert html.startswith("<!DOCTYPE html>") and "<svg" in html
    for external in ('src="http', 'href="http', "<script", "<link"):
        assert external not in html
    assert "insufficient" in html and "inferred demographic" in html
    assert "Methods" in html and "Holm" in html


def test_text_and_json(tmp_path: Path) -> None:
    rep = _report()
    assert "[insufficient]" in to_text(rep)
    p = write_report(rep, tmp_path / "r.json")
    assert json.loads(p.read_text())["format"] == "quod-fairness-report/1"
    with pytest.raises(FairnessError, match="must be .html, .md or .json"):
        write_report(rep, tmp_path / "r.pdf")
