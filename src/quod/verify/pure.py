"""Pure functions: inlining, uninterpreted functions and their unfolding.

A non-recursive `@pure` function is inlined: its body, a single expression
built from `if`/`return` and local bindings, is substituted at each use. A
recursive one becomes an uninterpreted function `f`; for the ground
applications `f(t)` occurring in a query, the facts

    pre(t) => f(t) == body(t)        pre(t) => post(t)[result := f(t)]

are added, and again for the applications those facts introduce, up to a
fuel limit (Dafny's approach to recursive functions). The facts are true
because `f` itself is verified (well-defined, terminating, meets its
postcondition), so adding them never makes a query unsound; fuel only
bounds how much the solver can see.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from quod.core.builder import And, Eq, Implies
from quod.core.ops import Op
from quod.core.sorts import Sort
from quod.core.terms import TRUE, FuncDecl, Term, var
from quod.core.walk import free_vars, post_order, substitute
from quod.verify import values as V
from quod.verify.calls import CallTranslator, PureDef, PureTable, build_val
from quod.verify.errors import spec_error, unsupported
from quod.verify.exprs import Scope
from quod.verify.program import Function, Program, marker_name
from quod.verify.types import flat_types, join, sort_of
from quod.verify.values import Val


class PureEmitter:
    """Emitter for building definitions: checks are proved when the function itself is verified."""

    def __init__(self, prog: Program, fn: Function) -> None:
        self.prog = prog
        self.fn = fn
        self.n = 0

    def check(
        self, cond: Term, code: str, message: str, node: ast.AST, related: list[tuple[ast.AST, str]]
    ) -> None:
        pass

    def _reject(self) -> None:
        raise spec_error(
            self.fn.node,
            self.prog.file,
            f"pure function '{self.fn.name}' uses a construct that needs auxiliary state (a comprehension, [x] * n or [::-1]); use all()/any() or a recursive pure function",
        )

    def assume(self, cond: Term) -> None:
        self._reject()

    def havoc(self, vars: list[Term]) -> None:
        self._reject()

    def assign(self, v: Term, value: Term) -> None:
        self._reject()

    def fresh(self, hint: str, sort: Sort) -> Term:
        self.n += 1
        return var(f"{hint}$p{self.n}", sort)


def _param_vals(fn: Function) -> list[Val]:
    out = []
    for i, p in enumerate(fn.params):
        leaves = flat_types(p.type)
        out.append(
            build_val(p.type, [var(f"{fn.name}$arg{i}.{j}", sort_of(t)) for j, t in enumerate(leaves)])
        )
    return out


class PureBuilder:
    """Builds `PureDef`s and the unfolding facts of recursive pure functions."""

    def __init__(self, prog: Program) -> None:
        self.prog = prog
        self.table = PureTable(self._build)
        self._facts: dict[str, tuple[list[Term], Term, Term, Term]] = {}

    def _translator(self, fn: Function) -> CallTranslator:
        tr = CallTranslator(self.prog, fn, PureEmitter(self.prog, fn))
        tr.pure = self.table
        tr.entry_measure = []
        tr.is_mutable_name = lambda n: False
        tr.measure_of = lambda f, params: []
        return tr

    def _build(self, fn: Function) -> PureDef:
        params = _param_vals(fn)
        if self.prog.recursive(fn.name):
            if fn.ret.is_product:
                what = "a tuple" if fn.ret.kind == "tuple" else f"a dataclass ({fn.ret})"
                raise unsupported(fn.node, self.prog.file, f"a recursive pure function returning {what}")
            domain = tuple(t.sort for p in params for t in p.leaves())
            if not domain:
                raise spec_error(
                    fn.node, self.prog.file, f"recursive pure function '{fn.name}' needs parameters"
                )
            return PureDef(fn, params, None, FuncDecl(fn.name, domain, sort_of(fn.ret)))
        tr = self._translator(fn)
        scope = {p.name: v for p, v in zip(fn.params, params, strict=True)}
        body = _BodyTerm(tr, fn).run(fn.body, scope)
        return PureDef(fn, params, body, None)

    def facts_template(self, fn: Function) -> tuple[list[Term], Term, Term, Term]:
        """(parameter leaves, pre, f(params) == body, post) for a recursive pure function."""
        got = self._facts.get(fn.name)
        if got is not None:
            return got
        d = self.table.get(fn)
        assert d.decl is not None
        tr = self._translator(fn)
        scope = {p.name: v for p, v in zip(fn.params, d.params, strict=True)}
        leaves = [t for p in d.params for t in p.leaves()]
        app = Val(fn.ret, _apply(d.decl, leaves))
        with tr.in_scope(Scope(scope, "contract", check_wd=False)):
            pre = And(*[tr.bool_spec(r, "requires()") for r in fn.requires]) if fn.requires else TRUE
        body = _BodyTerm(tr, fn).run(fn.body, scope)
        definition = V.equal(app, body)
        with tr.in_scope(Scope(scope, "contract", old=scope, result=app, check_wd=False)):
            post = And(*[tr.bool_spec(e, "ensures()") for e in fn.ensures]) if fn.ensures else TRUE
        got = (leaves, pre, definition, post)
        self._facts[fn.name] = got
        return got

    def unfold(self, terms: list[Term], fuel: int, selective: bool = False) -> list[Term]:
        """Facts for the ground applications of recursive pure functions in `terms`.

        With `selective`, applications whose arguments are all plain variables
        are not unfolded: their unfolding only speaks about smaller unknowns,
        and the extra case split can cost the solver more than it helps.
        """
        decls = {d.decl: d.fn for d in self.table.defs.values() if d.decl is not None}
        if not decls:
            return []
        seen: set[int] = set()
        out: list[Term] = []
        frontier = _ground_apps(terms, decls)
        for _ in range(fuel):
            nxt: list[Term] = []
            for app in frontier:
                if app.id in seen:
                    continue
                if selective and all(a.op is Op.VAR for a in app.args):
                    continue
                seen.add(app.id)
                leaves, pre, definition, post = self.facts_template(decls[app.payload])
                mapping = dict(zip(leaves, app.args, strict=True))
                fact = substitute(Implies(pre, And(definition, post)), mapping)
                out.append(fact)
                nxt.extend(_ground_apps([fact], decls))
            frontier = nxt
            if not frontier:
                break
        return out


def _apply(decl: FuncDecl, args: list[Term]) -> Term:
    from quod.core.terms import apply_decl

    return apply_decl(decl, args)


def _ground_apps(terms: list[Term], decls: dict[FuncDecl, Function]) -> list[Term]:
    out = []
    for t in post_order(terms, into_binders=False):
        if t.op is Op.APPLY and t.payload in decls and not _has_bound(t):
            out.append(t)
    return out


def _has_bound(t: Term) -> bool:
    return any("$q" in v.name for v in free_vars([t]))


@dataclass
class _BodyTerm:
    """The value a pure function's body returns, as one term (if/return/let only)."""

    tr: CallTranslator
    fn: Function

    def run(self, body: list[ast.stmt], scope: dict[str, Val]) -> Val:
        for i, s in enumerate(body):
            if isinstance(s, ast.Pass) or marker_name(s) == "assume":
                continue
            if (
                isinstance(s, ast.Expr)
                and isinstance(s.value, ast.Constant)
                and isinstance(s.value.value, str)
            ):
                continue
            if isinstance(s, ast.Assert):
                continue  # proved when the function itself is verified
            if isinstance(s, ast.Return):
                if s.value is None:
                    raise spec_error(s, self.tr.file, "a pure function must return a value")
                return self._expr(s.value, scope)
            if isinstance(s, (ast.Assign, ast.AnnAssign)):
                scope = self._bind(s, scope)
                continue
            if isinstance(s, ast.If):
                rest = body[i + 1 :]
                c = V.truthy(self._expr(s.test, scope))
                a = self.run(s.body + rest, scope)
                b = self.run(s.orelse + rest, scope)
                t = join(a.type, b.type)
                if t is None:
                    raise spec_error(s, self.tr.file, f"branches return {a.type} and {b.type}")
                return V.ite_val(c, a, b, t)
            raise unsupported(
                s, self.tr.file, f"{type(s).__name__} in a pure function (only assignments, if and return)"
            )
        raise spec_error(
            self.fn.node, self.tr.file, f"pure function '{self.fn.name}' might end without returning a value"
        )

    def _expr(self, e: ast.expr, scope: dict[str, Val]) -> Val:
        with self.tr.in_scope(Scope(scope, "code", check_wd=False)):
            return self.tr.expr(e)

    def _bind(self, s: ast.Assign | ast.AnnAssign, scope: dict[str, Val]) -> dict[str, Val]:
        targets = s.targets if isinstance(s, ast.Assign) else [s.target]
        if s.value is None:
            return scope
        if len(targets) != 1:
            raise unsupported(s, self.tr.file, "chained assignment in a pure function")
        v = self._expr(s.value, scope)
        out = dict(scope)
        _bind_target(targets[0], v, out, self.tr.file)
        return out


def _bind_target(t: ast.expr, v: Val, scope: dict[str, Val], file: str) -> None:
    if isinstance(t, ast.Name):
        scope[t.id] = v
    elif isinstance(t, ast.Tuple) and v.type.kind == "tuple" and len(v.parts) == len(t.elts):
        for sub, part in zip(t.elts, v.parts, strict=True):
            _bind_target(sub, part, scope, file)
    else:
        raise unsupported(t, file, "this assignment target in a pure function")


__all__ = ["Eq", "PureBuilder"]
