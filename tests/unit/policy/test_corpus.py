"""The shared corpus (../shared/bench/policy): every policy parses or is rejected precisely, and encodes.

Parsing everything is fast and runs by default; encoding every policy under
both readings takes ~20 s and is marked slow (a sample runs by default).
"""

from __future__ import annotations

import functools

import pytest
from tests.benchdata import shared_bench

from quod.core.errors import QuodError
from quod.policy.corpus import load_all
from quod.policy.encode import Encoder, Vocabulary
from quod.policy.errors import UnsupportedFeature
from quod.policy.queries import PUBLIC_EXTRA_KEYS, readings_for
from quod.policy.schema import Schema

BENCH = shared_bench() / "policy"
MANAGED = BENCH / "aws_managed_policies.jsonl"
SAMPLES = sorted((BENCH / "quacky_samples").glob("*.json"))
pytestmark = pytest.mark.skipif(not MANAGED.exists(), reason="shared policy corpus not present")

# files in quacky_samples that are not IAM policies: Quacky "domain" files, and three
# policies whose Principal is a list of bare names (IAM requires "*" or {"AWS": ...})
EXPECTED_REJECTIONS = {
    "_domain.json": ("$.Resource", "$.Principal"),
    "allow_notprincipal_policy.json": ("$.Statement[0].NotPrincipal",),
    "allow_principals_policy.json": ("$.Statement[0].Principal",),
    "allow_pstar_policy.json": ("$.Statement[0].Principal",),
}


@functools.lru_cache(maxsize=1)
def _all() -> list[tuple[str, object]]:
    out: list[tuple[str, object]] = list(load_all(MANAGED))
    for f in SAMPLES:
        out += list(load_all(f))
    return out


def test_every_policy_parses_or_is_rejected_precisely() -> None:
    docs = _all()
    managed = [r for n, r in docs if n.startswith(str(MANAGED))]
    assert len(managed) == 1641 and all(not isinstance(r, QuodError) for r in managed)
    rejected = [(n, r) for n, r in docs if isinstance(r, QuodError)]
    assert len(rejected) == 12
    for name, err in rejected:
        assert isinstance(err, QuodError)
        suffix = next(s for s in EXPECTED_REJECTIONS if name.endswith(s))
        assert err.message.startswith(EXPECTED_REJECTIONS[suffix]), err.message
        assert err.span is not None and err.span.line >= 1 and err.diagnostic.code == "Q0802"


def _encode_all(policies: list[object]) -> tuple[int, list[str]]:
    done, unsupported = 0, []
    for p in policies:
        for r in readings_for([p]):  # type: ignore[list-item]
            v = Vocabulary(Schema.of([p], PUBLIC_EXTRA_KEYS))  # type: ignore[list-item]
            try:
                Encoder(v, r).allowed(p)  # type: ignore[arg-type]
                done += 1
            except UnsupportedFeature as e:
                unsupported.append(e.message)
    return done, unsupported


def test_sample_encodes() -> None:
    pols = [r for _, r in _all() if not isinstance(r, QuodError)]
    done, unsupported = _encode_all(pols[::25] + pols[1641:])
    assert done > 250
    assert all("case-insensitive" in u for u in unsupported)


@pytest.mark.slow
def test_whole_corpus_encodes() -> None:
    pols = [r for _, r in _all() if not isinstance(r, QuodError)]
    done, unsupported = _encode_all(pols)
    # the one policy quod cannot encode compares a tag to ${aws:username} ignoring case
    assert len(unsupported) == 1 and "case-insensitive" in unsupported[0]
    assert done > 2700
