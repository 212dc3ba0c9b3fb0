"""CNF formulas over integer literals (DIMACS convention) and their text form.

Variables are positive integers handed out by the formula itself
(`new_var`); a literal is a non-zero int whose sign is its polarity. Clauses
are kept as plain lists because encoders produce millions of them and both
PySAT and the DIMACS writer consume lists directly.

DIMACS text is canonical (one header, one clause per line, single spaces), so
`sha256()` identifies a formula byte for byte: the certificate bundle re-runs
the encoder and compares these hashes.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from quod.core.errors import QuodError, Span, register_codes

register_codes(
    {
        "Q0401": "malformed DIMACS CNF",
        "Q0402": "SAT solver not available",
        "Q0403": "SAT solver failed",
    }
)


class DimacsError(QuodError):
    code = "Q0401"


class Cnf:
    """A CNF formula: a variable counter plus a list of clauses."""

    __slots__ = ("clauses", "comments", "num_vars")

    def __init__(self, num_vars: int = 0, clauses: Iterable[Sequence[int]] = ()) -> None:
        self.num_vars = num_vars
        self.clauses: list[list[int]] = [list(c) for c in clauses]
        self.comments: list[str] = []
        for c in self.clauses:
            self._track(c)

    def _track(self, clause: Sequence[int]) -> None:
        for lit in clause:
            v = lit if lit > 0 else -lit
            if v == 0:
                raise ValueError("0 is not a literal")
            if v > self.num_vars:
                self.num_vars = v

    def new_var(self) -> int:
        self.num_vars += 1
        return self.num_vars

    def new_vars(self, n: int) -> range:
        """`n` fresh consecutive variables."""
        first = self.num_vars + 1
        self.num_vars += n
        return range(first, first + n)

    def add(self, clause: Sequence[int]) -> None:
        """Add a clause (checked: literals must be non-zero; grows num_vars if needed)."""
        c = list(clause)
        self._track(c)
        self.clauses.append(c)

    def extend(self, clauses: Iterable[list[int]]) -> None:
        """Add clauses over variables already allocated with `new_var` (unchecked, fast path)."""
        self.clauses.extend(clauses)

    def __len__(self) -> int:
        return len(self.clauses)

    def __iter__(self) -> Iterator[list[int]]:
        return iter(self.clauses)

    # -- DIMACS ---------------------------------------------------------------
    def to_dimacs(self) -> str:
        buf = io.StringIO()
        self.write(buf)
        return buf.getvalue()

    def write(self, out: io.TextIOBase | io.StringIO) -> None:
        for comment in self.comments:
            out.write(f"c {comment}\n")
        out.write(f"p cnf {self.num_vars} {len(self.clauses)}\n")
        # chunked join: one write per 4096 clauses keeps memory flat and is fast
        chunk: list[str] = []
        for c in self.clauses:
            chunk.append(" ".join(map(str, c)) + " 0\n" if c else "0\n")
            if len(chunk) >= 4096:
                out.write("".join(chunk))
                chunk.clear()
        out.write("".join(chunk))

    def write_file(self, path: str | Path) -> None:
        with open(path, "w", encoding="ascii") as fh:
            self.write(fh)  # type: ignore[arg-type]

    def sha256(self) -> str:
        """Hash of the canonical DIMACS text without comments."""
        h = hashlib.sha256()
        h.update(f"p cnf {self.num_vars} {len(self.clauses)}\n".encode())
        chunk: list[str] = []
        for c in self.clauses:
            chunk.append(" ".join(map(str, c)) + " 0\n" if c else "0\n")
            if len(chunk) >= 4096:
                h.update("".join(chunk).encode())
                chunk.clear()
        h.update("".join(chunk).encode())
        return h.hexdigest()


def parse_dimacs(text: str, name: str = "<dimacs>") -> Cnf:
    """Read DIMACS CNF; malformed input raises `DimacsError` with file:line:col.

    Accepted: comment lines (`c ...`), one `p cnf V C` header before any
    clause, clauses spread over lines and terminated by 0. The header counts
    are checked: a literal above V or a clause count different from C is an error.
    """
    cnf = Cnf()
    header: tuple[int, int] | None = None
    current: list[int] = []
    for lineno, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("c") or stripped.startswith("%"):
            continue
        if stripped.startswith("p"):
            header = _parse_header(stripped, header, name, lineno, line)
            cnf.num_vars = header[0]
            continue
        if header is None:
            raise DimacsError("clause before the 'p cnf' header", Span(name, lineno, 1))
        col = 1
        for tok in stripped.split():
            col = line.index(tok, col - 1) + 1
            try:
                lit = int(tok)
            except ValueError:
                raise DimacsError(f"not an integer literal: {tok!r}", Span(name, lineno, col)) from None
            if lit == 0:
                cnf.clauses.append(current)
                current = []
            elif abs(lit) > header[0]:
                raise DimacsError(
                    f"literal {lit} exceeds the declared {header[0]} variables", Span(name, lineno, col)
                )
            else:
                current.append(lit)
            col += len(tok)
    if header is None:
        raise DimacsError("missing 'p cnf' header", Span(name, 1, 1))
    if current:
        raise DimacsError("last clause is not terminated by 0", Span(name, max(1, text.count("\n")), 1))
    if len(cnf.clauses) != header[1]:
        raise DimacsError(f"header declares {header[1]} clauses, found {len(cnf.clauses)}", Span(name, 1, 1))
    return cnf


def _parse_header(
    stripped: str, previous: tuple[int, int] | None, name: str, lineno: int, line: str
) -> tuple[int, int]:
    if previous is not None:
        raise DimacsError("second 'p' header", Span(name, lineno, 1))
    parts = stripped.split()
    if len(parts) != 4 or parts[1] != "cnf":
        raise DimacsError(f"expected 'p cnf VARS CLAUSES', got {stripped!r}", Span(name, lineno, 1))
    try:
        nv, nc = int(parts[2]), int(parts[3])
    except ValueError:
        raise DimacsError(f"non-numeric counts in header {stripped!r}", Span(name, lineno, 1)) from None
    if nv < 0 or nc < 0:
        raise DimacsError("negative counts in header", Span(name, lineno, line.index(parts[2]) + 1))
    return nv, nc


def read_dimacs(path: str | Path) -> Cnf:
    p = Path(path)
    try:
        text = p.read_text(encoding="ascii")
    except FileNotFoundError:
        raise QuodError(f"{p}: no such file", code="Q0002") from None
    except UnicodeDecodeError as e:
        raise DimacsError(f"non-ASCII byte at offset {e.start}", Span(str(p), 1, 1)) from None
    return parse_dimacs(text, str(p))
