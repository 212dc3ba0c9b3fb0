"""Speech demo: word error rate by accent, with speakers as clusters.

Sentences are synthesized in several English accents with espeak-ng (each
accent spoken by several voice variants, which play the role of speakers),
transcribed by pocketsphinx's US-English acoustic model with a small domain
language model built from the sentence set, and scored with jiwer. WER is
then evaluated by accent with a cluster bootstrap over speakers. The groups
are the accents the audio was generated with (provenance "measured"), not
demographics imputed from voices.

Synthetic speech is a stand-in for recordings: it shows the method and how
an acoustic model tuned to one accent does worse on others, not how any real
product performs on real people.
"""

from __future__ import annotations

import io
import itertools
import math
import shutil
import subprocess
import sys
import tempfile
import wave
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .errors import FairnessError
from .metrics import normalize_text

SENTENCES = (
    "please move the meeting to thursday afternoon",
    "the train to the city leaves at seven",
    "can you call my sister after lunch",
    "turn off the lights in the kitchen",
    "what is the weather like tomorrow morning",
    "set an alarm for six thirty",
    "send the report to the team before noon",
    "the bus was late again this morning",
    "book a table for four people tonight",
    "play some music in the living room",
    "how long does it take to drive home",
    "remind me to buy milk and bread",
    "the store closes at nine in the evening",
    "add a meeting with the doctor on monday",
    "open the window in the bedroom please",
    "is it going to rain this weekend",
    "call the office and say i will be late",
    "the children are playing in the garden",
    "order more paper for the printer",
    "what time does the game start tonight",
)

ACCENTS = ("en-us", "en-gb", "en-gb-scotland", "en-029")
VARIANTS = ("m1", "m3", "f2", "f4", "m7")
# Speaking rate (words per minute) per variant: voices differ in tempo as well as timbre.
RATES = (150, 170, 140, 160, 130)


def available() -> str | None:
    """None when the demo can run, else the reason it cannot."""
    if shutil.which("espeak-ng") is None:
        return "espeak-ng is not installed (Debian: apt-get install espeak-ng)"
    import importlib.util

    for mod in ("pocketsphinx", "jiwer", "scipy"):
        if importlib.util.find_spec(mod) is None:
            return f"the Python package '{mod}' is not installed (pip install 'quod[fairness]')"
    return None


def synthesize(text: str, voice: str, rate: int = 150) -> np.ndarray:
    """16 kHz mono int16 audio of `text` spoken by an espeak-ng voice."""
    from scipy.signal import resample_poly  # type: ignore[import-untyped]

    proc = subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(rate), "--stdout", text], capture_output=True, check=False
    )
    if proc.returncode != 0 or not proc.stdout:
        raise FairnessError("Q1011", f"espeak-ng failed for voice '{voice}': {proc.stderr.decode()[:200]}")
    with wave.open(io.BytesIO(proc.stdout)) as w:
        rate_in = w.getframerate()
        x = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(float)
    g = math.gcd(16000, rate_in)
    y = resample_poly(x, 16000 // g, rate_in // g)
    return np.asarray(np.clip(y, -32768, 32767).astype(np.int16))


def write_arpa(sentences: Sequence[str], vocab: set[str], path: Path, discount: float = 0.5) -> None:
    """A bigram language model in ARPA format (absolute discounting with backoff)."""
    uni: Counter[str] = Counter()
    bi: Counter[tuple[str, str]] = Counter()
    for s in sentences:
        words = ["<s>", *[w for w in s.split() if w in vocab], "</s>"]
        uni.update(words[1:])
        bi.update(itertools.pairwise(words))
    words = sorted(set(uni) | {"<s>"})
    total = sum(uni.values()) + len(words) - 1  # add-one over every word except <s>
    p_uni = {w: (uni[w] + 1) / total for w in words if w != "<s>"}
    hist: Counter[str] = Counter()
    for (a, _), c in bi.items():
        hist[a] += c
    lines_bi, backoff = [], {}
    for a in words:
        seen = {b: c for (x, b), c in bi.items() if x == a}
        if not seen:
            continue
        n_types = len(seen)
        probs = {
            b: (c - discount) / hist[a] + discount * n_types / hist[a] * p_uni[b] for b, c in seen.items()
        }
        left = 1 - sum(probs.values())
        rest = 1 - sum(p_uni[b] for b in seen)
        backoff[a] = left / rest if rest > 0 else 1e-9
        lines_bi += [f"{math.log10(p):.6f} {a} {b}" for b, p in sorted(probs.items())]
    lines_uni = []
    for w in words:
        lp = -99.0 if w == "<s>" else math.log10(p_uni[w])
        bo = f" {math.log10(backoff[w]):.6f}" if w in backoff else ""
        lines_uni.append(f"{lp:.6f} {w}{bo}")
    text = ["\\data\\", f"ngram 1={len(lines_uni)}", f"ngram 2={len(lines_bi)}", "", "\\1-grams:"]
    text += [*lines_uni, "", "\\2-grams:", *lines_bi, "", "\\end\\", ""]
    path.write_text("\n".join(text), encoding="utf-8")


class Recognizer:
    """pocketsphinx with its bundled US-English acoustic model and a domain bigram LM.

    The pronunciation dictionary is cut down to the domain's words: loading the
    full CMU dictionary costs ~10 s of CPU, the domain subset a fraction of that.
    """

    def __init__(self, sentences: Sequence[str], workdir: Path) -> None:
        import pocketsphinx

        model = Path(pocketsphinx.get_model_path()) / "en-us"
        words = {w for s in sentences for w in s.split()}
        entries = _dictionary_entries(model / "cmudict-en-us.dict", words)
        vocab = {e.split(" ", 1)[0].split("(", 1)[0] for e in entries}
        missing = sorted(words - vocab)
        if missing:
            print(
                f"speech demo: words missing from the dictionary, left out of the LM: {missing}",
                file=sys.stderr,
            )
        lm, dic = workdir / "domain.lm", workdir / "domain.dict"
        write_arpa(sentences, vocab, lm)
        dic.write_text("".join(entries), encoding="utf-8")
        self.decoder = pocketsphinx.Decoder(
            hmm=str(model / "en-us"), dict=str(dic), lm=str(lm), samprate=16000, loglevel="FATAL"
        )

    def transcribe(self, audio: np.ndarray) -> str:
        d = self.decoder
        d.start_utt()
        d.process_raw(audio.tobytes(), full_utt=True)
        d.end_utt()
        hyp = d.hyp()
        return normalize_text(hyp.hypstr) if hyp is not None else ""


def _dictionary_entries(path: Path, words: set[str]) -> list[str]:
    """Lines of the CMU dictionary (with alternate pronunciations) for the given words."""
    out = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.split(" ", 1)[0].split("(", 1)[0] in words:
                out.append(line if line.endswith("\n") else line + "\n")
    return out


def run_demo(
    sentences: Sequence[str] = SENTENCES,
    accents: Sequence[str] = ACCENTS,
    variants: Sequence[str] = VARIANTS,
    progress: bool = True,
) -> list[dict[str, Any]]:
    """Synthesize, transcribe and return one record per utterance (reference, hypothesis, accent, speaker)."""
    reason = available()
    if reason:
        raise FairnessError("Q1011", f"speech demo skipped: {reason}")
    records: list[dict[str, Any]] = []
    total = len(sentences) * len(accents) * len(variants)
    with tempfile.TemporaryDirectory(prefix="quod-speech-") as tmp:
        rec = Recognizer(sentences, Path(tmp))
        for accent in accents:
            for k, var in enumerate(variants):
                for i, s in enumerate(sentences):
                    hyp = rec.transcribe(synthesize(s, f"{accent}+{var}", RATES[k % len(RATES)]))
                    records.append(
                        {
                            "accent": accent,
                            "speaker": f"{accent}+{var}",
                            "sentence": i,
                            "reference": s,
                            "hypothesis": hyp,
                        }
                    )
                    if progress:
                        print(
                            f"\rspeech demo: {len(records)}/{total} utterances",
                            end="",
                            file=sys.stderr,
                            flush=True,
                        )
    if progress:
        print(file=sys.stderr)
    return records
