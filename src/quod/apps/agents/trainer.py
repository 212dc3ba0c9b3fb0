"""The torch trainer: PPO (actor, value head, frozen reference + KL), GRPO and RLOO.

Logprobs are recomputed on the trajectories' own token ids (never on re-tokenized
text), under the same distribution the sampler used: the rollout temperature
and, for constrained turns, the same allowed-token mask. The importance ratio
is taken against the sampler's logprobs stored in the trajectory, so a batch
sampled by slightly older weights (bounded staleness) is corrected for.

Loss per model token t (A = advantage, r = ratio new/behaviour):
  policy   -min(r A, clip(r, 1 - clip, 1 + clip_high) A)
  KL       kl_coef * k3(ref, new)              (kl_mode: loss; GRPO style)
           or -kl_coef * (logp_old - logp_ref) added to the reward (kl_mode: reward; PPO style)
  entropy  -entropy_coef * H(new)
  value    value_coef * clipped squared error   (PPO only)
averaged over all tokens of the batch (loss_agg: token) or per sequence first.
"""

from __future__ import annotations

import copy
import math
import random
import time
from dataclasses import dataclass, field
from typing import Any

from quod.apps.agents.advantages import NEEDS_VALUES, AdvConfig, AdvInput, get_advantage
from quod.apps.agents.errors import ConfigError
from quod.apps.agents.models import Policy
from quod.apps.agents.trajectory import Trajectory

ALGOS = {"grpo": "grpo", "rloo": "rloo", "ppo": "gae"}


@dataclass
class TrainerConfig:
    algo: str = "grpo"
    # advantage function by name; default: the algorithm's (ppo -> gae)
    advantage: str | None = None
    lr: float = 1e-3
    epochs: int = 1
    # trajectories per optimizer step (0: the whole batch)
    minibatch: int = 0
    clip: float = 0.2
    clip_high: float | None = None
    kl_coef: float = 0.0
    kl_mode: str = "loss"
    # keep a frozen reference even without a KL penalty, to report KL(policy || reference)
    track_kl: bool = True
    entropy_coef: float = 0.0
    value_coef: float = 0.5
    value_clip: float = 0.2
    whiten_advantages: bool = True
    max_grad_norm: float = 1.0
    loss_agg: str = "token"
    temperature: float = 1.0
    adv: AdvConfig = field(default_factory=AdvConfig)

    def advantage_name(self) -> str:
        return self.advantage or ALGOS[self.algo]

    def check(self) -> None:
        if self.algo not in ALGOS:
            raise ConfigError(f"trainer.algo: expected one of {', '.join(ALGOS)}, got {self.algo!r}")
        if self.kl_mode not in ("loss", "reward"):
            raise ConfigError(f"trainer.kl_mode: expected loss or reward, got {self.kl_mode!r}")
        if self.loss_agg not in ("token", "sequence"):
            raise ConfigError(f"trainer.loss_agg: expected token or sequence, got {self.loss_agg!r}")
        if self.adv.level not in ("token", "turn"):
            raise ConfigError(f"trainer.gae_level: expected token or turn, got {self.adv.level!r}")
        for name in ("lr", "clip", "temperature"):
            if not getattr(self, name) > 0:
                raise ConfigError(f"trainer.{name}: must be positive")
        get_advantage(self.advantage_name())
        if self.advantage_name() in NEEDS_VALUES and self.algo != "ppo":
            raise ConfigError(f"trainer.advantage: {self.advantage_name()} needs a critic; use algo: ppo")


@dataclass
class _Batch:
    ids: Any  # [B, L]
    attn: Any  # [B, L]
    rows: Any  # [N] batch row of each model token
    cols: Any  # [N] position of the logits that predict it (its index - 1)
    targets: Any  # [N]
    old_logp: Any  # [N] sampler logprobs
    mask: Any | None  # [N, V] allowed tokens, or None when nothing was constrained
    segs: list[tuple[int, int]]  # per trajectory, its slice of the N tokens


class Trainer:
    def __init__(self, policy: Policy, config: TrainerConfig, seed: int = 0) -> None:
        import torch

        config.check()
        self.torch = torch
        self.cfg = config
        self.policy = policy
        self.model = policy.model
        self.model.train()
        self.device = next(self.model.parameters()).device
        self.rng = random.Random(seed)
        self.version = 0
        self.ref = None
        # the frozen reference also serves to monitor drift (the KL curve) when no penalty is set
        if config.kl_coef > 0 or config.track_kl:
            self.ref = copy.deepcopy(self.model)
            self.ref.eval()
            for p in self.ref.parameters():
                p.requires_grad_(False)
        self.value_head = None
        params = list(self.model.parameters())
        if config.algo == "ppo":
            hidden = int(self.model.config.hidden_size)
            self.value_head = torch.nn.Linear(hidden, 1)
            torch.nn.init.zeros_(self.value_head.weight)
            torch.nn.init.zeros_(self.value_head.bias)
            params += list(self.value_head.parameters())
        self.opt = torch.optim.AdamW(params, lr=config.lr, weight_decay=0.0)
        self.tokens_trained = 0

    # --- batching -------------------------------------------------------------

    def _batch(self, trajs: list[Trajectory]) -> _Batch:
        torch = self.torch
        width = max(t.length for t in trajs)
        ids = torch.full((len(trajs), width), self.policy.pad_id, dtype=torch.long)
        attn = torch.zeros((len(trajs), width), dtype=torch.long)
        rows: list[int] = []
        cols: list[int] = []
        targets: list[int] = []
        old: list[float] = []
        allowed: list[list[int] | None] = []
        segs: list[tuple[int, int]] = []
        any_constrained = False
        for b, t in enumerate(trajs):
            flat = t.ids
            ids[b, : len(flat)] = torch.tensor(flat, dtype=torch.long)
            attn[b, : len(flat)] = 1
            start = len(rows)
            for turn in t.model_turns():
                assert turn.logprobs is not None
                for k, tok in enumerate(turn.ids):
                    pos = turn.prefix_len + k
                    rows.append(b)
                    cols.append(pos - 1)
                    targets.append(tok)
                    old.append(turn.logprobs[k])
                    allowed.append(turn.allowed[k] if turn.allowed is not None else None)
                    any_constrained |= turn.allowed is not None
            segs.append((start, len(rows)))
        mask = None
        if any_constrained:
            mask = torch.zeros((len(rows), self.policy.vocab_size), dtype=torch.bool)
            for i, a in enumerate(allowed):
                if a is None:
                    mask[i] = True
                else:
                    mask[i, a] = True
        return _Batch(
            ids,
            attn,
            torch.tensor(rows, dtype=torch.long),
            torch.tensor(cols, dtype=torch.long),
            torch.tensor(targets, dtype=torch.long),
            torch.tensor(old, dtype=torch.float32),
            mask,
            segs,
        )

    def _forward(self, model: Any, batch: _Batch, values: bool = False) -> tuple[Any, Any, Any]:
        """Logprob of each model token, entropy of its distribution, value estimate (or None)."""
        torch = self.torch
        dev = self.device
        out = model(
            input_ids=batch.ids.to(dev), attention_mask=batch.attn.to(dev), output_hidden_states=values
        )
        rows, cols = batch.rows.to(dev), batch.cols.to(dev)
        # losses are computed on the CPU side in float32 (small: one row per model token)
        logits = out.logits[rows, cols].float().cpu() / self.cfg.temperature
        if batch.mask is not None:
            logits = logits.masked_fill(~batch.mask, float("-inf"))
        logp_all = torch.log_softmax(logits, dim=-1)
        logp = logp_all.gather(1, batch.targets.view(-1, 1)).squeeze(1)
        # masked entries are -inf; zero them before p * logp or their gradient is NaN
        safe = logp_all.masked_fill(~torch.isfinite(logp_all), 0.0)
        ent = -(safe.exp() * safe).sum(-1) if batch.mask is None else -(logp_all.exp() * safe).sum(-1)
        v = None
        if values and self.value_head is not None:
            h = out.hidden_states[-1][rows, cols].float().cpu()
            v = self.value_head(h).squeeze(-1)
        return logp, ent, v

    # --- one update -----------------------------------------------------------

    def step(self, trajs: list[Trajectory]) -> dict[str, float]:
        """One policy update on a batch of trajectories; bumps the policy version."""
        torch = self.torch
        cfg = self.cfg
        trajs = [t for t in trajs if t.num_model_tokens > 0]
        if not trajs:
            return {}
        t0 = time.perf_counter()
        batch = self._batch(trajs)
        with torch.no_grad():
            cur_logp, _, cur_v = self._forward(self.model, batch, values=self.value_head is not None)
            ref_logp = self._forward(self.ref, batch)[0] if self.ref is not None else None
        mismatch = (cur_logp - batch.old_logp).abs()
        same_version = torch.tensor(
            [t.policy_version == self.version for t in trajs for _ in range(t.num_model_tokens)],
            dtype=torch.bool,
        )
        rewards = self._token_rewards(trajs, batch, ref_logp)
        values = [cur_v[s:e].tolist() for s, e in batch.segs] if cur_v is not None else None
        adv_out = get_advantage(cfg.advantage_name())(AdvInput(trajs, rewards, values, cfg.adv))
        adv = torch.tensor([a for seq in adv_out.advantages for a in seq], dtype=torch.float32)
        if cfg.algo == "ppo" and cfg.whiten_advantages and adv.numel() > 1:
            adv = (adv - adv.mean()) / (adv.std() + 1e-8)
        rets = None
        if adv_out.returns is not None:
            rets = torch.tensor([r for seq in adv_out.returns for r in seq], dtype=torch.float32)
        stats = self._optimize(trajs, batch, adv, rets, cur_v, ref_logp)
        self.version += 1
        self.tokens_trained += int(batch.targets.numel())
        stats.update(
            adv_mean=float(adv.mean()),
            adv_abs=float(adv.abs().mean()),
            train_tokens=float(batch.targets.numel()),
            train_seconds=time.perf_counter() - t0,
        )
        if bool(same_version.any()):
            # sampler vs trainer logprobs under identical weights: ~0 when tokens go in and out unchanged
            stats["logprob_mismatch"] = float(mismatch[same_version].max())
        return stats

    def _token_rewards(self, trajs: list[Trajectory], batch: _Batch, ref_logp: Any) -> list[list[float]]:
        out = []
        for t, (s, e) in zip(trajs, batch.segs):
            r = [0.0] * (e - s)
            r[-1] = float(t.reward or 0.0)
            if self.cfg.kl_mode == "reward" and ref_logp is not None:
                kl = (batch.old_logp[s:e] - ref_logp[s:e]).tolist()
                r = [x - self.cfg.kl_coef * k for x, k in zip(r, kl)]
            out.append(r)
        return out

    def _optimize(
        self, trajs: list[Trajectory], batch: _Batch, adv: Any, rets: Any, old_v: Any, ref_logp: Any
    ) -> dict[str, float]:
        torch = self.torch
        cfg = self.cfg
        n = len(trajs)
        mb = cfg.minibatch if 0 < cfg.minibatch < n else n
        acc: dict[str, list[float]] = {}
        for _ in range(cfg.epochs):
            order = list(range(n))
            self.rng.shuffle(order)
            for start in range(0, n, mb):
                idx = order[start : start + mb]
                sub = self._sub(trajs, idx)
                tok = torch.tensor([i for b in idx for i in range(*batch.segs[b])], dtype=torch.long)
                logp, ent, v = self._forward(self.model, sub, values=self.value_head is not None)
                weights = self._weights(sub)
                loss, parts = self._loss(
                    logp, ent, v, weights, batch.old_logp[tok], adv[tok],
                    None if rets is None else rets[tok],
                    None if old_v is None else old_v[tok],
                    None if ref_logp is None else ref_logp[tok],
                )  # fmt: skip
                self.opt.zero_grad(set_to_none=True)
                loss.backward()
                params = [p for g in self.opt.param_groups for p in g["params"]]
                gnorm = torch.nn.utils.clip_grad_norm_(params, cfg.max_grad_norm)
                parts["grad_norm"] = float(gnorm)
                if math.isfinite(parts["grad_norm"]):
                    self.opt.step()
                for k, x in parts.items():
                    acc.setdefault(k, []).append(x)
        return {k: sum(v) / len(v) for k, v in acc.items()}

    def _sub(self, trajs: list[Trajectory], idx: list[int]) -> _Batch:
        return self._batch([trajs[i] for i in idx])

    def _weights(self, batch: _Batch) -> Any:
        torch = self.torch
        n = int(batch.targets.numel())
        if self.cfg.loss_agg == "token":
            return torch.full((n,), 1.0 / n)
        w = torch.zeros(n)
        for s, e in batch.segs:
            w[s:e] = 1.0 / ((e - s) * len(batch.segs))
        return w

    def _loss(
        self, logp: Any, ent: Any, v: Any, w: Any, old: Any, adv: Any, rets: Any, old_v: Any, ref: Any
    ) -> tuple[Any, dict[str, float]]:
        torch = self.torch
        cfg = self.cfg
        ratio = torch.exp(logp - old)
        hi = cfg.clip_high if cfg.clip_high is not None else cfg.clip
        surr = torch.minimum(ratio * adv, torch.clamp(ratio, 1 - cfg.clip, 1 + hi) * adv)
        pg = -(surr * w).sum()
        loss = pg - cfg.entropy_coef * (ent * w).sum()
        with torch.no_grad():
            parts = {
                "pg_loss": pg.item(),
                "entropy": (ent * w).sum().item(),
                "clip_frac": (((ratio - 1).abs() > cfg.clip).float() * w).sum().item(),
                "approx_kl_old": ((ratio - 1 - torch.log(ratio)) * w).sum().item(),
            }
        if ref is not None:
            d = ref - logp
            kl = torch.exp(d) - d - 1  # k3: non-negative, unbiased for KL(new || ref)
            parts["kl_ref"] = (kl * w).sum().item()
            if cfg.kl_mode == "loss":
                loss = loss + cfg.kl_coef * (kl * w).sum()
        if v is not None and rets is not None and old_v is not None:
            v_clip = old_v + torch.clamp(v - old_v, -cfg.value_clip, cfg.value_clip)
            vl = 0.5 * torch.maximum((v - rets) ** 2, (v_clip - rets) ** 2)
            vloss = (vl * w).sum()
            loss = loss + cfg.value_coef * vloss
            parts["value_loss"] = vloss.item()
        return loss, parts
