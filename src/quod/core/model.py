"""Models: values for free constants and interpretations for functions.

Value domain (what `evaluate` returns): bool; int (Int, and BitVec as an
unsigned int); Fraction (Real); str (String); `UninterpretedValue`;
`ArrayValue`; tuple (Seq); a regular expression is a `Term` built from
constants only.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from quod.core.sorts import Sort, SortKind
from quod.core.terms import FuncDecl, Term, UninterpretedValue


@dataclass(frozen=True)
class ArrayValue:
    """A finite array: `entries` over a constant `default`."""

    sort: Sort
    default: Any
    entries: tuple[tuple[Any, Any], ...] = ()

    def get(self, index: Any) -> Any:
        for k, v in self.entries:
            if values_equal(k, index):
                return v
        return self.default

    def set(self, index: Any, value: Any) -> ArrayValue:
        rest = tuple((k, v) for k, v in self.entries if not values_equal(k, index))
        return ArrayValue(self.sort, self.default, (*rest, (index, value)))

    def normalized(self) -> tuple[Any, frozenset[tuple[Any, Any]]]:
        return (
            _key(self.default),
            frozenset((_key(k), _key(v)) for k, v in self.entries if not values_equal(v, self.default)),
        )


def _key(v: Any) -> Any:
    if isinstance(v, ArrayValue):
        return ("array", v.normalized())
    if isinstance(v, tuple):
        return tuple(_key(x) for x in v)
    return (type(v).__name__, v)


def _finite_indices(sort: Sort) -> list[Any] | None:
    if sort.kind is SortKind.BOOL:
        return [False, True]
    if sort.kind is SortKind.BITVEC and sort.width <= 8:
        return list(range(1 << sort.width))
    return None


def values_equal(a: Any, b: Any) -> bool:
    """Semantic equality of model values (arrays are extensional)."""
    if isinstance(a, ArrayValue) and isinstance(b, ArrayValue):
        domain = _finite_indices(a.sort.index_sort)
        if domain is not None:
            return all(values_equal(a.get(i), b.get(i)) for i in domain)
        if not values_equal(a.default, b.default):
            return False
        keys = [k for k, _ in a.entries] + [k for k, _ in b.entries]
        return all(values_equal(a.get(k), b.get(k)) for k in keys)
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(values_equal(x, y) for x, y in zip(a, b, strict=True))
    if type(a) is not type(b):
        # Int/Real mixing never reaches here for well-sorted terms; bool vs int must differ
        if isinstance(a, (int, Fraction)) and isinstance(b, (int, Fraction)):
            if isinstance(a, bool) or isinstance(b, bool):
                return False
            return bool(a == b)
        return False
    return bool(a == b)


@dataclass
class FuncInterp:
    """Interpretation of an uninterpreted function: a table plus an else-value.

    `default_body`, when given, is a term over `params` used for arguments not
    in the table (solvers sometimes return else-branches that depend on the
    arguments).
    """

    decl: FuncDecl
    entries: dict[Any, Any] = field(default_factory=dict)
    default: Any = None
    params: tuple[Term, ...] = ()
    default_body: Term | None = None
    # the argument values behind each key of `entries`, for printing and storing
    arg_values: dict[Any, tuple[Any, ...]] = field(default_factory=dict)

    def lookup(self, args: tuple[Any, ...]) -> tuple[bool, Any]:
        key = tuple(_key(a) for a in args)
        if key in self.entries:
            return True, self.entries[key]
        return False, None

    def add(self, args: tuple[Any, ...], value: Any) -> None:
        key = tuple(_key(a) for a in args)
        self.entries[key] = value
        self.arg_values[key] = args

    def table(self) -> list[tuple[tuple[Any, ...], Any]]:
        """The explicit entries as (argument values, value) pairs."""
        return [(self.arg_values[k], v) for k, v in self.entries.items()]


class Model:
    """Values for free constants (VAR terms) and interpretations for functions."""

    def __init__(
        self,
        consts: Mapping[Term, Any] | None = None,
        funcs: Mapping[FuncDecl, FuncInterp] | None = None,
    ) -> None:
        self.consts: dict[Term, Any] = dict(consts or {})
        self.funcs: dict[FuncDecl, FuncInterp] = dict(funcs or {})

    def __getitem__(self, t: Term) -> Any:
        return self.consts[t]

    def __contains__(self, t: object) -> bool:
        return isinstance(t, Term) and t in self.consts

    def __iter__(self) -> Iterator[Term]:
        return iter(self.consts)

    def __len__(self) -> int:
        return len(self.consts)

    def get(self, t: Term, default: Any = None) -> Any:
        return self.consts.get(t, default)

    def by_name(self) -> dict[str, Any]:
        return {t.name: v for t, v in self.consts.items()}

    def copy(self) -> Model:
        return Model(
            self.consts,
            {
                d: FuncInterp(
                    f.decl, dict(f.entries), f.default, f.params, f.default_body, dict(f.arg_values)
                )
                for d, f in self.funcs.items()
            },
        )

    def __repr__(self) -> str:
        items = ", ".join(
            f"{t.name}={v!r}" for t, v in sorted(self.consts.items(), key=lambda kv: kv[0].name)
        )
        return f"Model({items})"


def default_value(sort: Sort) -> Any:
    """The value quod picks for a constant the model leaves open."""
    k = sort.kind
    if k is SortKind.BOOL:
        return False
    if k is SortKind.INT or k is SortKind.BITVEC:
        return 0
    if k is SortKind.REAL:
        return Fraction(0)
    if k is SortKind.STRING:
        return ""
    if k is SortKind.SEQ:
        return ()
    if k is SortKind.UNINTERPRETED:
        return UninterpretedValue(sort.name, 0)
    if k is SortKind.ARRAY:
        return ArrayValue(sort, default_value(sort.elem_sort))
    raise ValueError(f"no default value for sort {sort}")


__all__ = ["ArrayValue", "FuncInterp", "Model", "default_value", "values_equal"]
