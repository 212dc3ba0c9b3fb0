"""Fixtures for `quod agents` tests: a tiny tokenizer and model built in the test, single-threaded torch."""

from __future__ import annotations

from typing import Any

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")
torch.set_num_threads(1)


@pytest.fixture(scope="session")
def app_policy() -> Any:
    """A tokenizer trained on the app environment's texts and a random 2-layer model."""
    from quod.apps.agents.envs import make_env
    from quod.apps.agents.models import build_tokenizer, env_texts, tiny_policy

    env = make_env("app")
    tok = build_tokenizer(env_texts(env, n_tasks=16), vocab_size=384)
    return tiny_policy(tok, layers=2, hidden=32, heads=2, seed=0)


@pytest.fixture()
def app_sim(app_policy: Any) -> Any:
    from quod.apps.agents.envs import make_env
    from quod.apps.agents.models import PlainFormat
    from quod.apps.agents.rollout.hf import HFEngine
    from quod.apps.agents.simulator import SimConfig, Simulator

    pol = app_policy
    engine = HFEngine(pol.model, pol.pad_id, pol.stop_ids)
    fmt = PlainFormat(pol.tokenizer, pol.stop_ids[0])
    return Simulator(
        lambda: make_env("app"),
        engine,
        fmt,
        SimConfig(group_size=4, max_turns=3, prompt_style="none"),
        lambda ids: pol.tokenizer.decode(list(ids)),
        pol.stop_ids,
        pol.vocab_size,
    )
