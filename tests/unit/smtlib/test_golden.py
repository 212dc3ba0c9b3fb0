"""Golden files: tests/golden/smtlib/NAME.smt2 -> NAME.expected.

For a valid input the expected text is `print_script(parse(input))` (and it
must parse back to the same script); for inputs under errors/ it is the
one-line diagnostic. Regenerate after an intended change with

    python tests/unit/smtlib/test_golden.py --regen

and review the diff before committing.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from quod.core.errors import QuodError
from quod.smtlib import parse_script
from quod.smtlib.writer import print_script

GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "smtlib"
VALID = sorted(GOLDEN.glob("*.smt2"))
INVALID = sorted((GOLDEN / "errors").glob("*.smt2"))


def render(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    if path.parent.name == "errors":
        try:
            parse_script(text, path.name)
        except QuodError as e:
            return e.diagnostic.render() + "\n"
        return "no error\n"
    return print_script(parse_script(text, path.name))


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_golden_print(path: Path) -> None:
    expected = path.with_suffix(".expected").read_text(encoding="utf-8")
    got = render(path)
    assert got == expected
    original = parse_script(path.read_text(encoding="utf-8"))
    assert parse_script(got) == original


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_golden_errors(path: Path) -> None:
    expected = path.with_suffix(".expected").read_text(encoding="utf-8")
    got = render(path)
    assert got == expected
    assert got.startswith(f"{path.name}:") and "error[Q02" in got


def test_golden_files_exist() -> None:
    assert len(VALID) >= 5 and len(INVALID) >= 10


def regenerate() -> None:
    for path in [*VALID, *INVALID]:
        path.with_suffix(".expected").write_text(render(path), encoding="utf-8")
        print(f"wrote {path.with_suffix('.expected')}")


if __name__ == "__main__":
    if "--regen" in sys.argv[1:]:
        regenerate()
    else:
        print(__doc__)
