"""Every benchmark family parses (a sample by default, all files when slow tests run)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.benchdata import SMT

from quod.core.ops import Op
from quod.smtlib import Assert, CheckSat, parse_file

BENCH = SMT
FILES = sorted(BENCH.glob("*/*.smt2"))
FAMILIES = sorted({p.parent.name for p in FILES})


def _smallest_per_family(k: int) -> list[Path]:
    out: list[Path] = []
    for fam in FAMILIES:
        files = sorted((p for p in FILES if p.parent.name == fam), key=lambda p: p.stat().st_size)
        out.extend(files[:k])
    return out


pytestmark = pytest.mark.skipif(not FILES, reason="benchmark directory not available")


@pytest.mark.parametrize("path", _smallest_per_family(2), ids=lambda p: p.name)
def test_sample_parses(path: Path) -> None:
    script = parse_file(path)
    assert script.logic is not None and script.logic.startswith("QF_")
    asserts = [c for c in script if isinstance(c, Assert)]
    assert asserts, "every benchmark asserts something"
    assert all(a.term.sort.is_bool for a in asserts)
    assert sum(isinstance(c, CheckSat) for c in script) == 1
    # the declared symbols are exactly the free constants and functions used
    names = {d.name for d in script.declarations()}
    used = {t.name for a in script.assertions() for t in _leaves(a)}
    assert used <= names


def _leaves(t):  # type: ignore[no-untyped-def]
    from quod.core.walk import post_order

    return [s for s in post_order([t]) if s.op is Op.VAR or s.op is Op.APPLY]


@pytest.mark.slow
@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_all_files_parse(path: Path) -> None:
    script = parse_file(path)
    assert script.assertions()
