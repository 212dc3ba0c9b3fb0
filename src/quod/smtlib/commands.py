"""SMT-LIB commands as frozen dataclasses, and `Script`.

Commands hold core terms and sorts, already checked and with `define-fun`
macros expanded, so an executor can run them without knowing SMT-LIB
syntax. Each command carries the `Span` of its opening parenthesis.

Equality of commands ignores spans and compares terms by identity (terms
are hash-consed, so identity is structural equality); this is what
`parse(print(s)) == s` means.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, Union

from quod.core.errors import Span
from quod.core.sorts import Sort
from quod.core.terms import FuncDecl, Term, var
from quod.smtlib.errors import INCREMENTAL, error

# An attribute value or other uninterpreted S-expression, as raw tokens.
SExpr = Union[str, tuple["SExpr", ...]]


def _same(a: Any, b: Any) -> bool:
    if a is b:
        return True
    if isinstance(a, Term) or isinstance(b, Term):
        return False
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return bool(a == b)


@dataclass(frozen=True, eq=False)
class Command:
    """Base class; `name` is the SMT-LIB command name."""

    name: ClassVar[str] = ""
    span: Span | None = field(default=None, kw_only=True)

    def _key(self) -> tuple[Any, ...]:
        return tuple(getattr(self, f.name) for f in fields(self) if f.name != "span")

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, Command)
        return _same(self._key(), other._key())

    def __hash__(self) -> int:
        return hash((type(self), self._key()))


@dataclass(frozen=True, eq=False)
class SetLogic(Command):
    name: ClassVar[str] = "set-logic"
    logic: str


@dataclass(frozen=True, eq=False)
class SetInfo(Command):
    name: ClassVar[str] = "set-info"
    keyword: str
    value: SExpr | None = None


@dataclass(frozen=True, eq=False)
class SetOption(Command):
    name: ClassVar[str] = "set-option"
    keyword: str
    value: SExpr | None = None


@dataclass(frozen=True, eq=False)
class DeclareSort(Command):
    name: ClassVar[str] = "declare-sort"
    symbol: str
    arity: int = 0


@dataclass(frozen=True, eq=False)
class DefineSort(Command):
    """`(define-sort symbol (params) definition)`; uses are expanded by the parser."""

    name: ClassVar[str] = "define-sort"
    symbol: str
    params: tuple[str, ...]
    definition: SExpr


@dataclass(frozen=True, eq=False)
class DeclareFun(Command):
    name: ClassVar[str] = "declare-fun"
    symbol: str
    domain: tuple[Sort, ...]
    range: Sort

    @property
    def decl(self) -> Term | FuncDecl:
        """The declared constant (a VAR term) or function (a FuncDecl)."""
        if not self.domain:
            return var(self.symbol, self.range)
        return FuncDecl(self.symbol, self.domain, self.range)


@dataclass(frozen=True, eq=False)
class DeclareConst(Command):
    name: ClassVar[str] = "declare-const"
    symbol: str
    sort: Sort

    @property
    def decl(self) -> Term:
        return var(self.symbol, self.sort)


@dataclass(frozen=True, eq=False)
class DefineFun(Command):
    """A definition; the parser expands it at every use, so executors may ignore it."""

    name: ClassVar[str] = "define-fun"
    symbol: str
    params: tuple[Term, ...]
    range: Sort
    body: Term


@dataclass(frozen=True, eq=False)
class Assert(Command):
    """An assertion; `names` are its top-level `:named` labels (for unsat cores)."""

    name: ClassVar[str] = "assert"
    term: Term
    names: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class CheckSat(Command):
    name: ClassVar[str] = "check-sat"


@dataclass(frozen=True, eq=False)
class CheckSatAssuming(Command):
    """`assumptions` are Bool terms (SMT-LIB asks for literals; any Bool term is accepted)."""

    name: ClassVar[str] = "check-sat-assuming"
    assumptions: tuple[Term, ...]


@dataclass(frozen=True, eq=False)
class GetModel(Command):
    name: ClassVar[str] = "get-model"


@dataclass(frozen=True, eq=False)
class GetValue(Command):
    name: ClassVar[str] = "get-value"
    terms: tuple[Term, ...]


@dataclass(frozen=True, eq=False)
class GetUnsatCore(Command):
    name: ClassVar[str] = "get-unsat-core"


@dataclass(frozen=True, eq=False)
class GetUnsatAssumptions(Command):
    name: ClassVar[str] = "get-unsat-assumptions"


@dataclass(frozen=True, eq=False)
class GetProof(Command):
    name: ClassVar[str] = "get-proof"


@dataclass(frozen=True, eq=False)
class GetInfo(Command):
    name: ClassVar[str] = "get-info"
    keyword: str


@dataclass(frozen=True, eq=False)
class GetOption(Command):
    name: ClassVar[str] = "get-option"
    keyword: str


@dataclass(frozen=True, eq=False)
class GetAssertions(Command):
    name: ClassVar[str] = "get-assertions"


@dataclass(frozen=True, eq=False)
class GetAssignment(Command):
    name: ClassVar[str] = "get-assignment"


@dataclass(frozen=True, eq=False)
class Push(Command):
    name: ClassVar[str] = "push"
    levels: int = 1


@dataclass(frozen=True, eq=False)
class Pop(Command):
    name: ClassVar[str] = "pop"
    levels: int = 1


@dataclass(frozen=True, eq=False)
class Reset(Command):
    name: ClassVar[str] = "reset"


@dataclass(frozen=True, eq=False)
class ResetAssertions(Command):
    name: ClassVar[str] = "reset-assertions"


@dataclass(frozen=True, eq=False)
class Echo(Command):
    """`text` is the decoded string (SMT-LIB `""` already turned into `"`)."""

    name: ClassVar[str] = "echo"
    text: str


@dataclass(frozen=True, eq=False)
class Exit(Command):
    name: ClassVar[str] = "exit"


_INCREMENTAL = (Push, Pop, Reset, ResetAssertions)


@dataclass(eq=False)
class Script:
    """A parsed SMT-LIB script: its commands in order, with convenience views."""

    commands: list[Command]
    filename: str = "<input>"

    def __iter__(self) -> Iterator[Command]:
        return iter(self.commands)

    def __len__(self) -> int:
        return len(self.commands)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Script):
            return NotImplemented
        return len(self.commands) == len(other.commands) and all(
            a == b for a, b in zip(self.commands, other.commands)
        )

    __hash__ = None  # type: ignore[assignment]

    @property
    def logic(self) -> str | None:
        """The logic of the last `set-logic` (None if there is none)."""
        for c in reversed(self.commands):
            if isinstance(c, SetLogic):
                return c.logic
        return None

    @property
    def status(self) -> str | None:
        """`sat`, `unsat` or `unknown` from the first `(set-info :status ...)`, else None."""
        for c in self.commands:
            if isinstance(c, SetInfo) and c.keyword == ":status" and isinstance(c.value, str):
                return c.value
        return None

    @property
    def is_incremental(self) -> bool:
        return any(isinstance(c, _INCREMENTAL) for c in self.commands)

    def assertions(self) -> list[Term]:
        """The asserted terms in order; only for scripts without push/pop/reset."""
        for c in self.commands:
            if isinstance(c, _INCREMENTAL):
                raise error(
                    INCREMENTAL,
                    f"'{c.name}' makes the set of assertions depend on the position in the script; "
                    "run the commands in order instead",
                    c.span,
                )
        return [c.term for c in self.commands if isinstance(c, Assert)]

    def declarations(self) -> list[Term | FuncDecl]:
        """Every declared constant (VAR term) and function (FuncDecl), in order."""
        return [c.decl for c in self.commands if isinstance(c, (DeclareFun, DeclareConst))]

    def check_sat_count(self) -> int:
        return sum(1 for c in self.commands if isinstance(c, (CheckSat, CheckSatAssuming)))


__all__ = [
    "Assert",
    "CheckSat",
    "CheckSatAssuming",
    "Command",
    "DeclareConst",
    "DeclareFun",
    "DeclareSort",
    "DefineFun",
    "DefineSort",
    "Echo",
    "Exit",
    "GetAssertions",
    "GetAssignment",
    "GetInfo",
    "GetModel",
    "GetOption",
    "GetProof",
    "GetUnsatAssumptions",
    "GetUnsatCore",
    "GetValue",
    "Pop",
    "Push",
    "Reset",
    "ResetAssertions",
    "SExpr",
    "Script",
    "SetInfo",
    "SetLogic",
    "SetOption",
]
