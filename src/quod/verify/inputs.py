"""Random inputs of the verified subset's types, for the counterexample search.

When the solver's counterexample runs cleanly, its failing state may be one
that a too-weak loop invariant admits but no input reaches. The program can
still be wrong on other inputs, and bugs in this subset nearly always show on
short sequences and small numbers, so a few thousand small random inputs
usually find a real failing one. Values close to the solver's counterexample
are mixed in, since the solver already pointed at the interesting region.

Types arrive as JSON (see `type_json`) because the generator runs in the
execution child, which only loads the program and this module. Values are
produced in the `execute.encode` form: plain literals, with dataclass
instances as tagged dicts that the child turns into real instances.
"""

from __future__ import annotations

import dataclasses
import random
from typing import TYPE_CHECKING, Any

from quod.verify.execute import DATACLASS_TAG as _TAG

if TYPE_CHECKING:
    from quod.verify.types import PyType

_CHARS = "ab"  # a two-letter alphabet makes repeated and distinct characters equally likely
_EXTRA_CHARS = "xyzAB0 "


def type_json(t: PyType) -> dict[str, Any]:
    """A JSON form of a parameter type, for the child."""
    return dataclasses.asdict(t)


class InputGen:
    """Draws inputs of a type; `hints` are the values of the solver's counterexample."""

    def __init__(self, rng: random.Random, hints: Any = ()) -> None:
        self.rng = rng
        self.ints: list[int] = []
        self.chars: list[str] = []
        self._collect(hints)

    def _collect(self, v: Any) -> None:
        if isinstance(v, bool):
            return
        if isinstance(v, int):
            self.ints.append(v)
        elif isinstance(v, str):
            self.chars.extend(v)
        elif isinstance(v, (bytes, bytearray)):
            self.ints.extend(v)
        elif isinstance(v, (list, tuple)):
            for x in v:
                self._collect(x)
        elif isinstance(v, dict):
            for k, x in v.items():
                if k != _TAG:
                    self._collect(x)

    def value(self, t: dict[str, Any]) -> Any:
        kind = t["kind"]
        if kind == "int":
            return self.integer()
        if kind == "bool":
            return self.rng.random() < 0.5
        if kind == "str":
            return "".join(self.char() for _ in range(self.length()))
        if kind == "bytes":
            return bytes(self.byte() for _ in range(self.length()))
        if kind == "list":
            return [self.value(t["params"][0]) for _ in range(self.length())]
        if kind == "tuple":
            return tuple(self.value(p) for p in t["params"])
        if kind == "dc":
            fields = {f: self.value(p) for f, p in zip(t["fields"], t["params"], strict=True)}
            return {_TAG: t["name"], **fields}
        if kind == "none":
            return None
        raise ValueError(f"no generator for type kind {kind!r}")

    def length(self) -> int:
        # mostly 0..4, sometimes up to 8: short sequences expose off-by-one and duplicate bugs
        r = self.rng.random()
        if r < 0.8:
            return self.rng.randint(0, 4)
        return self.rng.randint(5, 8)

    def integer(self) -> int:
        r = self.rng.random()
        if r < 0.4:
            return self.rng.randint(-3, 3)
        if r < 0.65:
            return self.rng.randint(-10, 10)
        if r < 0.8 and self.ints:
            return self.rng.choice(self.ints) + self.rng.randint(-2, 2)
        if r < 0.92:
            return self.rng.randint(-100, 100)
        return self.rng.randint(-10_000, 10_000)

    def byte(self) -> int:
        r = self.rng.random()
        if r < 0.2 and self.ints:
            return min(255, max(0, self.rng.choice(self.ints)))
        if r < 0.6:
            return self.rng.randint(0, 3)
        return self.rng.randint(0, 255)

    def char(self) -> str:
        r = self.rng.random()
        if r < 0.3 and self.chars:
            return self.rng.choice(self.chars)
        if r < 0.85:
            return self.rng.choice(_CHARS)
        return self.rng.choice(_EXTRA_CHARS)
