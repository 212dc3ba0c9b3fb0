"""Our reading of SMT-LIB agrees with z3's.

For each input, z3 parses the original text and the text we print from our
parse; z3 must prove both assertion sets equivalent. This checks the
meaning we give to chains, associativity, Int/Real mixing, let, shadowing,
binders and literals, not just that our own printer and reader agree.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import z3
from tests.benchdata import SMT

from quod.smtlib import parse_script
from quod.smtlib.writer import print_script

BENCH = SMT

CASES = {
    "chains": """(declare-const x Int)(declare-const y Int)(declare-const z Int)
        (assert (< x y z 10))(assert (= x y z))(assert (distinct x (+ y 1) z))(assert (>= z y x 0))""",
    "left_assoc": """(declare-const x Int)(declare-const y Int)(declare-const z Int)
        (assert (= (- x y z) (- 7)))(assert (= (div x y z) (div 100 3 2)))(assert (= (- x) (- 3)))""",
    "implies_xor": """(declare-const a Bool)(declare-const b Bool)(declare-const c Bool)
        (assert (=> a b c))(assert (xor a b c))(assert (= a b c))""",
    "mixing": """(declare-const x Int)(declare-const r Real)
        (assert (> (+ r x 1) (/ x 3)))(assert (= (* 2 r) (- x 0.5)))(assert (<= (/ 1 3) r))
        (assert (= (ite (> x 0) x r) 2.25))""",
    "literals": """(declare-const r Real)(declare-const v (_ BitVec 8))(declare-const s String)
        (assert (= r (- (/ 22.0 7.0))))(assert (= v (bvadd #x0f #b00000001 (_ bv3 8))))
        (assert (= s (str.++ "a""b" "\\u{48}\\u0069" "\\x41")))(assert (> r (- 100.125)))""",
    "lets": """(declare-fun f (Int) Int)(declare-const a Int)(declare-const b Int)
        (assert (let ((a b) (b a)) (let ((a (f a))) (> a (+ b 1)))))
        (assert (let ((?v (f a))) (let ((?v (+ ?v ?v))) (< ?v (f ?v)))))""",
    "binders": """(declare-const x Int)(declare-fun f (Int) Int)
        (assert (let ((y x)) (exists ((x Int)) (and (> x y) (= (f x) y)))))
        (assert (forall ((x Int)) (let ((y x)) (forall ((x Int)) (or (> x y) (<= (f x) (f y)))))))
        (assert (forall ((k Int)) (! (>= (f k) k) :pattern ((f k)))))""",
    "define_fun": """(declare-const x Int)(define-fun g () Int x)
        (define-fun h ((x Int) (y Int)) Int (+ x (* 2 y) g))
        (assert (= (h 1 2) (h x x)))(assert (! (> (h 0 0) 0) :named pos))(assert pos)""",
    "arrays_bv": """(declare-const A (Array Int Int))(declare-const v (_ BitVec 16))
        (assert (= (select (store A 1 2) 1) (select ((as const (Array Int Int)) 2) 5)))
        (assert (= ((_ extract 7 0) v) ((_ zero_extend 4) ((_ extract 3 0) v))))
        (assert (bvult ((_ rotate_left 3) v) (concat #x0f #xf0)))""",
    "strings": """(declare-const s String)
        (assert (str.in_re s (re.++ (str.to_re "a") ((_ re.loop 1 3) (re.range "0" "9")))))
        (assert (str.in.re s (re.* re.allchar)))(assert (str.< "a" s))
        (assert (= (str.len s) (str.to_int "3")))""",
}


def _z3_assertions(text: str) -> z3.BoolRef:
    return z3.And(*z3.parse_smt2_string(text))


def _agree(text: str) -> None:
    ours = print_script(parse_script(text))
    solver = z3.Solver()
    solver.set("timeout", 20_000)
    solver.add(_z3_assertions(text) != _z3_assertions(ours))
    assert solver.check() == z3.unsat, ours


@pytest.mark.parametrize("name", sorted(CASES))
def test_z3_reads_our_output_as_it_reads_the_input(name: str) -> None:
    _agree(CASES[name])


def test_z3_would_notice_a_difference() -> None:
    text = CASES["left_assoc"]
    other = text.replace("(- x y z)", "(- x (- y z))")
    solver = z3.Solver()
    solver.add(_z3_assertions(text) != _z3_assertions(other))
    assert solver.check() == z3.sat


@pytest.mark.skipif(not BENCH.exists(), reason="benchmark directory not available")
@pytest.mark.parametrize(
    "path",
    [
        p
        for fam in (sorted(BENCH.iterdir()) if BENCH.is_dir() else [])
        if fam.is_dir()
        for p in sorted(fam.glob("*.smt2"), key=lambda q: q.stat().st_size)[:1]
    ],
    ids=lambda p: p.name,
)
def test_benchmarks_mean_the_same_to_z3(path: Path) -> None:
    _agree(path.read_text())
