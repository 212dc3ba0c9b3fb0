"""Write the synthetic holdout, audit holdout and base model used by bias_bounty.sh.

In regions a and b, people under 35 always have label 1, so a submission
'(age < 35, always 1)' improves the model overall while hurting the young in
region c: the bounty must then add a repair node for region c.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from quod.apps.fairness.synthetic import BASE_MODEL, classification


def rows(seed: int) -> list[dict[str, object]]:
    out = classification(2000, seed)
    for r in out:
        if r["age"] < 35 and r["region"] != "c":
            r["label"] = 1
    return out


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "bounty-data")
    out.mkdir(parents=True, exist_ok=True)
    for name, seed in (("holdout", 1), ("audit", 2), ("customers", 3)):
        (out / f"{name}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows(seed)))
    (out / "base.json").write_text(json.dumps(BASE_MODEL) + "\n")
    print(f"wrote holdout, audit, customers and base model to {out}")


if __name__ == "__main__":
    main()
