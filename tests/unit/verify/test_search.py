"""The input search behind unconfirmed counterexamples.

When the solver's counterexample runs cleanly (its state is one a weak
invariant admits but no input reaches), random inputs are tried. A found
input must really fail as predicted (re-run independently here), and a
failure that no input shows stays `failed`, never turns into `verified`.
"""

from __future__ import annotations

import random
import textwrap
import time
from pathlib import Path

import pytest
from tests.unit.verify.helpers import EXAMPLES

from quod.verify import execute
from quod.verify.inputs import InputGen, type_json
from quod.verify.types import PyType
from quod.verify.verifier import FileResult, ObResult, Options, verify_file, verify_source


def _failed(res: FileResult) -> list[ObResult]:
    return [r for f in res.functions for r in f.results if r.status == "failed" and not r.ob.probe]


@pytest.mark.parametrize(
    ("name", "code", "line"),
    [("find_char", "Q0613", 17), ("multiply", "Q0618", 11), ("fill_range", "Q0612", 13)],
)
def test_search_replaces_an_unreachable_counterexample_with_a_real_one(
    name: str, code: str, line: int
) -> None:
    path = EXAMPLES / "buggy" / f"{name}.py"
    res = verify_file(path, Options(cache_path=None))
    (r,) = [r for r in _failed(res) if r.ob.code == code and r.ob.span.line == line]
    assert r.solver_counterexample is not None, "the solver's own counterexample reproduced after all"
    assert r.confirmation.startswith("confirmed by execution"), r.confirmation
    assert "random search" in r.confirmation
    assert r.counterexample is not None
    fn = next(f.fn for f in res.functions if f.name == name)
    args = [r.counterexample[p.name] for p in fn.params]
    # an independent re-run of the reported input fails as predicted
    assert execute.confirm(str(path), name, args, r.ob).confirmed
    # and the solver's input still does not
    solver_args = [r.solver_counterexample[p.name] for p in fn.params]
    assert not execute.confirm(str(path), name, solver_args, r.ob).confirmed


def test_search_finds_the_short_failing_inputs() -> None:
    # a generous budget: the 5,000-input cap, not the clock, ends the search on a loaded machine too
    res = verify_file(EXAMPLES / "buggy" / "find_char.py", Options(cache_path=None, search=20))
    (r,) = _failed(res)
    assert r.counterexample is not None
    s, c = r.counterexample["s"], r.counterexample["c"]
    # the bug returns the last occurrence: the shortest witness is a doubled character
    assert len(c) == 1 and s == c + c


WEAK = """\
from quod.spec import decreases, ensures, invariant, requires, result


def count_up(n: int) -> int:
    requires(n >= 0)
    ensures(result == n)
    i = 0
    while i < n:
        invariant(i >= 0)  # true but too weak: i <= n is missing
        decreases(n - i)
        i += 1
    return i
"""


def test_a_spurious_failure_stays_failed_and_says_the_search_found_nothing(tmp_path: Path) -> None:
    path = tmp_path / "weak.py"
    path.write_text(WEAK)
    res = verify_source(WEAK, str(path), Options(cache_path=None, search=0.5))
    assert not res.verified
    (r,) = _failed(res)
    assert r.ob.code == "Q0613"
    assert r.solver_counterexample is None
    assert r.confirmation.startswith("not confirmed"), r.confirmation
    assert "found none that fails here" in r.confirmation


def test_search_can_be_turned_off(tmp_path: Path) -> None:
    path = tmp_path / "weak.py"
    path.write_text(WEAK)
    res = verify_source(WEAK, str(path), Options(cache_path=None, search=0))
    (r,) = _failed(res)
    assert "search" not in r.confirmation


def test_inputs_that_break_the_precondition_are_not_failures(tmp_path: Path) -> None:
    src = textwrap.dedent("""\
        from quod.spec import ensures, requires, result


        def half(n: int) -> int:
            requires(n % 2 == 0)
            ensures(result * 2 == n)
            return n // 2
        """)
    path = tmp_path / "half.py"
    path.write_text(src)
    res = verify_source(src, str(path), Options(cache_path=None))
    assert res.verified
    # the search, run directly against the (proved) postcondition: odd inputs are filtered out
    ob = next(r.ob for f in res.functions for r in f.results if r.ob.code == "Q0613")
    s = execute.search(str(path), "half", [type_json(PyType("int"))], [0], ob, seconds=0.5, tries=300)
    assert s.error == "" and s.args is None
    assert 0 < s.valid < s.tried  # odd inputs were drawn and rejected by the precondition


def test_a_looping_input_is_cut_off_by_the_per_input_timer() -> None:
    def spin() -> None:
        while True:
            pass

    start = time.monotonic()
    out = execute._run(spin, (), "nofile.py", 0.2)
    assert out == {"outcome": "timeout", "seconds": 0.2}
    assert time.monotonic() - start < 30  # liveness only: without the timer this never returns


def test_generator_covers_every_type_kind() -> None:
    gen = InputGen(random.Random(1), hints=(7, "xy", [3]))
    types = {
        "int": PyType("int"),
        "bool": PyType("bool"),
        "str": PyType("str"),
        "bytes": PyType("bytes"),
        "list": PyType("list", (PyType("int"),)),
        "tuple": PyType("tuple", (PyType("int"), PyType("str"))),
        "none": PyType("none"),
    }
    for kind, t in types.items():
        values = [gen.value(type_json(t)) for _ in range(200)]
        expected = {"int": int, "bool": bool, "str": str, "bytes": bytes, "list": list, "tuple": tuple}
        if kind == "none":
            assert values == [None] * 200
        else:
            assert all(isinstance(v, expected[kind]) for v in values)
    ints = [gen.integer() for _ in range(2000)]
    assert min(ints) < -10 and max(ints) > 10 and ints.count(0) > 50  # small values dominate, large occur
    dc = PyType("dc", (PyType("int"),), name="P", fields=("x",))
    v = gen.value(type_json(dc))
    assert set(v) == {"$dataclass", "x"} and v["$dataclass"] == "P"
    with pytest.raises(ValueError, match="no generator"):
        gen.value({"kind": "float", "params": []})
