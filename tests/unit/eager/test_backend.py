import shutil

import pytest

from quod.backends.base import Sat, Unknown, Unsat
from quod.backends.registry import get_solver
from quod.core.builder import Bool, Function, Int, Ints, Real
from quod.core.errors import QuodError
from quod.core.sorts import INT


def test_protocol_push_pop_and_models_checked():
    s = get_solver("eager")
    x, y = Ints("x y")
    s.add(x - y >= 2)
    s.push()
    s.add(y - x >= 0)
    assert isinstance(s.check(), Unsat)
    s.pop()
    r = s.check()
    assert isinstance(r, Sat) and r.model_checked
    assert r.model[x] - r.model[y] >= 2
    assert s.assertions() == [x - y >= 2]
    assert s.statistics()["encoding"]


def test_assumption_core():
    s = get_solver("eager")
    x = Int("x")
    a, b, c = Bool("a"), Bool("b"), Bool("c")
    s.add(a == (x >= 5), b == (x <= 3), c == (x >= 0))
    r = s.check([a, b, c])
    assert isinstance(r, Unsat) and r.core and set(r.core) <= {a, b}


def test_unsupported_is_unknown_with_reason():
    s = get_solver("eager")
    s.add(Real("r") >= 1)
    r = s.check()
    assert isinstance(r, Unknown) and "unsupported" in r.reason


def test_options_parsed_and_validated():
    s = get_solver("eager", encoding="bits", sat="glucose4", symmetry="0", proof="1")
    x, y, z = Ints("x y z")
    s.add(x < y, y < z, z < x)
    r = s.check()
    assert isinstance(r, Unsat)
    cert = r.certificate
    assert cert.proof is not None and len(cert.cnf_sha256) == 64 and cert.encoder_version
    for bad in ({"encoding": "magic"}, {"sat": "nosuch"}, {"symmetry": "maybe"}, {"colour": "red"}):
        with pytest.raises(QuodError):
            get_solver("eager", **bad)


def test_uf_model_has_function_table():
    f = Function("f", INT, INT)
    x, y = Ints("x y")
    s = get_solver("eager")
    s.add(f(x) - f(y) >= 3, x - y <= 0, y - x <= 5)
    r = s.check()
    assert isinstance(r, Sat) and r.model_checked
    assert f in r.model.funcs


@pytest.mark.parametrize(
    "sat", ["cadical195", "kissat404"] + (["cadical-bin"] if shutil.which("cadical") else [])
)
def test_each_sat_solver_through_the_backend(sat):
    s = get_solver("eager", sat=sat)
    x, y = Ints("x y")
    s.add(x - y >= 1, y - x >= -3)
    assert isinstance(s.check(), Sat)


def test_precedence_options_reach_the_engine_from_the_option_strings():
    from quod.backends.eager import parse_options

    opts = parse_options({"tighten": "0", "shave": "50", "transitivity": "off"})
    assert (opts.tighten, opts.shave, opts.transitivity) == (False, 50, False)
    assert "tighten=0 shave=50 transitivity=0" in opts.describe()
    for bad in ({"shave": "-1"}, {"shave": "many"}, {"order_limit": "-3"}, {"tighten": "maybe"}):
        with pytest.raises(QuodError):
            parse_options(bad)
    with pytest.raises(QuodError, match="tighten, shave, transitivity"):
        parse_options({"nosuch": "1"})


def test_cli_accepts_the_precedence_options(capsys, tmp_path):
    from quod.cli.main import main

    src = tmp_path / "pair.smt2"
    # two unit jobs on one machine in a window of length 1: unsat whatever the options
    src.write_text(
        "(set-logic QF_IDL)(declare-const a Int)(declare-const b Int)"
        "(assert (>= a 0))(assert (<= a 0))(assert (>= b 0))(assert (<= b 0))"
        "(assert (or (>= (- b a) 1) (>= (- a b) 1)))(check-sat)"
    )
    for opts in (["tighten=0", "transitivity=0", "shave=0"], ["tighten=1", "shave=10"]):
        args = ["solve", str(src), "--backend", "eager"]
        for o in opts:
            args += ["--option", o]
        assert main(args) == 0
        assert capsys.readouterr().out.strip() == "unsat"
