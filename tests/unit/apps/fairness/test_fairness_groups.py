"""Group specs: validation with JSON paths, semantics, provenance warnings, round trips."""

from __future__ import annotations

import pytest

from quod.apps.fairness import group_from_json, groups_by_field, groups_from_json, predicate
from quod.apps.fairness.errors import FairnessError


def test_leaf_semantics() -> None:
    r = {"accent": "en-gb", "snr": 10, "native": True}
    assert predicate({"field": "accent", "equals": "en-gb"})(r)
    assert predicate({"field": "accent", "in": ["en-us", "en-gb"]})(r)
    assert predicate({"field": "snr", "range": [10, 20]})(r)  # min inclusive
    assert not predicate({"field": "snr", "range": [0, 10]})(r)  # max exclusive
    assert predicate({"field": "snr", "range": [None, 11]})(r)
    assert not predicate({"field": "native", "equals": 1})(r)  # booleans are not numbers
    assert predicate({"field": "native", "equals": True})(r)
    assert not predicate({"field": "missing", "equals": "x"})(r)
    assert not predicate({"field": "accent", "range": [0, 1]})(r)  # non-numbers never in a range


def test_boolean_combinators() -> None:
    p = predicate(
        {
            "and": [
                {"field": "a", "equals": 1},
                {"or": [{"field": "b", "equals": 2}, {"not": {"field": "c", "equals": 3}}]},
            ]
        }
    )
    assert p({"a": 1, "b": 2, "c": 3})
    assert p({"a": 1, "b": 0, "c": 0})
    assert not p({"a": 1, "b": 0, "c": 3})
    assert not p({"a": 0, "b": 2})
    assert predicate({"all": True})({})
    assert p.fields() == {"a", "b", "c"}


@pytest.mark.parametrize(
    ("spec", "where"),
    [
        ({"field": "a", "eq": 1}, "$.where: unknown predicate key(s) ['eq']"),
        ({"and": []}, "$.where.and: 'and' needs a non-empty list"),
        (
            {"or": [{"field": "a", "equals": 1}, {"field": "a"}]},
            "$.where.or[1]: a leaf predicate needs exactly one",
        ),
        ({"field": "a", "range": [5, 1]}, "$.where.range: empty range"),
        ({"field": "a", "in": []}, "$.where.in"),
        ({"field": "a", "equals": [1]}, "$.where.equals"),
        ({"not": {"field": 3, "equals": 1}}, "$.where.not.field"),
        ({"all": False}, "$.where.all"),
    ],
)
def test_invalid_specs_name_their_json_path(spec: object, where: str) -> None:
    with pytest.raises(FairnessError) as e:
        group_from_json({"name": "g", "where": spec})
    assert e.value.diagnostic.code == "Q1002"
    assert where in e.value.message


def test_group_level_errors() -> None:
    with pytest.raises(FairnessError, match="provenance"):
        group_from_json({"name": "g", "where": {"all": True}, "provenance": "guessed"})
    with pytest.raises(FairnessError, match="duplicate group name"):
        groups_from_json([{"name": "g", "where": {"all": True}}, {"name": "g", "where": {"all": True}}])
    with pytest.raises(FairnessError, match=r"\$\.groups\[0\]\.name"):
        groups_from_json({"groups": [{"where": {"all": True}}]})


def test_inferred_demographic_warns() -> None:
    g = group_from_json({"name": "women", "where": {"field": "g", "equals": "f"}, "provenance": "inferred"})
    assert g.warning() is not None and "inferred demographic" in g.warning()
    assert (
        group_from_json({"name": "w", "where": {"all": True}, "provenance": "self-reported"}).warning()
        is None
    )


def test_round_trip_and_groups_by_field() -> None:
    g = group_from_json(
        {"name": "x", "where": {"field": "a", "in": [1, 2]}, "kind": "condition", "provenance": "measured"}
    )
    assert group_from_json(g.to_json()) == g
    gs = groups_by_field([{"a": "y"}, {"a": "x"}, {"b": 1}, {"a": "y"}], "a")
    assert [x.name for x in gs] == ["a=x", "a=y"]
    with pytest.raises(FairnessError, match="no record has a value"):
        groups_by_field([{"b": 1}], "a")
