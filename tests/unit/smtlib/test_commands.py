"""One test per command, plus scoping (push/pop, reset) and Script views."""

from __future__ import annotations

from pathlib import Path

import pytest

from quod.core import And, Int, IntVal, Op
from quod.core.errors import QuodError
from quod.core.sorts import BOOL, INT, REAL, UninterpretedSort
from quod.core.terms import FuncDecl, make, var
from quod.smtlib import (
    Assert,
    CheckSat,
    CheckSatAssuming,
    DeclareConst,
    DeclareFun,
    DeclareSort,
    DefineFun,
    DefineSort,
    Echo,
    Exit,
    GetAssertions,
    GetAssignment,
    GetInfo,
    GetModel,
    GetOption,
    GetProof,
    GetUnsatAssumptions,
    GetUnsatCore,
    GetValue,
    Pop,
    Push,
    Reset,
    ResetAssertions,
    SetInfo,
    SetLogic,
    SetOption,
    parse_file,
    parse_script,
)


def one(text: str):  # type: ignore[no-untyped-def]
    (cmd,) = parse_script(text).commands
    return cmd


def err(text: str) -> QuodError:
    with pytest.raises(QuodError) as e:
        parse_script(text, "in.smt2")
    return e.value


def test_set_logic_info_option() -> None:
    assert one("(set-logic QF_LIA)") == SetLogic("QF_LIA")
    assert one("(set-info :status unsat)") == SetInfo(":status", "unsat")
    assert one("(set-info :source |multi\nline|)") == SetInfo(":source", "|multi\nline|")
    assert one('(set-info :notes (a (b 1) "s"))') == SetInfo(":notes", ("a", ("b", "1"), '"s"'))
    assert one("(set-info :flag)") == SetInfo(":flag", None)
    assert one("(set-option :produce-models true)") == SetOption(":produce-models", "true")
    assert one("(get-info :reason-unknown)") == GetInfo(":reason-unknown")
    assert one("(get-option :produce-models)") == GetOption(":produce-models")


@pytest.mark.parametrize(
    "logic",
    ["QF_LIA", "QF_IDL", "QF_UFLIA", "QF_BV", "QF_ABV", "QF_AUFBV", "QF_S", "QF_SLIA", "ALL", "LIA", "UFNIA",
     "AUFLIRA", "QF_NRA", "QF_LRA", "QF_UF", "QF_AX", "QF_FP", "QF_DT", "UFDTLIA", "HORN"],
)  # fmt: skip
def test_standard_logics_are_known(logic: str) -> None:
    assert one(f"(set-logic {logic})") == SetLogic(logic)


@pytest.mark.parametrize("logic", ["QF_LAI", "QF_", "FOO", "QF_LIAX", "qf_lia"])
def test_unknown_logics_are_rejected(logic: str) -> None:
    e = err(f"(set-logic {logic})")
    assert e.diagnostic.code == "Q0203"
    assert str(e.span) == "in.smt2:1:12"


def test_declarations() -> None:
    s = parse_script(
        "(declare-sort U 0)(declare-sort P 2)(declare-fun f (Int U) Bool)(declare-fun c () Real)"
        "(declare-const d (P Int U))(define-sort S (X) (P X X))"
    )
    u = UninterpretedSort("U")
    assert s.commands[0] == DeclareSort("U", 0)
    assert s.commands[1] == DeclareSort("P", 2)
    assert s.commands[2] == DeclareFun("f", (INT, u), BOOL)
    assert s.commands[2].decl == FuncDecl("f", (INT, u), BOOL)
    assert s.commands[3].decl is var("c", REAL)
    assert s.commands[4] == DeclareConst("d", UninterpretedSort("P", (INT, u)))
    assert s.commands[5] == DefineSort("S", ("X",), ("P", "X", "X"))
    assert [d if isinstance(d, FuncDecl) else d.name for d in s.declarations()] == [
        FuncDecl("f", (INT, u), BOOL),
        "c",
        "d",
    ]


def test_chains_of_sort_definitions_are_bounded() -> None:
    defs = "".join(f"(define-sort S{i + 1} () (Array S{i} S{i}))" for i in range(300))
    e = err("(define-sort S0 () Int)" + defs)
    assert e.diagnostic.code == "Q0210"
    nested = "(A " * 40 + "Int" + ")" * 40
    e = err(f"(define-sort A (X) (Array X X))(declare-const a {nested})")
    assert e.diagnostic.code == "Q0210"
    ok = parse_script("(define-sort A (X) (Array X X))(declare-const a (A (A (A Int))))")
    assert str(ok.commands[1].sort).count("Array") == 7


def test_define_fun_is_a_macro() -> None:
    s = parse_script(
        "(declare-const x Int)(define-fun inc ((n Int)) Int (+ n 1))(define-fun two () Int 2)"
        "(assert (= (inc x) two))"
    )
    x = Int("x")
    n = var("n", INT)
    assert s.commands[1] == DefineFun("inc", (n,), INT, n + 1)
    assert s.commands[2] == DefineFun("two", (), INT, IntVal(2))
    assert s.assertions() == [make(Op.EQ, [x + 1, IntVal(2)])]


def test_define_fun_body_cannot_capture() -> None:
    # g is the free x; inside f's body, x is the parameter
    s = parse_script(
        "(declare-const x Int)(define-fun g () Int x)(define-fun f ((x Int)) Int (+ x g))(assert (= (f 3) 0))"
    )
    x = Int("x")
    assert s.assertions()[0] is make(Op.EQ, [make(Op.ADD, [IntVal(3), x]), IntVal(0)])
    df = s.commands[2]
    assert isinstance(df, DefineFun) and df.params[0] is not x  # renamed so the printed text stays correct


def test_define_fun_rec_and_datatypes_are_rejected_clearly() -> None:
    e = err("(define-fun-rec f ((n Int)) Int (f n))")
    assert e.diagnostic.code == "Q0204" and "recursive" in e.message
    assert err("(declare-datatypes ((L 0)) (((nil))))").diagnostic.code == "Q0204"
    e = err("(check-sat)\n(frobnicate)")
    assert e.diagnostic.code == "Q0204" and str(e.span) == "in.smt2:2:1"


def test_assert_with_names_and_unsat_core_commands() -> None:
    s = parse_script(
        "(set-option :produce-unsat-cores true)(declare-const x Int)"
        "(assert (! (> x 0) :named pos))(assert (! (! (< x 0) :named neg) :named neg2))"
        "(assert (= pos (not neg)))(check-sat)(get-unsat-core)(get-unsat-assumptions)"
    )
    x = Int("x")
    a1, a2, a3 = (c for c in s.commands if isinstance(c, Assert))
    assert a1 == Assert(x > 0, ("pos",))
    assert a2.names == ("neg2", "neg")
    assert a3.term is make(Op.EQ, [x > 0, make(Op.NOT, [x < 0])])  # names are usable afterwards
    assert isinstance(s.commands[-2], GetUnsatCore)
    assert isinstance(s.commands[-1], GetUnsatAssumptions)


def test_check_sat_assuming_and_get_value() -> None:
    s = parse_script(
        "(declare-const p Bool)(declare-const x Int)(check-sat-assuming (p (not p)))(get-value (x (+ x 1)))"
    )
    p = var("p", BOOL)
    assert s.commands[2] == CheckSatAssuming((p, make(Op.NOT, [p])))
    assert s.commands[3] == GetValue((Int("x"), Int("x") + 1))
    assert err("(declare-const x Int)(check-sat-assuming (x))").diagnostic.code == "Q0206"
    assert err("(get-value ())").diagnostic.code == "Q0201"


def test_nullary_commands() -> None:
    s = parse_script(
        "(check-sat)(get-model)(get-assertions)(get-assignment)(get-proof)(reset-assertions)(reset)"
    )
    assert [type(c) for c in s] == [
        CheckSat,
        GetModel,
        GetAssertions,
        GetAssignment,
        GetProof,
        ResetAssertions,
        Reset,
    ]
    e = err("(check-sat 1)")
    assert e.diagnostic.code == "Q0205" and "takes 0" in e.message


def test_echo_and_exit_stop_reading() -> None:
    s = parse_script('(echo "a ""quoted"" word")(exit)(this is never read)')
    assert s.commands == [Echo('a "quoted" word'), Exit()]
    assert err("(echo hello)").diagnostic.code == "Q0205"


def test_push_pop_scopes_declarations() -> None:
    s = parse_script("(push)(declare-const x Int)(pop)(declare-const x Real)(push 2)(pop 2)")
    assert s.commands[0] == Push(1) and s.commands[4] == Push(2) and s.commands[5] == Pop(2)
    assert s.commands[3].decl is var("x", REAL)
    e = err("(push 1)\n(declare-fun f (Int) Int)\n(pop 1)\n(assert (= (f 1) 1))")
    assert e.diagnostic.code == "Q0202" and str(e.span) == "in.smt2:4:12"
    e = err("(push 1)(pop 2)")
    assert e.diagnostic.code == "Q0205"


def test_huge_push_counts_cost_nothing_and_pop_partially() -> None:
    s = parse_script(
        "(declare-const x Int)(push 1000000000)(declare-const y Int)(pop 999999999)"
        "(declare-const y Bool)(assert (and y (> x 0)))(pop 1)(declare-const y Real)"
    )
    assert s.commands[-3].term is And(var("y", BOOL), Int("x") > 0)
    assert err("(push 1000000000)(declare-const y Int)(pop 5)(assert (> y 0))").diagnostic.code == "Q0202"
    assert err("(push 3)(pop 1)(pop 2)(pop 1)").diagnostic.code == "Q0205"


def test_pop_restores_shadowed_definitions_and_names() -> None:
    s = parse_script(
        "(declare-const x Int)(push)(assert (! (> x 0) :named n))(define-fun d () Int 1)(pop)"
        "(assert (! (< x 0) :named n))(define-fun d () Int 2)(assert (= x d))"
    )
    assert s.commands[-1].term is (Int("x") == IntVal(2))


def test_global_declarations_survive_pop() -> None:
    s = parse_script("(set-option :global-declarations true)(push)(declare-const x Int)(pop)(assert (> x 0))")
    assert s.commands[-1].term is (Int("x") > 0)


def test_reset_forgets_everything_and_reset_assertions_the_declarations() -> None:
    assert err("(declare-const x Int)(reset)(assert (> x 0))").diagnostic.code == "Q0202"
    parse_script("(set-logic QF_LIA)(reset)(set-logic QF_LRA)")  # logic may be set again after reset
    assert err("(declare-const x Int)(reset-assertions)(assert (> x 0))").diagnostic.code == "Q0202"
    s = parse_script(
        "(set-option :global-declarations true)(declare-const x Int)(reset-assertions)(assert (> x 0))"
    )
    assert s.commands[-1] == Assert(Int("x") > 0)


def test_redeclaration_is_an_error() -> None:
    e = err("(declare-const x Int)\n(declare-fun x () Bool)")
    assert e.diagnostic.code == "Q0207" and str(e.span) == "in.smt2:2:14"
    assert err("(declare-const and Bool)").diagnostic.code == "Q0207"
    assert err("(declare-const |true| Bool)").diagnostic.code == "Q0207"
    assert err("(declare-sort U 0)(declare-sort U 0)").diagnostic.code == "Q0207"
    assert err("(declare-const x Int)(assert (! (> x 0) :named x))").diagnostic.code == "Q0207"


def test_second_set_logic_is_an_error() -> None:
    assert err("(set-logic QF_LIA)(set-logic QF_LIA)").diagnostic.code == "Q0205"


def test_script_views() -> None:
    s = parse_script(
        "(set-info :status sat)(set-logic QF_LIA)(declare-const x Int)(assert (> x 0))(assert (< x 5))(check-sat)"
    )
    assert s.logic == "QF_LIA" and s.status == "sat"
    assert s.assertions() == [Int("x") > 0, Int("x") < 5]
    assert not s.is_incremental and s.check_sat_count() == 1
    inc = parse_script("(declare-const x Int)(push)(assert (> x 0))(pop)")
    assert inc.is_incremental
    with pytest.raises(QuodError) as e:
        inc.assertions()
    assert e.value.diagnostic.code == "Q0211"
    assert err("(set-info :status maybe)").diagnostic.code == "Q0205"


def test_commands_have_spans() -> None:
    s = parse_script("(set-logic QF_LIA)\n  (declare-const x Int)\n\n(check-sat)", "f.smt2")
    assert [str(c.span) for c in s] == ["f.smt2:1:1", "f.smt2:2:3", "f.smt2:4:1"]


def test_command_equality_ignores_spans_and_compares_terms_by_identity() -> None:
    a = parse_script("(declare-const x Int)(assert (> x 0))").commands[1]
    b = parse_script("\n\n(declare-const x Int)   (assert (> x 0))").commands[1]
    c = parse_script("(declare-const x Int)(assert (> x 1))").commands[1]
    assert a == b and hash(a) == hash(b)
    assert a != c
    assert a != Assert(a.term, ("n",))


def test_parse_file_missing_and_undecodable(tmp_path: Path) -> None:
    with pytest.raises(QuodError) as e:
        parse_file(tmp_path / "nope.smt2")
    assert e.value.diagnostic.code == "Q0002" and "nope.smt2" in e.value.message
    bad = tmp_path / "bad.smt2"
    bad.write_bytes(b"(set-logic \xff)")
    with pytest.raises(QuodError) as e:
        parse_file(bad)
    assert e.value.diagnostic.code == "Q0002"
    good = tmp_path / "good.smt2"
    good.write_text("(check-sat)")
    assert parse_file(good).filename == str(good)
