"""Agentic RAG: BM25 over the bundled corpus, EM/F1 rewards, scripted episodes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("rank_bm25")

from quod.apps.agents.envs.rag import RagEnv, answer_spans, exact_match, f1_score, load_corpus  # noqa: E402
from quod.apps.agents.errors import ConfigError, EnvDataError  # noqa: E402
from quod.apps.agents.tools import ToolCall  # noqa: E402


def test_metrics() -> None:
    assert exact_match("The Chaff solver.", "chaff solver") == 1.0
    assert exact_match("Chaff", "GRASP") == 0.0
    assert f1_score("Martin Davis", "Davis") == pytest.approx(2 * 0.5 * 1 / 1.5)
    assert f1_score("", "x") == 0.0


def test_bm25_finds_the_supporting_document() -> None:
    env = RagEnv()
    hits = 0
    for q in env.corpus["questions"]:
        hits += any(d in env.search(q["question"]) for d in q["support"])
    # measured: every question retrieves a supporting document in its top 3
    assert hits == len(env.corpus["questions"])


def test_every_answer_is_reachable_and_rewarded() -> None:
    env = RagEnv(metric="em")
    for task in env.tasks("train") + env.tasks("test"):
        env.reset(task)
        env.step(ToolCall("search", {"query": task.instruction}).render())
        support = next(q for q in env.corpus["questions"] if q["question"] == task.instruction)["support"][0]
        assert ToolCall("read", {"doc_id": support}).render() in (env.candidate_actions() or [])
        env.step(ToolCall("read", {"doc_id": support}).render())
        gold = task.ground_truth[0]
        offered = env.candidate_actions() or []
        assert ToolCall("answer", {"text": gold}).render() in offered or len(gold.split()) > 3
        res = env.step(ToolCall("answer", {"text": gold}).render())
        assert res.done and env.episode_reward() == 1.0
        env.reset(task)
        env.step(ToolCall("answer", {"text": "no idea"}).render())
        assert env.episode_reward() == 0.0


def test_splits_are_disjoint() -> None:
    env = RagEnv()
    train = {t.id for t in env.tasks("train")}
    test = {t.id for t in env.tasks("test")}
    assert train and test and not train & test and len(train | test) == 30


def test_answer_spans() -> None:
    assert answer_spans("GRASP in 1996", 2) == ["GRASP", "in", "1996", "GRASP in", "in 1996"]


def test_corpus_errors(tmp_path: Path) -> None:
    p = tmp_path / "c.json"
    p.write_text('{"docs": [{"id": "a", "title": "t"}]}')
    with pytest.raises(EnvDataError, match=r"\$.docs\[0\].text"):
        load_corpus(p)
    p.write_text(
        json.dumps(
            {
                "docs": [{"id": "a", "title": "t", "text": "x"}],
                "questions": [{"question": "q", "answers": ["x"], "support": ["b"]}],
            }
        )
    )
    with pytest.raises(EnvDataError, match="unknown document 'b'"):
        load_corpus(p)
    with pytest.raises(ConfigError, match="metric"):
        RagEnv(metric="bleu")
