"""Agentic RAG: search a small bundled corpus with BM25, read documents, answer.

The corpus (`data/rag_corpus.json`) was written for quod: 24 short notes on
logic, verification and RL with 30 questions whose answers occur in them.
The reward is exact match or token F1 (SQuAD-style normalisation: lower case,
no punctuation or articles) against the best of the gold answers.
"""

from __future__ import annotations

import json
import re
import string
from collections import Counter
from importlib import resources
from pathlib import Path
from typing import Any

from quod.apps.agents.envs.base import Task, ToolEnv, split_rng
from quod.apps.agents.errors import ConfigError, EnvDataError, require
from quod.apps.agents.tools import STR, Tool, ToolCall, obj

_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9+\-]*")


def normalize_answer(s: str) -> str:
    s = s.lower()
    s = "".join(ch for ch in s if ch not in set(string.punctuation) - {"-"})
    s = re.sub(r"\b(a|an|the)\b", " ", s)
    return " ".join(s.split())


def exact_match(prediction: str, gold: str) -> float:
    return float(normalize_answer(prediction) == normalize_answer(gold))


def f1_score(prediction: str, gold: str) -> float:
    p, g = normalize_answer(prediction).split(), normalize_answer(gold).split()
    common = Counter(p) & Counter(g)
    same = sum(common.values())
    if same == 0:
        return 0.0
    precision, recall = same / len(p), same / len(g)
    return 2 * precision * recall / (precision + recall)


def tokenize(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def load_corpus(path: Path | None = None) -> dict[str, Any]:
    """The bundled corpus, or a user's file with the same shape."""
    if path is None:
        text = resources.files("quod.apps.agents.envs").joinpath("data/rag_corpus.json").read_text("utf-8")
        where = "rag_corpus.json"
    else:
        try:
            text = path.read_text("utf-8")
        except OSError as e:
            raise EnvDataError(f"{path}: cannot read corpus: {e.strerror}") from None
        where = str(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise EnvDataError(f"{where}:{e.lineno}:{e.colno}: invalid JSON: {e.msg}") from None
    _check_corpus(data, where)
    return data  # type: ignore[no-any-return]


def _check_corpus(data: Any, where: str) -> None:
    if not isinstance(data, dict) or not isinstance(data.get("docs"), list) or not data["docs"]:
        raise EnvDataError(f"{where}: $.docs must be a non-empty list")
    ids = set()
    for i, d in enumerate(data["docs"]):
        for key in ("id", "title", "text"):
            if not isinstance(d, dict) or not isinstance(d.get(key), str):
                raise EnvDataError(f"{where}: $.docs[{i}].{key} must be a string")
        ids.add(d["id"])
    for i, q in enumerate(data.get("questions", [])):
        if not isinstance(q, dict) or not isinstance(q.get("question"), str):
            raise EnvDataError(f"{where}: $.questions[{i}].question must be a string")
        answers = q.get("answers")
        if not isinstance(answers, list) or not answers or not all(isinstance(a, str) for a in answers):
            raise EnvDataError(f"{where}: $.questions[{i}].answers must be a non-empty list of strings")
        for s in q.get("support", []):
            if s not in ids:
                raise EnvDataError(f"{where}: $.questions[{i}].support names unknown document {s!r}")


class RagEnv(ToolEnv):
    name = "rag"
    finish_tool = "answer"

    def __init__(self, corpus: Path | None = None, metric: str = "f1", top_k: int = 3) -> None:
        super().__init__()
        if metric not in ("em", "f1"):
            raise ConfigError(f"env.metric: expected 'em' or 'f1', got {metric!r}")
        self.metric = metric
        self.top_k = top_k
        self.corpus = load_corpus(corpus)
        self.docs: dict[str, dict[str, str]] = {d["id"]: d for d in self.corpus["docs"]}
        self._order = [d["id"] for d in self.corpus["docs"]]
        rank_bm25: Any = require("rank_bm25")
        self._bm25 = rank_bm25.BM25Okapi(
            [tokenize(d["title"] + " " + d["text"]) for d in self.corpus["docs"]]
        )
        self.answer_given: str | None = None
        self.last_read: str | None = None
        self.last_hits: list[str] = []

    def tools(self) -> list[Tool]:
        return [
            Tool(
                "search",
                "BM25 search over the corpus; returns document ids and titles.",
                obj(["query"], query=STR),
            ),
            Tool("read", "Read a document by id.", obj(["doc_id"], doc_id=STR)),
            Tool("answer", "Give the final answer (ends the episode).", obj(["text"], text=STR)),
        ]

    def search(self, query: str) -> list[str]:
        terms = tokenize(query)
        if not terms:
            return []
        scores = self._bm25.get_scores(terms)
        ranked = sorted(range(len(self._order)), key=lambda i: (-scores[i], i))
        return [self._order[i] for i in ranked[: self.top_k] if scores[i] > 0]

    def tool_search(self, query: str) -> str:
        self.last_hits = self.search(query)
        if not self.last_hits:
            return "no results"
        return "; ".join(f"{d}: {self.docs[d]['title']}" for d in self.last_hits)

    def tool_read(self, doc_id: str) -> str:
        doc = self.docs.get(doc_id)
        if doc is None:
            return f"error: no document {doc_id}"
        self.last_read = doc_id
        return doc["text"]

    def _finish(self, call: ToolCall) -> str:
        self.answer_given = str(call.args["text"])
        return "answer recorded"

    def _reset_state(self, task: Task) -> None:
        self.answer_given = None
        self.last_read = None
        self.last_hits = []

    def final_state(self) -> str | None:
        return self.answer_given

    def reward(self, final_state: Any, ground_truth: Any) -> float:
        if final_state is None:
            return 0.0
        score = exact_match if self.metric == "em" else f1_score
        return max(score(str(final_state), g) for g in ground_truth)

    def candidate_actions(self) -> list[str] | None:
        """Search for the question, read a hit, or answer with a span of the document read last."""
        assert self.task is not None
        calls = [ToolCall("search", {"query": self.task.data["question"]})]
        calls += [ToolCall("read", {"doc_id": d}) for d in self.last_hits]
        if self.last_read is not None:
            calls += [
                ToolCall("answer", {"text": s}) for s in answer_spans(self.docs[self.last_read]["text"])
            ]
        return [c.render() for c in calls]

    def tasks(self, split: str = "train", n: int | None = None, seed: int = 0) -> list[Task]:
        qs = list(self.corpus.get("questions", []))
        split_rng(seed, "rag").shuffle(qs)
        cut = (2 * len(qs)) // 3
        chosen = qs[:cut] if split == "train" else qs[cut:]
        tasks = [
            Task(f"rag-{q.get('id', i)}", q["question"], list(q["answers"]), {"question": q["question"]})
            for i, q in enumerate(chosen)
        ]
        return tasks[:n] if n is not None else tasks


def answer_spans(text: str, max_len: int = 3) -> list[str]:
    """Candidate answers: every run of up to `max_len` words of the text (deduplicated, in order)."""
    words = _WORD.findall(text)
    seen: dict[str, None] = {}
    for n in range(1, max_len + 1):
        for i in range(len(words) - n + 1):
            seen.setdefault(" ".join(words[i : i + n]), None)
    return list(seen)
