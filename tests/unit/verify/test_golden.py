"""Golden tests: the full output of `quod verify` (tests/golden/verify/NAME.expected).

Each case runs the command line in-process from the repository root, with
`--no-timing --no-cache -q` so that the output holds no times, no cache
effects and no progress lines; absolute paths of the checkout are replaced by
`<root>`. An expected file holds the command, stdout, stderr and exit status.
Counterexample values come from the solver, so a new z3 version may change
them: read the diff, and if the new values are still confirmed by execution,
regenerate with

    python tests/unit/verify/test_golden.py --regen
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
GOLDEN = ROOT / "tests" / "golden" / "verify"
FLAGS = ["--no-timing", "--no-cache", "-q"]

# name -> (arguments after `quod verify`, slow?)
CASES: dict[str, tuple[list[str], bool]] = {
    "gcd": (["examples/verify/gcd.py", "-v"], False),
    "frames": (["examples/verify/frames.py", "-v"], False),
    "buggy_isqrt": (["examples/verify/buggy/isqrt.py"], False),
    "buggy_palindrome": (["examples/verify/buggy/palindrome.py"], False),
    "buggy_interval": (["examples/verify/buggy/interval.py"], False),
    "buggy_binary_search": (["examples/verify/buggy/binary_search.py"], True),
    "buggy_frames": (["examples/verify/buggy/frames.py", "-v"], True),
    "rejected_float": (["tests/golden/verify/rejected_float.py"], False),
    "rejected_class": (["tests/golden/verify/rejected_class.py"], False),
    "vacuous": (["tests/golden/verify/vacuous.py"], False),
    "missing_function": (["examples/verify/gcd.py", "-f", "lcm"], False),
}


def run_case(name: str) -> str:
    """The normalised transcript of one case."""
    from quod.cli.main import main

    args = ["verify", *CASES[name][0], *FLAGS]
    out, err = io.StringIO(), io.StringIO()
    cwd = Path.cwd()
    os.chdir(ROOT)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = main(args)
    finally:
        os.chdir(cwd)
    text = f"$ quod {' '.join(args)}\n{out.getvalue()}"
    if err.getvalue():
        text += f"[stderr]\n{err.getvalue()}"
    text += f"[exit {status}]\n"
    return text.replace(str(ROOT), "<root>")


def _param(name: str) -> object:
    return pytest.param(name, id=name, marks=[pytest.mark.slow] if CASES[name][1] else [])


@pytest.mark.parametrize("name", [_param(n) for n in CASES])
def test_output_matches_golden(name: str) -> None:
    assert run_case(name) == (GOLDEN / f"{name}.expected").read_text()


def test_every_expected_file_has_a_case() -> None:
    assert {p.stem for p in GOLDEN.glob("*.expected")} == set(CASES)


def regenerate() -> None:
    for name in CASES:
        text = run_case(name)
        (GOLDEN / f"{name}.expected").write_text(text)
        print(f"{name}: {text.splitlines()[-1]}")


if __name__ == "__main__":
    if "--regen" in sys.argv[1:]:
        regenerate()
