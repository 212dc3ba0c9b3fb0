"""Calls: builtins, methods, quantifiers, comprehensions and user functions.

Calls of ordinary user functions are modular: the caller proves the
callee's precondition, then havocs the result (and the lists the callee may
modify) and assumes the postcondition. `@pure` functions are inlined, or,
when recursive, become uninterpreted functions whose definition is
unfolded on the ground terms of each query (see `pure.py`). Calls within a
strongly connected component of the call graph must decrease the
termination measure.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from quod.core.builder import And, Eq, Implies, IntVal, Ite, Or
from quod.core.ops import Op
from quod.core.sorts import INT
from quod.core.terms import FALSE, TRUE, FuncDecl, Term, apply_decl, make, quantifier
from quod.core.walk import substitute
from quod.verify import values as V
from quod.verify.errors import alias_error, spec_error, unsupported
from quod.verify.exprs import ExprTranslator, Scope, _is_call_to
from quod.verify.ownership import value_positions as _value_positions
from quod.verify.program import Function
from quod.verify.types import BOOL_T, INT_T, NONE_T, STR_T, PyType, assignable, flat_types, sort_of
from quod.verify.values import Val


@dataclass
class PureDef:
    """A pure function's meaning over placeholder parameter variables."""

    fn: Function
    params: list[Val]  # placeholder values of the parameters
    body: Val | None  # None while being built (recursion) or for recursive functions' UF
    decl: FuncDecl | None  # the uninterpreted function of a recursive pure function


class PureTable:
    """Definitions of the program's pure functions, built on first use."""

    def __init__(self, build: Callable[[Function], PureDef]) -> None:
        self._build = build
        self.defs: dict[str, PureDef] = {}
        self._building: set[str] = set()

    def get(self, fn: Function) -> PureDef:
        d = self.defs.get(fn.name)
        if d is None:
            if fn.name in self._building:
                raise RuntimeError(f"pure function {fn.name} used while being defined")  # pragma: no cover
            self._building.add(fn.name)
            try:
                d = self._build(fn)
            finally:
                self._building.discard(fn.name)
            self.defs[fn.name] = d
        return d


_BUILTINS = ("len", "abs", "min", "max", "int", "bool", "str", "ord", "chr", "list", "all", "any")
_REJECTED = {
    "sum": "sum() over a sequence: define a @pure recursive function instead",
    "sorted": "sorted(): write the sort, or state sortedness with all(...)",
    "range": "range() outside a for loop, all()/any() or 'in'",
    "enumerate": "enumerate() outside a for loop or all()/any()",
    "print": "print() inside an expression",
    "float": "float (floating point is not modelled)",
    "input": "input()",
    "open": "open() (I/O)",
    "isinstance": "isinstance()",
    "zip": "zip()",
    "map": "map()",
    "filter": "filter()",
    "reversed": "reversed(); use a[::-1]",
    "pow": "pow(); use ** with a constant exponent",
    "divmod": "divmod(); use // and %",
    "hash": "hash()",
    "id": "id()",
    "iter": "iter()",
    "next": "next()",
    "set": "set()",
    "dict": "dict()",
    "tuple": "tuple()",
    "bytes": "bytes()",
    "repr": "repr()",
}


class CallTranslator(ExprTranslator):
    """Adds calls, quantifiers and comprehensions to `ExprTranslator`."""

    pure: PureTable
    # the statement-level call being translated (may modify lists), set by the lowering
    top_call: ast.Call | None = None
    # measure of the current function on entry (recursive functions)
    entry_measure: list[Term] | None = None
    measure_of: Callable[[Function, dict[str, Val]], list[Term]]
    is_mutable_name: Callable[[str], bool]

    def _e_Call(self, node: ast.Call) -> Val:
        f = node.func
        if isinstance(f, ast.Name) and f.id in self.prog.classes and f.id not in self.scope.vars:
            return self.construct(node, self.prog.classes[f.id])
        if node.keywords:
            raise unsupported(node, self.file, "keyword arguments")
        if any(isinstance(a, ast.Starred) for a in node.args):
            raise unsupported(node, self.file, "*args in a call")
        f = node.func
        if isinstance(f, ast.Attribute):
            return self._method(node, f)
        if not isinstance(f, ast.Name):
            raise unsupported(node, self.file, "calling a computed function")
        name = f.id
        if name in self.scope.vars:
            raise unsupported(node, self.file, f"calling the variable '{name}'")
        if name in self.prog.functions:
            return self.user_call(node, self.prog.functions[name])
        if name in ("old", "forall", "exists", "ghost"):
            s: Val = getattr(self, f"_s_{name}")(node)
            return s
        if name in _BUILTINS:
            v: Val = getattr(self, f"_b_{name}")(node)
            return v
        if name in _REJECTED:
            raise unsupported(node, self.file, _REJECTED[name])
        raise unsupported(node, self.file, f"call to '{name}'")

    def _args(self, node: ast.Call, lo: int, hi: int | None = None) -> list[ast.expr]:
        n = len(node.args)
        hi = lo if hi is None else hi
        if not lo <= n <= hi:
            name = ast.unparse(node.func)
            want = str(lo) if lo == hi else f"{lo} to {hi}"
            raise self.err_type(node, f"{name}() takes {want} argument(s), got {n}")
        return list(node.args)

    # --- builtins -----------------------------------------------------------
    def _b_len(self, node: ast.Call) -> Val:
        (a,) = self._args(node, 1)
        v = self.expr(a)
        if v.type.kind == "tuple":
            return V.int_val(IntVal(len(v.parts)))
        if not v.type.is_sequence_like:
            raise self.err_type(node, f"len() of {v.type}")
        return V.int_val(V.length(v.t))

    def _b_abs(self, node: ast.Call) -> Val:
        (a,) = self._args(node, 1)
        x = self.int_expr(a)
        return V.int_val(Ite(V.lt(x, V.ZERO), V.neg(x), x))

    def _b_min(self, node: ast.Call) -> Val:
        return self._minmax(node, Op.LT)

    def _b_max(self, node: ast.Call) -> Val:
        return self._minmax(node, Op.GT)

    def _minmax(self, node: ast.Call, better: Op) -> Val:
        if len(node.args) < 2:
            raise unsupported(
                node, self.file, f"{ast.unparse(node.func)}() of a collection (give two or more ints)"
            )
        vals = [self.expr(a) for a in node.args]
        if not all(v.type.is_numeric for v in vals):
            raise unsupported(node, self.file, f"{ast.unparse(node.func)}() of non-int values")
        if any(v.type.kind == "bool" for v in vals):
            raise unsupported(
                node, self.file, "min()/max() with bool arguments (Python may return the bool itself)"
            )
        best = V.as_int(vals[0])
        for v in vals[1:]:
            x = V.as_int(v)
            # Python keeps the first of equal candidates; for ints that is the same value
            best = Ite(make(better, [x, best]), x, best)
        return V.int_val(best)

    def _b_int(self, node: ast.Call) -> Val:
        (a,) = self._args(node, 1)
        v = self.expr(a)
        if not v.type.is_numeric:
            raise unsupported(node, self.file, f"int() of {v.type}")
        return V.int_val(V.as_int(v))

    def _b_bool(self, node: ast.Call) -> Val:
        (a,) = self._args(node, 1)
        return V.bool_val(V.truthy(self.expr(a)))

    def _b_str(self, node: ast.Call) -> Val:
        (a,) = self._args(node, 1)
        v = self.expr(a)
        if v.type.kind == "str":
            return v
        if v.type.kind == "bool":
            return Val(STR_T, Ite(v.t, V.literal("True", STR_T).t, V.literal("False", STR_T).t))
        if v.type.kind != "int":
            raise unsupported(node, self.file, f"str() of {v.type}")
        x = v.t
        digits = make(Op.STR_FROM_INT, [x])
        minus = make(Op.STR_CONCAT, [V.literal("-", STR_T).t, make(Op.STR_FROM_INT, [V.neg(x)])])
        return Val(STR_T, Ite(V.le(V.ZERO, x), digits, minus))

    def _b_ord(self, node: ast.Call) -> Val:
        (a,) = self._args(node, 1)
        v = self.expr(a)
        if v.type.kind != "str":
            raise self.err_type(node, f"ord() of {v.type}")
        self.wd(Eq(V.length(v.t), V.ONE), "Q0620", "ord() argument might not be a single character", node)
        return V.int_val(make(Op.STR_TO_CODE, [v.t]))

    def _b_chr(self, node: ast.Call) -> Val:
        (a,) = self._args(node, 1)
        x = self.int_expr(a)
        ok = And(V.le(V.ZERO, x), V.le(x, IntVal(0x2FFFF)))
        self.wd(ok, "Q0620", "chr() argument might be outside the modelled range 0..0x2FFFF", node)
        return Val(STR_T, make(Op.STR_FROM_CODE, [x]))

    def _b_list(self, node: ast.Call) -> Val:
        (a,) = self._args(node, 1)
        if _is_call_to(a, "range"):
            assert isinstance(a, ast.Call)
            return self._list_of_range(a)
        v = self.expr(a)
        if v.type.kind == "list":
            return v  # a copy: lists have value semantics in the model
        if v.type.kind == "bytes":
            return Val(PyType("list", (INT_T,)), v.t)
        raise unsupported(node, self.file, f"list() of {v.type}")

    def _list_of_range(self, call: ast.Call) -> Val:
        lo, hi = self._range_bounds(call)
        self.side_effects_allowed(call, "list(range(...))")
        t = PyType("list", (INT_T,))
        r = self.em.fresh("range", sort_of(t))
        self.em.havoc([r])
        k = self.bound_var("k", INT)
        size = Ite(V.lt(lo, hi), V.sub(hi, lo), V.ZERO)
        in_r = And(V.le(V.ZERO, k), V.lt(k, size))
        body = quantifier(Op.FORALL, [k], Implies(in_r, Eq(V.at(r, k), V.add(lo, k))))
        self.em.assume(Implies(self.guard, And(Eq(V.length(r), size), body)))
        return Val(t, r)

    def _b_all(self, node: ast.Call) -> Val:
        return self._all_any(node, True)

    def _b_any(self, node: ast.Call) -> Val:
        return self._all_any(node, False)

    def _all_any(self, node: ast.Call, is_forall: bool) -> Val:
        (a,) = self._args(node, 1)
        if not isinstance(a, (ast.GeneratorExp, ast.ListComp)):
            raise unsupported(
                node, self.file, f"{'all' if is_forall else 'any'}() of something other than a generator"
            )
        return V.bool_val(self._quant_gens(a.generators, 0, a.elt, is_forall))

    # --- spec functions -----------------------------------------------------------
    def _s_old(self, node: ast.Call) -> Val:
        (a,) = self._args(node, 1)
        if self.scope.old is None:
            raise spec_error(node, self.file, "old() is only available in ensures, invariants and assertions")
        inner = Scope(self.scope.old, self.scope.mode, None, None, self.scope.check_wd)
        saved = self.scope
        self.scope = inner
        try:
            return self.expr(a)
        finally:
            self.scope = saved

    def _s_ghost(self, node: ast.Call) -> Val:
        (a,) = self._args(node, 1)
        return self.expr(a)

    def _s_forall(self, node: ast.Call) -> Val:
        return self._lambda_quant(node, True)

    def _s_exists(self, node: ast.Call) -> Val:
        return self._lambda_quant(node, False)

    def _lambda_quant(self, node: ast.Call, is_forall: bool) -> Val:
        if self.scope.mode == "code":
            raise spec_error(node, self.file, "forall()/exists() may only be used in specifications")
        args = self._args(node, 1, 2)
        lam = args[-1]
        if not isinstance(lam, ast.Lambda):
            raise spec_error(lam, self.file, "the last argument of forall()/exists() must be a lambda")
        la = lam.args
        if la.vararg or la.kwarg or la.kwonlyargs or la.defaults or la.posonlyargs or not la.args:
            raise spec_error(lam, self.file, "quantifier lambdas take plain parameters")
        bound = [self.bound_var(p.arg, INT) for p in la.args]
        range_cond: Term = TRUE
        if len(args) == 2:
            if len(bound) != 1 or not _is_call_to(args[0], "range"):
                raise spec_error(
                    args[0],
                    self.file,
                    "a bounded forall()/exists() takes range(...) and a one-parameter lambda",
                )
            assert isinstance(args[0], ast.Call)
            lo, hi = self._range_bounds(args[0])
            range_cond = And(V.le(lo, bound[0]), V.lt(bound[0], hi))
            if V.is_nonneg(lo, self.nonneg):
                self.nonneg.add(bound[0].id)
        scope_vars = dict(self.scope.vars)
        for p, b in zip(la.args, bound, strict=True):
            scope_vars[p.arg] = V.int_val(b)
        inner = Scope(
            scope_vars,
            self.scope.mode,
            self.scope.old,
            self.scope.result,
            self.scope.check_wd,
            self.scope.hidden,
        )
        saved = self.scope
        self.scope = inner
        try:
            with self.quantified(bound, range_cond):
                body = self.bool_spec(lam.body, "a quantifier body")
        finally:
            self.scope = saved
        return V.bool_val(self.quantify(is_forall, bound, range_cond, body))

    # --- generators (all/any, comprehensions) -------------------------------------------
    def _range_bounds(self, call: ast.Call) -> tuple[Term, Term]:
        args = self._args(call, 1, 3)
        if len(args) == 3:
            step = args[2]
            if not (isinstance(step, ast.Constant) and step.value == 1):
                raise unsupported(call, self.file, "range() with a step here (only in for loops)")
        if len(args) == 1:
            return V.ZERO, self.int_expr(args[0])
        return self.int_expr(args[0]), self.int_expr(args[1])

    def range_membership(self, call: ast.Call, item: Val, node: ast.AST) -> Term:
        if not item.type.is_numeric:
            raise self.err_type(node, f"'in range(...)' of {item.type}")
        lo, hi = self._range_bounds(call)
        x = V.as_int(item)
        return And(V.le(lo, x), V.lt(x, hi))

    def iteration(self, it: ast.expr, target: ast.expr) -> tuple[list[Term], Term, dict[str, Val]]:
        """Bound variables, range condition and name bindings for `for target in it`."""
        k = self.bound_var("k", INT)
        if not _is_call_to(it, "range"):
            self.nonneg.add(k.id)  # positions in a sequence
        if _is_call_to(it, "range"):
            assert isinstance(it, ast.Call)
            lo, hi = self._range_bounds(it)
            name = self._target_name(target)
            if V.is_nonneg(lo, self.nonneg):
                self.nonneg.add(k.id)
            return [k], And(V.le(lo, k), V.lt(k, hi)), {name: V.int_val(k)}
        if _is_call_to(it, "enumerate"):
            assert isinstance(it, ast.Call)
            (seq_node,) = self._args(it, 1)
            seq = self._iterable(seq_node)
            if not (isinstance(target, ast.Tuple) and len(target.elts) == 2):
                raise unsupported(target, self.file, "enumerate() target other than 'i, x'")
            i_name, x_name = self._target_name(target.elts[0]), self._target_name(target.elts[1])
            cond = And(V.le(V.ZERO, k), V.lt(k, V.length(seq.t)))
            return [k], cond, {i_name: V.int_val(k), x_name: Val(seq.type.elem, V.at(seq.t, k))}
        seq = self._iterable(it)
        cond = And(V.le(V.ZERO, k), V.lt(k, V.length(seq.t)))
        return [k], cond, {self._target_name(target): Val(seq.type.elem, V.at(seq.t, k))}

    def _iterable(self, node: ast.expr) -> Val:
        v = self.expr(node)
        if not v.type.is_sequence_like or (v.type.kind == "list" and v.type.elem.kind == "none"):
            raise unsupported(node, self.file, f"iterating over {v.type}")
        return v

    def _target_name(self, target: ast.expr) -> str:
        if not isinstance(target, ast.Name):
            raise unsupported(target, self.file, "this loop target (use a name, or 'i, x' with enumerate)")
        return target.id

    def _quant_gens(self, gens: list[ast.comprehension], i: int, elt: ast.expr, is_forall: bool) -> Term:
        """all()/any() over nested generators, as ONE quantifier over all bound variables.

        One flat quantifier gives the solver multi-patterns such as
        {a[i], a[j]}; nested ones hide the inner terms from the outer binder.
        """
        bound: list[Term] = []
        conds: list[Term] = []
        body = self._gens(gens, i, elt, bound, conds)
        cond = And(*conds) if len(conds) > 1 else conds[0]
        return self.quantify(is_forall, bound, cond, body)

    def _gens(
        self, gens: list[ast.comprehension], i: int, elt: ast.expr, bound: list[Term], conds: list[Term]
    ) -> Term:
        if i == len(gens):
            return V.truthy(self.expr(elt))
        g = gens[i]
        if g.is_async:
            raise unsupported(g.iter, self.file, "async comprehension")
        vars_, range_cond, bindings = self.iteration(g.iter, g.target)
        bound.extend(vars_)
        conds.append(range_cond)
        saved = self.scope
        self.scope = Scope(
            {**saved.vars, **bindings}, saved.mode, saved.old, saved.result, saved.check_wd, saved.hidden
        )
        try:
            with self.quantified(vars_, range_cond):
                filters = [self.cond(c) for c in g.ifs]
                conds.extend(filters)
                filt = And(*filters) if len(filters) > 1 else filters[0] if filters else TRUE
                with self.guarded(filt):
                    return self._gens(gens, i + 1, elt, bound, conds)
        finally:
            self.scope = saved

    def _e_GeneratorExp(self, node: ast.GeneratorExp) -> Val:
        raise unsupported(node, self.file, "a generator expression outside all()/any()")

    def _e_ListComp(self, node: ast.ListComp) -> Val:
        if len(node.generators) != 1 or node.generators[0].ifs:
            raise unsupported(node, self.file, "list comprehension with several 'for's or an 'if'")
        self.side_effects_allowed(node, "a list comprehension")
        g = node.generators[0]
        bound, range_cond, bindings = self.iteration(g.iter, g.target)
        (k,) = bound
        lo, count = _range_of(range_cond, k)
        # positions of the new list run over 0..count-1; shift the bound variable accordingly
        j = self.bound_var("j", INT)
        shift = {k: V.add(lo, j)}
        saved = self.scope
        self.scope = Scope(
            {**saved.vars, **bindings}, saved.mode, saved.old, saved.result, saved.check_wd, saved.hidden
        )
        try:
            with self.quantified(bound, range_cond):
                elem = self.expr(node.elt)
        finally:
            self.scope = saved
        if elem.type.is_product or elem.type.kind == "none":
            raise unsupported(node, self.file, f"a list of {elem.type}")
        t = PyType("list", (elem.type,))
        r = self.em.fresh("comp", sort_of(t))
        self.em.havoc([r])
        in_r = And(V.le(V.ZERO, j), V.lt(j, count))
        value = substitute(V.coerce_seq(elem, elem.type), shift)
        defn = And(Eq(V.length(r), count), quantifier(Op.FORALL, [j], Implies(in_r, Eq(V.at(r, j), value))))
        self.em.assume(Implies(self.guard, defn))
        return Val(t, r)

    def _e_Lambda(self, node: ast.Lambda) -> Val:
        raise unsupported(node, self.file, "lambda outside forall()/exists()")

    # --- methods --------------------------------------------------------------------
    def _method(self, node: ast.Call, f: ast.Attribute) -> Val:
        if isinstance(f.value, ast.Name) and f.value.id == "spec":
            fake = ast.Call(func=ast.Name(id=f.attr, ctx=ast.Load()), args=node.args, keywords=[])
            ast.copy_location(fake, node)
            return self._e_Call(fake)
        recv = self.expr(f.value)
        k = recv.type.kind
        name = f.attr
        if (
            name in ("append", "extend", "pop", "insert", "remove", "sort", "reverse", "clear")
            and k == "list"
        ):
            raise unsupported(node, self.file, f"list.{name}() inside an expression (use it as a statement)")
        if name in ("startswith", "endswith") and k in ("str", "bytes"):
            (a,) = self._args(node, 1)
            other = self.expr(a)
            if other.type != recv.type:
                raise self.err_type(node, f"{name}() of {recv.type} needs a {recv.type} argument")
            if k == "str":
                op = Op.STR_PREFIXOF if name == "startswith" else Op.STR_SUFFIXOF
            else:
                op = Op.SEQ_PREFIXOF if name == "startswith" else Op.SEQ_SUFFIXOF
            return V.bool_val(make(op, [other.t, recv.t]))
        if name == "find" and k == "str":
            (a,) = self._args(node, 1)
            other = self.expr(a)
            if other.type.kind != "str":
                raise self.err_type(node, "str.find() needs a str argument")
            return V.int_val(make(Op.STR_INDEXOF, [recv.t, other.t, V.ZERO]))
        if name == "index" and k in ("str", "list"):
            return self._index_method(node, recv)
        if name == "copy" and k == "list":
            self._args(node, 0)
            return recv
        raise unsupported(node, self.file, f"method {recv.type}.{name}()")

    def _index_method(self, node: ast.Call, recv: Val) -> Val:
        (a,) = self._args(node, 1)
        item = self.expr(a)
        if recv.type.kind == "str":
            if item.type.kind != "str":
                raise self.err_type(node, "str.index() needs a str argument")
            self.wd(
                make(Op.STR_CONTAINS, [recv.t, item.t]),
                "Q0620",
                "substring might not be found (ValueError)",
                node,
            )
            return V.int_val(make(Op.STR_INDEXOF, [recv.t, item.t, V.ZERO]))
        self._comparable(node, item.type, recv.type.elem)
        unit = make(Op.SEQ_UNIT, [V.coerce_seq(item, recv.type.elem)])
        self.wd(
            make(Op.SEQ_CONTAINS, [recv.t, unit]),
            "Q0620",
            "value might not be in the list (ValueError)",
            node,
        )
        return V.int_val(make(Op.SEQ_INDEXOF, [recv.t, unit, V.ZERO]))

    # --- user functions -----------------------------------------------------------------
    def call_args(self, node: ast.Call, callee: Function) -> list[Val]:
        if len(node.args) != len(callee.params):
            raise self.err_type(
                node, f"{callee.name}() takes {len(callee.params)} argument(s), got {len(node.args)}"
            )
        out = []
        for a, p in zip(node.args, callee.params, strict=True):
            v = self.expr(a)
            if not assignable(p.type, v.type):
                raise self.err_type(
                    a, f"argument '{p.name}' of {callee.name}() has type {p.type}, got {v.type}"
                )
            out.append(V.coerce(v, p.type))
        return out

    def user_call(self, node: ast.Call, callee: Function) -> Val:
        if callee.kind == "lemma" and node is not self.top_call:
            raise spec_error(node, self.file, f"lemma '{callee.name}' can only be called as a statement")
        if callee.kind != "pure":
            if self.scope.mode != "code":
                raise spec_error(
                    node,
                    self.file,
                    f"only @pure functions can be called in specifications ('{callee.name}' is not pure)",
                )
            self.side_effects_allowed(node, f"a call to the non-pure function '{callee.name}'")
        args = self.call_args(node, callee)
        self._check_pre(node, callee, args)
        self._check_termination(node, callee, args)
        if callee.kind == "pure":
            return self.pure_value(callee, args)
        return self._modular(node, callee, args)

    def contract_scope(self, callee: Function, args: list[Val], **kw: Any) -> Scope:
        vars = {p.name: a for p, a in zip(callee.params, args, strict=True)}
        return Scope(vars, "contract", check_wd=False, **kw)

    def _check_pre(self, node: ast.Call, callee: Function, args: list[Val]) -> None:
        scope = self.contract_scope(callee, args)
        for req in callee.requires:
            with self.in_scope(scope):
                pre = self.bool_spec(req, "a precondition")
            msg = f"precondition of '{callee.name}' might not hold"
            self.wd(pre, "Q0614", msg, node, [(req, "the precondition that might not hold")])

    def _check_termination(self, node: ast.Call, callee: Function, args: list[Val]) -> None:
        if self.scope.mode == "contract" or callee.name not in self.prog.scc[self.fn.name]:
            return
        old = self.entry_measure
        assert old is not None, "recursive function without an entry measure"
        with self.in_scope(self.contract_scope(callee, args)):
            new = self.measure_of(callee, {p.name: a for p, a in zip(callee.params, args, strict=True)})
        msg = f"cannot prove termination: the measure of '{callee.name}' might not decrease at this recursive call"
        related = [(callee.decreases_node, "the termination measure")] if callee.decreases_node else []
        self.wd(lex_less(new, old), "Q0617", msg, node, related)

    def _modular(self, node: ast.Call, callee: Function, args: list[Val]) -> Val:
        modified = self._modified_args(node, callee)
        if modified:
            # inputs are snapshotted so the postcondition talks about values before the call
            args = [self._snapshot(a, f"{callee.name}$arg") for a in args]
        res_vars = (
            [self.em.fresh(f"{callee.name}$res", sort_of(t)) for t in flat_types(callee.ret)]
            if callee.ret != NONE_T
            else []
        )
        new_vals = {}
        for pname, var_val in modified.items():
            new_vals[pname] = var_val
        self.em.havoc(res_vars + [v.t for v in modified.values()])
        result = _build(callee.ret, res_vars) if callee.ret != NONE_T else Val(NONE_T, FALSE)
        post_vars = {p.name: new_vals.get(p.name, a) for p, a in zip(callee.params, args, strict=True)}
        old_vars = {p.name: a for p, a in zip(callee.params, args, strict=True)}
        scope = Scope(post_vars, "contract", old=old_vars, result=result, check_wd=False)
        for ens in callee.ensures:
            with self.in_scope(scope):
                post = self.bool_spec(ens, "a postcondition")
            self.em.assume(Implies(self.guard, post) if self.guard is not TRUE else post)
        return result

    def _modified_args(self, node: ast.Call, callee: Function) -> dict[str, Val]:
        """The caller's list variables passed for the callee's `modifies` parameters."""
        out: dict[str, Val] = {}
        if not callee.modifies:
            return out
        if node is not self.top_call:
            raise alias_error(
                node,
                self.file,
                f"a call that modifies lists ('{callee.name}') must be a statement or the whole right-hand side of an assignment",
            )
        for i, p in enumerate(callee.params):
            if p.name not in callee.modifies:
                continue
            a = node.args[i]
            if not isinstance(a, ast.Name) or a.id not in self.scope.vars:
                raise alias_error(
                    a,
                    self.file,
                    f"argument for '{p.name}', which {callee.name}() modifies, must be a list variable",
                )
            if not self.is_mutable_name(a.id):
                raise alias_error(
                    a, self.file, f"'{a.id}' may not be modified here (add it to modifies(), or pass a copy)"
                )
            for j, other in enumerate(node.args):
                # only a bare occurrence can alias; len(a) or a[0] are values
                if j != i and any(isinstance(n, ast.Name) and n.id == a.id for n in _value_positions(other)):
                    raise alias_error(
                        other,
                        self.file,
                        f"'{a.id}' is passed to {callee.name}() twice while being modified (aliasing)",
                    )
            out[p.name] = self.scope.vars[a.id]
        return out

    def _snapshot(self, v: Val, hint: str) -> Val:
        if v.type.is_product:
            return V.product_val(v.type, [self._snapshot(p, hint) for p in v.parts])
        s = self.em.fresh(hint, v.t.sort)
        self.em.assign(s, v.t)
        return Val(v.type, s)

    def pure_value(self, callee: Function, args: list[Val]) -> Val:
        d = self.pure.get(callee)
        leaves = [t for a in args for t in a.leaves()]
        if d.decl is not None:
            return Val(callee.ret, apply_decl(d.decl, leaves))
        assert d.body is not None
        mapping = dict(zip([t for p in d.params for t in p.leaves()], leaves, strict=True))
        return _subst_val(d.body, mapping)


def _build(t: PyType, leaves: list[Term]) -> Val:
    it = iter(leaves)

    def go(tt: PyType) -> Val:
        if tt.is_product:
            return V.product_val(tt, [go(p) for p in tt.params])
        return Val(tt, next(it))

    return go(t)


def build_val(t: PyType, leaves: list[Term]) -> Val:
    return _build(t, leaves)


def _subst_val(v: Val, mapping: dict[Term, Term]) -> Val:
    if v.type.is_product:
        return V.product_val(v.type, [_subst_val(p, mapping) for p in v.parts])
    return Val(v.type, substitute(v.t, mapping))


def _range_of(range_cond: Term, k: Term) -> tuple[Term, Term]:
    """(lo, count) of a range condition `lo <= k and k < hi` built by `iteration`."""
    lo_le, k_lt = range_cond.args
    lo = lo_le.args[0]
    hi = k_lt.args[1]
    return lo, Ite(V.lt(lo, hi), V.sub(hi, lo), V.ZERO)


def lex_less(new: list[Term], old: list[Term]) -> Term:
    """new < old in the lexicographic order on tuples of ints bounded below by 0."""
    options = []
    for k in range(min(len(new), len(old))):
        same = [Eq(new[j], old[j]) for j in range(k)]
        options.append(And(*same, V.lt(new[k], old[k]), V.le(V.ZERO, old[k])))
    return Or(*options) if options else FALSE


__all__ = ["BOOL_T", "CallTranslator", "PureDef", "PureTable", "build_val", "lex_less"]
