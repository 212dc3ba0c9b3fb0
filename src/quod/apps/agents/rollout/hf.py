"""Rollout with Hugging Face transformers on the local CPU (or GPU), batched per turn.

One prefill over the left-padded contexts of all active episodes, then decode
steps for the whole batch with the KV cache; under constrained decoding, the
tokens forced by the allowed set are appended without a forward pass of
their own (jump-forward) and fed to the model in one block. Sampling is done
here rather than by `generate()` so that the logprob recorded for each token
is the one of the distribution actually sampled from, including the
constrained-decoding mask.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Sequence
from typing import Any

from quod.apps.agents.rollout.base import Generation, GenRequest, Sampling, TokenTrie


class HFEngine:
    name = "hf"

    def __init__(
        self, model: Any, pad_id: int, stop_ids: Sequence[int], device: str = "cpu", copy_model: bool = True
    ) -> None:
        import torch

        self.torch = torch
        # the engine samples from its own copy: the trainer's updates reach it only by update_weights
        self.model = copy.deepcopy(model) if copy_model else model
        self.model.to(device)
        self.model.eval()
        self.pad_id = pad_id
        self.stop_ids = frozenset(int(s) for s in stop_ids)
        self.device = device
        self.version = 0
        self.tokens_generated = 0
        self._gen = torch.Generator(device="cpu")

    def supports_constraints(self) -> bool:
        return True

    def update_weights(self, model: Any, version: int) -> float:
        start = time.perf_counter()
        with self.torch.no_grad():
            src = model.state_dict()
            for name, p in self.model.state_dict().items():
                p.copy_(src[name])
        self.version = version
        return time.perf_counter() - start

    def generate(self, requests: Sequence[GenRequest], sampling: Sampling) -> list[Generation]:
        if not requests:
            return []
        torch = self.torch
        self._gen.manual_seed(sampling.seed)
        with torch.no_grad():
            return self._generate(list(requests), sampling)

    def _generate(self, requests: list[GenRequest], sampling: Sampling) -> list[Generation]:
        torch = self.torch
        b = len(requests)
        width = max(len(r.context) for r in requests)
        ids = torch.full((b, width), self.pad_id, dtype=torch.long)
        attn = torch.zeros((b, width), dtype=torch.long)
        for i, r in enumerate(requests):
            ids[i, width - len(r.context) :] = torch.tensor(r.context, dtype=torch.long)
            attn[i, width - len(r.context) :] = 1
        pos = (attn.cumsum(-1) - 1).clamp(min=0)
        out = self.model(
            input_ids=ids.to(self.device),
            attention_mask=attn.to(self.device),
            position_ids=pos.to(self.device),
            use_cache=True,
            logits_to_keep=1,
        )
        past, logits = out.past_key_values, out.logits[:, -1, :].float().cpu()
        gens = [Generation([], [], [] if r.trie is not None else None, "length") for r in requests]
        nodes = [r.trie.root if r.trie is not None else None for r in requests]
        active = [True] * b
        next_pos = pos[:, -1] + 1
        while any(active):
            fed = self._sample_step(logits, requests, nodes, active, gens, sampling)
            if not any(active):
                break
            # feed every row's new tokens in one block; shorter rows are padded with masked slots
            w = max(len(f) for f in fed)
            block = torch.full((b, w), self.pad_id, dtype=torch.long)
            block_mask = torch.zeros((b, w), dtype=torch.long)
            for i, f in enumerate(fed):
                if f:
                    block[i, : len(f)] = torch.tensor(f, dtype=torch.long)
                    block_mask[i, : len(f)] = 1
            attn = torch.cat([attn, block_mask], dim=1)
            positions = next_pos.view(b, 1) + torch.arange(w).view(1, w)
            out = self.model(
                input_ids=block.to(self.device),
                attention_mask=attn.to(self.device),
                position_ids=positions.to(self.device),
                past_key_values=past,
                use_cache=True,
            )
            last = torch.tensor([max(len(f), 1) - 1 for f in fed])
            past, logits = out.past_key_values, out.logits[torch.arange(b), last, :].float().cpu()
            next_pos = next_pos + torch.tensor([len(f) for f in fed])
        return gens

    def _sample_step(
        self,
        logits: Any,
        requests: list[GenRequest],
        nodes: list[Any],
        active: list[bool],
        gens: list[Generation],
        sampling: Sampling,
    ) -> list[list[int]]:
        """Sample one token per active row, then append the forced tokens that follow it.

        Returns, per row, the tokens to feed to the model next (empty for rows that finished).
        Forced tokens (a single allowed continuation) have probability 1 under the
        constrained distribution: they are emitted without a forward pass each
        ("jump-forward"), which is where most of the tokens of a tool call are.
        """
        torch = self.torch
        temp = 1.0 if sampling.greedy else sampling.temperature
        logp_all = torch.log_softmax(logits / temp, dim=-1)
        fed: list[list[int]] = [[] for _ in requests]
        for i, r in enumerate(requests):
            if not active[i]:
                continue
            g = gens[i]
            logp = logp_all[i]
            allowed: list[int] | None = None
            if r.trie is not None:
                allowed = r.trie.allowed(nodes[i])
                masked = torch.full_like(logits[i], float("-inf"))
                masked[allowed] = logits[i][allowed] / temp
                logp = torch.log_softmax(masked, dim=-1)
            if sampling.greedy:
                tok = int(torch.argmax(logp))
            else:
                tok = int(torch.multinomial(logp.exp(), 1, generator=self._gen))
            g.ids.append(tok)
            g.logprobs.append(float(logp[tok]))
            fed[i].append(tok)
            self.tokens_generated += 1
            if r.trie is None:
                if tok in self.stop_ids:
                    active[i] = False
                    g.finish = "stop"
                    fed[i] = []
                elif len(g.ids) >= sampling.max_new_tokens:
                    active[i] = False
                    fed[i] = []
                continue
            assert allowed is not None and g.allowed is not None
            g.allowed.append(allowed)
            trie: TokenTrie = r.trie
            nodes[i] = trie.step(nodes[i], tok)
            while len(nodes[i]) == 1 and len(g.ids) < sampling.max_new_tokens:
                (forced,) = nodes[i]
                g.ids.append(forced)
                g.logprobs.append(0.0)
                g.allowed.append([forced])
                fed[i].append(forced)
                self.tokens_generated += 1
                nodes[i] = trie.step(nodes[i], forced)
            if trie.finished(nodes[i]):
                active[i] = False
                g.finish = "stop"
                g.choice = trie.index_of(nodes[i])
                fed[i] = []
            elif len(g.ids) >= sampling.max_new_tokens:
                active[i] = False
                fed[i] = []
        return fed
