"""Tokens, S-expressions and source positions for SMT-LIB text.

Speed decides the design. One compiled regex with `findall` turns the text
into a list of token strings (whitespace and comments skipped), which is
several times faster than `finditer` because no match objects are created.
Positions are not tracked per token; instead:

- every list read by `read_sexprs` starts with the ordinal of its '(' among
  all '(' tokens, and `Locator` maps ordinals to offsets with one C-speed pass
  (`str.split('(')`), correcting for parentheses inside strings, quoted
  symbols and comments;
- the position of any other token is recovered on the error path by
  re-scanning from the enclosing '(' with `finditer`.

Lists are plain Python lists `[ordinal, item1, item2, ...]`; atoms are the
raw token strings. Reading is iterative, so nesting depth is unlimited.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from itertools import accumulate
from operator import add
from typing import Any, Union

from quod.core.errors import Span
from quod.smtlib.errors import SYNTAX, UNTERMINATED, SmtlibError, error

# A node of the S-expression tree: a token string or [ordinal, *children].
SNode = Union[str, list[Any]]

_GAP = r"(?:[ \t\r\n]++|;[^\n]*+)*+"
_STRING = r'"[^"]*+(?:""[^"]*+)*+"'
_QSYMBOL = r"\|[^|]*+\|"
_ATOM = r'[^ \t\r\n()";|]++'
# The last alternatives catch an unterminated string / quoted symbol (rest of
# the input) and the end of input (empty token), so every character is
# accounted for and `findall` never skips text silently or backtracks.
TOKEN_RE = re.compile(
    rf'{_GAP}(\(|\)|{_STRING}|{_QSYMBOL}|{_ATOM}|"[\s\S]*|\|[\s\S]*|\Z)',
)
_STRING_RE = re.compile(_STRING)
_QSYMBOL_RE = re.compile(_QSYMBOL)
_REGION_RE = re.compile(rf"{_STRING}|{_QSYMBOL}|;[^\n]*+")


def tokenize(text: str, locator: Locator) -> list[str]:
    """All tokens of `text`; raises a located error for an unterminated string or quoted symbol."""
    toks = TOKEN_RE.findall(text)
    while toks and not toks[-1]:
        toks.pop()
    if toks:
        last = toks[-1]
        c = last[0]
        if (c == '"' and not _STRING_RE.fullmatch(last)) or (c == "|" and not _QSYMBOL_RE.fullmatch(last)):
            what = "string literal" if c == '"' else "quoted symbol"
            raise error(
                UNTERMINATED,
                f"unterminated {what} (no closing {c} before end of input)",
                locator.span_at(len(text) - len(last)),
            )
    return toks


def read_sexprs(toks: list[str], locator: Locator, *, allow_atoms: bool = False) -> list[SNode]:
    """The top-level S-expressions of a token list (lists, unless `allow_atoms`)."""
    top: list[SNode] = []
    stack: list[list[Any]] = []
    cur: list[Any] = top  # type: ignore[assignment]
    k = 0
    for tok in toks:
        if tok == "(":
            stack.append(cur)
            cur = [k]
            k += 1
        elif tok == ")":
            if not stack:
                raise locator.reader_error()
            done = cur
            cur = stack.pop()
            cur.append(done)
        else:
            cur.append(tok)
    if stack:
        outer = stack[1] if len(stack) > 1 else cur
        ordinal = outer[0]
        assert isinstance(ordinal, int)
        raise error(
            UNTERMINATED,
            "unclosed '(' : missing ')' before end of input",
            locator.paren_span(ordinal),
        )
    if not allow_atoms:
        for item in top:
            if item.__class__ is str:
                raise locator.reader_error()
    locator.expect_parens(k)
    return top


class Locator:
    """Maps paren ordinals, list children and offsets of one text to spans."""

    def __init__(self, text: str, filename: str) -> None:
        self.text = text
        self.filename = filename
        self._parens: list[int] | None = None
        self._count = -1
        self._last_off = 0
        self._last_line = 1

    # offsets --------------------------------------------------------------
    def expect_parens(self, count: int) -> None:
        self._count = count

    def paren_offset(self, ordinal: int) -> int:
        if self._parens is None:
            self._parens = self._paren_offsets()
        return self._parens[ordinal]

    def _paren_offsets(self) -> list[int]:
        text = self.text
        parts = text.split("(")
        offs = list(map(add, accumulate(map(len, parts[:-1])), range(len(parts) - 1)))
        if '"' in text or "|" in text or ";" in text:
            offs = _drop_quoted(text, offs)
        if self._count >= 0 and len(offs) != self._count:  # pragma: no cover - defensive
            offs = [m.start(1) for m in TOKEN_RE.finditer(text) if m.group(1) == "("]
        return offs

    def child_offset(self, node: list[Any], index: int) -> int:
        """Offset of `node[index]` (index >= 1), found by re-scanning from the node's '('."""
        ordinal = node[0]
        assert isinstance(ordinal, int)
        start = self.paren_offset(ordinal)
        depth = 0
        seen = 0
        for m in TOKEN_RE.finditer(self.text, start):
            tok = m.group(1)
            if depth == 1 and tok != ")":
                seen += 1
                if seen == index:
                    return m.start(1)
            if tok == "(":
                depth += 1
            elif tok == ")":
                depth -= 1
                if depth == 0:
                    break
        return start

    # spans ------------------------------------------------------------------
    def span_at(self, offset: int) -> Span:
        text = self.text
        if offset >= self._last_off:
            line = self._last_line + text.count("\n", self._last_off, offset)
            self._last_off, self._last_line = offset, line
        else:
            line = 1 + text.count("\n", 0, offset)
        col = offset - text.rfind("\n", 0, offset)
        return Span(self.filename, line, col)

    def paren_span(self, ordinal: int) -> Span:
        return self.span_at(self.paren_offset(ordinal))

    def node_span(self, node: SNode, parent: list[Any] | None = None, index: int = 0) -> Span:
        """Span of a list node, or of an atom given its parent list and index."""
        if node.__class__ is list:
            ordinal = node[0]  # type: ignore[index]
            assert isinstance(ordinal, int)
            return self.paren_span(ordinal)
        if parent is None:
            return Span(self.filename, 1, 1)
        return self.span_at(self.child_offset(parent, index))

    def reader_error(self) -> SmtlibError:
        """The located error for a stray ')' or a top-level atom (slow path)."""
        depth = 0
        for m in TOKEN_RE.finditer(self.text):
            tok = m.group(1)
            if tok == "(":
                depth += 1
            elif tok == ")":
                if depth == 0:
                    return error(SYNTAX, "unexpected ')' (no matching '(')", self.span_at(m.start(1)))
                depth -= 1
            elif depth == 0 and tok:
                shown = tok if len(tok) <= 40 else tok[:37] + "..."
                return error(
                    SYNTAX, f"expected '(' to start a command, got '{shown}'", self.span_at(m.start(1))
                )
        return error(SYNTAX, "malformed input", Span(self.filename, 1, 1))  # pragma: no cover


def _drop_quoted(text: str, offs: list[int]) -> list[int]:
    """`offs` without the offsets that fall inside strings, quoted symbols and comments."""
    cuts: list[tuple[int, int]] = []
    for m in _REGION_RE.finditer(text):
        s, e = m.span()
        i = bisect_left(offs, s)
        j = bisect_left(offs, e)
        if i < j:
            cuts.append((i, j))
    if not cuts:
        return offs
    out: list[int] = []
    prev = 0
    for i, j in cuts:
        out.extend(offs[prev:i])
        prev = j
    out.extend(offs[prev:])
    return out


SIMPLE_SYMBOL_RE = re.compile(r"[a-zA-Z~!@$%^&*_\-+=<>.?/][a-zA-Z0-9~!@$%^&*_\-+=<>.?/]*")


def unquote_symbol(tok: str) -> str:
    """The name a symbol token denotes: `|a b|` -> `a b`; other tokens unchanged."""
    return tok[1:-1] if tok[0] == "|" else tok


def symbol_key(name: str) -> str:
    """The symbol-table key of a name: the name if it is a simple symbol, else `|name|`.

    `|abc|` and `abc` are the same symbol, but `|5|` must not meet the literal 5
    (literals are cached in the same table), so names that are not simple
    symbols keep their bars.
    """
    return name if SIMPLE_SYMBOL_RE.fullmatch(name) else f"|{name}|"


def token_key(tok: str) -> str:
    return symbol_key(tok[1:-1]) if tok[0] == "|" else tok


def is_symbol(tok: str) -> bool:
    if tok[0] == "|":
        return len(tok) >= 2 and tok[-1] == "|" and "\\" not in tok[1:-1]
    return SIMPLE_SYMBOL_RE.fullmatch(tok) is not None


__all__ = [
    "SIMPLE_SYMBOL_RE",
    "TOKEN_RE",
    "Locator",
    "SNode",
    "is_symbol",
    "read_sexprs",
    "symbol_key",
    "token_key",
    "tokenize",
    "unquote_symbol",
]
