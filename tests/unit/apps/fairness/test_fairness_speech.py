"""Speech demo: espeak-ng + pocketsphinx + jiwer (skipped with a reason when absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from quod.apps.fairness import evaluate, speech

REASON = speech.available()


def test_arpa_language_model_is_well_formed(tmp_path: Path) -> None:
    p = tmp_path / "lm.arpa"
    speech.write_arpa(["a b c", "a c"], {"a", "b", "c"}, p)
    text = p.read_text()
    assert text.startswith("\\data\\") and "ngram 1=5" in text and text.rstrip().endswith("\\end\\")
    uni = [ln.split() for ln in text.split("\\1-grams:")[1].split("\\2-grams:")[0].strip().splitlines()]
    probs = sum(10 ** float(u[0]) for u in uni if u[1] != "<s>")
    assert probs == pytest.approx(1.0)


@pytest.mark.skipif(REASON is not None, reason=f"speech demo unavailable: {REASON}")
def test_small_demo_transcribes_and_evaluates() -> None:
    recs = speech.run_demo(speech.SENTENCES[:2], ("en-us", "en-029"), speech.VARIANTS[:2], progress=False)
    assert len(recs) == 8 and {r["speaker"] for r in recs} == {
        "en-us+m1",
        "en-us+m3",
        "en-029+m1",
        "en-029+m3",
    }
    rep = evaluate(recs, "wer", "accent", cluster_by="speaker", min_n=2, min_clusters=2, n_boot=200)
    us = rep.group("accent=en-us")
    assert us.ci_method == "cluster-bootstrap" and us.denominator == 2 * sum(
        len(s.split()) for s in speech.SENTENCES[:2]
    )
    assert 0 <= us.value <= 1.5


@pytest.mark.slow
@pytest.mark.skipif(REASON is not None, reason=f"speech demo unavailable: {REASON}")
def test_full_demo_shows_an_accent_gap() -> None:
    recs = speech.run_demo(speech.SENTENCES[:12], speech.ACCENTS, speech.VARIANTS, progress=False)
    rep = evaluate(recs, "wer", "accent", cluster_by="speaker", min_n=10, min_clusters=3)
    assert rep.group("accent=en-us").value < rep.group("accent=en-029").value
    assert rep.disparity is not None and rep.disparity.gap_ci[0] > 0
