"""The rollout-engine interface, and token tries for constrained decoding.

An engine takes token-id contexts and returns sampled ids with the logprob of
each under the distribution it sampled from (after temperature and, when
constrained, after masking to the allowed tokens). The trainer recomputes
logprobs under exactly that distribution, so the two must agree on both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class Sampling:
    temperature: float = 1.0
    max_new_tokens: int = 64
    # 0 means greedy decoding (evaluation); logprobs are then those at temperature 1
    greedy: bool = False
    seed: int = 0


class TokenTrie:
    """The set of allowed continuations (each a token sequence ending in a stop token)."""

    def __init__(self, sequences: Sequence[Sequence[int]]) -> None:
        self.root: dict[int, Any] = {}
        self.ends: dict[int, int] = {}  # id(node) of a completed sequence -> index
        for i, seq in enumerate(sequences):
            if not seq:
                raise ValueError("empty allowed sequence")
            node = self.root
            for tok in seq:
                node = node.setdefault(int(tok), {})
            self.ends.setdefault(id(node), i)

    def allowed(self, node: dict[int, Any]) -> list[int]:
        return sorted(node)

    def step(self, node: dict[int, Any], tok: int) -> dict[int, Any]:
        return node[tok]  # type: ignore[no-any-return]

    def finished(self, node: dict[int, Any]) -> bool:
        return not node

    def index_of(self, node: dict[int, Any]) -> int | None:
        """Which sequence ends at `node` (None if none does)."""
        return self.ends.get(id(node))


@dataclass
class GenRequest:
    context: list[int]
    trie: TokenTrie | None = None


@dataclass
class Generation:
    ids: list[int]
    logprobs: list[float]
    # per token, the allowed ids when decoding was constrained
    allowed: list[list[int]] | None = None
    finish: str = "stop"  # stop | length
    # which allowed sequence was produced (constrained decoding only)
    choice: int | None = None
    info: dict[str, Any] = field(default_factory=dict)


class RolloutEngine(Protocol):
    name: str
    # policy version of the weights currently used for sampling
    version: int

    def generate(self, requests: Sequence[GenRequest], sampling: Sampling) -> list[Generation]: ...

    def update_weights(self, model: Any, version: int) -> float:
        """Take the trainer's weights; returns the seconds it took."""

    def supports_constraints(self) -> bool: ...
