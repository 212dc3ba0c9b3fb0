"""Literal forms, theories and term-level conventions of the reader."""

from __future__ import annotations

from fractions import Fraction

import pytest

from quod.core import (
    And,
    BitVecSort,
    BitVecVal,
    Int,
    IntVal,
    Not,
    Op,
    Real,
    RealVal,
    StringVal,
)
from quod.core.errors import QuodError
from quod.core.sorts import BOOL, INT, REAL, STRING, ArraySort, SeqSort
from quod.core.terms import FuncDecl, const, make, var
from quod.smtlib import parse_script, parse_term

DECLS = {
    "x": INT,
    "y": INT,
    "z": INT,
    "r": REAL,
    "s": REAL,
    "a": var("a", ArraySort(INT, INT)).sort,
    "bv": BitVecSort(8),
    "cv": BitVecSort(8),
    "str": STRING,
    "q": SeqSort(INT),
    "f": FuncDecl("f", (INT,), INT),
    "g": FuncDecl("g", (REAL,), REAL),
}


def t(text: str):  # type: ignore[no-untyped-def]
    return parse_term(text, DECLS)


x, y, z = Int("x"), Int("y"), Int("z")
r, s = Real("r"), Real("s")


# literals ---------------------------------------------------------------------


def test_numerals_and_decimals() -> None:
    assert t("42") is IntVal(42)
    assert t("0") is IntVal(0)
    assert t("1.50") is RealVal(Fraction(3, 2))
    assert t("0.001").value == Fraction(1, 1000)
    big = "9" * 5000  # beyond Python's default int/str limit
    assert t(big).value == 10**5000 - 1


def test_negative_and_rational_literals_are_constants() -> None:
    assert t("(- 5)") is IntVal(-5)
    assert t("(- 2.5)") is RealVal(Fraction(-5, 2))
    assert t("(/ 1 3)") is RealVal(Fraction(1, 3))
    assert t("(/ 1.0 3.0)") is RealVal(Fraction(1, 3))
    assert t("(- (/ 1.0 3.0))") is RealVal(Fraction(-1, 3))
    # also when the numbers are not written in place
    assert t("(let ((c 5)) (- c))") is IntVal(-5)
    assert t("(- (- 5))") is IntVal(5)
    assert t("(/ (/ 1.0 2.0) 2)") is RealVal(Fraction(1, 4))
    assert t("(/ 6 2 3)") is RealVal(1)
    # real operations
    assert t("(- x)").op is Op.NEG
    assert t("(- 0)").op is Op.NEG  # folding would print back as 0
    assert t("(/ 1.0 0.0)").op is Op.RDIV
    assert t("(/ r 2.0)").op is Op.RDIV


def test_bitvector_literals() -> None:
    assert t("#x0F") is BitVecVal(15, 8)
    assert t("#xff").sort == BitVecSort(8)
    assert t("#b101") is BitVecVal(5, 3)
    assert t("(_ bv5 32)") is BitVecVal(5, 32)
    assert t("(_ bv300 8)") is BitVecVal(300 % 256, 8)
    with pytest.raises(QuodError) as e:
        t("(_ bv1 100000000000)")  # would need a 2**(10**11) bound check
    assert e.value.diagnostic.code == "Q0210"


def test_string_literals_and_escapes() -> None:
    assert t('"abc"') is StringVal("abc")
    assert t('"say ""hi"""') is StringVal('say "hi"')
    assert t('"\\u{48}\\u0069\\u{1F600}"') is StringVal("Hi\U0001f600")
    assert t('"\\u{2FFFF}"') is StringVal("\U0002ffff")
    # not escapes per SMT-LIB 2.6: kept literally
    assert t('"\\n\\x41\\u{30000}\\u12"') is StringVal("\\n\\x41\\u{30000}\\u12")
    assert t('"line\nbreak"') is StringVal("line\nbreak")
    assert t("(_ char #x41)") is StringVal("A")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("#x", "Q0208"),
        ("#xZZ", "Q0208"),
        ("#b012", "Q0208"),
        ("#o17", "Q0208"),
        ("1.", "Q0208"),
        ("1.2.3", "Q0208"),
        ("12abc", "Q0208"),
        ("(_ bv5 0)", "Q0208"),
        ("(_ char #x30000)", "Q0208"),
        ("x'", "Q0208"),
        (":kw", "Q0201"),
    ],
)
def test_malformed_literals(text: str, code: str) -> None:
    with pytest.raises(QuodError) as e:
        t(text)
    assert e.value.diagnostic.code == code


def test_quoted_symbols_are_the_same_symbols() -> None:
    assert t("|x|") is x
    assert t("(+ |x| x)") is make(Op.ADD, [x, x])
    script = parse_script("(declare-const |a b| Int)(declare-const |5| Int)(assert (= |a b| |5| 5))")
    (term,) = script.assertions()
    ab, five = var("a b", INT), var("5", INT)
    assert term is And(ab == five, five == IntVal(5))


# core theory conventions ------------------------------------------------------------


def test_chainable_comparisons_build_conjunctions_of_pairs() -> None:
    assert t("(< x y z)") is And(x < y, y < z)
    assert t("(<= x y z x)") is And(x <= y, y <= z, z <= x)
    assert t("(= x y z)") is And(x == y, y == z)
    assert t("(< x y)") is make(Op.LT, [x, y])


def test_left_and_right_associative_operators() -> None:
    assert t("(- x y z)") is (x - y) - z
    assert t("(div x y z)") is make(Op.IDIV, [make(Op.IDIV, [x, y]), z])
    assert t("(/ r s r)") is make(Op.RDIV, [make(Op.RDIV, [r, s]), r])
    p, q, w = (var(n, BOOL) for n in "pqw")
    script = parse_script(
        "(declare-const p Bool)(declare-const q Bool)(declare-const w Bool)(assert (=> p q w))"
    )
    assert script.assertions()[0] is make(Op.IMPLIES, [p, make(Op.IMPLIES, [q, w])])
    script = parse_script(
        "(declare-const p Bool)(declare-const q Bool)(declare-const w Bool)(assert (xor p q w))"
    )
    assert script.assertions()[0] is make(Op.XOR, [make(Op.XOR, [p, q]), w])


def test_nary_operators_stay_flat() -> None:
    assert t("(+ x y z)") is make(Op.ADD, [x, y, z])
    assert t("(distinct x y z)") is make(Op.DISTINCT, [x, y, z])
    assert t("(+ x)") is x


def test_int_real_mixing_inserts_to_real() -> None:
    assert t("(+ r x)") is make(Op.ADD, [r, make(Op.TO_REAL, [x])])
    assert t("(< r 1)") is make(Op.LT, [r, RealVal(1)])  # an Int literal becomes a Real constant
    assert t("(= x r)") is make(Op.EQ, [make(Op.TO_REAL, [x]), r])
    assert t("(/ x y)") is make(Op.RDIV, [make(Op.TO_REAL, [x]), make(Op.TO_REAL, [y])])
    assert t("(ite true x r)") is make(Op.ITE, [t("true"), make(Op.TO_REAL, [x]), r])
    assert t("(g x)") is FuncDecl("g", (REAL,), REAL)(make(Op.TO_REAL, [x]))
    with pytest.raises(QuodError) as e:
        t("(div r x)")
    assert e.value.diagnostic.code == "Q0206"


def test_let_is_parallel_and_shares_terms() -> None:
    term = t("(let ((x (+ x 1)) (y x)) (+ x y))")
    assert term is make(Op.ADD, [x + 1, x])
    shared = t("(let ((a (+ x 1))) (let ((b (* a a))) (+ b b)))")
    assert shared.args[0] is shared.args[1]
    assert shared.args[0].args[0] is shared.args[0].args[1]


def test_let_shadows_and_scope_ends() -> None:
    assert t("(+ (let ((x 5)) x) x)") is make(Op.ADD, [IntVal(5), x])


# theories ----------------------------------------------------------------------------


def test_bitvector_operators_and_indexed_functions() -> None:
    bv = var("bv", BitVecSort(8))
    assert t("((_ extract 3 0) bv)") is make(Op.EXTRACT, [bv], (3, 0))
    assert t("((_ zero_extend 8) bv)").sort == BitVecSort(16)
    assert t("((_ sign_extend 0) bv)").sort == BitVecSort(8)
    assert t("((_ repeat 3) bv)").sort == BitVecSort(24)
    assert t("((_ rotate_left 2) bv)").op is Op.ROTATE_LEFT
    assert t("(bvadd bv cv bv)").op is Op.BVADD
    assert t("(concat bv #b1)").sort == BitVecSort(9)
    assert t("(bvult bv cv)").sort.is_bool
    assert t("((_ int2bv 4) x)").sort == BitVecSort(4)
    assert t("(bv2nat bv)").sort.is_int
    with pytest.raises(QuodError) as e:
        t("((_ extract 8 0) bv)")
    assert e.value.diagnostic.code == "Q0206"


def test_arrays_including_constant_arrays() -> None:
    a = var("a", ArraySort(INT, INT))
    assert t("(select (store a 1 2) x)") is make(Op.SELECT, [make(Op.STORE, [a, IntVal(1), IntVal(2)]), x])
    k = t("((as const (Array Int Int)) 0)")
    assert k is make(Op.CONST_ARRAY, [IntVal(0)], ArraySort(INT, INT))
    assert t("(= a ((as const (Array Int Int)) 7))").sort.is_bool


def test_strings_regexes_and_legacy_names() -> None:
    sv = var("str", STRING)
    ab = make(Op.STR_TO_RE, [StringVal("ab")])
    assert t('(str.in_re str (re.* (str.to_re "ab")))') is make(Op.STR_IN_RE, [sv, make(Op.RE_STAR, [ab])])
    assert t('(str.in.re str (re.* (str.to.re "ab")))') is t('(str.in_re str (re.* (str.to_re "ab")))')
    assert t('((_ re.loop 1 3) (str.to_re "ab"))') is make(Op.RE_LOOP, [ab], (1, 3))
    assert t('(re.loop (str.to_re "ab") 1 3)') is make(Op.RE_LOOP, [ab], (1, 3))
    assert t('((_ re.^ 2) (str.to_re "ab"))') is make(Op.RE_POWER, [ab], (2,))
    assert t("(str.in_re str (re.union re.allchar re.none re.all))").sort.is_bool
    assert t('(str.< "a" str "c")') is And(
        make(Op.STR_LT, [StringVal("a"), sv]), make(Op.STR_LT, [sv, StringVal("c")])
    )
    assert t('(str.++ str "x" str)').op is Op.STR_CONCAT
    assert t("(str.len str)").sort.is_int
    assert t('(str.to.int "12")').op is Op.STR_TO_INT


def test_sequences() -> None:
    q = var("q", SeqSort(INT))
    empty = t("(as seq.empty (Seq Int))")
    assert empty is make(Op.SEQ_EMPTY, [], SeqSort(INT))
    assert t("(seq.++ q (seq.unit 1) (as seq.empty (Seq Int)))") is make(
        Op.SEQ_CONCAT, [q, make(Op.SEQ_UNIT, [IntVal(1)]), empty]
    )
    assert t("(seq.nth q 0)").sort.is_int
    assert t("(seq.len q)").sort.is_int


def test_uninterpreted_functions_and_sorts() -> None:
    script = parse_script(
        "(declare-sort U 0)(declare-sort L 1)(declare-fun h (U Int) (L U))(declare-const u U)(assert (= (h u 1) (h u 2)))"
    )
    (term,) = script.assertions()
    assert term.args[0].op is Op.APPLY
    assert str(term.args[0].sort) == "(L U)"


def test_define_sort_with_parameters() -> None:
    script = parse_script(
        "(define-sort Arr (X) (Array Int X))(define-sort B () Bool)"
        "(declare-const m (Arr B))(assert (select m 0))"
    )
    assert script.assertions()[0].args[0].sort == ArraySort(INT, BOOL)


def test_ite_and_distinct_sorts_checked() -> None:
    with pytest.raises(QuodError) as e:
        t("(ite x 1 2)")
    assert e.value.diagnostic.code == "Q0206"


# quantifiers ---------------------------------------------------------------------------


def test_quantifiers_bind_their_variables() -> None:
    term = t("(forall ((k Int) (j Int)) (=> (< k j) (< (f k) (f j))))")
    assert term.op is Op.FORALL
    assert [v.name for v in term.bound] == ["k", "j"]
    k = var("k", INT)
    assert term.bound[0] is k
    assert t("(exists ((x Int)) (> x 0))").bound[0] is x  # bound x, same name as the free x


def test_quantifier_never_captures_a_free_symbol() -> None:
    # y is bound by let to the free x; inside, x is bound by forall
    term = t("(let ((y x)) (forall ((x Int)) (> x y)))")
    (bound,) = term.bound
    assert bound is not x
    assert term.args[0] is make(Op.GT, [bound, x])


def test_nested_binders_keep_their_names_unless_printing_would_capture() -> None:
    term = t("(forall ((x Int)) (forall ((x Int)) (forall ((x Int)) (> x 0))))")
    assert [q.bound[0].name for q in (term, term.args[0], term.args[0].args[0])] == ["x", "x", "x"]
    # the inner x must not capture the outer x that y stands for
    term = t("(forall ((k Int)) (let ((y k)) (forall ((k Int)) (> k y))))")
    inner = term.args[0]
    assert term.bound[0].name == "k" and inner.bound[0].name == "k!1"
    assert inner.args[0] is make(Op.GT, [inner.bound[0], term.bound[0]])


def test_named_terms_cannot_mention_bound_variables() -> None:
    with pytest.raises(QuodError) as e:
        t("(forall ((k Int)) (! (> k 0) :named n))")
    assert e.value.diagnostic.code == "Q0206"


def test_patterns_are_accepted_and_ignored() -> None:
    term = t("(forall ((k Int)) (! (> (f k) 0) :pattern ((f k)) :qid q1))")
    assert term.op is Op.FORALL
    assert term.args[0] is make(Op.GT, [FuncDecl("f", (INT,), INT)(var("k", INT)), IntVal(0)])


# depth ---------------------------------------------------------------------------------


def test_term_nested_100000_levels() -> None:
    depth = 100_000
    text = "(not " * depth + "true" + ")" * depth
    term = t(text)
    n = 0
    while term.op is Op.NOT:
        term = term.args[0]
        n += 1
    assert n == depth


def test_deep_lets_and_arithmetic() -> None:
    depth = 20_000
    text = "".join(f"(let ((v{i} (+ {'x' if i == 0 else f'v{i - 1}'} 1))) " for i in range(depth))
    term = t(text + f"v{depth - 1}" + ")" * depth)
    assert term.op is Op.ADD and term.sort.is_int


def test_unused_names_do_not_matter() -> None:
    assert t("(not (and true false))") is Not(And(t("true"), t("false")))
    assert const(True, t("true").sort) is t("true")
