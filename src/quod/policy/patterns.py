"""Wildcard patterns with policy variables, and their concrete matching.

A pattern is a sequence of pieces: literal text, `*` (any run of characters),
`?` (one character) and `${key}` / `${key, 'default'}` policy variables. The
special forms `${*}`, `${?}` and `${$}` are the literal characters.

Two readings of `*` in ARN patterns (Resource, NotResource, Arn* operators):

- GLOB: `*` matches any run of characters, `?` any one character.
- SEGMENT: AWS documents that wildcards work within colon-separated ARN
  segments and that a `*` at the end may run past colons. Here: a `*` that
  is the last piece of the pattern matches anything; every other `*` and
  every `?` matches no `:`.

AWS does not specify the boundary cases precisely, so queries are answered
under both readings when a pattern could tell them apart (see `ambiguous`),
and a verdict that depends on the reading is reported as unknown.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import Union

from quod.core.errors import Span
from quod.policy.chars import fold_str
from quod.policy.errors import PolicyError


class Reading(enum.Enum):
    GLOB = "glob"
    SEGMENT = "segment"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Lit:
    text: str


@dataclass(frozen=True)
class Star:
    pass


@dataclass(frozen=True)
class One:
    pass


@dataclass(frozen=True)
class Var:
    key: str  # lower-cased context key
    name: str  # as written
    default: str | None = None


Piece = Union[Lit, Star, One, Var]
STAR = Star()
ONE = One()


@dataclass(frozen=True)
class Pattern:
    text: str
    pieces: tuple[Piece, ...]
    path: str = ""
    span: Span | None = None

    @property
    def is_fixed(self) -> bool:
        """No wildcard and no variable: the pattern denotes exactly one string."""
        return all(isinstance(p, Lit) for p in self.pieces)

    @property
    def literal(self) -> str:
        return "".join(p.text for p in self.pieces if isinstance(p, Lit))

    @property
    def variables(self) -> tuple[Var, ...]:
        return tuple(p for p in self.pieces if isinstance(p, Var))

    @property
    def is_star(self) -> bool:
        return self.pieces == (STAR,)


def ambiguous(p: Pattern) -> bool:
    """Could the GLOB and SEGMENT readings of this ARN pattern match different strings?"""
    last = len(p.pieces) - 1
    return any(isinstance(x, One) or (isinstance(x, Star) and i != last) for i, x in enumerate(p.pieces))


_VAR_KEY = re.compile(r"^[A-Za-z0-9_.:/+=@\-]+$")


def parse_pattern(
    text: str, *, wildcards: bool, variables: bool, path: str = "", span: Span | None = None
) -> Pattern:
    """Split `text` into pieces; wildcards and variables are recognised only when enabled."""
    pieces: list[Piece] = []
    buf: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if variables and text.startswith("${", i):
            end, piece = _variable(text, i, path, span)
            if isinstance(piece, Lit):
                buf.append(piece.text)
            else:
                _flush(buf, pieces)
                pieces.append(piece)
            i = end
            continue
        if wildcards and c in "*?":
            _flush(buf, pieces)
            pieces.append(STAR if c == "*" else ONE)
        else:
            buf.append(c)
        i += 1
    _flush(buf, pieces)
    # consecutive stars mean the same as one; keep the normal form small
    norm: list[Piece] = []
    for p in pieces:
        if isinstance(p, Star) and norm and isinstance(norm[-1], Star):
            continue
        norm.append(p)
    return Pattern(text, tuple(norm), path, span)


def _flush(buf: list[str], pieces: list[Piece]) -> None:
    if buf:
        pieces.append(Lit("".join(buf)))
        buf.clear()


def _variable(text: str, start: int, path: str, span: Span | None) -> tuple[int, Piece]:
    """Parse `${...}` at `start`; returns the index after it and the piece."""
    i = start + 2
    n = len(text)
    inner: list[str] = []
    while i < n and text[i] != "}":
        if text[i] == "'":  # quoted default: '' is an escaped quote
            j = i + 1
            while j < n:
                if text[j] == "'":
                    if text.startswith("''", j):
                        j += 2
                        continue
                    break
                j += 1
            if j >= n:
                raise PolicyError(
                    f"unterminated default value in policy variable in {text!r}", path, span, "Q0803"
                )
            inner.append(text[i : j + 1])
            i = j + 1
            continue
        inner.append(text[i])
        i += 1
    if i >= n:
        raise PolicyError(f"unterminated policy variable '${{' in {text!r}", path, span, "Q0803")
    body = "".join(inner).strip()
    if body in ("*", "?", "$"):
        return i + 1, Lit(body)
    key, default = body, None
    if "," in body:
        key, rest = (s.strip() for s in body.split(",", 1))
        if len(rest) < 2 or rest[0] != "'" or rest[-1] != "'":
            raise PolicyError(
                f"policy variable default must be quoted with single quotes in {text!r}", path, span, "Q0803"
            )
        default = rest[1:-1].replace("''", "'")
    if not key or not _VAR_KEY.match(key):
        raise PolicyError(f"invalid policy variable '${{{body}}}' in {text!r}", path, span, "Q0803")
    return i + 1, Var(key.lower(), key, default)


# -- concrete matching (plain Python, no solver) ---------------------------------


def substitute(p: Pattern, env: dict[str, str | None]) -> list[Lit | Star | One] | None:
    """Replace variables by their values; None when a variable has no value and no default."""
    out: list[Lit | Star | One] = []
    for x in p.pieces:
        if isinstance(x, Var):
            val = env.get(x.key)
            if val is None:
                val = x.default
            if val is None:
                return None
            out.append(Lit(val))
        else:
            out.append(x)
    return out


def _to_regex(pieces: list[Lit | Star | One], reading: Reading | None, ci: bool) -> str:
    parts: list[str] = []
    last = len(pieces) - 1
    for i, x in enumerate(pieces):
        if isinstance(x, Lit):
            parts.append(re.escape(fold_str(x.text) if ci else x.text))
        elif reading is Reading.SEGMENT and not (isinstance(x, Star) and i == last):
            parts.append("[^:]*" if isinstance(x, Star) else "[^:]")
        else:
            parts.append(".*" if isinstance(x, Star) else ".")
    return "".join(parts)


def matches(p: Pattern, value: str, env: dict[str, str | None], *, reading: Reading | None, ci: bool) -> bool:
    """Does `value` match pattern `p` (variables from `env`; `reading` None = plain glob)?"""
    pieces = substitute(p, env)
    if pieces is None:
        return False
    rx = _to_regex(pieces, reading, ci)
    return re.fullmatch(rx, fold_str(value) if ci else value, re.DOTALL) is not None


__all__ = [
    "ONE",
    "STAR",
    "Lit",
    "One",
    "Pattern",
    "Piece",
    "Reading",
    "Star",
    "Var",
    "ambiguous",
    "matches",
    "parse_pattern",
    "substitute",
]
