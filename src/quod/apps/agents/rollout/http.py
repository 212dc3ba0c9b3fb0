"""Rollout through an OpenAI-compatible completion server (vLLM, SGLang) over HTTP.

Token in, token out: the prompt is sent as a list of token ids (the
completions API accepts that), and the sampled ids come back through vLLM's
`return_tokens_as_token_ids` option, where each token is spelled
`token_id:<n>`; the text is never re-tokenized. One request carries the
whole batch of contexts of a turn.

Weight sync: the trainer's model is saved in HF format to a directory and the
server is asked to reload from it (SGLang's `/update_weights_from_disk`;
the endpoint path is configurable). The engine's version changes only after
the server confirmed the reload.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from quod.apps.agents.errors import EngineError, WeightSyncError
from quod.apps.agents.rollout.base import Generation, GenRequest, Sampling


class HttpEngine:
    name = "http"

    def __init__(
        self,
        base_url: str,
        model: str = "policy",
        stop_ids: Sequence[int] = (),
        timeout: float = 120.0,
        weights_endpoint: str = "/update_weights_from_disk",
        sync_dir: str | Path | None = None,
        api_key: str | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.model_name = model
        self.stop_ids = [int(s) for s in stop_ids]
        self.timeout = timeout
        self.weights_endpoint = weights_endpoint
        self.sync_dir = Path(sync_dir) if sync_dir is not None else None
        self.api_key = api_key
        self.version = 0
        self.tokens_generated = 0

    def supports_constraints(self) -> bool:
        return False

    def _post(self, path: str, payload: dict[str, Any]) -> Any:
        data = json.dumps(payload).encode()
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        req = urllib.request.Request(self.base_url + path, data=data, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                body = resp.read()
        except urllib.error.HTTPError as e:
            detail = e.read().decode(errors="replace")[:200]
            raise EngineError(f"{self.base_url}{path}: HTTP {e.code}: {detail}") from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as e:
            raise EngineError(f"{self.base_url}{path}: cannot reach the server: {e}") from None
        try:
            return json.loads(body)
        except json.JSONDecodeError as e:
            raise EngineError(f"{self.base_url}{path}: response is not JSON: {e.msg}") from None

    def generate(self, requests: Sequence[GenRequest], sampling: Sampling) -> list[Generation]:
        if not requests:
            return []
        if any(r.trie is not None for r in requests):
            raise EngineError(
                "the http engine does not support constrained decoding; set rollout.constrained: false"
            )
        payload: dict[str, Any] = {
            "model": self.model_name,
            "prompt": [list(r.context) for r in requests],
            "max_tokens": sampling.max_new_tokens,
            "temperature": 0.0 if sampling.greedy else sampling.temperature,
            "logprobs": 1,
            "seed": sampling.seed,
            "return_tokens_as_token_ids": True,
            "skip_special_tokens": False,
            "stop_token_ids": self.stop_ids,
        }
        resp = self._post("/v1/completions", payload)
        return self._parse(resp, len(requests))

    def _parse(self, resp: Any, n: int) -> list[Generation]:
        choices = resp.get("choices") if isinstance(resp, dict) else None
        if not isinstance(choices, list) or len(choices) != n:
            raise EngineError(f"completion response: expected {n} choices, got {resp!r:.200}")
        out: list[Generation | None] = [None] * n
        for k, c in enumerate(choices):
            where = f"$.choices[{k}]"
            idx = c.get("index", k)
            lp = c.get("logprobs") or {}
            tokens, logprobs = lp.get("tokens"), lp.get("token_logprobs")
            if not isinstance(tokens, list) or not isinstance(logprobs, list) or len(tokens) != len(logprobs):
                raise EngineError(
                    f"{where}.logprobs: tokens and token_logprobs must be lists of equal length"
                )
            ids = [_token_id(t, f"{where}.logprobs.tokens[{i}]") for i, t in enumerate(tokens)]
            if not ids:
                raise EngineError(f"{where}: the server returned no tokens")
            lps = [float(x) if x is not None else float("nan") for x in logprobs]
            finish = "stop" if c.get("finish_reason") == "stop" else "length"
            if not 0 <= idx < n or out[idx] is not None:
                raise EngineError(f"{where}.index: {idx} is out of range or repeated")
            out[idx] = Generation(ids, lps, None, finish)
            self.tokens_generated += len(ids)
        return [g for g in out if g is not None]

    def update_weights(self, model: Any, version: int) -> float:
        if self.sync_dir is None:
            raise WeightSyncError("rollout.sync_dir must be set to push weights to an http engine")
        start = time.perf_counter()
        target = self.sync_dir / f"v{version}"
        from quod.apps.agents.models import save_model

        save_model(model, target)
        try:
            resp = self._post(
                self.weights_endpoint, {"model_path": str(target), "weight_version": str(version)}
            )
        except EngineError as e:
            raise WeightSyncError(f"weight update to version {version} failed: {e.message}") from None
        if not (isinstance(resp, dict) and resp.get("success", False)):
            raise WeightSyncError(f"weight update to version {version} refused: {resp!r:.200}")
        self.version = version
        return time.perf_counter() - start


def _token_id(tok: Any, where: str) -> int:
    if isinstance(tok, str) and tok.startswith("token_id:"):
        try:
            return int(tok[len("token_id:") :])
        except ValueError:
            pass
    raise EngineError(
        f"{where}: expected 'token_id:<n>' (start vLLM with --return-tokens-as-token-ids), got {tok!r}"
    )
