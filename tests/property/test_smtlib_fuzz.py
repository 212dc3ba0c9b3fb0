"""Fuzzing the reader: any input gives a Script or a located QuodError, nothing else.

Inputs: random text, token soups over the SMT-LIB vocabulary (which reach
deep into the term reader), and benchmark / golden files with random edits.
Whatever parses must also survive printing: parse(print(s)) == s.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.benchdata import SMT

from quod.core.errors import QuodError
from quod.smtlib import Script, parse_script
from quod.smtlib.writer import print_script

ROOT = Path(__file__).resolve().parents[1]
BENCH = SMT
SEEDS: list[str] = [p.read_text() for p in sorted((ROOT / "golden" / "smtlib").glob("*.smt2"))]
if BENCH.exists():
    for fam in sorted(BENCH.iterdir()):
        files = sorted(fam.glob("*.smt2"), key=lambda p: p.stat().st_size)
        if files:
            SEEDS.append(files[0].read_text()[:6000])

VOCAB = [
    "(", ")", "(", ")", "(", ")", " ", "\n", "set-logic", "QF_LIA", "ALL", "declare-fun", "declare-const",
    "define-fun", "define-sort", "declare-sort", "assert", "check-sat", "push", "pop", "reset", "exit", "echo",
    "get-value", "check-sat-assuming", "set-info", "set-option", ":named", ":pattern", ":status", "sat",
    ":global-declarations", "true", "false", "Int", "Real", "Bool", "String", "Array", "Seq", "_", "BitVec",
    "x", "y", "f", "|x|", "|a b|", "let", "forall", "exists", "!", "as", "const", "and", "or", "not", "=>",
    "=", "distinct", "ite", "+", "-", "*", "/", "div", "mod", "<", "<=", ">", ">=", "to_real", "select",
    "store", "bvadd", "extract", "concat", "str.++", "str.len", "re.loop", "re.*", "str.to_re", "str.in_re",
    "seq.empty", "seq.unit", "bv3", "char", "0", "1", "2", "42", "3.5", "0.0", "#x0f", "#b101", "#x",
    '"s"', '"a""b"', '"\\u{48}"', "; c\n", "1.", "#z", "|", '"', "\\", "-3", "::",
]  # fmt: skip

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check(text: str) -> None:
    try:
        script = parse_script(text, "fuzz.smt2")
    except QuodError as e:
        span = e.span
        assert span is not None and span.file == "fuzz.smt2" and span.line >= 1 and span.col >= 1
        assert e.diagnostic.code.startswith("Q0")
        assert "\n" not in e.diagnostic.render()
        return
    assert isinstance(script, Script)
    assert parse_script(print_script(script)) == script


@SETTINGS
@given(st.text(max_size=300))
def test_random_text(text: str) -> None:
    check(text)


@SETTINGS
@given(st.binary(max_size=300))
def test_random_bytes_as_latin1(data: bytes) -> None:
    check(data.decode("latin-1"))


@SETTINGS
@given(st.lists(st.sampled_from(VOCAB), max_size=60))
def test_token_soup(tokens: list[str]) -> None:
    check(" ".join(tokens))


PRELUDE = (
    "(declare-const x Int)(declare-const y Real)(declare-fun f (Int) Int)(declare-const p Bool)"
    "(declare-const s String)(declare-const v (_ BitVec 8))(declare-const A (Array Int Int))"
)
COMMANDS = ["assert", "assert", "assert", "get-value", "check-sat-assuming", "declare-fun", "define-fun",
            "declare-const", "push", "pop", "set-info", "define-sort", "declare-sort", "echo"]  # fmt: skip
ATOMS = [v for v in VOCAB if v not in ("(", ")", " ", "\n", '"', "|", "\\")] + [
    "x",
    "y",
    "p",
    "s",
    "v",
    "A",
    "f",
] * 3
sexprs = st.recursive(
    st.sampled_from(ATOMS),
    lambda inner: st.lists(inner, min_size=1, max_size=5).map(lambda xs: "(" + " ".join(xs) + ")"),
    max_leaves=25,
)
commands = st.one_of(
    sexprs.map(lambda t: f"(assert {t})"),
    st.lists(sexprs, min_size=1, max_size=3).map(lambda ts: f"(get-value ({' '.join(ts)}))"),
    st.tuples(st.sampled_from(COMMANDS), st.lists(sexprs, max_size=3)).map(
        lambda c: f"({c[0]} {' '.join(c[1])})"
    ),
)


@SETTINGS
@given(st.lists(commands, min_size=1, max_size=6))
def test_well_formed_sexpressions(cmds: list[str]) -> None:
    check(PRELUDE + "\n".join(cmds))


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(text)))
        kind = draw(st.integers(0, 2))
        piece = draw(st.sampled_from([*VOCAB, "", "((", "))", "#x1"]))
        if kind == 0:
            text = text[:i] + piece + text[i:]
        elif kind == 1:
            j = min(len(text), i + draw(st.integers(1, 20)))
            text = text[:i] + text[j:]
        else:
            j = min(len(text), i + draw(st.integers(1, 5)))
            text = text[:i] + piece + text[j:]
    return text


@SETTINGS
@given(mutated())
def test_mutated_real_files(text: str) -> None:
    check(text)


def test_seeds_parse_unmutated() -> None:
    for text in SEEDS:
        check(text)
