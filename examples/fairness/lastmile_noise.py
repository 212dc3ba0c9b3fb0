"""Last-mile check: a reference WER evaluation re-run on a customer's recordings.

    python examples/fairness/lastmile_noise.py [OUT_DIR]

The reference evaluation (WER by accent, speakers as clusters) is saved as
JSON. A customer's data has the same accents but 40% of it was recorded with
background noise that adds errors. `compare` re-runs the same evaluation on
the customer's records, splits them by the noise condition, and flags the
rows that fall significantly outside the reference intervals.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from quod.apps.fairness import evaluate
from quod.apps.fairness.lastmile import compare, to_html, to_text
from quod.apps.fairness.render import write_report
from quod.apps.fairness.synthetic import clustered_ratio

WER = {"name": "ratio", "fields": {"numerator": "errors", "denominator": "words"}}
RATES = {"en-us": 0.08, "en-gb": 0.12, "en-in": 0.18}


def customer(seed: int) -> list[dict[str, object]]:
    rng = np.random.default_rng(seed)
    out = []
    for r in clustered_ratio(RATES, speakers=25, utterances=10, seed=seed):
        noisy = rng.random() < 0.4
        if noisy:  # noise turns some correct words into errors
            r["errors"] = int(r["errors"]) + int(rng.binomial(int(r["words"]) - int(r["errors"]), 0.15))
        out.append({**r, "noise": "high" if noisy else "low"})
    return out


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "fairness-out")
    out.mkdir(parents=True, exist_ok=True)
    reference = evaluate(
        clustered_ratio(RATES, speakers=40, utterances=10, seed=1), WER, "group", cluster_by="speaker"
    )
    reference.title = "Reference: WER by accent"
    write_report(reference, out / "reference.json")
    result = compare(reference, customer(7), conditions=["noise"])
    print(to_text(result))
    (out / "lastmile.html").write_text(to_html(result))
    print("flagged:", [r.name for r in result.flagged])


if __name__ == "__main__":
    main()
