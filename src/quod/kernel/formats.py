"""Strict readers for DIMACS CNF and for DRAT / LRAT proofs (text and binary).

Everything the checkers see passes through here, so the readers refuse
anything they do not fully understand: a malformed file raises
`ProofFormatError` with a location, it is never guessed at. Literals are
bounded to 10 decimal digits (2^33 in binary) and clause ids to 19 so that a
hostile file cannot make the checker build astronomically large integers.

Step layouts (plain tuples, because proofs have millions of steps):
  DRAT: (is_deletion, literals, location)
  LRAT: (clause_id, literals, hints, location) for an addition and
        (0, (), deleted_ids, location) for a deletion.
`location` is a 1-based line number for text and a byte offset for binary.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from quod.kernel.verdict import ProofFormatError, where

DratStep = tuple[bool, tuple[int, ...], int]
LratStep = tuple[int, tuple[int, ...], tuple[int, ...], int]

_LIT_LIMIT = 1 << 33
_ID_LIMIT = 1 << 63
_DIMACS_LINE = re.compile(rb"(?:(?:-?[1-9][0-9]{0,9}|0)(?:[ \t\r\f\v]+|$))*")
_DRAT_LINE = re.compile(rb"(d[ \t]+)?((?:-?[1-9][0-9]{0,9}[ \t]+)*)0")
_LRAT_ADD = re.compile(
    rb"([1-9][0-9]{0,18})[ \t]+((?:-?[1-9][0-9]{0,9}[ \t]+)*)0[ \t]+((?:-?[1-9][0-9]{0,18}[ \t]+)*)0"
)
_LRAT_DEL = re.compile(rb"([0-9]{1,19})[ \t]+d[ \t]+((?:[1-9][0-9]{0,18}[ \t]+)*)0")


@dataclass(frozen=True)
class Cnf:
    num_vars: int
    clauses: list[tuple[int, ...]]


def check_clauses(clauses: Sequence[Sequence[int]] | dict[int, Sequence[int]]) -> None:
    """A formula handed to a checker through the API must be made of non-zero int literals."""
    for k, clause in clauses.items() if isinstance(clauses, dict) else enumerate(clauses, 1):
        for lit in clause:
            if not isinstance(lit, int) or lit == 0:
                raise ProofFormatError(f"formula clause {k}: {lit!r} is not a literal", code="Q1101")


def as_bytes(data: bytes | str | Iterable[str]) -> bytes:
    """Proofs come as bytes (files), str, or a list of text lines (PySAT)."""
    if isinstance(data, bytes):
        return data
    if isinstance(data, str):
        return data.encode("utf-8", "surrogateescape")
    return "\n".join(data).encode("utf-8", "surrogateescape")


def is_binary(data: bytes) -> bool:
    # every binary step ends with a 0 byte and text never contains one; a text step never starts with 'a'
    return b"\x00" in data or data[:1] == b"a"


def location(name: str, binary: bool, loc: int) -> str:
    return f"{name}: byte {loc}" if binary else f"{name}:{loc}"


def _bad_line(name: str, lineno: int, line: bytes, what: str, code: str) -> ProofFormatError:
    shown = line[:40].decode("ascii", "replace") + ("..." if len(line) > 40 else "")
    return ProofFormatError(f"malformed {what}: {shown!r}", where(name, lineno), code)


def _lines(data: bytes) -> Iterator[tuple[int, bytes]]:
    """Non-blank, non-comment lines with their 1-based numbers."""
    for lineno, raw in enumerate(data.split(b"\n"), 1):
        line = raw.strip()
        if line and line[:1] != b"c":
            yield lineno, line


def parse_dimacs(data: bytes | str, name: str = "<cnf>") -> Cnf:
    """Read a DIMACS CNF: header `p cnf V C`, then exactly C 0-terminated clauses over 1..V."""
    raw = as_bytes(data)
    if is_binary(raw):
        raise ProofFormatError("malformed DIMACS CNF: NUL byte in input", where(name, 1), "Q1101")
    header: tuple[int, int] | None = None
    clauses: list[tuple[int, ...]] = []
    cur: list[int] = []
    lineno = 0
    for lineno, line in _lines(raw):
        if header is None:
            parts = line.split()
            if (
                len(parts) != 4
                or parts[:2] != [b"p", b"cnf"]
                or not (parts[2].isdigit() and parts[3].isdigit())
            ):
                raise _bad_line(name, lineno, line, "DIMACS header (expected 'p cnf VARS CLAUSES')", "Q1101")
            header = (int(parts[2]), int(parts[3]))
            continue
        if not _DIMACS_LINE.fullmatch(line):
            raise _bad_line(name, lineno, line, "DIMACS clause line", "Q1101")
        for v in map(int, line.split()):
            if v == 0:
                clauses.append(tuple(cur))
                cur = []
            elif abs(v) > header[0]:
                msg = f"literal {v} exceeds the {header[0]} variables declared in the header"
                raise ProofFormatError(msg, where(name, lineno), "Q1101")
            else:
                cur.append(v)
    if header is None:
        raise ProofFormatError("missing DIMACS header 'p cnf VARS CLAUSES'", where(name, 1), "Q1101")
    if cur:
        raise ProofFormatError("last clause is not terminated by 0", where(name, lineno), "Q1101")
    if len(clauses) != header[1]:
        msg = f"header declares {header[1]} clauses but the file has {len(clauses)}"
        raise ProofFormatError(msg, where(name, lineno), "Q1101")
    return Cnf(header[0], clauses)


# ----------------------------------------------------------------- binary


def _varint(data: bytes, i: int, limit: int, name: str, code: str) -> tuple[int, int]:
    """Decode one unsigned LEB128 number at offset i; returns (value, next offset)."""
    value = 0
    shift = 0
    start = i
    n = len(data)
    while True:
        if i >= n:
            raise ProofFormatError(f"{name}: byte {start}: truncated binary proof", code=code)
        b = data[i]
        i += 1
        value |= (b & 0x7F) << shift
        if value >= limit:
            raise ProofFormatError(f"{name}: byte {start}: number too large", code=code)
        if not b & 0x80:
            return value, i
        shift += 7


def _signed_list(data: bytes, i: int, limit: int, name: str, code: str) -> tuple[tuple[int, ...], int]:
    out: list[int] = []
    while True:
        u, i = _varint(data, i, limit, name, code)
        if u == 0:
            return tuple(out), i
        if u == 1:
            raise ProofFormatError(f"{name}: byte {i - 1}: encodes -0", code=code)
        out.append(-(u >> 1) if u & 1 else u >> 1)


def _binary_drat(data: bytes, name: str) -> Iterator[DratStep]:
    i = 0
    while i < len(data):
        tag, start = data[i], i
        if tag not in (0x61, 0x64):
            raise ProofFormatError(f"{name}: byte {i}: expected 'a' or 'd', found 0x{tag:02x}", code="Q1102")
        lits, i = _signed_list(data, i + 1, _LIT_LIMIT, name, "Q1102")
        yield tag == 0x64, lits, start


def _binary_lrat(data: bytes, name: str) -> Iterator[LratStep]:
    i = 0
    while i < len(data):
        tag, start = data[i], i
        if tag == 0x61:
            cid, i = _varint(data, i + 1, _ID_LIMIT, name, "Q1103")
            if cid < 2 or cid & 1:
                raise ProofFormatError(f"{name}: byte {start}: invalid clause id", code="Q1103")
            lits, i = _signed_list(data, i, _LIT_LIMIT, name, "Q1103")
            hints, i = _signed_list(data, i, _ID_LIMIT, name, "Q1103")
            yield cid >> 1, lits, hints, start
        elif tag == 0x64:
            ids, i = _signed_list(data, i + 1, _ID_LIMIT, name, "Q1103")
            if any(h < 0 for h in ids):
                raise ProofFormatError(f"{name}: byte {start}: negative id in deletion", code="Q1103")
            yield 0, (), ids, start
        else:
            raise ProofFormatError(f"{name}: byte {i}: expected 'a' or 'd', found 0x{tag:02x}", code="Q1103")


# ------------------------------------------------------------------- text


def _text_drat(data: bytes, name: str) -> Iterator[DratStep]:
    for lineno, line in _lines(data):
        m = _DRAT_LINE.fullmatch(line)
        if m is None:
            raise _bad_line(name, lineno, line, "DRAT step", "Q1102")
        yield m.group(1) is not None, tuple(map(int, m.group(2).split())), lineno


def _text_lrat(data: bytes, name: str) -> Iterator[LratStep]:
    add, delete = _LRAT_ADD.fullmatch, _LRAT_DEL.fullmatch
    for lineno, line in _lines(data):
        if b"d" in line:
            m = delete(line)
            if m is None:
                raise _bad_line(name, lineno, line, "LRAT step", "Q1103")
            yield 0, (), tuple(map(int, m.group(2).split())), lineno
            continue
        m = add(line)
        if m is None:
            raise _bad_line(name, lineno, line, "LRAT step", "Q1103")
        yield (
            int(m.group(1)),
            tuple(map(int, m.group(2).split())),
            tuple(map(int, m.group(3).split())),
            lineno,
        )


def read_drat(data: bytes | str | Iterable[str], name: str = "<drat>") -> tuple[list[DratStep], bool]:
    """All steps of a DRAT proof (binary if it contains a NUL byte) and whether it was binary."""
    raw = as_bytes(data)
    binary = is_binary(raw)
    return list(_binary_drat(raw, name) if binary else _text_drat(raw, name)), binary


def read_lrat(data: bytes | str | Iterable[str], name: str = "<lrat>") -> tuple[Iterator[LratStep], bool]:
    """A lazy stream of LRAT steps (errors surface while iterating) and whether it is binary."""
    raw = as_bytes(data)
    binary = is_binary(raw)
    return (_binary_lrat(raw, name) if binary else _text_lrat(raw, name)), binary
