"""Character-level definitions shared by the evaluator and the encoding.

Case-insensitive comparison (actions, `...IgnoreCase` operators) is defined
per character: two characters are equal ignoring case iff `fold` maps them to
the same character. `fold` is lower(upper(c)) where both mappings are single
characters (so it preserves length, like Java's per-char equalsIgnoreCase,
which AWS's documentation describes). The encoding needs the inverse, the
set of characters folding to a given one, computed once over SMT-LIB's
character range.
"""

from __future__ import annotations

from functools import lru_cache

MAX_CHAR = 0x2FFFF  # SMT-LIB strings range over code points 0..0x2FFFF
PRINTABLE = "".join(chr(c) for c in range(0x20, 0x7F))


@lru_cache(maxsize=4096)
def fold(c: str) -> str:
    up = c.upper()
    if len(up) != 1:
        up = c
    low = up.lower()
    return low if len(low) == 1 else up


def fold_str(s: str) -> str:
    return "".join(fold(c) for c in s)


@lru_cache(maxsize=1)
def _fold_table() -> dict[str, tuple[str, ...]]:
    groups: dict[str, list[str]] = {}
    for code in range(MAX_CHAR + 1):
        if 0xD800 <= code < 0xE000:
            continue
        c = chr(code)
        f = fold(c)
        if f != c or c.upper() != c or c.lower() != c:
            groups.setdefault(f, []).append(c)
    return {k: tuple(sorted(set(v) | {k})) for k, v in groups.items()}


def fold_class(c: str) -> tuple[str, ...]:
    """All characters x with fold(x) == fold(c), sorted."""
    f = fold(c)
    if c.isascii() and not c.isalpha():
        return (c,)
    return _fold_table().get(f, (f,) if f == c else tuple(sorted({c, f})))


def ascii_canonical(c: str) -> bool:
    """Is `c` a character an action name may contain (printable ASCII, already folded)?"""
    return 0x21 <= ord(c) <= 0x7E and fold(c) == c


__all__ = ["MAX_CHAR", "PRINTABLE", "ascii_canonical", "fold", "fold_class", "fold_str"]
