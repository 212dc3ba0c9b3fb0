"""The OpenAI-compatible (vLLM/SGLang) engine against a fake server started in the test.

The fake server speaks the completions API with token-id prompts and
`return_tokens_as_token_ids`, and SGLang's `/update_weights_from_disk`; it
samples with a real tiny model, so logprobs can be checked against the trainer.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import torch

from quod.apps.agents.envs import make_env
from quod.apps.agents.errors import EngineError, WeightSyncError
from quod.apps.agents.models import PlainFormat
from quod.apps.agents.rollout.base import GenRequest, Sampling, TokenTrie
from quod.apps.agents.rollout.hf import HFEngine
from quod.apps.agents.rollout.http import HttpEngine
from quod.apps.agents.simulator import SimConfig, Simulator
from quod.apps.agents.trainer import Trainer, TrainerConfig
from quod.apps.agents.weights import WeightSync


class FakeServer:
    def __init__(self, policy: Any) -> None:
        self.policy = policy
        self.engine = HFEngine(policy.model, policy.pad_id, policy.stop_ids)
        self.requests: list[dict[str, Any]] = []
        self.weight_updates: list[dict[str, Any]] = []
        self.mode = "ok"
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                status, reply = server.handle(self.path, body)
                data = reply.encode() if isinstance(reply, str) else json.dumps(reply).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def handle(self, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        if path == "/v1/completions":
            self.requests.append(body)
            if self.mode == "garbage":
                return 200, "not json"
            if self.mode == "text_tokens":
                return 200, {
                    "choices": [{"index": 0, "logprobs": {"tokens": ["hello"], "token_logprobs": [-0.1]}}]
                }
            assert body["return_tokens_as_token_ids"] is True and body["logprobs"] == 1
            prompts = body["prompt"]
            s = Sampling(
                float(body["temperature"]) or 1.0,
                int(body["max_tokens"]),
                body["temperature"] == 0,
                int(body["seed"]),
            )
            gens = self.engine.generate([GenRequest(list(p)) for p in prompts], s)
            choices = [
                {
                    "index": i,
                    "text": self.policy.tokenizer.decode(g.ids),
                    "logprobs": {"tokens": [f"token_id:{t}" for t in g.ids], "token_logprobs": g.logprobs},
                    "finish_reason": "stop" if g.finish == "stop" else "length",
                }
                for i, g in enumerate(gens)
            ]
            return 200, {"choices": list(reversed(choices))}  # order must not matter: index does
        if path == "/update_weights_from_disk":
            from transformers import AutoModelForCausalLM

            self.weight_updates.append(body)
            model = AutoModelForCausalLM.from_pretrained(body["model_path"])
            self.engine.update_weights(model, int(body["weight_version"]))
            return 200, {"success": True, "message": "ok"}
        return 404, {"error": "no such endpoint"}

    def __enter__(self) -> FakeServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture()
def server(app_policy: Any) -> Iterator[FakeServer]:
    with FakeServer(copy.deepcopy(app_policy)) as s:
        yield s


def test_http_rollout_train_and_weight_sync(server: FakeServer, app_policy: Any, tmp_path: Any) -> None:
    pol = copy.deepcopy(app_policy)
    engine = HttpEngine(server.url, stop_ids=pol.stop_ids, sync_dir=tmp_path / "sync")
    sim = Simulator(
        lambda: make_env("app"),
        engine,
        PlainFormat(pol.tokenizer, pol.stop_ids[0]),
        SimConfig(
            group_size=2,
            max_turns=2,
            constrained=False,
            prompt_style="none",
            sampling=Sampling(max_new_tokens=12),
        ),
        lambda ids: pol.tokenizer.decode(list(ids)),
        pol.stop_ids,
        pol.vocab_size,
    )
    tasks = make_env("app").tasks("train", 2)
    trajs = sim.run(tasks, seed=4)
    assert len(trajs) == 4 and all(t.validate(pol.vocab_size) is None for t in trajs)
    # one request per turn carried the whole batch, as token ids
    assert isinstance(server.requests[0]["prompt"][0][0], int) and len(server.requests[0]["prompt"]) == 4
    assert server.requests[0]["prompt"][0] == trajs[0].turns[0].ids
    tr = Trainer(pol, TrainerConfig(algo="grpo", lr=1e-2), seed=0)
    stats = tr.step(trajs)
    assert stats["logprob_mismatch"] < 1e-4  # server logprobs == trainer logprobs on the same ids
    sync = WeightSync([engine], interval=1)
    assert sync.maybe_sync(pol.model, tr.version)
    assert engine.version == 1 and server.weight_updates[-1]["weight_version"] == "1"
    assert server.engine.version == 1
    after = sim.run(tasks[:1], seed=5)
    assert all(turn.version == 1 for t in after for turn in t.model_turns())
    stats2 = tr.step(after)
    assert stats2["logprob_mismatch"] < 1e-4  # the server really samples with the new weights


def test_http_errors_are_one_line_engine_errors(server: FakeServer, app_policy: Any) -> None:
    engine = HttpEngine(server.url, stop_ids=app_policy.stop_ids)
    req = [GenRequest([1, 2, 3])]
    server.mode = "garbage"
    with pytest.raises(EngineError, match="not JSON"):
        engine.generate(req, Sampling())
    server.mode = "text_tokens"
    with pytest.raises(EngineError, match="token_id:<n>"):
        engine.generate(req, Sampling())
    with pytest.raises(EngineError, match="constrained"):
        engine.generate([GenRequest([1], TokenTrie([[1, 2]]))], Sampling())
    with pytest.raises(WeightSyncError, match="sync_dir"):
        engine.update_weights(app_policy.model, 1)
    down = HttpEngine("http://127.0.0.1:9", timeout=2.0)
    with pytest.raises(EngineError, match="cannot reach"):
        down.generate(req, Sampling())
    assert torch.get_num_threads() == 1
