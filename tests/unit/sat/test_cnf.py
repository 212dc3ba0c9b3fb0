import pytest

from quod.core.errors import QuodError
from quod.sat.cnf import Cnf, DimacsError, parse_dimacs, read_dimacs


def test_new_vars_and_add_track_num_vars():
    c = Cnf()
    a, b = c.new_var(), c.new_var()
    assert (a, b) == (1, 2)
    c.add([a, -b])
    c.add([7])
    assert c.num_vars == 7
    assert len(c) == 2
    with pytest.raises(ValueError):
        c.add([0])


def test_dimacs_round_trip_and_hash():
    c = Cnf(3, [[1, -2], [2, 3], [-1]])
    c.comments.append("hello")
    text = c.to_dimacs()
    assert text.startswith("c hello\np cnf 3 3\n1 -2 0\n")
    back = parse_dimacs(text)
    assert back.clauses == c.clauses and back.num_vars == 3
    # comments do not change the hash; clause order does
    assert back.sha256() == c.sha256()
    assert Cnf(3, [[2, 3], [1, -2], [-1]]).sha256() != c.sha256()


def test_clauses_may_span_lines():
    cnf = parse_dimacs("p cnf 2 2\n1\n 2 0 -1\n0\n")
    assert cnf.clauses == [[1, 2], [-1]]


@pytest.mark.parametrize(
    "text, where, msg",
    [
        ("1 2 0\n", ":1:1", "before the 'p cnf' header"),
        ("p cnf 2 1\n1 x 0\n", ":2:3", "not an integer"),
        ("p cnf 2 1\n1 3 0\n", ":2:3", "exceeds the declared 2"),
        ("p cnf 2 2\n1 0\n", ":1:1", "declares 2 clauses, found 1"),
        ("p cnf 2 1\n1 2\n", "", "not terminated"),
        ("p dnf 2 1\n", ":1:1", "expected 'p cnf"),
        ("c only a comment\n", ":1:1", "missing 'p cnf' header"),
    ],
)
def test_malformed_dimacs_has_location_and_code(text, where, msg):
    with pytest.raises(DimacsError) as e:
        parse_dimacs(text, "f.cnf")
    assert msg in str(e.value)
    assert e.value.diagnostic.code == "Q0401"
    assert str(e.value).startswith("f.cnf" + where)


def test_read_dimacs_missing_file(tmp_path):
    with pytest.raises(QuodError) as e:
        read_dimacs(tmp_path / "nope.cnf")
    assert e.value.diagnostic.code == "Q0002"


def test_write_file(tmp_path):
    c = Cnf(2, [[1, 2]])
    c.write_file(tmp_path / "a.cnf")
    assert read_dimacs(tmp_path / "a.cnf").clauses == [[1, 2]]
