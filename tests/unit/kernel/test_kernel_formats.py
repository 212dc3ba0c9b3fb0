"""The strict readers: every accepted form parses exactly, everything else is a located error."""

import sys
from pathlib import Path

import pytest

from quod.core.errors import QuodError
from quod.kernel.formats import as_bytes, location, parse_dimacs, read_drat, read_lrat
from quod.kernel.verdict import ProofFormatError, ProofVerdict

sys.path.insert(0, str(Path(__file__).parent))
from kernel_reference import drat_binary, encode_varint, lrat_binary  # noqa: E402


def test_dimacs_reads_clauses_across_lines_and_comments():
    cnf = parse_dimacs("c hello\np cnf 3 3\n1 -2 0 2\n3 0\nc mid\n-1 0\n", "f.cnf")
    assert cnf.num_vars == 3
    assert cnf.clauses == [(1, -2), (2, 3), (-1,)]


def test_dimacs_accepts_empty_clause_and_crlf():
    cnf = parse_dimacs(b"p cnf 1 2\r\n1 0\r\n0\r\n")
    assert cnf.clauses == [(1,), ()]


@pytest.mark.parametrize(
    ("text", "fragment", "line"),
    [
        ("1 2 0\n", "DIMACS header", 1),
        ("p cnf x 2\n", "DIMACS header", 1),
        ("p dnf 2 1\n1 0\n", "DIMACS header", 1),
        ("p cnf 2 1\n1 2 3 0\n", "literal 3 exceeds the 2 variables", 2),
        ("p cnf 2 1\n1 a 0\n", "malformed DIMACS clause line", 2),
        ("p cnf 2 1\n1 --2 0\n", "malformed DIMACS clause line", 2),
        ("p cnf 2 1\n1 -0 0\n", "malformed DIMACS clause line", 2),
        ("p cnf 2 1\n1 2\n", "not terminated", 2),
        ("p cnf 2 2\n1 2 0\n", "declares 2 clauses but the file has 1", 2),
        ("c only a comment\n", "missing DIMACS header", 1),
        ("p cnf 2 1\n1\x00 0\n", "NUL byte", 1),
    ],
)
def test_dimacs_errors_are_located(text, fragment, line):
    with pytest.raises(ProofFormatError) as e:
        parse_dimacs(text, "bad.cnf")
    assert fragment in e.value.message
    assert e.value.span is not None and e.value.span.file == "bad.cnf" and e.value.span.line == line
    assert e.value.diagnostic.code == "Q1101"
    assert isinstance(e.value, QuodError)


def test_long_bad_lines_are_shortened_in_messages():
    with pytest.raises(ProofFormatError) as e:
        parse_dimacs("p cnf 1 1\n" + "1 " * 40 + "x 0\n")
    assert "..." in e.value.message


def test_text_drat_steps_with_locations():
    steps, binary = read_drat("c comment\n1 2 0\n\nd 1 2 0\n  -3 0  \n0\n", "p.drat")
    assert not binary
    assert steps == [(False, (1, 2), 2), (True, (1, 2), 4), (False, (-3,), 5), (False, (), 6)]


def test_pysat_style_line_lists_are_accepted():
    steps, _ = read_drat(["1 2 0", "d 1 2 0"])
    assert steps == [(False, (1, 2), 1), (True, (1, 2), 2)]


@pytest.mark.parametrize(
    "bad", ["1 2\n", "1 x 0\n", "d\n", "d1 0\n", "1 2 0 3\n", "1 -0 0\n", "12345678901 0\n"]
)
def test_text_drat_errors(bad):
    with pytest.raises(ProofFormatError) as e:
        read_drat(bad, "p.drat")
    assert e.value.diagnostic.code == "Q1102" and e.value.span.line == 1


def test_binary_drat_round_trip():
    steps = [(False, (1, -2, 300)), (True, (1, -2, 300)), (False, ())]
    parsed, binary = read_drat(drat_binary(steps), "p.drat")
    assert binary
    assert [(d, lits) for d, lits, _ in parsed] == steps
    assert [loc for _, _, loc in parsed] == [0, 6, 12]


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"a\x02", "truncated"),
        (b"a\x82", "truncated"),
        (b"x\x02\x00", "expected 'a' or 'd'"),
        (b"a\x01\x00", "-0"),
        (b"a" + b"\xff" * 6 + b"\x01\x00", "too large"),
    ],
)
def test_binary_drat_errors(data, fragment):
    with pytest.raises(ProofFormatError) as e:
        read_drat(data, "p.drat")
    assert fragment in e.value.message and "p.drat: byte" in e.value.message
    assert e.value.diagnostic.code == "Q1102"


def test_text_lrat_steps():
    steps, binary = read_lrat("c x\n5 1 -2 0 3 -4 1 0\n5 d 3 4 0\n6 0 5 0\n", "p.lrat")
    assert not binary
    assert list(steps) == [(5, (1, -2), (3, -4, 1), 2), (0, (), (3, 4), 3), (6, (), (5,), 4)]


@pytest.mark.parametrize("bad", ["5 1 0\n", "5 1 0 2\n", "0 1 0 0\n", "5 d -3 0\n", "5 d 3\n", "x 1 0 0\n"])
def test_text_lrat_errors(bad):
    steps, _ = read_lrat(bad, "p.lrat")
    with pytest.raises(ProofFormatError) as e:
        list(steps)
    assert e.value.diagnostic.code == "Q1103" and e.value.span.line == 1


def test_binary_lrat_round_trip():
    steps = [("a", 7, [1, -2], [3, -4, 5]), ("d", [3, 4]), ("a", 8, [], [7])]
    parsed, binary = read_lrat(lrat_binary(steps), "p.lrat")
    assert binary
    assert [s[:3] for s in parsed] == [(7, (1, -2), (3, -4, 5)), (0, (), (3, 4)), (8, (), (7,))]


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"a" + encode_varint(7) + b"\x02\x00\x00", "invalid clause id"),
        (b"a\x00\x02\x00\x00", "invalid clause id"),
        (b"d" + encode_varint(5) + b"\x00", "negative id"),
        (b"z\x00", "expected 'a' or 'd'"),
        (b"a\x0e\x02\x00\x02", "truncated"),
    ],
)
def test_binary_lrat_errors(data, fragment):
    steps, _ = read_lrat(data, "p.lrat")
    with pytest.raises(ProofFormatError) as e:
        list(steps)
    assert fragment in e.value.message and e.value.diagnostic.code == "Q1103"


def test_as_bytes_and_location_helpers():
    assert as_bytes(b"x") == b"x" and as_bytes("x") == b"x" and as_bytes(["a", "b"]) == b"a\nb"
    assert location("f", True, 7) == "f: byte 7" and location("f", False, 7) == "f:7"


def test_verdict_rendering():
    assert str(ProofVerdict(True)) == "verified"
    assert str(ProofVerdict(False, "bad step")) == "rejected: bad step"


@pytest.mark.parametrize("bad", [[(1, 0), (-1,)], [(1,), ("2",)], [(1.0,), (2,)]])
def test_checkers_refuse_formulas_that_are_not_clauses(bad):
    from quod.kernel.drat import check_drat
    from quod.kernel.lrat import check_lrat

    # the LRAT checker reads formula clauses when a step first uses them
    for check in (lambda: check_lrat(bad, "3 0 1 2 0\n"), lambda: check_drat(bad, "")):
        with pytest.raises(ProofFormatError, match="formula clause") as e:
            check()
        assert e.value.diagnostic.code == "Q1101"
