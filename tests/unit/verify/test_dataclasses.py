"""Simple dataclasses: construction, fields, equality, and what stays rejected.

Each semantic claim is checked both ways (the claim verifies, its negation
fails), so a translation that proved everything could not pass.
"""

from __future__ import annotations

import textwrap

import pytest
from tests.unit.verify.helpers import failures, run, static_error

from quod.verify.execute import DataValue, decode, encode
from quod.verify.verifier import Options, verify_source

HEADER = """\
from dataclasses import dataclass

from quod.spec import ensures, requires


@dataclass(frozen=True)
class P:
    x: int
    y: int


@dataclass(frozen=True)
class Q:
    x: int
    y: int


@dataclass
class Named:
    name: str
    p: P
    flag: bool = False
    n: int = -1


@dataclass(frozen=True)
class Empty:
    pass
"""

# claims over p: P, q: P, n: Named (all universally quantified)
TRUE_CLAIMS = [
    "P(1, 2) == P(1, 2)",
    "P(1, 2) != P(2, 1)",
    "P(x=1, y=2) == P(1, y=2) == P(y=2, x=1)",
    "P(1, 2).x == 1 and P(1, 2).y == 2",
    "(p == q) == (p.x == q.x and p.y == q.y)",
    "P(p.x, p.y) == p",
    "Named('a', p).flag == False and Named('a', p).n == -1",
    "Named('a', p, True).flag",
    "Named('a', p, n=3).n == 3",
    "Named('a', p) != Named('b', p)",
    "n.p.x == n.p.x",
    "bool(p) and bool(Empty())",
    "Empty() == Empty()",
    "(p, 1) == (P(p.x, p.y), 1)",
    "(p, q)[1] == q",
    "p in (q, p)",
    "(p if p.x > 0 else q).x == (p.x if p.x > 0 else q.x)",
]


def _claim_program(claim: str) -> str:
    return HEADER + textwrap.dedent(f"""

        def claim(p: P, q: P, n: Named) -> None:
            assert {claim}
        """)


@pytest.mark.parametrize("claim", TRUE_CLAIMS)
def test_claim_holds_and_its_negation_fails(claim: str) -> None:
    assert failures(run(_claim_program(claim))) == []
    line = HEADER.count("\n") + 4
    assert failures(run(_claim_program(f"not ({claim})"))) == [("Q0610", line)]


CLAMP = (
    HEADER
    + """

@dataclass(frozen=True)
class Box:
    lo: P
    hi: P


def clamp(p: P, b: Box) -> P:
    requires(b.lo.x <= b.hi.x and b.lo.y <= b.hi.y)
    ensures(b.lo.x <= result.x <= b.hi.x and b.lo.y <= result.y <= b.hi.y)
    ensures((b.lo.x <= p.x <= b.hi.x and b.lo.y <= p.y <= b.hi.y) == (result == p))
    return P(min(max(p.x, b.lo.x), b.hi.x), min(max(p.y, b.lo.y), b.hi.y))


def use(p: P) -> P:
    requires(p.x > 100)
    ensures(0 <= result.x <= 10 and result != p)
    r = clamp(p, Box(P(0, 0), P(10, 10)))
    assert r != p and r.x != p.x
    return r
"""
)


def test_parameters_results_and_modular_calls() -> None:
    assert failures(run(CLAMP)) == []
    broken = CLAMP.replace("ensures(0 <= result.x <= 10 and", "ensures(0 <= result.x < 10 and")
    assert [c for c, _ in failures(run(broken))] == ["Q0613"]


def test_counterexample_is_a_dataclass_instance_and_execution_confirms_it(tmp_path: object) -> None:
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    src = HEADER + textwrap.dedent("""

        def bump(n: Named) -> Named:
            ensures(result.p.x > n.p.x)
            return Named(n.name, P(n.p.x + n.n, n.p.y), n.flag, n.n)
        """)
    path = tmp_path / "bump.py"
    path.write_text(src)
    res = verify_source(src, str(path), Options(cache_path=None))
    (r,) = [r for f in res.functions for r in f.results if r.status == "failed"]
    assert r.counterexample is not None
    v = r.counterexample["n"]
    assert isinstance(v, DataValue) and v.cls == "Named"
    assert repr(v).startswith("Named(name=")
    assert r.confirmation.startswith("confirmed by execution"), r.confirmation


def test_counterexample_encoding_round_trips() -> None:
    v = (DataValue("P", (("x", 1), ("y", DataValue("Q", (("z", "s"),))))), [1])
    assert decode(eval(repr(encode(v)))) == v  # noqa: S307 - a literal


def test_pure_functions_over_dataclasses() -> None:
    src = HEADER + textwrap.dedent("""
        from quod.spec import pure

        @pure
        def area(a: P, b: P) -> int:
            return (b.x - a.x) * (b.y - a.y)

        @pure
        def shifted(a: P, d: int) -> P:
            return P(a.x + d, a.y + d)

        def f(a: P, b: P) -> int:
            ensures(result == area(shifted(a, 1), shifted(b, 1)))
            return area(a, b)
        """)
    assert failures(run(src)) == []


def test_tuples_of_dataclasses_and_locals() -> None:
    src = HEADER + textwrap.dedent("""
        def swap(t: tuple[P, Q]) -> tuple[Q, P]:
            ensures(result[0] == t[1] and result[1].x == t[0].x)
            a, b = t
            c: P = a
            if c.x > 0:
                c = P(c.x, c.y)
            return (b, c)
        """)
    assert failures(run(src)) == []


def test_loop_over_dataclass_state() -> None:
    src = HEADER + textwrap.dedent("""
        from quod.spec import invariant

        def walk(n: int) -> P:
            requires(n >= 0)
            ensures(result == P(n, 2 * n))
            p = P(0, 0)
            i = 0
            while i < n:
                invariant(0 <= i <= n and p == P(i, 2 * i))
                p = P(p.x + 1, p.y + 2)
                i += 1
            return p
        """)
    assert failures(run(src)) == []
    assert [c for c, _ in failures(run(src.replace("p.y + 2", "p.y + 1")))] == ["Q0612"]


# (source appended to HEADER, code, line of the error relative to the appended text)
REJECTED = [
    # methods, inheritance, other decorators, non-literal or ill-placed defaults
    ("@dataclass\nclass M:\n    x: int\n    def get(self) -> int:\n        return self.x\n", "Q0602", 4),
    ("@dataclass\nclass S(P):\n    z: int\n", "Q0602", 2),
    ("class Plain:\n    x: int\n", "Q0602", 1),
    ("import functools\n@functools.total_ordering\nclass T:\n    x: int\n", "Q0602", 2),
    ("from dataclasses import field\n@dataclass\nclass D:\n    x: int = field(default=1)\n", "Q0602", 4),
    ("@dataclass\nclass D:\n    x: int = 1 + 1\n", "Q0602", 3),
    ("@dataclass\nclass D:\n    x: int = True\n", "Q0603", 3),
    ("@dataclass\nclass D:\n    x: int = 1\n    y: int\n", "Q0603", 4),
    ("@dataclass\nclass D:\n    x: int\n    x: int\n", "Q0603", 4),
    ("@dataclass\nclass D:\n    xs: list[int]\n", "Q0602", 3),
    ("@dataclass\nclass D:\n    t: tuple[int, list[int]]\n", "Q0602", 3),
    ("@dataclass\nclass D:\n    x: float\n", "Q0602", 3),
    ("@dataclass\nclass D:\n    z = 0\n", "Q0602", 3),
    ("@dataclass\nclass D:\n    d: 'D'\n", "Q0602", 3),
    ("@dataclass(eq=False)\nclass D:\n    x: int\n", "Q0602", 1),
    ("@dataclass(kw_only=True)\nclass D:\n    x: int\n", "Q0602", 1),
    ("@dataclass(init=False)\nclass D:\n    x: int\n", "Q0602", 1),
    ("@dataclass\nclass D:\n    x: int\nD = 3\n", "Q0602", 2),
    # mutation, frozen or not
    ("def f(p: P) -> None:\n    p.x = 1\n", "Q0605", 2),
    ("def f(n: Named) -> None:\n    n.flag = True\n", "Q0605", 2),
    ("def f(n: Named) -> None:\n    n.n += 1\n", "Q0605", 2),
    ("def f(n: Named) -> None:\n    n.p.x = 1\n", "Q0605", 2),
    # operations dataclasses do not have
    ("def f(p: P) -> int:\n    return p[0]\n", "Q0603", 2),
    ("def f(p: P) -> int:\n    return len(p)\n", "Q0603", 2),
    ("def f(p: P) -> None:\n    a, b = p\n", "Q0603", 2),
    ("def f(p: P) -> bool:\n    return p < p\n", "Q0602", 2),
    ("def f(p: P) -> int:\n    return p.z\n", "Q0603", 2),
    ("def f(p: P, q: Q) -> bool:\n    return p == q\n", "Q0603", 2),
    ("def f(p: P) -> bool:\n    return p == (p.x, p.y)\n", "Q0603", 2),
    ("def f(p: P) -> P:\n    return P(1)\n", "Q0603", 2),
    ("def f(p: P) -> P:\n    return P(1, 2, x=3)\n", "Q0603", 2),
    ("def f(p: P) -> P:\n    return P(True, 2)\n", "Q0603", 2),
    ("def f(p: P) -> Q:\n    return p\n", "Q0603", 2),
    ("def f(xs: list[P]) -> None:\n    pass\n", "Q0602", 1),
    ("def f(p: P) -> None:\n    xs = [p]\n", "Q0602", 2),
    ("def f(p: P) -> int:\n    return P.x\n", "Q0602", 2),
    ("def f(p: P) -> int:\n    return p.x.real\n", "Q0602", 2),
]


@pytest.mark.parametrize(("extra", "code", "line"), REJECTED, ids=[str(i) for i in range(len(REJECTED))])
def test_outside_the_dataclass_subset_is_rejected(extra: str, code: str, line: int) -> None:
    base = HEADER.count("\n") + 1
    e = static_error(HEADER + "\n" + extra)
    assert e.diagnostic.code == code, e
    assert e.span is not None and e.span.line == base + line, (e, base)


def test_frozen_and_plain_mutation_messages() -> None:
    e = static_error(HEADER + "\ndef f(p: P) -> None:\n    p.x = 1\n")
    assert "frozen dataclass P" in str(e)
    e = static_error(HEADER + "\ndef f(n: Named) -> None:\n    n.flag = True\n")
    assert "instances are modelled as values" in str(e)


def test_dataclass_needs_the_real_decorator() -> None:
    src = "def dataclass(c):\n    return c\n@dataclass\nclass D:\n    x: int\n"
    assert static_error(src).diagnostic.code == "Q0602"


def test_runtime_checks_run_on_dataclasses_with_future_annotations(tmp_path: object) -> None:
    from pathlib import Path

    from quod.spec import ContractViolation
    from quod.verify.runtime import run_file

    assert isinstance(tmp_path, Path)
    src = (
        '"""doc"""\nfrom __future__ import annotations\n\n'
        + HEADER
        + textwrap.dedent("""

        def shift(p: P) -> P:
            ensures(result.x > p.x)
            return P(p.x + p.y, p.y)

        print(shift(P(1, 1)))
        shift(P(1, 0))
        """)
    )
    path = tmp_path / "prog.py"
    path.write_text(src)
    with pytest.raises(ContractViolation) as info:
        run_file(str(path), [])
    assert info.value.kind == "postcondition"
