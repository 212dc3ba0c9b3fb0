"""Typed values, the position-keeping JSON reader, wildcard patterns and case folding."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quod.core.errors import QuodError
from quod.policy.chars import fold, fold_class
from quod.policy.jsonpos import parse_json
from quod.policy.patterns import Reading, matches, parse_pattern
from quod.policy.values import format_date, format_number, parse_date, parse_number


@pytest.mark.parametrize(
    ("text", "value"),
    [("10", 10), ("-2.5", Fraction(-5, 2)), (".5", Fraction(1, 2)), ("1e3", 1000), ("7/3", Fraction(7, 3))],
)
def test_numbers(text: str, value: Fraction) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["", "ten", "1.2.3", "0x10", "1/0", "nan"])
def test_not_numbers(text: str) -> None:
    assert parse_number(text) is None


@pytest.mark.parametrize(
    ("text", "epoch"),
    [
        ("1970-01-01T00:00:00Z", 0),
        ("2020-01-01", 1577836800),
        ("2020-01-01T01:00:00+01:00", 1577836800),
        ("2020-01-01T00:00:00.25Z", Fraction(1577836800 * 4 + 1, 4)),
        ("1577836800", 1577836800),
        ("2020-02-29T23:59:59Z", 1583020799),
    ],
)
def test_dates(text: str, epoch: Fraction) -> None:
    assert parse_date(text) == epoch


@pytest.mark.parametrize("text", ["2019-02-29", "2020-13-01", "2020-01-01T24:00:00Z", "yesterday"])
def test_not_dates(text: str) -> None:
    assert parse_date(text) is None


@given(st.fractions(min_value=-(10**9), max_value=10**9, max_denominator=64))
def test_number_and_date_text_round_trip(v: Fraction) -> None:
    assert parse_number(format_number(v)) == v
    assert parse_date(format_date(v)) == v


def test_json_positions_escapes_and_errors() -> None:
    v = parse_json('{\n  "a": ["x\\u00e9\\ud83d\\ude00", -1.5e2, true, null]\n}')
    items = v.value["a"].value
    assert items[0].value == "xé😀" and items[1].value == "-1.5e2" and items[2].value is True
    assert (items[0].span.line, items[0].span.col) == (2, 9)
    assert v.to_python() == {"a": ["xé😀", -150.0, True, None]}
    for bad in [
        '{"a": 01}',
        '{"a": "\\ud800"}',
        '{"a": "\\q"}',
        '["a",]',
        '{"a": 1} x',
        '{"a": "\x01"}',
        "[" * 100,
    ]:
        with pytest.raises(QuodError) as e:
            parse_json(bad)
        assert e.value.diagnostic.code == "Q0801"


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(),
        lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=5), c, max_size=3),
        max_leaves=15,
    )
)
def test_json_reader_agrees_with_json_module(doc: object) -> None:
    assert parse_json(json.dumps(doc)).to_python() == doc


def test_patterns_and_readings() -> None:
    p = parse_pattern("arn:aws:s3:::b/*/x?", wildcards=True, variables=False)
    assert matches(p, "arn:aws:s3:::b/a/b/xy", {}, reading=Reading.SEGMENT, ci=False)
    assert not matches(p, "arn:aws:s3:::b/a:b/xy", {}, reading=Reading.SEGMENT, ci=False)
    assert matches(p, "arn:aws:s3:::b/a:b/xy", {}, reading=Reading.GLOB, ci=False)
    assert not matches(p, "arn:aws:s3:::b/a/x:", {}, reading=Reading.SEGMENT, ci=False)
    lit = parse_pattern("a*b", wildcards=False, variables=False)
    assert lit.is_fixed and matches(lit, "a*b", {}, reading=None, ci=False)
    assert not matches(lit, "axb", {}, reading=None, ci=False)


def test_case_folding_classes() -> None:
    assert fold("K") == fold("\u212a") == "k" and "\u212a" in fold_class("k")
    assert fold("ſ") == "s" and "ſ" in fold_class("S")
    assert fold_class(":") == (":",) and fold("ß") == "ß"
    # no non-ASCII character folds onto an ASCII non-letter (fold_class relies on it)
    assert all(not (fold(chr(c)).isascii() and not fold(chr(c)).isalpha()) for c in range(0x80, 0x3000))
