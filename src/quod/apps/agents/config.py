"""The YAML configuration of `quod agents train|eval`, validated with file:line:col errors.

Every key is declared in `SCHEMA` with its type and default; unknown keys,
wrong types and bad values are reported at their position in the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quod.apps.agents.errors import ConfigError
from quod.core.errors import Span

_NUM = (int, float)
# section -> key -> (accepted types, default); a type of dict means free-form options
SCHEMA: dict[str, dict[str, tuple[Any, Any]]] = {
    "": {
        "seed": (int, 0),
        "steps": (int, 100),
        "tasks_per_step": (int, 4),
        "eval_every": (int, 25),
        "eval_tasks": (int, 16),
        "output": (str, "runs/agents"),
        "save_trajectories": (bool, False),
        # torch CPU threads; more than one thread on a shared or small machine is often much slower
        "threads": (int, 1),
        # stop early once the mean rollout success of the last 10 steps reaches this
        "stop_success": ((*_NUM, type(None)), None),
    },
    "env": {"name": (str, "app")},  # other keys are the environment's options
    "model": {
        "path": ((str, type(None)), None),
        "gguf_file": ((str, type(None)), None),
        "format": (str, "auto"),
        "dtype": (str, "float32"),
        "tiny": ((dict, type(None)), None),
    },
    "rollout": {
        "engine": (str, "hf"),
        "url": ((str, type(None)), None),
        "served_model": (str, "policy"),
        "weights_endpoint": (str, "/update_weights_from_disk"),
        "device": (str, "cpu"),
        "temperature": (_NUM, 1.0),
        "max_new_tokens": (int, 64),
        "constrained": (bool, True),
        "group_size": (int, 8),
        "max_turns": (int, 4),
        "max_context": (int, 1024),
        "prompt_style": (str, "names"),
        "ray": (bool, False),
        "ray_workers": (int, 2),
    },
    "trainer": {
        "algo": (str, "grpo"),
        "advantage": ((str, type(None)), None),
        "lr": (_NUM, 1e-3),
        "epochs": (int, 1),
        "minibatch": (int, 0),
        "clip": (_NUM, 0.2),
        "clip_high": ((*_NUM, type(None)), None),
        "kl_coef": (_NUM, 0.0),
        "kl_mode": (str, "loss"),
        "track_kl": (bool, True),
        "entropy_coef": (_NUM, 0.0),
        "value_coef": (_NUM, 0.5),
        "value_clip": (_NUM, 0.2),
        "whiten_advantages": (bool, True),
        "max_grad_norm": (_NUM, 1.0),
        "loss_agg": (str, "token"),
        "gamma": (_NUM, 1.0),
        "lam": (_NUM, 0.95),
        "gae_level": (str, "token"),
        "std_norm": (bool, True),
        "salt_base": (str, "grpo"),
        # where the trainer's copy of the policy lives (cpu, cuda, cuda:1, ...)
        "device": (str, "cpu"),
    },
    "sync": {"interval": (int, 1), "max_staleness": (int, 0)},
}
TINY_KEYS = {"layers": 2, "hidden": 64, "heads": 4, "vocab": 384}
POSITIVE = {
    "steps",
    "tasks_per_step",
    "group_size",
    "max_turns",
    "max_new_tokens",
    "max_context",
    "epochs",
    "ray_workers",
}


@dataclass
class AgentsConfig:
    top: dict[str, Any]
    env: dict[str, Any]
    model: dict[str, Any]
    rollout: dict[str, Any]
    trainer: dict[str, Any]
    sync: dict[str, Any]
    source: str = "<config>"

    def env_options(self) -> dict[str, Any]:
        return {k: v for k, v in self.env.items() if k != "name"}

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.top,
            "env": self.env,
            "model": self.model,
            "rollout": self.rollout,
            "trainer": self.trainer,
            "sync": self.sync,
        }


def _positions(text: str) -> dict[tuple[str, ...], tuple[int, int]]:
    """(key path) -> (line, col) of every mapping key, from the YAML node tree."""
    import yaml

    out: dict[tuple[str, ...], tuple[int, int]] = {}
    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        return out

    def walk(node: Any, path: tuple[str, ...]) -> None:
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                p = (*path, str(k.value))
                out[p] = (k.start_mark.line + 1, k.start_mark.column + 1)
                walk(v, p)

    walk(root, ())
    return out


def parse_config(
    text: str, source: str = "<config>", overrides: dict[str, Any] | None = None
) -> AgentsConfig:
    import yaml

    try:
        data = yaml.safe_load(text) if text.strip() else {}
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        span = Span(source, mark.line + 1, mark.column + 1) if mark is not None else Span(source, 1, 1)
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise ConfigError(f"invalid YAML: {problem}", span) from None
    pos = _positions(text)

    def err(path: tuple[str, ...], msg: str) -> ConfigError:
        line, col = pos.get(path, (1, 1))
        return ConfigError(f"{'.'.join(path) or 'config'}: {msg}", Span(source, line, col))

    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise err((), "the configuration must be a mapping")
    sections: dict[str, dict[str, Any]] = {}
    for key in data:
        if key not in SCHEMA[""] and key not in SCHEMA:
            raise err((str(key),), f"unknown key (known: {', '.join(sorted([*SCHEMA[''], *SCHEMA][1:]))})")
    for section, keys in SCHEMA.items():
        raw = data if section == "" else (data.get(section) or {})
        if not isinstance(raw, dict):
            raise err((section,), "must be a mapping")
        values: dict[str, Any] = {}
        for k, v in raw.items():
            path = (section, str(k)) if section else (str(k),)
            if section == "" and k in SCHEMA:
                continue
            if k not in keys:
                if section == "env":
                    values[k] = v
                    continue
                raise err(path, f"unknown key (known: {', '.join(sorted(keys))})")
            types, _ = keys[k]
            if isinstance(v, bool) and bool not in (types if isinstance(types, tuple) else (types,)):
                raise err(path, f"expected {_type_name(types)}, got {v!r}")
            if not isinstance(v, types):
                raise err(path, f"expected {_type_name(types)}, got {v!r}")
            if k in POSITIVE and v <= 0:
                raise err(path, "must be positive")
            values[k] = v
        for k, (_, default) in keys.items():
            values.setdefault(k, default)
        sections[section] = values
    tiny = sections["model"].get("tiny")
    if tiny is not None:
        for k, v in tiny.items():
            if k not in TINY_KEYS:
                raise err(("model", "tiny", str(k)), f"unknown key (known: {', '.join(TINY_KEYS)})")
            if not isinstance(v, int) or isinstance(v, bool) or v <= 0:
                raise err(("model", "tiny", str(k)), f"expected a positive integer, got {v!r}")
        sections["model"]["tiny"] = {**TINY_KEYS, **tiny}
    elif sections["model"]["path"] is None:
        sections["model"]["tiny"] = dict(TINY_KEYS)
    for dotted, value in (overrides or {}).items():
        sec, _, key = dotted.rpartition(".")
        sections[sec][key] = value
    return AgentsConfig(
        sections[""],
        sections["env"],
        sections["model"],
        sections["rollout"],
        sections["trainer"],
        sections["sync"],
        source,
    )


def load_config(path: str | Path, overrides: dict[str, Any] | None = None) -> AgentsConfig:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as e:
        raise ConfigError(f"{p}: cannot read configuration: {e.strerror}", code="Q0002") from None
    return parse_config(text, str(p), overrides)


def _type_name(types: Any) -> str:
    ts = types if isinstance(types, tuple) else (types,)
    names = {
        int: "an integer",
        float: "a number",
        str: "a string",
        bool: "true/false",
        dict: "a mapping",
        type(None): "null",
    }
    return " or ".join(dict.fromkeys(names.get(t, t.__name__) for t in ts))
