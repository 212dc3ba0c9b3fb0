"""Properties of group specs and evaluate() on random data (Hypothesis)."""

from __future__ import annotations

import math
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from quod.apps.fairness import evaluate, group_from_json, predicate

FIELDS = ("region", "age", "flag")
leaf = st.one_of(
    st.tuples(st.just("region"), st.sampled_from(["a", "b", "c"])).map(
        lambda t: {"field": t[0], "equals": t[1]}
    ),
    st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, max_size=3).map(
        lambda v: {"field": "region", "in": v}
    ),
    st.tuples(st.integers(0, 90), st.integers(1, 50)).map(
        lambda t: {"field": "age", "range": [t[0], t[0] + t[1]]}
    ),
    st.booleans().map(lambda b: {"field": "flag", "equals": b}),
)
preds = st.recursive(
    leaf,
    lambda p: st.one_of(
        st.lists(p, min_size=1, max_size=3).map(lambda ps: {"and": ps}),
        st.lists(p, min_size=1, max_size=3).map(lambda ps: {"or": ps}),
        p.map(lambda q: {"not": q}),
    ),
    max_leaves=6,
)
records = st.lists(
    st.fixed_dictionaries(
        {"region": st.sampled_from(["a", "b", "c"]), "age": st.integers(0, 99), "flag": st.booleans()},
        optional={"label": st.integers(0, 1)},
    ),
    min_size=1,
    max_size=40,
)


def reference(spec: dict[str, Any], r: dict[str, Any]) -> bool:
    """An independent reading of the predicate language."""
    if "and" in spec:
        return all(reference(p, r) for p in spec["and"])
    if "or" in spec:
        return any(reference(p, r) for p in spec["or"])
    if "not" in spec:
        return not reference(spec["not"], r)
    v = r.get(spec["field"])
    if "equals" in spec:
        return type(v) is type(spec["equals"]) and v == spec["equals"]
    if "in" in spec:
        return v in spec["in"]
    lo, hi = spec["range"]
    return lo <= v < hi


@given(preds, records)
def test_predicates_agree_with_a_reference_reading_and_round_trip(
    spec: dict[str, Any], recs: list[dict[str, Any]]
) -> None:
    p = predicate(spec)
    g = group_from_json({"name": "g", "where": spec})
    assert group_from_json(g.to_json()) == g
    for r in recs:
        assert p(r) == reference(spec, r)
        assert predicate({"not": spec})(r) == (not p(r))


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["x", "y", "z"]), st.integers(0, 1), st.integers(0, 1), st.integers(0, 5)),
        min_size=2,
        max_size=80,
    )
)
def test_evaluate_matches_brute_force_counts(rows: list[tuple[str, int, int, int]]) -> None:
    recs = [{"g": g, "label": y, "prediction": p, "spk": s} for g, y, p, s in rows]
    rep = evaluate(recs, "error_rate", "g", n_boot=100, min_n=1)
    assert sum(gr.n for gr in rep.groups) == len(recs) == rep.overall.n
    for gr in rep.groups:
        mine = [r for r in recs if f"g={r['g']}" == gr.name]
        assert gr.numerator == sum(r["label"] != r["prediction"] for r in mine)
        assert gr.value == gr.numerator / len(mine)
        assert 0 <= gr.ci[0] <= gr.value <= gr.ci[1] <= 1  # Wilson always contains the estimate
    if rep.disparity is not None:
        vals = [gr.value for gr in rep.groups]
        assert math.isclose(rep.disparity.gap, max(vals) - min(vals))
    clustered = evaluate(recs, "error_rate", "g", cluster_by="spk", n_boot=100, min_n=1, min_clusters=1)
    assert [gr.value for gr in clustered.groups] == [gr.value for gr in rep.groups]
