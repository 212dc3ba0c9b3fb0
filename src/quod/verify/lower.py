"""Lowering of a function body to an IVL procedure.

Statements become blocks and commands; loops are cut with their invariants
(assert on entry, havoc what the body modifies, assume, check the body
preserves them and decreases the measure); calls use contracts; every
return checks the postconditions. Definite assignment is tracked statically;
where a read might see an unbound local, an obligation checks a hidden
`x$def` flag instead of rejecting the program.
"""

from __future__ import annotations

import ast

from quod.core.builder import And, Eq, Implies, Not
from quod.core.ops import Op
from quod.core.sorts import INT
from quod.core.terms import FALSE, Term, make, quantifier, var
from quod.verify import values as V
from quod.verify.calls import PureTable, build_val
from quod.verify.errors import alias_error, spec_error, type_error, unsupported
from quod.verify.exprs import Scope
from quod.verify.ivl import Procedure
from quod.verify.loops import LoopLowering
from quod.verify.ownership import SUPPORTED_MUTATORS, check_ownership, list_augassign_targets, mutated_names
from quod.verify.program import Function, Program, marker_name
from quod.verify.types import NONE_T, PyType, assignable, sort_of
from quod.verify.values import Val


class Lowering(LoopLowering):
    """Builds the `Procedure` of one function."""

    def __init__(self, prog: Program, fn: Function, pure: PureTable, local_types: dict[str, PyType]) -> None:
        super().__init__(prog, fn, pure, local_types)
        self.measure_of = self._measure

    # --- the procedure ----------------------------------------------------------------------
    def run(self) -> Procedure:
        fn = self.fn
        mutated = mutated_names(self.prog, fn)
        list_names = {n for n, t in self.local_types.items() if t.kind == "list"} | {
            p.name for p in fn.params if p.type.kind == "list"
        }
        for n, node in list_augassign_targets(fn, list_names).items():
            mutated.setdefault(n, node)
        check_ownership(self.prog, fn, mutated, {n for n, t in self.local_types.items() if t.kind == "list"})
        self.mutated = set(mutated)
        entry = self.new_block("entry")
        self._incoming[entry].append(frozenset())
        self.start(entry)
        self._prologue()
        self.stmts(fn.body)
        self._fall_through()
        inputs = {p.name: self.vars[p.name].leaves() for p in fn.params}
        return Procedure(fn.name, self.blocks, entry, self.obligations, inputs)

    def _prologue(self) -> None:
        fn = self.fn
        for p in fn.params:
            snap = self._var_val(f"{p.name}$in", p.type)
            for s, v in zip(snap.leaves(), self.vars[p.name].leaves(), strict=True):
                self.assign(s, v)
            self.entry[p.name] = snap
            self.assigned.add(p.name)
        for d in self.def_vars.values():
            self.assign(d, FALSE)
        params_scope = Scope({p.name: self.vars[p.name] for p in fn.params}, "spec")
        for req in fn.requires:
            with self.in_scope(params_scope):
                c = self.bool_spec(req, "requires()")
            self.assume(c)
        if fn.requires:
            self.probe(
                f"the precondition of '{fn.name}' is unsatisfiable: every claim about it holds vacuously",
                fn.requires[0],
            )
        if self.prog.recursive(fn.name) and self.cur is not None:
            with self.in_scope(params_scope):
                m = self._measure(fn, {p.name: self.vars[p.name] for p in fn.params})
            snaps = []
            for i, t in enumerate(m):
                s = var(f"measure${i}", INT)
                self.assign(s, t)
                snaps.append(s)
            self.entry_measure = snaps

    def _fall_through(self) -> None:
        if self.cur is None:
            return
        last = self.fn.body[-1] if self.fn.body else self.fn.node
        if self.fn.ret != NONE_T:
            self.check(
                FALSE,
                "Q0622",
                f"'{self.fn.name}' might reach the end of its body and return None",
                _end_node(self.fn.node, last),
                [],
            )
            self.cur = None
            return
        self._return_checks(Val(NONE_T, FALSE), _end_node(self.fn.node, last))
        self.cur = None

    # --- termination measures ----------------------------------------------------------
    def _measure(self, fn: Function, params: dict[str, Val]) -> list[Term]:
        if fn.decreases is not None:
            out = []
            for e in fn.decreases:
                out.append(self.int_expr(e))
            return out
        from quod.verify.measures import default_function_measure

        return default_function_measure(self.prog, fn, params, self.file)

    # --- statements --------------------------------------------------------------------------
    def stmts(self, body: list[ast.stmt]) -> None:
        for s in body:
            if self.cur is None:
                return  # the rest is unreachable (after return/break/continue/raise)
            method = getattr(self, f"_s_{type(s).__name__}", None)
            if method is None:
                raise unsupported(s, self.file, _describe_stmt(s))
            with self.in_scope(self.code_scope()):
                method(s)

    def _s_Pass(self, s: ast.Pass) -> None:
        pass

    def _s_Expr(self, s: ast.Expr) -> None:
        v = s.value
        if isinstance(v, ast.Constant) and isinstance(v.value, str):
            return  # docstring or comment string
        name = marker_name(s)
        if name in ("invariant", "decreases"):
            raise spec_error(s, self.file, f"{name}() must be among the first statements of a loop body")
        if name == "assume":
            self._assume_stmt(s)
            return
        if (
            isinstance(v, ast.Call)
            and isinstance(v.func, ast.Attribute)
            and v.func.attr in SUPPORTED_MUTATORS
        ):
            self._mutating_method(v, None)
            return
        if (
            isinstance(v, ast.Call)
            and isinstance(v.func, ast.Name)
            and v.func.id == "print"
            and "print" not in self.prog.functions
        ):
            for a in v.args:
                self.expr(a)  # evaluated for its checks; output has no effect on the state
            return
        if isinstance(v, ast.Call) and isinstance(v.func, ast.Name) and v.func.id in self.prog.functions:
            self._no_ghost_args(v)
            self.top_call = v
            try:
                self.expr(v)
            finally:
                self.top_call = None
            callee = self.prog.functions[v.func.id]
            if callee.ensures and callee.kind != "pure":
                self.probe(
                    f"the postcondition of '{callee.name}' contradicts this state: what follows holds vacuously",
                    v,
                )
            return
        self.expr(v)

    def _assume_stmt(self, s: ast.Expr) -> None:
        assert isinstance(s.value, ast.Call)
        with self.in_scope(self.spec_scope()):
            for a in s.value.args:
                self.assume(self.bool_spec(a, "assume()"))
        self.probe("this assumption is unsatisfiable here: everything after it holds vacuously", s)

    def _s_Assert(self, s: ast.Assert) -> None:
        with self.in_scope(self.spec_scope()):
            c = self.cond(s.test)
            self.check(c, "Q0610", "assertion might not hold", s, [], keep=True)

    def _s_Raise(self, s: ast.Raise) -> None:
        self.check(FALSE, "Q0620", "an exception might be raised here", s, [])
        self.cur = None

    def _s_Return(self, s: ast.Return) -> None:
        fn = self.fn
        if s.value is None:
            value = Val(NONE_T, FALSE)
        else:
            self._no_ghost(s.value)
            value = self.expr(s.value)
        if not assignable(fn.ret, value.type) and not (fn.ret == NONE_T and value.type == NONE_T):
            raise type_error(s, self.file, f"'{fn.name}' returns {fn.ret}, not {value.type}")
        if fn.ret != NONE_T:
            value = V.coerce(value, fn.ret)
            # the returned value is fixed now, even if the ensures mention mutated lists
            snap = [self.fresh("result", t.sort) for t in value.leaves()]
            for x, t in zip(snap, value.leaves(), strict=True):
                self.assign(x, t)
            value = build_val(fn.ret, snap)
        self._return_checks(value, s)
        self.cur = None

    def _return_checks(self, result: Val, node: ast.AST) -> None:
        scope = self.ensures_scope(result)
        for ens in self.fn.ensures:
            with self.in_scope(scope):
                c = self.bool_spec(ens, "ensures()")
            self.check(
                c,
                "Q0613",
                "postcondition might not hold on this return path",
                node,
                [(ens, "the postcondition that might not hold")],
                keep=True,
            )

    # --- assignment --------------------------------------------------------------------------
    def _s_Assign(self, s: ast.Assign) -> None:
        value = self._rhs(s.value, s.targets)
        multi = len(s.targets) > 1 or isinstance(s.targets[0], ast.Tuple)
        if multi:
            value = self._snapshot(value, "tmp")
        for t in s.targets:
            self._assign_target(t, value, s)

    def _s_AnnAssign(self, s: ast.AnnAssign) -> None:
        if s.value is None:
            return  # a declaration
        value = self._rhs(s.value, [s.target])
        self._assign_target(s.target, value, s)

    def _rhs(self, value: ast.expr, targets: list[ast.expr]) -> Val:
        ghost = all(isinstance(t, ast.Name) and t.id in self.ghosts for t in targets)
        if _is_call_to_name(value, "ghost"):
            for t in targets:
                if not isinstance(t, ast.Name):
                    raise spec_error(t, self.file, "ghost() initializes a plain variable")
                self.ghosts.add(t.id)
            ghost = True
        if not ghost:
            for t in targets:
                if isinstance(t, ast.Name) and t.id in self.ghosts:
                    raise spec_error(
                        t, self.file, f"'{t.id}' is a ghost variable; assign it with ghost state only"
                    )
            self._no_ghost(value)
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr == "pop":
            return self._mutating_method(value, value)
        if (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Name)
            and value.func.id in self.prog.functions
        ):
            callee = self.prog.functions[value.func.id]
            if ghost and callee.modifies:
                raise spec_error(value, self.file, "ghost code cannot call a function that modifies lists")
            self.top_call = value
            try:
                v = self.expr(value)
            finally:
                self.top_call = None
            if callee.ensures and callee.kind != "pure":
                self.probe(
                    f"the postcondition of '{callee.name}' contradicts this state: what follows holds vacuously",
                    value,
                )
            return v
        return self.expr(value)

    def _assign_target(self, t: ast.expr, value: Val, stmt: ast.stmt) -> None:
        if isinstance(t, ast.Name):
            self._check_assignable_name(t)
            self.set_var(t.id, value, t)
        elif isinstance(t, ast.Tuple):
            if value.type.kind != "tuple" or len(value.parts) != len(t.elts):
                raise type_error(t, self.file, f"cannot unpack {value.type} into {len(t.elts)} targets")
            for sub, part in zip(t.elts, value.parts, strict=True):
                self._assign_target(sub, part, stmt)
        elif isinstance(t, ast.Subscript):
            self._store_subscript(t, value)
        else:
            raise unsupported(t, self.file, "this assignment target")

    def _check_assignable_name(self, t: ast.Name) -> None:
        p = self.fn.param(t.id)
        if p is not None and t.id in self.fn.modifies:
            raise alias_error(t, self.file, f"'{t.id}' is modified in place, so it cannot be rebound")

    def _store_subscript(self, t: ast.Subscript, value: Val) -> None:
        if not isinstance(t.value, ast.Name):
            raise unsupported(t, self.file, "assignment into a nested element (only name[i] = v)")
        if isinstance(t.slice, ast.Slice):
            raise unsupported(t, self.file, "slice assignment")
        name = t.value.id
        base = self.expr(t.value)
        if base.type.kind != "list":
            raise type_error(t, self.file, f"'{name}' of type {base.type} does not support item assignment")
        if name in self.ghosts:
            pass
        elif self._mentions_ghost(t.slice):
            raise spec_error(t, self.file, "ghost state used in non-ghost code")
        i = self.int_expr(t.slice)
        n = V.length(base.t)
        self.wd(
            V.index_in_bounds(i, n, V.is_nonneg(i, self.nonneg)),
            "Q0615",
            "list index might be out of range",
            t,
        )
        if not assignable(base.type.elem, value.type):
            raise type_error(t, self.file, f"cannot store {value.type} into {base.type}")
        elem = V.coerce_seq(value, base.type.elem)
        idx = V.normalize_index(i, n, V.is_nonneg(i, self.nonneg))
        # the updated list, described element-wise (exact when the index is in range,
        # which the check above ensures; sequences with equal length and elements are equal)
        new = self.fresh(f"{name}$upd", base.t.sort)
        self.havoc([new])
        k = self.bound_var("k", INT)
        others = quantifier(
            Op.FORALL,
            [k],
            Implies(And(V.le(V.ZERO, k), V.lt(k, n), Not(Eq(k, idx))), Eq(V.at(new, k), V.at(base.t, k))),
        )
        self.assume(And(Eq(V.length(new), n), Eq(V.at(new, idx), elem), others))
        self.set_var(name, Val(base.type, new), t)

    def _s_AugAssign(self, s: ast.AugAssign) -> None:
        t = s.target
        if isinstance(t, ast.Name) and t.id in self.ghosts:
            pass
        else:
            self._no_ghost(s.value)
        load: ast.expr
        if isinstance(t, ast.Name):
            load = ast.Name(id=t.id, ctx=ast.Load())
        elif isinstance(t, ast.Subscript):
            load = ast.Subscript(value=t.value, slice=t.slice, ctx=ast.Load())
        else:
            raise unsupported(t, self.file, "this augmented assignment target")
        expr = ast.BinOp(left=load, op=s.op, right=s.value)
        ast.copy_location(load, t)
        ast.copy_location(expr, s)
        ast.fix_missing_locations(expr)
        value = self.expr(expr)
        if isinstance(t, ast.Name):
            self._check_assignable_name_aug(t)
            self.set_var(t.id, value, t)
        else:
            self._store_subscript(t, value)

    def _check_assignable_name_aug(self, t: ast.Name) -> None:
        pass  # `a += b` on a modifies-list extends it in place, which is allowed

    # --- list methods --------------------------------------------------------------------------
    def _mutating_method(self, call: ast.Call, as_value: ast.Call | None) -> Val:
        f = call.func
        assert isinstance(f, ast.Attribute)
        if not isinstance(f.value, ast.Name):
            raise unsupported(call, self.file, f"{f.attr}() on something other than a list variable")
        name = f.value.id
        lst = self.expr(f.value)
        if lst.type.kind != "list":
            raise unsupported(call, self.file, f"{lst.type}.{f.attr}()")
        if name not in self.ghosts:
            for a in call.args:
                self._no_ghost(a)
        if f.attr == "append":
            (a,) = self._args(call, 1)
            x = self.expr(a)
            elem_t = lst.type.elem if lst.type.elem.kind != "none" else x.type
            if not assignable(elem_t, x.type):
                raise type_error(call, self.file, f"cannot append {x.type} to {lst.type}")
            new_t = PyType("list", (elem_t,))
            base = V.coerce_seq(lst, new_t)
            self.set_var(
                name,
                Val(new_t, make(Op.SEQ_CONCAT, [base, make(Op.SEQ_UNIT, [V.coerce_seq(x, elem_t)])])),
                call,
            )
            return Val(NONE_T, FALSE)
        if f.attr == "extend":
            (a,) = self._args(call, 1)
            other = self.expr(a)
            if other.type.kind != "list" or not assignable(lst.type, other.type):
                raise type_error(call, self.file, f"cannot extend {lst.type} with {other.type}")
            self.set_var(
                name, Val(lst.type, make(Op.SEQ_CONCAT, [lst.t, V.coerce_seq(other, lst.type)])), call
            )
            return Val(NONE_T, FALSE)
        return self._pop(call, name, lst)

    def _pop(self, call: ast.Call, name: str, lst: Val) -> Val:
        args = self._args(call, 0, 1)
        n = V.length(lst.t)
        if args:
            i = self.int_expr(args[0])
            self.wd(V.index_in_bounds(i, n), "Q0615", "pop index might be out of range", call)
            idx = V.normalize_index(i, n)
        else:
            self.wd(V.lt(V.ZERO, n), "Q0621", "pop from a list that might be empty", call)
            idx = V.sub(n, V.ONE)
        item = self.fresh("popped", sort_of(lst.type.elem))
        self.assign(item, V.at(lst.t, idx))
        # idx is in range whenever the checks above hold, so no clamping is needed
        before = make(Op.SEQ_EXTRACT, [lst.t, V.ZERO, idx])
        after = make(Op.SEQ_EXTRACT, [lst.t, V.add(idx, V.ONE), V.sub(V.sub(n, idx), V.ONE)])
        rest = make(Op.SEQ_CONCAT, [before, after])
        self.set_var(name, Val(lst.type, rest), call)
        return Val(lst.type.elem, item)

    # --- control flow -------------------------------------------------------------------------
    def _s_If(self, s: ast.If) -> None:
        self._no_ghost(s.test)
        c = self.cond(s.test)
        then_b, else_b, join_b = self.new_block("then"), self.new_block("else"), self.new_block("join")
        self.goto(then_b, else_b)
        self.start(then_b)
        self.assume(c)
        self.stmts(s.body)
        self.goto(join_b)
        self.start(else_b)
        self.assume(Not(c))
        self.stmts(s.orelse)
        self.goto(join_b)
        self.start(join_b)

    def _s_Break(self, s: ast.Break) -> None:
        loop = self.loops[-1]
        loop.breaks.append(frozenset(self.assigned))
        self.goto(loop.break_block)

    def _s_Continue(self, s: ast.Continue) -> None:
        self.goto(self.loops[-1].continue_block)


def _is_call_to_name(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name


def _end_node(fn: ast.FunctionDef, last: ast.AST) -> ast.AST:
    """A node located at the end of the function (for 'missing return')."""
    end = ast.Pass()
    end.lineno = getattr(last, "end_lineno", fn.lineno) or fn.lineno
    end.col_offset = fn.col_offset
    end.end_lineno = end.lineno
    end.end_col_offset = end.col_offset
    return end


_STMT_DESCRIPTIONS = {
    "Try": "try/except (exceptions)",
    "TryStar": "try/except* (exceptions)",
    "With": "with statement",
    "AsyncWith": "async with",
    "AsyncFor": "async for",
    "AsyncFunctionDef": "async function",
    "FunctionDef": "nested function definition (closures)",
    "ClassDef": "class definition inside a function",
    "Global": "global statement",
    "Nonlocal": "nonlocal statement",
    "Delete": "del statement",
    "Import": "import inside a function",
    "ImportFrom": "import inside a function",
    "Match": "match statement",
}


def _describe_stmt(s: ast.stmt) -> str:
    return _STMT_DESCRIPTIONS.get(type(s).__name__, f"statement '{type(s).__name__}'")


__all__ = ["Lowering"]
