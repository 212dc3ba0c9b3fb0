"""Static types of the verified Python subset and their SMT sorts.

int is unbounded (SMT Int); bool is Bool and promotes to int where Python
would treat it as one; str is an SMT String; list[T] and bytes are SMT
sequences (bytes: a sequence of ints in 0..255); tuples have no SMT sort of
their own and are kept as Python tuples of component values by the
translator. A simple dataclass ("dc") is kept the same way, as its field
values in declaration order, but its type carries the class name, so values
of different classes never compare or assign as each other (nor as tuples).
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass

from quod.core.sorts import BOOL, INT, STRING, SeqSort, Sort
from quod.verify.errors import type_error, unsupported


@dataclass(frozen=True)
class PyType:
    """A type of the subset: kind is int, bool, str, bytes, list, tuple, dc or none.

    For a dataclass (kind "dc"), `name` is the class name, `fields` the field
    names and `params` the field types, in declaration order.
    """

    kind: str
    params: tuple[PyType, ...] = ()
    name: str = ""
    fields: tuple[str, ...] = ()

    def __str__(self) -> str:
        if self.kind == "dc":
            return self.name
        if self.kind == "list":
            return f"list[{self.params[0]}]"
        if self.kind == "tuple":
            return f"tuple[{', '.join(str(p) for p in self.params)}]"
        if self.kind == "none":
            return "None"
        return self.kind

    @property
    def elem(self) -> PyType:
        if self.kind == "list":
            return self.params[0]
        if self.kind == "bytes":
            return INT_T
        if self.kind == "str":
            return STR_T
        raise ValueError(f"{self} has no element type")

    @property
    def is_seq(self) -> bool:
        """Represented as an SMT sequence (list or bytes)."""
        return self.kind in ("list", "bytes")

    @property
    def is_sequence_like(self) -> bool:
        """Supports len, indexing and slicing (list, bytes or str)."""
        return self.kind in ("list", "bytes", "str")

    @property
    def is_product(self) -> bool:
        """Kept as a tuple of component values (a tuple or a dataclass)."""
        return self.kind in ("tuple", "dc")

    def field_type(self, name: str) -> PyType | None:
        if self.kind != "dc" or name not in self.fields:
            return None
        return self.params[self.fields.index(name)]

    @property
    def is_numeric(self) -> bool:
        return self.kind in ("int", "bool")

    @property
    def mutable(self) -> bool:
        return self.kind == "list"

    def contains_list(self) -> bool:
        return self.kind == "list" or any(p.contains_list() for p in self.params)


INT_T = PyType("int")
BOOL_T = PyType("bool")
STR_T = PyType("str")
BYTES_T = PyType("bytes")
NONE_T = PyType("none")


def list_of(elem: PyType) -> PyType:
    return PyType("list", (elem,))


def tuple_of(*elems: PyType) -> PyType:
    return PyType("tuple", tuple(elems))


def dataclass_of(name: str, fields: list[tuple[str, PyType]]) -> PyType:
    return PyType("dc", tuple(t for _, t in fields), name, tuple(f for f, _ in fields))


def sort_of(t: PyType) -> Sort:
    """The SMT sort of a non-tuple type."""
    if t.kind == "int":
        return INT
    if t.kind == "bool":
        return BOOL
    if t.kind == "str":
        return STRING
    if t.kind in ("list", "bytes"):
        return SeqSort(sort_of(t.elem))
    raise ValueError(f"type {t} has no single SMT sort")


def flat_types(t: PyType) -> list[PyType]:
    """Leaf types of a possibly nested tuple or dataclass, left to right."""
    if t.is_product:
        out: list[PyType] = []
        for p in t.params:
            out.extend(flat_types(p))
        return out
    return [t]


def join(a: PyType, b: PyType) -> PyType | None:
    """The common type of two branches, or None.

    bool does not join int: Python keeps the bool object (str(True) is
    "True", not "1"), so a value that may be either has no single model.
    """
    if a == b:
        return a
    if a.kind == b.kind == "tuple" and len(a.params) == len(b.params):
        parts = [join(x, y) for x, y in zip(a.params, b.params, strict=True)]
        if all(p is not None for p in parts):
            return PyType("tuple", tuple(p for p in parts if p is not None))
    return None


def assignable(target: PyType, value: PyType) -> bool:
    """Whether a value of type `value` may be stored where `target` is declared."""
    if target == value:
        return True
    if target.kind == value.kind == "tuple" and len(target.params) == len(value.params):
        return all(assignable(t, v) for t, v in zip(target.params, value.params, strict=True))
    if target.kind == value.kind == "list":
        # [] has element type "none" until something says otherwise
        return value.params[0].kind == "none" or target.params[0] == value.params[0]
    return False


_SIMPLE = {"int": INT_T, "bool": BOOL_T, "str": STR_T, "bytes": BYTES_T, "None": NONE_T}


def parse_annotation(node: ast.expr, file: str, classes: Mapping[str, PyType] | None = None) -> PyType:
    """The type an annotation denotes (`classes`: the program's dataclasses by name);
    rejects types outside the subset."""
    classes = classes or {}
    if isinstance(node, ast.Constant) and node.value is None:
        return NONE_T
    if isinstance(node, ast.Name):
        if node.id in _SIMPLE:
            return _SIMPLE[node.id]
        if node.id in classes:
            return classes[node.id]
        if node.id == "float":
            raise unsupported(node, file, "float (floating point is not modelled)")
        if node.id in ("list", "List", "tuple", "Tuple"):
            raise type_error(node, file, f"'{node.id}' needs element types, e.g. list[int]")
        raise unsupported(node, file, f"type '{node.id}'")
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        base = node.value.id
        args = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        if base in ("list", "List") and len(args) == 1:
            elem = parse_annotation(args[0], file, classes)
            if elem.is_product or elem.kind == "none":
                raise unsupported(node, file, f"list of {elem}")
            return list_of(elem)
        if base in ("tuple", "Tuple"):
            if any(isinstance(a, ast.Constant) and a.value is Ellipsis for a in args):
                raise unsupported(node, file, "variable-length tuple type")
            parts = [parse_annotation(a, file, classes) for a in args]
            if any(p.kind == "none" for p in parts):
                raise unsupported(node, file, "None inside a tuple")
            return tuple_of(*parts)
    raise unsupported(node, file, f"type annotation '{ast.unparse(node)}'")
