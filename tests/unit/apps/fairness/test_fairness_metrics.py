"""Metrics as (numerator, denominator): WER/CER agree with jiwer's corpus numbers."""

from __future__ import annotations

import numpy as np
import pytest

jiwer = pytest.importorskip("jiwer")

from quod.apps.fairness import Metric  # noqa: E402
from quod.apps.fairness.errors import FairnessError  # noqa: E402
from quod.apps.fairness.metrics import edit_counts, normalize_text  # noqa: E402
from quod.apps.fairness.records import Records  # noqa: E402

REFS = ["the cat sat on the mat", "hello world", "a b c d e f g", "one two three"]
HYPS = ["the cat sat mat", "hello big world", "a b x d e f g h", "one two three"]


def test_wer_numerator_denominator_reproduce_jiwer_corpus_wer() -> None:
    recs = Records([{"reference": r, "hypothesis": h} for r, h in zip(REFS, HYPS)])
    num, den = Metric("wer").per_example(recs)
    assert num.sum() / den.sum() == pytest.approx(jiwer.wer(REFS, HYPS))
    assert list(den) == [len(r.split()) for r in REFS]
    assert num[0] == 2 and num[1] == 1 and num[3] == 0


def test_cer_matches_jiwer() -> None:
    recs = Records([{"reference": r, "hypothesis": h} for r, h in zip(REFS, HYPS)])
    num, den = Metric("cer").per_example(recs)
    assert num.sum() / den.sum() == pytest.approx(jiwer.cer(REFS, HYPS))


def test_corpus_wer_is_not_the_mean_of_utterance_wers() -> None:
    # A short utterance with one error must not weigh as much as a long one.
    refs, hyps = ["a", "a b c d e f g h i j"], ["b", "a b c d e f g h i j"]
    num, den = Metric("wer").per_example(
        Records([{"reference": r, "hypothesis": h} for r, h in zip(refs, hyps)])
    )
    assert num.sum() / den.sum() == pytest.approx(1 / 11)
    assert np.mean(num / den) == pytest.approx(0.5)


def test_empty_hypothesis_deletes_every_word() -> None:
    assert edit_counts("one two three", "") == (3, 3)
    assert edit_counts("ab c", "", chars=True) == (4, 4)


def test_proportion_metrics_and_direction() -> None:
    recs = Records(
        [{"label": 1, "prediction": 1.0}, {"label": 0, "prediction": 1}, {"label": "x", "prediction": "x"}]
    )
    err, _ = Metric("error_rate").per_example(recs)
    acc, _ = Metric("accuracy").per_example(recs)
    assert list(err) == [0, 1, 0] and list(acc) == [1, 0, 1]
    assert Metric("accuracy").better and not Metric("error_rate").better
    s, _ = Metric("success", {"success": "ok"}).per_example(Records([{"ok": True}, {"ok": 0}]))
    assert list(s) == [1, 0]


def test_bad_records_are_located() -> None:
    recs = Records([{"label": 1, "prediction": 1}, {"label": 1}], ["f.jsonl:1", "f.jsonl:2"])
    with pytest.raises(FairnessError, match=r"f\.jsonl:2: missing field 'prediction'"):
        Metric("error_rate").per_example(recs)
    with pytest.raises(FairnessError, match="must be true/false"):
        Metric("success").per_example(Records([{"success": "yes"}]))
    with pytest.raises(FairnessError, match="empty reference"):
        Metric("wer").per_example(Records([{"reference": " ", "hypothesis": "a"}]))
    with pytest.raises(FairnessError, match="unknown metric"):
        Metric("f1")
    with pytest.raises(FairnessError, match="no field role"):
        Metric("wer", {"label": "y"})


def test_normalize_text() -> None:
    assert normalize_text("Hello,  World! It's") == "hello world it's"
