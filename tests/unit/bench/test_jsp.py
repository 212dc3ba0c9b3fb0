import json

import pytest

from quod.bench import jsp
from quod.core.errors import QuodError
from quod.eager import solve
from quod.smtlib import parse_file


def test_ft06_decision_problems_have_the_right_status(tmp_path):
    files = jsp.generate(tmp_path, names=["ft06"])
    assert sorted(p.name for p in files) == ["ft06-opt-1.smt2", "ft06-opt.smt2"]
    for p in files:
        script = parse_file(p)
        expected = "unsat" if p.name.endswith("opt-1.smt2") else "sat"
        assert f":status {expected}" in p.read_text()
        assert solve(script.assertions(), timeout=60).status == expected


def _write(tmp_path, data):
    f = tmp_path / "inst.json"
    f.write_text(data if isinstance(data, str) else json.dumps(data))
    return f


def test_tiny_instance_and_generation(tmp_path):
    src = _write(tmp_path, {"t": {"duration_matrix": [[2, 3], [3, 1]], "machines_matrix": [[0, 1], [1, 0]],
                                  "metadata": {"optimum": 6}}})  # fmt: skip
    out = jsp.generate(tmp_path / "out", source=src)
    assert len(out) == 2
    assert solve(parse_file(out[0]).assertions()).status == "sat"
    assert solve(parse_file(out[1]).assertions()).status == "unsat"


@pytest.mark.parametrize(
    "data, msg",
    [
        ("{not json", "invalid JSON"),
        ({"a": {"machines_matrix": [[0]]}}, "missing 'duration_matrix'"),
        ({"a": {"duration_matrix": [[1, -2]], "machines_matrix": [[0, 1]]}}, "duration_matrix[0][1]"),
        ({"a": {"duration_matrix": [[1]], "machines_matrix": [[0, 1]]}}, "differ in shape"),
        ([1, 2], "expected an object"),
    ],
)
def test_malformed_instances(tmp_path, data, msg):
    with pytest.raises(QuodError) as e:
        jsp.load_instances(_write(tmp_path, data))
    assert msg in str(e.value)


def test_unknown_instance_name(tmp_path):
    src = _write(
        tmp_path, {"t": {"duration_matrix": [[1]], "machines_matrix": [[0]], "metadata": {"optimum": 1}}}
    )
    with pytest.raises(QuodError):
        jsp.generate(tmp_path, names=["nope"], source=src)
