"""Disaggregated evaluation of a classifier, from Python.

    python examples/fairness/classifier_by_group.py [OUT_DIR]

Synthetic records (region, age, features, label) are scored by a model that
thresholds x1, which is right ~90% of the time in regions a and b and at chance
in region c. The script evaluates error rate by region and by the declarative
groups in groups.json (overlapping, with an intersection), writes HTML,
Markdown and JSON reports, and, if fairlearn is installed, shows that
MetricFrame gives the same per-group values, difference and ratio.
"""

from __future__ import annotations

import sys
from pathlib import Path

from quod.apps.fairness import evaluate, groups_from_json
from quod.apps.fairness.records import load_json
from quod.apps.fairness.render import to_text, write_report
from quod.apps.fairness.synthetic import classification

HERE = Path(__file__).parent


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "fairness-out")
    out.mkdir(parents=True, exist_ok=True)
    records = classification(3000, seed=5)
    for r in records:
        r["prediction"] = int(r["x1"] >= 0.5)

    by_region = evaluate(records, "error_rate", "region")
    print(to_text(by_region))
    groups = groups_from_json(load_json(HERE / "groups.json"))
    report = evaluate(records, "error_rate", groups, adjust="bh")
    report.title = "Error rate by declared group"
    print(to_text(report))
    for ext in ("html", "md", "json"):
        print("wrote", write_report(report, out / f"classifier.{ext}"))

    try:
        from fairlearn.metrics import MetricFrame
        from sklearn.metrics import zero_one_loss
    except ImportError:
        print("fairlearn not installed: skipping the MetricFrame comparison")
        return
    mf = MetricFrame(
        metrics=zero_one_loss,
        y_true=[r["label"] for r in records],
        y_pred=[r["prediction"] for r in records],
        sensitive_features=[r["region"] for r in records],
    )
    print("fairlearn by_group:", {k: round(v, 4) for k, v in mf.by_group.items()})
    print(f"fairlearn difference {mf.difference():.4f} vs quod gap {by_region.disparity.gap:.4f}")


if __name__ == "__main__":
    main()
