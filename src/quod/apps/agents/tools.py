"""Tools with JSON-schema parameters, and parsing of the agent's tool calls.

An action is one JSON object naming a tool and its arguments. Both the
compact form `{"tool": "move_file", "args": {...}}` and the function-calling
form `{"name": ..., "arguments": {...}}` (optionally inside `<tool_call>`
tags, as chat templates of instruction-tuned models emit it) are accepted.
Arguments are validated against the tool's schema with `jsonschema`, and the
agent gets the validation message back as its observation.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    # JSON schema of the arguments object
    parameters: dict[str, Any] = field(default_factory=lambda: {"type": "object", "properties": {}})

    def schema(self) -> dict[str, Any]:
        """The OpenAI function-calling description of this tool."""
        return {
            "type": "function",
            "function": {"name": self.name, "description": self.description, "parameters": self.parameters},
        }

    def signature(self) -> str:
        """A short one-line description (for prompts of small models)."""
        props = self.parameters.get("properties", {})
        return f"{self.name}({', '.join(props)})"


def obj(required: Sequence[str] = (), **props: dict[str, Any]) -> dict[str, Any]:
    """A JSON schema for an object with the given properties (no others allowed)."""
    return {
        "type": "object",
        "properties": props,
        "required": list(required),
        "additionalProperties": False,
    }


STR: dict[str, Any] = {"type": "string"}


@dataclass(frozen=True)
class ToolCall:
    name: str
    args: dict[str, Any]

    def render(self) -> str:
        """The canonical text of this call (what constrained decoding offers the model)."""
        return json.dumps({"tool": self.name, "args": self.args}, separators=(", ", ": "))


@dataclass(frozen=True)
class BadCall:
    """An action that is not a valid tool call; `message` goes back to the agent."""

    message: str


def parse_action(text: str, tools: Sequence[Tool]) -> ToolCall | BadCall:
    """Find the tool call in `text` and validate it against the tool's schema."""
    payload = _find_json_object(text)
    if payload is None:
        return BadCall('no tool call found: answer with one JSON object {"tool": NAME, "args": {...}}')
    name = payload.get("tool", payload.get("name"))
    args = payload.get("args", payload.get("arguments", {}))
    if isinstance(args, str):
        try:
            args = json.loads(args)
        except json.JSONDecodeError:
            return BadCall("the arguments are not a JSON object")
    if not isinstance(name, str) or not isinstance(args, dict):
        return BadCall('a tool call needs a string "tool" and an object "args"')
    by_name = {t.name: t for t in tools}
    tool = by_name.get(name)
    if tool is None:
        return BadCall(f"unknown tool {name!r}; available: {', '.join(sorted(by_name))}")
    problem = validate_args(tool, args)
    if problem is not None:
        return BadCall(f"invalid arguments for {name}: {problem}")
    return ToolCall(name, args)


def validate_args(tool: Tool, args: dict[str, Any]) -> str | None:
    """None if `args` satisfies the tool's schema, else the first violation."""
    from quod.apps.agents.errors import require

    jsonschema: Any = require("jsonschema")
    validator = jsonschema.Draft202012Validator(tool.parameters)
    errors = sorted(validator.iter_errors(args), key=lambda e: list(e.absolute_path))
    if not errors:
        return None
    e = errors[0]
    where = "/".join(str(p) for p in e.absolute_path)
    return f"{where + ': ' if where else ''}{e.message}"


def _find_json_object(text: str) -> dict[str, Any] | None:
    decoder = json.JSONDecoder()
    start = text.find("{")
    while start != -1:
        try:
            value, _ = decoder.raw_decode(text, start)
        except json.JSONDecodeError:
            start = text.find("{", start + 1)
            continue
        if isinstance(value, dict):
            return value
        start = text.find("{", start + 1)
    return None
