"""Tool environments for `quod agents`, by name."""

from __future__ import annotations

from typing import Any

from quod.apps.agents.envs.base import StepResult, Task, ToolEnv
from quod.apps.agents.errors import ConfigError, UnknownComponentError

ENVS = ("app", "verify", "rag")


def make_env(name: str, **options: Any) -> ToolEnv:
    """A fresh environment; `options` are the `env:` section of the config minus `name`."""
    try:
        if name == "app":
            from quod.apps.agents.envs.app import AppEnv

            if "files" in options:
                options["files"] = tuple(options["files"])
            return AppEnv(**options)
        if name == "verify":
            from quod.apps.agents.envs.verification import VerificationEnv

            return VerificationEnv(**options)
        if name == "rag":
            from quod.apps.agents.envs.rag import RagEnv

            return RagEnv(**options)
    except TypeError as e:
        raise ConfigError(f"env: bad option for environment {name!r}: {e}") from None
    raise UnknownComponentError(f"env.name: unknown environment {name!r} (known: {', '.join(ENVS)})")


__all__ = ["ENVS", "StepResult", "Task", "ToolEnv", "make_env"]
