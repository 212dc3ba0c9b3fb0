"""Tokens, S-expression reading and source positions."""

from __future__ import annotations

import pytest

from quod.core.errors import QuodError
from quod.smtlib.lexer import TOKEN_RE, Locator, read_sexprs, symbol_key, tokenize


def toks(text: str) -> list[str]:
    return tokenize(text, Locator(text, "t"))


def read(text: str) -> list:
    loc = Locator(text, "t")
    return read_sexprs(tokenize(text, loc), loc)


def test_token_kinds_and_skipped_comments() -> None:
    text = '(assert ; comment (with parens\n (= |a b| "x;y""z" #x0F #b01 1.50 :kw))'
    assert toks(text) == [
        "(",
        "assert",
        "(",
        "=",
        "|a b|",
        '"x;y""z"',
        "#x0F",
        "#b01",
        "1.50",
        ":kw",
        ")",
        ")",
    ]


def test_trailing_comment_and_whitespace_at_end_of_input() -> None:
    assert toks("(a) ; done") == ["(", "a", ")"]
    assert toks("(a)\n\n   \t") == ["(", "a", ")"]
    assert toks("") == []
    assert toks("; only a comment") == []


def test_lists_carry_their_paren_ordinal() -> None:
    assert read("(a (b c) (d (e)))") == [[0, "a", [1, "b", "c"], [2, "d", [3, "e"]]]]


def test_unterminated_string_is_located_at_its_quote() -> None:
    with pytest.raises(QuodError) as e:
        read('(echo "abc)\n(exit)')
    assert e.value.diagnostic.code == "Q0209"
    assert (e.value.span.line, e.value.span.col) == (1, 7)


def test_unterminated_quoted_symbol() -> None:
    with pytest.raises(QuodError) as e:
        read("(declare-const |abc Int)")
    assert e.value.diagnostic.code == "Q0209"
    assert (e.value.span.line, e.value.span.col) == (1, 16)


def test_unclosed_paren_points_at_the_open_command() -> None:
    with pytest.raises(QuodError) as e:
        read("(check-sat)\n  (assert (and a\n b)")
    assert e.value.diagnostic.code == "Q0209"
    assert (e.value.span.line, e.value.span.col) == (2, 3)


def test_stray_close_paren_is_located() -> None:
    with pytest.raises(QuodError) as e:
        read("(a)\n(b))")
    assert e.value.diagnostic.code == "Q0201"
    assert (e.value.span.line, e.value.span.col) == (2, 4)


def test_top_level_atom_is_rejected_with_location() -> None:
    with pytest.raises(QuodError) as e:
        read("(a)\n  junk (b)")
    assert e.value.diagnostic.code == "Q0201"
    assert (e.value.span.line, e.value.span.col) == (2, 3)
    assert "junk" in e.value.message


def test_paren_offsets_skip_parens_in_strings_symbols_and_comments() -> None:
    text = '; (c) 2024\n(a "(" |(|) ; ((\n (b """)(" (c))'
    loc = Locator(text, "t")
    tokens = tokenize(text, loc)
    read_sexprs(tokens, loc)
    expected = [m.start(1) for m in TOKEN_RE.finditer(text) if m.group(1) == "("]
    assert [loc.paren_offset(k) for k in range(len(expected))] == expected


def test_child_offsets_are_exact() -> None:
    text = "(f  x\n   (g y)   |z w|)"
    loc = Locator(text, "t")
    node = read_sexprs(tokenize(text, loc), loc)[0]
    spans = [loc.node_span(node[i], node, i) for i in range(1, 5)]
    assert [(s.line, s.col) for s in spans] == [(1, 2), (1, 5), (2, 4), (2, 12)]


def test_deep_nesting_reads_without_recursion() -> None:
    depth = 100_000
    tree = read("(" * depth + ")" * depth)
    n = 0
    node = tree[0]
    while len(node) > 1:
        node = node[1]
        n += 1
    assert n == depth - 1


def test_symbol_keys_identify_quoted_and_plain_symbols() -> None:
    assert symbol_key("abc") == "abc"
    assert symbol_key("a b") == "|a b|"
    assert symbol_key("5") == "|5|"  # never confused with the numeral 5


def test_line_and_column_of_offsets() -> None:
    loc = Locator("ab\ncd\n\nef", "f.smt2")
    assert str(loc.span_at(0)) == "f.smt2:1:1"
    assert str(loc.span_at(4)) == "f.smt2:2:2"
    assert str(loc.span_at(7)) == "f.smt2:4:1"
    assert str(loc.span_at(1)) == "f.smt2:1:2"  # going backwards works too
