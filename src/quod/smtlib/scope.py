"""Symbol tables with SMT-LIB assertion-level scoping.

Three name spaces: nullary symbols (`atoms`: declared constants, nullary
definitions, `:named` terms, built-in constants and a cache of parsed
literals), functions (`funs`: declared FuncDecls and `define-fun` macros)
and sorts. Every change made by a declaration is logged per assertion
level; `pop` replays the log backwards. With `:global-declarations`
nothing is logged, so declarations survive `pop`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Union

from quod.core.sorts import Sort
from quod.core.terms import FuncDecl, Term

_MISSING: Any = object()


@dataclass(frozen=True, slots=True)
class Macro:
    """A `define-fun` with parameters: `body` over the (internal) parameter variables."""

    name: str
    params: tuple[Term, ...]
    range: Sort
    body: Term


@dataclass(frozen=True, slots=True)
class SortDecl:
    """A declared sort of some arity, or a defined sort template."""

    name: str
    arity: int
    # define-sort: the definition with parameters as placeholder sorts
    template: Sort | None = None
    placeholders: tuple[Sort, ...] = ()


FunEntry = Union[FuncDecl, Macro]


class SymbolTable:
    def __init__(self, builtin_atoms: dict[str, Term]) -> None:
        self._builtin = builtin_atoms
        self.atoms: dict[str, Term] = dict(builtin_atoms)
        self.funs: dict[str, FunEntry] = {}
        self.sorts: dict[str, SortDecl] = {}
        # Undo logs of the assertion levels; level 0 is the base level. One
        # (push n) is one entry standing for n levels (only its innermost
        # level can have changes), so huge pushes cost no memory.
        self._logs: list[list[tuple[dict[str, Any], str, Any]]] = [[]]
        self._mult: list[int] = [1]
        self._levels = 0
        self.global_declarations = False

    @property
    def levels(self) -> int:
        """Number of pushed assertion levels (0 at the base)."""
        return self._levels

    def _set(self, table: dict[str, Any], name: str, value: Any) -> None:
        if not self.global_declarations:
            self._logs[-1].append((table, name, table.get(name, _MISSING)))
        table[name] = value

    def add_atom(self, name: str, term: Term) -> None:
        self._set(self.atoms, name, term)

    def add_fun(self, name: str, entry: FunEntry) -> None:
        self._set(self.funs, name, entry)

    def add_sort(self, key: str, decl: SortDecl) -> None:
        self._set(self.sorts, key, decl)

    def is_builtin(self, name: str) -> bool:
        return name in self._builtin

    def push(self, n: int) -> None:
        if n > 0:
            self._logs.append([])
            self._mult.append(n)
            self._levels += n

    def pop(self, n: int) -> None:
        assert n <= self._levels
        self._levels -= n
        while n > 0:
            self._undo(self._logs[-1])
            self._logs[-1] = []
            if self._mult[-1] <= n:
                n -= self._mult.pop()
                self._logs.pop()
            else:
                self._mult[-1] -= n
                n = 0

    def _undo(self, log: list[tuple[dict[str, Any], str, Any]]) -> None:
        for table, name, old in reversed(log):
            if old is _MISSING:
                table.pop(name, None)
            else:
                table[name] = old

    def reset_assertions(self) -> None:
        """Pop all levels and undo the base level too (keeps global declarations)."""
        self.pop(self._levels)
        self._undo(self._logs[0])
        self._logs[0] = []

    def reset(self) -> None:
        self.atoms = dict(self._builtin)
        self.funs = {}
        self.sorts = {}
        self._logs = [[]]
        self._mult = [1]
        self._levels = 0
        self.global_declarations = False


__all__ = ["FunEntry", "Macro", "SortDecl", "SymbolTable"]
