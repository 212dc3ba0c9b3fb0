"""Static types of a function's local variables.

Python locals have no declarations, so each local gets the type of its
first binding in textual order (or its annotation); later bindings must
agree. An empty list literal gets its element type from a later `append`,
item assignment or binding. Expression types come from the translator
itself, run against a throwaway emitter, so typing and translation cannot
disagree.
"""

from __future__ import annotations

import ast

from quod.core.sorts import INT, SeqSort, Sort
from quod.core.terms import Term, var
from quod.verify.calls import CallTranslator, PureTable, build_val
from quod.verify.errors import VerifyError, alias_error, type_error, unsupported
from quod.verify.exprs import Scope
from quod.verify.program import SPEC_NAMES, Function, Program
from quod.verify.types import (
    INT_T,
    PyType,
    assignable,
    flat_types,
    list_of,
    parse_annotation,
    sort_of,
    tuple_of,
)
from quod.verify.values import Val


class NullEmitter:
    """Accepts and discards everything (for typing runs)."""

    def __init__(self) -> None:
        self.n = 0

    def check(
        self, cond: Term, code: str, message: str, node: ast.AST, related: list[tuple[ast.AST, str]]
    ) -> None:
        pass

    def assume(self, cond: Term) -> None:
        pass

    def havoc(self, vars: list[Term]) -> None:
        pass

    def assign(self, v: Term, value: Term) -> None:
        pass

    def fresh(self, hint: str, sort: Sort) -> Term:
        self.n += 1
        return var(f"{hint}$t{self.n}", sort)


def _sort_or_placeholder(t: PyType) -> Sort:
    if t.kind == "list" and t.elem.kind == "none":
        return SeqSort(INT)
    return sort_of(t)


def placeholder(name: str, t: PyType) -> Val:
    leaves = flat_types(t)
    return build_val(t, [var(f"{name}$ty{i}", _sort_or_placeholder(lt)) for i, lt in enumerate(leaves)])


class _Typer:
    def __init__(
        self, prog: Program, fn: Function, pure: PureTable, seed: dict[str, PyType], lenient: bool
    ) -> None:
        self.seed = seed
        self.lenient = lenient
        self.prog = prog
        self.fn = fn
        self.file = prog.file
        self.types: dict[str, PyType] = {}
        self.where: dict[str, ast.AST] = {}
        self.tr = CallTranslator(prog, fn, NullEmitter())
        self.tr.pure = pure
        self.tr.entry_measure = []
        self.tr.is_mutable_name = lambda n: True
        self.tr.measure_of = lambda f, params: []

    def type_of(self, node: ast.expr) -> PyType:
        vars = {p.name: placeholder(p.name, p.type) for p in self.fn.params}
        for n, t in {**self.seed, **self.types}.items():
            vars[n] = placeholder(n, t)
        self.tr.top_call = node if isinstance(node, ast.Call) else None
        try:
            with self.tr.in_scope(Scope(vars, "code")):
                return self.tr.expr(node).type
        finally:
            self.tr.top_call = None

    def bind(self, name: str, t: PyType, node: ast.AST) -> None:
        if name in SPEC_NAMES:
            raise type_error(node, self.file, f"'{name}' is reserved for specifications")
        if name in self.prog.functions:
            raise unsupported(node, self.file, f"rebinding the function name '{name}'")
        if name in self.prog.classes:
            raise unsupported(node, self.file, f"rebinding the class name '{name}'")
        p = self.fn.param(name)
        if p is not None:
            if not assignable(p.type, t):
                raise type_error(node, self.file, f"parameter '{name}' has type {p.type}; cannot assign {t}")
            return
        if t.kind == "none":
            raise type_error(node, self.file, f"cannot bind '{name}' to None")
        old = self.types.get(name)
        if old is None:
            self.types[name] = t
            self.where[name] = node
            return
        if old.kind == "list" and old.elem.kind == "none" and t.kind == "list":
            self.types[name] = t
            return
        if not assignable(old, t):
            raise type_error(
                node, self.file, f"'{name}' has type {old}; cannot assign {t} (a variable keeps one type)"
            )

    def bind_target(self, target: ast.expr, t: PyType, node: ast.AST) -> None:
        if isinstance(target, ast.Name):
            self.bind(target.id, t, target)
        elif isinstance(target, ast.Tuple):
            if t.kind != "tuple" or len(t.params) != len(target.elts):
                raise type_error(target, self.file, f"cannot unpack {t} into {len(target.elts)} targets")
            for sub, st in zip(target.elts, t.params, strict=True):
                self.bind_target(sub, st, node)
        elif isinstance(target, ast.Subscript):
            self._refine_item(target, node)
        elif isinstance(target, ast.Starred):
            raise unsupported(target, self.file, "starred assignment target")
        elif isinstance(target, ast.Attribute):
            raise self.attribute_store(target)

    def _refine_item(self, target: ast.Subscript, node: ast.AST) -> None:
        if isinstance(target.value, ast.Name) and target.value.id in self.types:
            cur = self.types[target.value.id]
            if cur.kind == "list" and cur.elem.kind == "none" and isinstance(node, ast.Assign):
                self.types[target.value.id] = list_of(self.type_of(node.value))

    def attribute_store(self, target: ast.Attribute) -> VerifyError:
        """The error for `obj.attr = ...`: dataclass instances are values, never mutated."""
        try:
            t = self.type_of(target.value)
        except VerifyError:
            t = None
        if t is None or t.kind != "dc":
            return unsupported(target, self.file, f"assigning to the attribute '{ast.unparse(target)}'")
        if t.name in self.prog.frozen:
            msg = f"cannot assign to field '{target.attr}' of frozen dataclass {t} (FrozenInstanceError)"
        else:
            msg = (
                f"mutating field '{target.attr}' of dataclass {t} is not supported: instances are "
                f"modelled as values; build a new one instead, e.g. {t}(...)"
            )
        return alias_error(target, self.file, msg)

    def rhs_type(self, value: ast.expr) -> PyType:
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr == "pop":
            recv = value.func.value
            rt = self.type_of(recv)
            if rt.kind != "list":
                raise unsupported(value, self.file, f"{rt}.pop()")
            return rt.elem
        return self.type_of(value)

    def stmts(self, body: list[ast.stmt]) -> None:
        for s in body:
            self.stmt(s)

    def stmt(self, s: ast.stmt) -> None:
        if isinstance(s, ast.Assign):
            try:
                t = self.rhs_type(s.value)
            except VerifyError as e:
                if self.lenient and e.diagnostic.code == "Q0606":
                    return  # an unknown name: retried on the next pass
                raise
            for target in s.targets:
                self.bind_target(target, t, s)
        elif isinstance(s, ast.AnnAssign):
            if isinstance(s.target, ast.Attribute):
                raise self.attribute_store(s.target)
            if not isinstance(s.target, ast.Name):
                raise unsupported(s, self.file, "annotated assignment to something other than a name")
            declared = parse_annotation(s.annotation, self.file, self.prog.classes)
            if s.value is not None:
                vt = self.rhs_type(s.value)
                if not assignable(declared, vt):
                    raise type_error(
                        s, self.file, f"'{s.target.id}' is declared {declared} but assigned {vt}"
                    )
            self.bind(s.target.id, declared, s.target)
            if self.fn.param(s.target.id) is None:
                self.types[s.target.id] = declared
        elif isinstance(s, ast.Expr):
            self._append_refinement(s.value)
        elif isinstance(s, ast.AugAssign) and isinstance(s.target, ast.Attribute):
            raise self.attribute_store(s.target)
        elif isinstance(s, ast.Delete) and any(isinstance(t, ast.Attribute) for t in s.targets):
            raise self.attribute_store(next(t for t in s.targets if isinstance(t, ast.Attribute)))
        elif isinstance(s, (ast.If, ast.While)):
            self.stmts(s.body)
            self.stmts(s.orelse)
        elif isinstance(s, ast.For):
            self._for_target(s)
            self.stmts(s.body)
            self.stmts(s.orelse)

    def _append_refinement(self, v: ast.expr) -> None:
        if isinstance(v, ast.Call) and isinstance(v.func, ast.Attribute) and v.func.attr == "append":
            recv = v.func.value
            if isinstance(recv, ast.Name) and recv.id in self.types and len(v.args) == 1:
                cur = self.types[recv.id]
                if cur.kind == "list" and cur.elem.kind == "none":
                    et = self.type_of(v.args[0])
                    if et.is_product or et.kind == "none":
                        raise unsupported(v, self.file, f"a list of {et}")
                    self.types[recv.id] = list_of(et)

    def _for_target(self, s: ast.For) -> None:
        it = s.iter
        if isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "range":
            self.bind_target(s.target, INT_T, s)
            return
        if (
            isinstance(it, ast.Call)
            and isinstance(it.func, ast.Name)
            and it.func.id == "enumerate"
            and len(it.args) == 1
        ):
            st = self.type_of(it.args[0])
            if not st.is_sequence_like:
                raise unsupported(it, self.file, f"enumerate() of {st}")
            self.bind_target(s.target, tuple_of(INT_T, st.elem), s)
            return
        st = self.type_of(it)
        if not st.is_sequence_like:
            raise unsupported(it, self.file, f"iterating over {st}")
        if st.kind == "list" and st.elem.kind == "none":
            raise type_error(it, self.file, "iterating over an empty list literal")
        self.bind_target(s.target, st.elem, s)


def infer_local_types(prog: Program, fn: Function, pure: PureTable) -> dict[str, PyType]:
    """Types of the locals; a read may precede the first binding textually (in
    loops), so a few lenient passes collect types before a strict one."""
    seed: dict[str, PyType] = {}
    for _ in range(3):
        typer = _Typer(prog, fn, pure, seed, lenient=True)
        typer.stmts(fn.body)
        if typer.types == seed:
            break
        seed = dict(typer.types)
    typer = _Typer(prog, fn, pure, seed, lenient=False)
    typer.stmts(fn.body)
    for name, t in typer.types.items():
        if t.kind == "list" and t.elem.kind == "none":
            raise type_error(
                typer.where[name],
                prog.file,
                f"cannot tell the element type of '{name}'; annotate it, e.g. {name}: list[int] = []",
            )
    return typer.types
