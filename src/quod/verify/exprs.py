"""Translation of Python expressions to core terms, with well-definedness checks.

`ExprTranslator.expr(node)` returns the `Val` of an expression and, through
its `Emitter`, asserts the conditions under which Python evaluates it
without an exception (index in range, divisor non-zero, precondition of a
called function...). Conditions inside `and`/`or`/`if-else` operands are
guarded by the short-circuit path that reaches them; inside quantifiers
they are quantified. Anything outside the subset raises a `VerifyError`
pointing at the construct.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Protocol

from quod.core.builder import And, Eq, Implies, IntVal, Ite, Not, Or
from quod.core.ops import Op
from quod.core.sorts import Sort
from quod.core.terms import FALSE, TRUE, Term, make, quantifier
from quod.verify import values as V
from quod.verify.errors import VerifyError, span_of, spec_error, type_error, unsupported
from quod.verify.program import Function, Program
from quod.verify.types import (
    BOOL_T,
    INT_T,
    STR_T,
    PyType,
    assignable,
    join,
    list_of,
)
from quod.verify.values import Val


class Emitter(Protocol):
    """Where the translator puts the commands an expression needs."""

    def check(
        self, cond: Term, code: str, message: str, node: ast.AST, related: list[tuple[ast.AST, str]]
    ) -> None: ...

    def assume(self, cond: Term) -> None: ...

    def havoc(self, vars: list[Term]) -> None: ...

    def assign(self, var: Term, value: Term) -> None: ...

    def fresh(self, hint: str, sort: Sort) -> Term: ...


@dataclass
class Scope:
    """What names mean where an expression is translated.

    mode: "code" (executable code), "spec" (requires, invariants, asserts,
    decreases), "ensures" (may use `result`), "contract" (a callee's contract
    at a call site: well-definedness is the callee's business).
    """

    vars: dict[str, Val]
    mode: str = "code"
    old: dict[str, Val] | None = None
    result: Val | None = None
    check_wd: bool = True
    # names readable only through old() (not a problem, just a clearer error)
    hidden: dict[str, str] = field(default_factory=dict)


@dataclass
class _WdItem:
    cond: Term
    code: str
    message: str
    node: ast.AST
    related: list[tuple[ast.AST, str]]


class ExprTranslator:
    """Python expressions -> `Val`s (see the module docstring)."""

    def __init__(self, prog: Program, fn: Function, emitter: Emitter) -> None:
        self.prog = prog
        self.fn = fn
        self.em = emitter
        self.file = prog.file
        self.guard: Term = TRUE
        self.scope = Scope({})
        self._collect: list[list[_WdItem]] = []
        self._quant_depth = 0
        # ids of terms known to be non-negative (bound variables over ranges starting at >= 0)
        self.nonneg: set[int] = set()
        self._bound_counter = 0

    # --- plumbing ---------------------------------------------------------
    @contextmanager
    def in_scope(self, scope: Scope) -> Iterator[None]:
        saved, saved_guard = self.scope, self.guard
        self.scope, self.guard = scope, TRUE
        try:
            yield
        finally:
            self.scope, self.guard = saved, saved_guard

    @contextmanager
    def guarded(self, cond: Term) -> Iterator[None]:
        saved = self.guard
        self.guard = cond if saved is TRUE else And(saved, cond)
        try:
            yield
        finally:
            self.guard = saved

    def wd(
        self,
        cond: Term,
        code: str,
        message: str,
        node: ast.AST,
        related: list[tuple[ast.AST, str]] | None = None,
    ) -> None:
        """Require `cond` where the expression at `node` is evaluated."""
        if not self.scope.check_wd or cond is TRUE:
            return
        full = cond if self.guard is TRUE else Implies(self.guard, cond)
        item = _WdItem(full, code, message, node, related or [])
        if self._collect:
            self._collect[-1].append(item)
        else:
            self.em.check(item.cond, item.code, item.message, item.node, item.related)

    def side_effects_allowed(self, node: ast.AST, what: str) -> None:
        if self._quant_depth:
            raise unsupported(node, self.file, f"{what} inside a quantifier or comprehension")

    def err_type(self, node: ast.AST, msg: str) -> Exception:
        return type_error(node, self.file, msg)

    def bound_var(self, name: str, sort: Sort) -> Term:
        from quod.core.terms import var

        self._bound_counter += 1
        return var(f"{name}$q{self._bound_counter}", sort)

    def quantify(self, is_forall: bool, bound: list[Term], range_cond: Term, body: Term) -> Term:
        if is_forall:
            return quantifier(Op.FORALL, bound, Implies(range_cond, body))
        return quantifier(Op.EXISTS, bound, And(range_cond, body))

    @contextmanager
    def quantified(self, bound: list[Term], range_cond: Term) -> Iterator[None]:
        """Translate a quantifier body: its checks hold for every bound value in range."""
        saved_guard = self.guard
        self.guard = TRUE
        self._collect.append([])
        self._quant_depth += 1
        try:
            yield
        finally:
            self._quant_depth -= 1
            items = self._collect.pop()
            self.guard = saved_guard
        for it in items:
            self.wd(
                quantifier(Op.FORALL, bound, Implies(range_cond, it.cond)),
                it.code,
                it.message,
                it.node,
                it.related,
            )

    # --- entry points -----------------------------------------------------
    def expr(self, node: ast.expr) -> Val:
        method = getattr(self, f"_e_{type(node).__name__}", None)
        if method is None:
            raise unsupported(node, self.file, _describe(node))
        v: Val = method(node)
        return v

    def cond(self, node: ast.expr) -> Term:
        """An expression used as a condition (Python truthiness)."""
        return V.truthy(self.expr(node))

    def int_expr(self, node: ast.expr) -> Term:
        v = self.expr(node)
        if not v.type.is_numeric:
            raise self.err_type(node, f"expected an int, got {v.type}")
        return V.as_int(v)

    def bool_spec(self, node: ast.expr, what: str) -> Term:
        v = self.expr(node)
        if v.type.kind != "bool":
            raise self.err_type(node, f"{what} must be a bool expression, got {v.type}")
        return v.t

    # --- leaves -----------------------------------------------------------
    def _e_Constant(self, node: ast.Constant) -> Val:
        v = node.value
        if isinstance(v, bool):
            return V.literal(v, BOOL_T)
        if isinstance(v, int):
            return V.literal(v, INT_T)
        if isinstance(v, str):
            if any(ord(c) > 0x2FFFF for c in v):
                raise unsupported(node, self.file, "a string character above U+2FFFF")
            return V.literal(v, STR_T)
        if isinstance(v, bytes):
            from quod.verify.types import BYTES_T

            return V.literal(v, BYTES_T)
        if v is None:
            from quod.verify.types import NONE_T

            return Val(NONE_T, FALSE)
        raise unsupported(node, self.file, f"a {type(v).__name__} literal")

    def _e_Name(self, node: ast.Name) -> Val:
        name = node.id
        s = self.scope
        if name in s.vars:
            return s.vars[name]
        if name == "result":
            if s.result is None:
                raise spec_error(node, self.file, "'result' is only available in ensures()")
            return s.result
        if name in s.hidden:
            raise spec_error(node, self.file, s.hidden[name])
        if name in self.prog.constants:
            t, value = self.prog.constants[name]
            return V.literal(value, t)
        if name in self.prog.functions:
            raise unsupported(node, self.file, f"using function '{name}' as a value")
        if name in self.prog.classes:
            raise unsupported(node, self.file, f"using class '{name}' as a value (construct it: {name}(...))")
        raise VerifyError(f"unknown name '{name}'", span_of(node, self.file), "Q0606")

    # --- operators ----------------------------------------------------------
    def _e_UnaryOp(self, node: ast.UnaryOp) -> Val:
        v = self.expr(node.operand)
        if isinstance(node.op, ast.Not):
            return V.bool_val(Not(V.truthy(v)))
        if not v.type.is_numeric:
            raise self.err_type(node, f"unary operator on {v.type}")
        x = V.as_int(v)
        if isinstance(node.op, ast.USub):
            return V.int_val(V.neg(x))
        if isinstance(node.op, ast.UAdd):
            return V.int_val(x)
        return V.int_val(V.sub(V.neg(x), V.ONE))  # ~x == -x - 1

    def _e_BinOp(self, node: ast.BinOp) -> Val:
        a = self.expr(node.left)
        b = self.expr(node.right)
        op = node.op
        if isinstance(op, ast.Add) and not (a.type.is_numeric and b.type.is_numeric):
            return self._concat(node, a, b)
        if isinstance(op, ast.Mult) and (a.type.kind == "list" or b.type.kind == "list"):
            return self._repeat(node, a, b)
        if isinstance(op, (ast.BitAnd, ast.BitOr, ast.BitXor)) and a.type.kind == b.type.kind == "bool":
            f = {ast.BitAnd: Op.AND, ast.BitOr: Op.OR, ast.BitXor: Op.XOR}[type(op)]
            return V.bool_val(make(f, [a.t, b.t]))
        if not (a.type.is_numeric and b.type.is_numeric):
            raise self.err_type(node, f"unsupported operand types for {_opname(op)}: {a.type} and {b.type}")
        x, y = V.as_int(a), V.as_int(b)
        return V.int_val(self._arith(node, op, x, y))

    def _arith(self, node: ast.BinOp, op: ast.operator, x: Term, y: Term) -> Term:
        if isinstance(op, ast.Add):
            return V.add(x, y)
        if isinstance(op, ast.Sub):
            return V.sub(x, y)
        if isinstance(op, ast.Mult):
            return make(Op.MUL, [x, y])
        if isinstance(op, (ast.FloorDiv, ast.Mod)):
            what = "division" if isinstance(op, ast.FloorDiv) else "modulo"
            if V.int_value(y) in (None, 0):
                self.wd(Not(Eq(y, V.ZERO)), "Q0616", f"possible {what} by zero", node)
            return V.floordiv(x, y) if isinstance(op, ast.FloorDiv) else V.modulo(x, y)
        if isinstance(op, ast.Pow):
            k = V.int_value(y)
            if k is None or k < 0 or k > 64:
                raise unsupported(node, self.file, "** with an exponent that is not a constant in 0..64")
            acc: Term = V.ONE
            for _ in range(k):
                acc = make(Op.MUL, [acc, x]) if acc is not V.ONE else x
            return acc
        if isinstance(op, (ast.LShift, ast.RShift)):
            k = V.int_value(y)
            if k is None or k < 0 or k > 256:
                raise unsupported(node, self.file, "a shift by an amount that is not a constant in 0..256")
            p = IntVal(2**k)
            return make(Op.MUL, [x, p]) if isinstance(op, ast.LShift) else V.floordiv(x, p)
        if isinstance(op, ast.Div):
            raise unsupported(node, self.file, "true division '/' (floats); use '//'")
        raise unsupported(node, self.file, f"operator {_opname(op)} on ints")

    def _concat(self, node: ast.BinOp, a: Val, b: Val) -> Val:
        if a.type.kind == b.type.kind == "tuple":
            return V.tuple_val([*a.parts, *b.parts])
        t = join(a.type, b.type) or _join_lists(a.type, b.type)
        if t is None or t.kind not in ("str", "list", "bytes"):
            raise self.err_type(node, f"unsupported operand types for +: {a.type} and {b.type}")
        if t.kind == "list" and t.elem.kind == "none":
            return a
        x, y = V.coerce_seq(a, t), V.coerce_seq(b, t)
        return Val(t, make(Op.STR_CONCAT if t.kind == "str" else Op.SEQ_CONCAT, [x, y]))

    def _repeat(self, node: ast.BinOp, a: Val, b: Val) -> Val:
        lst, n = (a, b) if a.type.kind == "list" else (b, a)
        if not n.type.is_numeric or not isinstance(node.left if lst is a else node.right, ast.List):
            raise unsupported(node, self.file, "list repetition other than [x] * n")
        lit = node.left if lst is a else node.right
        assert isinstance(lit, ast.List)
        if len(lit.elts) != 1:
            raise unsupported(node, self.file, "list repetition other than [x] * n")
        self.side_effects_allowed(node, "list repetition")
        count = V.as_int(n)
        elem = V.at(lst.t, V.ZERO)
        size = Ite(V.lt(count, V.ZERO), V.ZERO, count)
        r = self.em.fresh("rep", lst.t.sort)
        k = self.bound_var("k", _int_sort())
        self.em.havoc([r])
        in_range = And(V.le(V.ZERO, k), V.lt(k, V.length(r)))
        self.em.assume(
            Implies(
                self.guard,
                And(
                    Eq(V.length(r), size), quantifier(Op.FORALL, [k], Implies(in_range, Eq(V.at(r, k), elem)))
                ),
            )
        )
        return Val(lst.type, r)

    def _e_BoolOp(self, node: ast.BoolOp) -> Val:
        is_and = isinstance(node.op, ast.And)
        vals: list[Val] = []
        conds: list[Term] = []
        for i, operand in enumerate(node.values):
            # operand i is evaluated only if the earlier ones did not decide the result
            reach = And(*conds) if conds else TRUE
            with self.guarded(reach) if i else _null():
                v = self.expr(operand)
            vals.append(v)
            c = V.truthy(v)
            conds.append(c if is_and else Not(c))
        t = vals[0].type
        for v in vals[1:]:
            j = join(t, v.type)
            if j is None:
                raise self.err_type(node, f"'{'and' if is_and else 'or'}' of {t} and {v.type} (mixed types)")
            t = j
        if t.kind == "bool":
            return V.bool_val((And if is_and else Or)(*[v.t for v in vals]))
        # Python returns the deciding operand itself
        out = vals[-1]
        for v in reversed(vals[:-1]):
            c = V.truthy(v)
            out = V.ite_val(c, out, v, t) if is_and else V.ite_val(c, v, out, t)
        return out

    def _e_IfExp(self, node: ast.IfExp) -> Val:
        c = self.cond(node.test)
        with self.guarded(c):
            a = self.expr(node.body)
        with self.guarded(Not(c)):
            b = self.expr(node.orelse)
        t = join(a.type, b.type) or _join_lists(a.type, b.type)
        if t is None:
            raise self.err_type(
                node, f"branches of a conditional expression have types {a.type} and {b.type}"
            )
        return V.ite_val(c, a, b, t)

    def _e_Compare(self, node: ast.Compare) -> Val:
        left = self.expr(node.left)
        results: list[Term] = []
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            reach = And(*results) if results else TRUE
            with self.guarded(reach) if results else _null():
                if isinstance(op, (ast.In, ast.NotIn)) and _is_call_to(right_node, "range"):
                    assert isinstance(right_node, ast.Call)
                    inside = self.range_membership(right_node, left, node)
                    results.append(inside if isinstance(op, ast.In) else Not(inside))
                    continue
                right = self.expr(right_node)
                results.append(self._compare(node, op, left, right))
            left = right
        return V.bool_val(results[0] if len(results) == 1 else And(*results))

    def _compare(self, node: ast.Compare, op: ast.cmpop, a: Val, b: Val) -> Term:
        if isinstance(op, (ast.Eq, ast.NotEq)):
            self._comparable(node, a.type, b.type)
            e = V.equal(a, b)
            return e if isinstance(op, ast.Eq) else Not(e)
        if isinstance(op, (ast.In, ast.NotIn)):
            e = self._contains(node, a, b)
            return e if isinstance(op, ast.In) else Not(e)
        if isinstance(op, (ast.Is, ast.IsNot)):
            raise unsupported(node, self.file, "'is' comparison")
        rel = {ast.Lt: Op.LT, ast.LtE: Op.LE, ast.Gt: Op.GT, ast.GtE: Op.GE}[type(op)]
        if a.type.is_numeric and b.type.is_numeric:
            return make(rel, [V.as_int(a), V.as_int(b)])
        if a.type.kind == b.type.kind == "str":
            if rel is Op.LT:
                return make(Op.STR_LT, [a.t, b.t])
            if rel is Op.LE:
                return make(Op.STR_LE, [a.t, b.t])
            return make(Op.STR_LT if rel is Op.GT else Op.STR_LE, [b.t, a.t])
        raise unsupported(node, self.file, f"ordering comparison of {a.type} and {b.type}")

    def range_membership(self, call: ast.Call, item: Val, node: ast.AST) -> Term:
        raise NotImplementedError  # calls.py

    def _comparable(self, node: ast.AST, a: PyType, b: PyType) -> None:
        if a.is_numeric and b.is_numeric:
            return
        if join(a, b) is None and _join_lists(a, b) is None:
            raise self.err_type(
                node, f"comparing {a} with {b} (always unequal in Python; probably a mistake)"
            )

    def _contains(self, node: ast.Compare, item: Val, coll: Val) -> Term:
        k = coll.type.kind
        if k == "str":
            if item.type.kind != "str":
                raise self.err_type(node, f"'in <str>' needs a str on the left, got {item.type}")
            return make(Op.STR_CONTAINS, [coll.t, item.t])
        if k in ("list", "bytes"):
            if k == "bytes":
                if not item.type.is_numeric:
                    raise unsupported(node, self.file, "'in' on bytes with a non-int left operand")
                x = V.as_int(item)
                self.wd(
                    And(V.le(V.ZERO, x), V.lt(x, IntVal(256))),
                    "Q0620",
                    "byte value might be out of range(0, 256)",
                    node,
                )
                return make(Op.SEQ_CONTAINS, [coll.t, make(Op.SEQ_UNIT, [x])])
            if coll.type.elem.kind == "none":
                return FALSE
            self._comparable(node, item.type, coll.type.elem)
            x = V.coerce_seq(item, coll.type.elem)
            return make(Op.SEQ_CONTAINS, [coll.t, make(Op.SEQ_UNIT, [x])])
        if k == "tuple":
            return V.disjoin([V.equal(item, p) for p in coll.parts if join(item.type, p.type) is not None])
        raise unsupported(node, self.file, f"'in' on {coll.type}")

    # --- subscripts ---------------------------------------------------------
    def _e_Subscript(self, node: ast.Subscript) -> Val:
        base = self.expr(node.value)
        if isinstance(node.slice, ast.Slice):
            return self._slice(node, base, node.slice)
        if base.type.kind == "tuple":
            return self._tuple_index(node, base)
        if not base.type.is_sequence_like:
            raise self.err_type(node, f"cannot index a value of type {base.type}")
        i = self.int_expr(node.slice)
        n = V.length(base.t)
        what = (
            "string index"
            if base.type.kind == "str"
            else "list index"
            if base.type.kind == "list"
            else "index"
        )
        nonneg = V.is_nonneg(i, self.nonneg)
        if self._quant_depth and not nonneg:
            # inside quantifiers indices must be non-negative: a plain a[k] keeps the
            # solver's patterns simple, and the check makes the restriction visible
            nonneg = True
            msg = f"{what} might be negative (negative indexing is not supported inside quantifiers)"
            self.wd(V.le(V.ZERO, i), "Q0615", msg, node)
        self.wd(V.index_in_bounds(i, n, nonneg), "Q0615", f"{what} might be out of range", node)
        elem = V.at(base.t, V.normalize_index(i, n, nonneg))
        if base.type.kind == "list" and base.type.elem.kind == "none":
            raise self.err_type(node, "indexing an empty list literal")
        return Val(base.type.elem, elem)

    def _tuple_index(self, node: ast.Subscript, base: Val) -> Val:
        i = node.slice
        k: int | None = None
        if isinstance(i, ast.Constant) and isinstance(i.value, int) and not isinstance(i.value, bool):
            k = i.value
        elif (
            isinstance(i, ast.UnaryOp)
            and isinstance(i.op, ast.USub)
            and isinstance(i.operand, ast.Constant)
            and isinstance(i.operand.value, int)
        ):
            k = -i.operand.value
        if k is None:
            raise unsupported(node, self.file, "tuple index that is not an integer literal")
        if not -len(base.parts) <= k < len(base.parts):
            raise self.err_type(node, f"tuple index {k} out of range for {base.type}")
        return base.parts[k]

    def _slice(self, node: ast.Subscript, base: Val, sl: ast.Slice) -> Val:
        if not base.type.is_sequence_like:
            raise self.err_type(node, f"cannot slice a value of type {base.type}")
        if sl.step is not None:
            step = sl.step
            is_rev = (
                isinstance(step, ast.UnaryOp)
                and isinstance(step.op, ast.USub)
                and isinstance(step.operand, ast.Constant)
                and step.operand.value == 1
            )
            if is_rev and sl.lower is None and sl.upper is None and base.type.kind != "str":
                return self._reversed(node, base)
            if not (isinstance(step, ast.Constant) and step.value == 1):
                raise unsupported(node, self.file, "slice step other than 1 (and [::-1] on lists)")
        lo = None if sl.lower is None else self.int_expr(sl.lower)
        hi = None if sl.upper is None else self.int_expr(sl.upper)
        return Val(base.type, V.slice_term(base.t, lo, hi, self.nonneg))

    def _reversed(self, node: ast.AST, base: Val) -> Val:
        self.side_effects_allowed(node, "reversal [::-1]")
        r = self.em.fresh("rev", base.t.sort)
        self.em.havoc([r])
        k = self.bound_var("k", _int_sort())
        n = V.length(base.t)
        in_range = And(V.le(V.ZERO, k), V.lt(k, n))
        mirrored = V.at(base.t, V.sub(V.sub(n, V.ONE), k))
        self.em.assume(
            Implies(
                self.guard,
                And(
                    Eq(V.length(r), n),
                    quantifier(Op.FORALL, [k], Implies(in_range, Eq(V.at(r, k), mirrored))),
                ),
            )
        )
        return Val(base.type, r)

    # --- dataclasses -----------------------------------------------------------
    def _e_Attribute(self, node: ast.Attribute) -> Val:
        base = self.expr(node.value)
        if base.type.kind != "dc":
            raise unsupported(node, self.file, f"attribute access on {base.type}")
        if node.attr not in base.type.fields:
            raise self.err_type(node, f"'{base.type}' has no field '{node.attr}'")
        return base.parts[base.type.fields.index(node.attr)]

    def construct(self, node: ast.Call, t: PyType) -> Val:
        """`P(...)` for a dataclass P: arguments by position or keyword, then literal defaults."""
        if any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
            raise unsupported(node, self.file, "*args or **kwargs in a call")
        if len(node.args) > len(t.fields):
            raise self.err_type(node, f"{t}() takes {len(t.fields)} argument(s), got {len(node.args)}")
        given: dict[str, tuple[ast.expr, Val]] = {}
        for f, a in zip(t.fields, node.args, strict=False):
            given[f] = (a, self.expr(a))
        for kw in node.keywords:
            assert kw.arg is not None
            if kw.arg not in t.fields:
                raise self.err_type(kw.value, f"{t}() has no field '{kw.arg}'")
            if kw.arg in given:
                raise self.err_type(kw.value, f"{t}() got several values for field '{kw.arg}'")
            given[kw.arg] = (kw.value, self.expr(kw.value))
        defaults = self.prog.defaults.get(t.name, {})
        parts: list[Val] = []
        for f, ft in zip(t.fields, t.params, strict=True):
            if f in given:
                a, v = given[f]
                if not assignable(ft, v.type):
                    raise self.err_type(a, f"field '{f}' of {t} has type {ft}, got {v.type}")
                parts.append(V.coerce(v, ft))
            elif f in defaults:
                dt, dv = defaults[f]
                parts.append(V.literal(dv, dt))
            else:
                raise self.err_type(node, f"{t}() is missing a value for field '{f}'")
        return V.product_val(t, parts)

    # --- literals -------------------------------------------------------------
    def _e_Tuple(self, node: ast.Tuple) -> Val:
        return V.tuple_val([self.expr(e) for e in node.elts])

    def _e_List(self, node: ast.List) -> Val:
        if any(isinstance(e, ast.Starred) for e in node.elts):
            return self._starred_list(node)
        items = [self.expr(e) for e in node.elts]
        if not items:
            return Val(list_of(PyType("none")), make(Op.SEQ_EMPTY, [], _seq_int_sort()))
        t = items[0].type
        for it in items[1:]:
            j = join(t, it.type) or _join_lists(t, it.type)
            if j is None:
                raise self.err_type(node, f"list elements of different types {t} and {it.type}")
            t = j
        if t.is_product or t.kind == "none":
            raise unsupported(node, self.file, f"a list of {t}")
        return Val(list_of(t), V.seq_of([V.coerce_seq(i, t) for i in items], t))

    def _starred_list(self, node: ast.List) -> Val:
        """[*a, x, *b] is a + [x] + b (built the same way, so the terms are identical)."""
        pieces: list[ast.expr] = []
        run: list[ast.expr] = []
        for e in node.elts:
            if isinstance(e, ast.Starred):
                if run:
                    pieces.append(ast.copy_location(ast.List(elts=run, ctx=ast.Load()), run[0]))
                    run = []
                pieces.append(e.value)
            else:
                run.append(e)
        if run:
            pieces.append(ast.copy_location(ast.List(elts=run, ctx=ast.Load()), run[0]))
        acc: ast.expr = pieces[0]
        for p in pieces[1:]:
            acc = ast.copy_location(ast.BinOp(left=acc, op=ast.Add(), right=p), node)
        if len(pieces) == 1:  # [*a] copies a
            acc = ast.copy_location(
                ast.BinOp(left=ast.List(elts=[], ctx=ast.Load()), op=ast.Add(), right=acc), node
            )
        ast.fix_missing_locations(acc)
        v = self.expr(acc)
        if v.type.kind != "list":
            raise self.err_type(node, f"unpacking {v.type} into a list")
        return v

    def _e_JoinedStr(self, node: ast.JoinedStr) -> Val:
        raise unsupported(node, self.file, "f-string")

    # calls, comprehensions and lambdas live in calls.py (CallTranslator)


def _int_sort() -> Sort:
    from quod.core.sorts import INT

    return INT


def _seq_int_sort() -> Sort:
    from quod.core.sorts import INT, SeqSort

    return SeqSort(INT)


def _is_call_to(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name


def _join_lists(a: PyType, b: PyType) -> PyType | None:
    """The type of mixing an empty list literal with a typed list."""
    if a.kind == b.kind == "list":
        if a.elem.kind == "none":
            return b
        if b.elem.kind == "none":
            return a
    return None


@contextmanager
def _null() -> Iterator[None]:
    yield


def _opname(op: ast.AST) -> str:
    names: dict[type[ast.AST], str] = {
        ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.FloorDiv: "//", ast.Mod: "%", ast.Pow: "**",
        ast.Div: "/", ast.LShift: "<<", ast.RShift: ">>", ast.BitAnd: "&", ast.BitOr: "|",
        ast.BitXor: "^", ast.MatMult: "@",
    }  # fmt: skip
    return names.get(type(op), type(op).__name__)


_DESCRIPTIONS = {
    "Lambda": "lambda outside forall()/exists()",
    "Await": "await",
    "Yield": "yield (generators)",
    "YieldFrom": "yield from (generators)",
    "NamedExpr": "assignment expression ':='",
    "Set": "set",
    "SetComp": "set comprehension",
    "Dict": "dict",
    "DictComp": "dict comprehension",
    "Attribute": "attribute access",
    "Starred": "starred expression",
}


def _describe(node: ast.AST) -> str:
    return _DESCRIPTIONS.get(type(node).__name__, f"expression '{type(node).__name__}'")
