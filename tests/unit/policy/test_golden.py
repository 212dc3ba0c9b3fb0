"""Tricky cases with known answers (tests/golden/policy/*.json -> *.expected).

Each case is solved with the portfolio; the verdict, the reason and every
question's status must match the expected file; every witness must pass the
concrete evaluator (done by the portfolio itself, checked again here), and no
`unsat` answer may be contradicted by the requests enumerated from the
policies' own literals (ground_truth.py). Regenerate the expected files with

    python tests/unit/policy/test_golden.py --regen
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from quod.core.errors import QuodError
from quod.policy.evaluate import Indeterminate, allowed
from quod.policy.parse import parse_policy
from quod.policy.queries import compare, public
from quod.policy.requests import request_from_json
from quod.policy.solve import SolveOptions
from quod.policy.trust import is_outsider, named_values

sys.path.insert(0, str(Path(__file__).parent))
from ground_truth import sample_requests  # noqa: E402

GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "policy"
CASES = sorted(p.stem for p in GOLDEN.glob("*.json"))
OPTS = SolveOptions(timeout=20.0, cross_check=True)


def run_case(name: str) -> tuple[str, list, object]:
    case = json.loads((GOLDEN / f"{name}.json").read_text())
    pols = [parse_policy(json.dumps(d), f"{name}[{i}]") for i, d in enumerate(case["policies"])]
    res = public(pols[0], OPTS) if case["query"] == "public" else compare(pols[0], pols[1], OPTS)
    lines = [f"verdict: {res.verdict}", f"reason: {res.reason}"]
    for o in res.outcomes:
        for c in o.checks:
            lines.append(f"{c.name}: {c.status}")
    return "\n".join(lines) + "\n", pols, res


@pytest.mark.parametrize("name", CASES)
def test_case(name: str) -> None:
    text, pols, res = run_case(name)
    assert text == (GOLDEN / f"{name}.expected").read_text()
    named = named_values(pols)
    for o in res.outcomes:  # type: ignore[attr-defined]
        for c in o.checks:
            q = c.name.split("[")[0]
            if c.witness is not None:
                w = c.witness
                if q == "public":
                    assert allowed(pols[0], w, o.reading) and is_outsider(w, named)
                else:
                    pos, neg = (pols[0], pols[1]) if q == "A-not-B" else (pols[1], pols[0])
                    assert allowed(pos, w, o.reading) and not allowed(neg, w, o.reading)
            if c.status != "unsat":
                continue
            for raw in sample_requests(pols):
                try:
                    r = request_from_json(raw)
                    if q == "public":
                        bad = allowed(pols[0], r, o.reading) and is_outsider(r, named)
                    else:
                        pos, neg = (pols[0], pols[1]) if q == "A-not-B" else (pols[1], pols[0])
                        bad = allowed(pos, r, o.reading) and not allowed(neg, r, o.reading)
                except (QuodError, Indeterminate):
                    continue
                assert not bad, f"{name}: unsat contradicted by {raw}"


def regenerate() -> None:
    for name in CASES:
        text, _, _ = run_case(name)
        (GOLDEN / f"{name}.expected").write_text(text)
        print(f"{name}: {text.splitlines()[0]}")


if __name__ == "__main__":
    if "--regen" in sys.argv[1:]:
        regenerate()
