"""A strict JSON reader that keeps the source position of every value.

Python's `json` module loses positions and silently keeps the last of two
duplicate keys; an access policy with a duplicated `"Effect"` must not be
analysed as one of its two readings, so here duplicates are an error. Values
come back as `JValue`s (kind, Python value, span); objects keep key order.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from quod.core.errors import Span
from quod.policy.errors import PolicyError

MAX_DEPTH = 64


@dataclass(frozen=True)
class JValue:
    """A JSON value: kind is one of object, array, string, number, bool, null."""

    kind: str
    value: Any  # dict[str, JValue] | list[JValue] | str | number text | bool | None
    span: Span
    key_spans: dict[str, Span] = field(default_factory=dict)

    @property
    def is_object(self) -> bool:
        return self.kind == "object"

    @property
    def is_array(self) -> bool:
        return self.kind == "array"

    @property
    def is_string(self) -> bool:
        return self.kind == "string"

    def to_python(self) -> Any:
        if self.kind == "object":
            return {k: v.to_python() for k, v in self.value.items()}
        if self.kind == "array":
            return [v.to_python() for v in self.value]
        if self.kind == "number":
            text = str(self.value)
            return int(text) if text.lstrip("-").isdigit() else float(text)
        return self.value


_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_WS = " \t\n\r"


class _Reader:
    def __init__(self, text: str, file: str) -> None:
        self.text = text
        self.file = file
        self.pos = 0
        self.line = 1
        self.line_start = 0

    # positions ---------------------------------------------------------
    def span(self, pos: int | None = None) -> Span:
        p = self.pos if pos is None else pos
        line = self.text.count("\n", 0, p) + 1 if pos is not None else self.line
        start = self.text.rfind("\n", 0, p) + 1 if pos is not None else self.line_start
        return Span(self.file, line, p - start + 1)

    def fail(self, msg: str, path: str, pos: int | None = None) -> PolicyError:
        return PolicyError(msg, path, self.span(pos), code="Q0801")

    def skip_ws(self) -> None:
        text, n = self.text, len(self.text)
        while self.pos < n and text[self.pos] in _WS:
            if text[self.pos] == "\n":
                self.line += 1
                self.line_start = self.pos + 1
            self.pos += 1

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    # values ------------------------------------------------------------
    def value(self, path: str, depth: int) -> JValue:
        if depth > MAX_DEPTH:
            raise self.fail(f"nesting deeper than {MAX_DEPTH} levels", path)
        self.skip_ws()
        c = self.peek()
        if c == "{":
            return self.obj(path, depth)
        if c == "[":
            return self.arr(path, depth)
        if c == '"':
            span = self.span()
            return JValue("string", self.string(path), span)
        if c == "-" or c.isdigit():
            return self.number(path)
        for word, val in (("true", True), ("false", False), ("null", None)):
            if self.text.startswith(word, self.pos):
                span = self.span()
                self.pos += len(word)
                return JValue("bool" if val is not None else "null", val, span)
        if not c:
            raise self.fail("unexpected end of input", path)
        raise self.fail(f"unexpected character {c!r}", path)

    def obj(self, path: str, depth: int) -> JValue:
        span = self.span()
        self.pos += 1
        items: dict[str, JValue] = {}
        key_spans: dict[str, Span] = {}
        self.skip_ws()
        if self.peek() == "}":
            self.pos += 1
            return JValue("object", items, span, key_spans)
        while True:
            self.skip_ws()
            if self.peek() != '"':
                raise self.fail("expected a string key" if self.peek() else "unexpected end of input", path)
            kspan = self.span()
            key = self.string(path)
            if key in items:
                raise PolicyError(
                    f"duplicate key {key!r} (first at line {key_spans[key].line})",
                    _child(path, key),
                    kspan,
                    code="Q0801",
                )
            self.skip_ws()
            if self.peek() != ":":
                raise self.fail(f"expected ':' after key {key!r}", path)
            self.pos += 1
            items[key] = self.value(_child(path, key), depth + 1)
            key_spans[key] = kspan
            self.skip_ws()
            c = self.peek()
            self.pos += 1
            if not c:
                raise self.fail("unexpected end of input", path, self.pos - 1)
            if c == "}":
                return JValue("object", items, span, key_spans)
            if c != ",":
                raise self.fail("expected ',' or '}' in object", path, self.pos - 1)

    def arr(self, path: str, depth: int) -> JValue:
        span = self.span()
        self.pos += 1
        items: list[JValue] = []
        self.skip_ws()
        if self.peek() == "]":
            self.pos += 1
            return JValue("array", items, span)
        while True:
            items.append(self.value(f"{path}[{len(items)}]", depth + 1))
            self.skip_ws()
            c = self.peek()
            self.pos += 1
            if not c:
                raise self.fail("unexpected end of input", path, self.pos - 1)
            if c == "]":
                return JValue("array", items, span)
            if c != ",":
                raise self.fail("expected ',' or ']' in array", path, self.pos - 1)

    def string(self, path: str) -> str:
        start = self.pos
        self.pos += 1
        out: list[str] = []
        text, n = self.text, len(self.text)
        while True:
            if self.pos >= n:
                raise self.fail("unterminated string", path, start)
            c = text[self.pos]
            if c == '"':
                self.pos += 1
                return "".join(out)
            if c == "\\":
                out.append(self.escape(path))
                continue
            if ord(c) < 0x20:
                raise self.fail("control character in string (must be escaped)", path, self.pos)
            out.append(c)
            self.pos += 1

    def escape(self, path: str) -> str:
        text = self.text
        e = text[self.pos + 1 : self.pos + 2]
        if e in _ESCAPES:
            self.pos += 2
            return _ESCAPES[e]
        if e != "u":
            raise self.fail(f"invalid escape '\\{e}'", path, self.pos)
        code = self.hex4(path, self.pos + 2)
        self.pos += 6
        if 0xD800 <= code < 0xDC00 and text.startswith("\\u", self.pos):
            low = self.hex4(path, self.pos + 2)
            if 0xDC00 <= low < 0xE000:
                self.pos += 6
                return chr(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00))
        if 0xD800 <= code < 0xE000:
            raise self.fail("unpaired surrogate escape", path, self.pos - 6)
        return chr(code)

    def hex4(self, path: str, at: int) -> int:
        digits = self.text[at : at + 4]
        if len(digits) != 4 or any(ch not in "0123456789abcdefABCDEF" for ch in digits):
            raise self.fail("invalid \\u escape", path, at - 2)
        return int(digits, 16)

    def number(self, path: str) -> JValue:
        span = self.span()
        text, start = self.text, self.pos
        n = len(text)
        p = start + (1 if text[start] == "-" else 0)
        if p < n and text[p] == "0":
            p += 1
        elif p < n and text[p].isdigit():
            while p < n and text[p].isdigit():
                p += 1
        else:
            raise self.fail("invalid number", path, start)
        if p < n and text[p] == ".":
            q = p + 1
            while q < n and text[q].isdigit():
                q += 1
            if q == p + 1:
                raise self.fail("invalid number (digits expected after '.')", path, start)
            p = q
        if p < n and text[p] in "eE":
            q = p + 1
            if q < n and text[q] in "+-":
                q += 1
            r = q
            while r < n and text[r].isdigit():
                r += 1
            if r == q:
                raise self.fail("invalid number (digits expected in exponent)", path, start)
            p = r
        literal = text[start:p]
        if not math.isfinite(float(literal)):
            raise self.fail("number out of range", path, start)
        self.pos = p
        return JValue("number", literal, span)


def _child(path: str, key: str) -> str:
    if key.isidentifier():
        return f"{path}.{key}"
    escaped = key.replace("\\", "\\\\").replace('"', '\\"')
    return f'{path}["{escaped}"]'


def child_path(path: str, key: str) -> str:
    """The JSON path of member `key` of the object at `path`."""
    return _child(path, key)


def parse_json(text: str, file: str = "<input>") -> JValue:
    """Parse one JSON document (a leading byte-order mark is allowed)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    r = _Reader(text, file)
    v = r.value("$", 0)
    r.skip_ws()
    if r.pos != len(text):
        raise r.fail("unexpected text after the JSON value", "$")
    return v


__all__ = ["JValue", "child_path", "parse_json"]
