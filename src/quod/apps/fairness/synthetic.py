"""Synthetic data with known group structure, for examples, tests and benchmarks.

`classification(n)` draws records whose label follows x1 in regions a and b
but x2 in region c, so a model thresholding x1 is right ~90% of the time in
a/b and at chance in c: a known gap that a bias-bounty submission can fix.
`clustered_ratio(...)` draws WER-like counts with per-speaker error rates, so
the true corpus rate of each group is known exactly.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def classification(n: int, seed: int = 0, share_c: float = 0.2) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        region = "c" if rng.random() < share_c else ("a" if rng.random() < 0.5 else "b")
        x1, x2 = float(rng.random()), float(rng.random())
        signal = x2 if region == "c" else x1
        label = int(signal > 0.5) if rng.random() > 0.1 else int(signal <= 0.5)  # 10% label noise
        out.append(
            {
                "id": f"r{seed}-{i}",
                "region": region,
                "age": int(rng.integers(18, 80)),
                "x1": round(x1, 4),
                "x2": round(x2, 4),
                "label": label,
            }
        )
    return out


BASE_MODEL = {"type": "threshold", "field": "x1", "threshold": 0.5, "above": 1, "below": 0}
FIX_C = {"type": "threshold", "field": "x2", "threshold": 0.5, "above": 1, "below": 0}


def clustered_ratio(
    groups: dict[str, float],
    speakers: int,
    utterances: int,
    seed: int = 0,
    concentration: float = 8.0,
) -> list[dict[str, Any]]:
    """Records (group, speaker, errors, words) whose true corpus rate per group is `groups[g]`.

    Each speaker's error rate is Beta with mean groups[g] (smaller concentration
    = stronger speaker effect); word counts are independent of the rate, so the
    expected sum(errors)/sum(words) equals the mean exactly.
    """
    rng = np.random.default_rng(seed)
    out = []
    for g, mean in groups.items():
        for s in range(speakers):
            p = rng.beta(mean * concentration, (1 - mean) * concentration)
            for _ in range(utterances):
                words = int(rng.integers(4, 16))
                out.append(
                    {"group": g, "speaker": f"{g}-{s}", "errors": int(rng.binomial(words, p)), "words": words}
                )
    return out
