"""Python outside the subset is rejected with a code and the span of the construct.

Every case must raise a `QuodError` (never another exception, never a
result); through the command line it is one line on stderr and exit status 1.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from tests.unit.verify.helpers import run, static_error

from quod.cli.main import main
from quod.verify.report import render_text

# (statement in the body of `def f(x: int) -> None`, expected code, column of the construct)
IN_BODY = [
    ("y = 1.5", "Q0602", 9),
    ("y = x / 2", "Q0602", 9),
    ("try:\n    pass\nexcept Exception:\n    pass", "Q0602", 5),
    ("with open('f') as h:\n    pass", "Q0602", 5),
    ("def g() -> int:\n    return x", "Q0602", 5),
    ("g = lambda y: y + x", "Q0602", 9),
    ("class A:\n    pass", "Q0602", 5),
    ("import os", "Q0602", 5),
    ("global q", "Q0602", 5),
    ("d = {1: 2}", "Q0602", 9),
    ("s = {1}", "Q0602", 9),
    ("y = x.bit_length()", "Q0602", 9),
    ("y = undefined_name + 1", "Q0606", 9),
    ("a = [1]\nb = a\nb[0] = 2", "Q0605", 5),
]


@pytest.mark.parametrize(("stmt", "code", "col"), IN_BODY, ids=[c[0].split("\n")[0] for c in IN_BODY])
def test_construct_in_a_body_is_rejected_at_its_span(stmt: str, code: str, col: int) -> None:
    body = textwrap.indent(stmt, "    ")
    e = static_error(f"def f(x: int) -> None:\n{body}\n")
    assert e.diagnostic.code == code
    assert e.span is not None
    # the aliasing case points at the binding `b = a` of the mutated list, the others at the construct
    line = 3 if code == "Q0605" else 2
    assert (e.span.line, e.span.col) == (line, col)


MODULE_LEVEL = [
    ("def g(x: float) -> float:\n    return x\n", "Q0602", 1),
    ("def g(x: int):\n    yield x\n", "Q0602", 2),
    ("async def g(x: int) -> int:\n    return x\n", None, 0),  # not a plain function: not verified
    ("import functools\n@functools.cache\ndef g(x: int) -> int:\n    return x\n", "Q0602", 2),
    ("def g(x: int) -> int:\n    return x\ng = abs\n", "Q0602", 3),
    ("def g(x: int) -> int:\n    return x\nif x:\n    def g(x: int) -> int:\n        return 1\n", "Q0602", 4),
    ("class C:\n    def m(self) -> int:\n        return 1\n", "Q0602", 1),
    ("def g(x) -> int:\n    return x\n", "Q0603", 1),
    ("def g(x: int) -> int:\n    return x if\n", "Q0601", 2),
]


@pytest.mark.parametrize(
    ("source", "code", "line"), MODULE_LEVEL, ids=[str(i) for i in range(len(MODULE_LEVEL))]
)
def test_module_level_construct_is_rejected(source: str, code: str | None, line: int) -> None:
    if code is None:
        res = run(source)
        assert res.functions == []
        return
    e = static_error(source)
    assert e.diagnostic.code == code
    assert e.span is not None and e.span.line == line


def test_cli_rejection_is_one_line_and_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "gen.py"
    p.write_text("def g(n: int):\n    for i in range(n):\n        yield i\n")
    assert main(["verify", str(p), "--no-cache", "-q"]) == 1
    cap = capsys.readouterr()
    assert cap.out == ""
    assert (
        cap.err.strip() == f"{p}:3:9: error[Q0602]: yield (generators) is outside the verified Python subset"
    )


def test_cli_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", str(tmp_path / "nope.py"), "--no-cache", "-q"]) == 1
    assert "Q0002" in capsys.readouterr().err


SEEDED = """
    from quod.spec import ensures, invariant, requires, result

    def total(n: int) -> int:
        requires(n >= 0)
        ensures(result == n * (n + 1) // 2)
        s = 0
        i = 0
        while i < n:
            invariant(0 <= i <= n and s == i * (i + 1) // 2)
            i += 1
            s += i
        return s
    """


def test_seeds_recheck_every_obligation() -> None:
    res = run(SEEDED, seeds=2)
    real = [r for f in res.functions for r in f.results if not r.ob.probe]
    assert real and all(r.status == "proved" for r in real)
    assert all(len(r.seed_statuses) == 2 and len(r.seed_rlimits) == 2 for r in real)


def test_a_seed_disagreement_is_reported_as_brittle() -> None:
    res = run(SEEDED, seeds=1)
    r = next(r for f in res.functions for r in f.results if not r.ob.probe)
    assert not r.brittle
    r.seed_statuses = ["unknown"]
    assert r.brittle
    text = render_text(res, timing=False)
    assert f":{r.ob.span.line}:{r.ob.span.col}: warning[Q0631]: brittle obligation" in text
    assert "proved with the default seed, unknown with other seeds" in text


def test_every_code_the_verifier_uses_is_registered() -> None:
    import re

    from quod.verify.errors import CODES

    src = Path(__file__).resolve().parents[3] / "src" / "quod"
    text = "".join(p.read_text() for p in [*(src / "verify").glob("*.py"), src / "cli" / "verify.py"])
    used = set(re.findall(r'"(Q06\d\d)"', text))
    assert used and used <= set(CODES), sorted(used - set(CODES))


NONTERMINATING_PURE = """
    from quod.spec import decreases, ensures, pure, result

    @pure
    def bad(n: int) -> int:
        decreases(n)
        return bad(n) + 1

    def f(x: int) -> int:
        ensures(result == 0)
        assert bad(x) == bad(x) + 1
        return 1
    """


def test_a_proof_relying_on_a_failed_function_is_not_a_verdict() -> None:
    """bad's definition is an inconsistent axiom unless bad terminates; f "verifies" only
    relative to it, so selecting f alone must still check bad, and the file fails."""
    res = run(NONTERMINATING_PURE, functions=["f"])
    by_name = {f.name: f for f in res.functions}
    assert set(by_name) == {"bad", "f"}
    assert not res.verified and not by_name["bad"].verified
    assert by_name["f"].relies_on_failing == ["bad"]
    text = render_text(res, timing=False, verbose=True)
    assert "f: verified only relative to 'bad', which did not verify" in text
