"""Last-mile comparison: same evaluation on customer data; flags need to be real departures."""

from __future__ import annotations

import numpy as np

from quod.apps.fairness import Report, evaluate
from quod.apps.fairness.lastmile import compare, to_html, to_markdown, to_text
from quod.apps.fairness.synthetic import clustered_ratio

RATIO = {"name": "ratio", "fields": {"numerator": "errors", "denominator": "words"}}


def _with_noise(recs: list[dict[str, object]], seed: int, hurt: float) -> list[dict[str, object]]:
    """Tag records with a noise level; 'high' noise adds errors at rate `hurt`."""
    rng = np.random.default_rng(seed)
    out = []
    for r in recs:
        r = dict(r)
        r["noise"] = "high" if rng.random() < 0.4 else "low"
        if r["noise"] == "high":
            extra = int(rng.binomial(int(r["words"]) - int(r["errors"]), hurt))
            r["errors"] = int(r["errors"]) + extra
        out.append(r)
    return out


def test_same_distribution_raises_no_flags() -> None:
    ref = evaluate(
        clustered_ratio({"a": 0.1, "b": 0.2}, 30, 8, seed=1), RATIO, "group", cluster_by="speaker", n_boot=400
    )
    cust = _with_noise(clustered_ratio({"a": 0.1, "b": 0.2}, 20, 8, seed=2), 3, hurt=0.0)
    res = compare(ref.to_json(), cust, ["noise"])
    assert res.flagged == []
    assert {r.name for r in res.rows} >= {"group=a", "group=b", "overall", "noise=high", "noise=low"}
    assert all(r.status in ("consistent", "outside-not-significant", "insufficient") for r in res.rows)


def test_noisy_condition_is_flagged_worse() -> None:
    ref = evaluate(
        clustered_ratio({"a": 0.1, "b": 0.2}, 30, 8, seed=1), RATIO, "group", cluster_by="speaker", n_boot=400
    )
    cust = _with_noise(clustered_ratio({"a": 0.1, "b": 0.2}, 30, 8, seed=2), 3, hurt=0.3)
    res = compare(ref, cust, ["noise"])
    flagged = {r.name for r in res.flagged}
    assert "noise=high" in flagged and "noise=low" not in flagged
    high = next(r for r in res.rows if r.name == "noise=high")
    assert high.compared_with == "overall" and high.significant
    assert "noise=high" in to_text(res) and "| noise=high |" in to_markdown(res)
    assert to_html(res).startswith("<!DOCTYPE html>")
    assert res.to_json()["flagged"] == sorted(flagged, key=[r.name for r in res.rows].index)


def test_customer_without_cluster_field_falls_back_with_a_warning() -> None:
    ref = evaluate(
        clustered_ratio({"a": 0.1, "b": 0.2}, 30, 4, seed=1), RATIO, "group", cluster_by="speaker", n_boot=300
    )
    cust = [
        {k: v for k, v in r.items() if k != "speaker"}
        for r in clustered_ratio({"a": 0.1, "b": 0.2}, 30, 4, seed=5)
    ]
    res = compare(Report.from_json(ref.to_json()), cust)
    assert any("cluster field" in w for w in res.warnings)
    assert res.customer.cluster_by is None
