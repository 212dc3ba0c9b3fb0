"""Runtime checking of contracts: the same specifications as runtime monitors.

`instrument_module` rewrites a module's functions so that, as they run,
preconditions are checked on entry, postconditions at every return (with
`result` bound and `old(...)` snapshotted on entry), loop invariants before
every test of the loop condition (the same points the verifier uses), loop
`decreases` measures between iterations and explicit `decreases` of
recursive functions between nested calls. A violation raises
`quod.spec.ContractViolation` with the kind and the line of the clause.

`forall`/`exists` over a range are evaluated; unbounded ones cannot be and
count as true (they are not checked at run time).
"""

from __future__ import annotations

import ast
import copy
import inspect
import sys
import textwrap
from collections.abc import Callable, Iterable
from typing import Any

from quod.spec import ContractViolation

_CONTRACT = ("requires", "ensures", "modifies", "decreases")
_RT = "__quod_rt"


# --- helpers the instrumented code calls ----------------------------------------


KIND_TEXT = {
    "precondition": "precondition violated",
    "postcondition": "postcondition violated",
    "invariant-entry": "loop invariant violated on entry",
    "invariant-preserved": "loop invariant not preserved",
    "decreases": "termination measure did not decrease (or went negative)",
    "assume": "assumption violated",
    "assert": "assertion violated",
}


def describe_kind(kind: str) -> str:
    """A readable phrase for a `ContractViolation.kind`."""
    return KIND_TEXT.get(kind, f"{kind.replace('-', ' ')} violated")


def violation(kind: str, line: int, text: str) -> ContractViolation:
    return ContractViolation(kind, f"{describe_kind(kind)} at line {line}: {text}", line)


def snapshot(value: Any) -> Any:
    return copy.deepcopy(value)


def forall(*args: Any) -> bool:
    if len(args) == 1:
        return True  # unbounded: not checkable at run time
    rng, pred = args
    return all(pred(i) for i in rng)


def exists(*args: Any) -> bool:
    if len(args) == 1:
        return True  # unbounded: not checkable at run time
    rng, pred = args
    return any(pred(i) for i in rng)


def lex_less(new: tuple[int, ...], old: tuple[int, ...]) -> bool:
    for a, b in zip(new, old):
        if a < b:
            return b >= 0
        if a > b:
            return False
    return False


_stack: list[tuple[str, tuple[int, ...]]] = []


def enter(name: str, scc: frozenset[str], measure: tuple[int, ...], line: int) -> None:
    """Check a recursive call decreases the measure of the active call in its component."""
    for caller, m in reversed(_stack):
        if caller in scc:
            if not lex_less(measure, m):
                raise violation(
                    "decreases", line, f"measure {measure} of '{name}' does not decrease from {m}"
                )
            break
    _stack.append((name, measure))


def leave() -> None:
    _stack.pop()


# --- the rewriting ----------------------------------------------------------------


def _marker(stmt: ast.stmt) -> str | None:
    if (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Call)
        and isinstance(stmt.value.func, ast.Name)
    ):
        return stmt.value.func.id
    return None


def _call(func: str, *args: ast.expr) -> ast.Call:
    return ast.Call(
        func=ast.Attribute(value=ast.Name(_RT, ast.Load()), attr=func, ctx=ast.Load()),
        args=list(args),
        keywords=[],
    )


def _raise_unless(cond: ast.expr, kind: str | ast.expr, line: int, text: str) -> ast.If:
    kind_node = ast.Constant(kind) if isinstance(kind, str) else kind
    exc = _call("violation", kind_node, ast.Constant(line), ast.Constant(text))
    return ast.If(test=ast.UnaryOp(ast.Not(), cond), body=[ast.Raise(exc=exc, cause=None)], orelse=[])


class _Rename(ast.NodeTransformer):
    """Replace names (result, parameters, old(...), loop variables) inside a clause."""

    def __init__(self, names: dict[str, ast.expr], olds: dict[str, str] | None = None) -> None:
        self.names = names
        self.olds = olds or {}

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if isinstance(node.ctx, ast.Load) and node.id in self.names:
            return copy.deepcopy(self.names[node.id])
        return node

    def visit_Lambda(self, node: ast.Lambda) -> ast.AST:
        shadowed = {a.arg for a in node.args.args}
        inner = _Rename({k: v for k, v in self.names.items() if k not in shadowed}, self.olds)
        node.body = inner.visit(node.body)
        return node

    def visit_Call(self, node: ast.Call) -> ast.AST:
        f = node.func
        if isinstance(f, ast.Name) and f.id == "old" and len(node.args) == 1:
            key = ast.dump(node.args[0])
            if key in self.olds:
                return ast.Name(self.olds[key], ast.Load())
        if isinstance(f, ast.Name) and f.id in ("forall", "exists"):
            node.func = ast.Attribute(value=ast.Name(_RT, ast.Load()), attr=f.id, ctx=ast.Load())
        self.generic_visit(node)
        return node


class _FunctionRewriter:
    def __init__(self, fn: ast.FunctionDef, scc: frozenset[str]) -> None:
        self.fn = fn
        self.scc = scc
        self.counter = 0
        self.requires: list[ast.expr] = []
        self.ensures: list[ast.expr] = []
        self.decreases: list[ast.expr] | None = None
        self.olds: dict[str, str] = {}
        self.old_exprs: list[tuple[str, ast.expr]] = []

    def fresh(self, hint: str) -> str:
        self.counter += 1
        return f"__quod_{hint}{self.counter}"

    def run(self) -> ast.FunctionDef:
        fn = self.fn
        body = list(fn.body)
        i = 0
        while i < len(body):
            st = body[i]
            if (
                isinstance(st, ast.Expr)
                and isinstance(st.value, ast.Constant)
                and isinstance(st.value.value, str)
            ):
                i += 1
                continue
            name = _marker(st)
            if name not in _CONTRACT:
                break
            assert isinstance(st, ast.Expr) and isinstance(st.value, ast.Call)
            args = list(st.value.args)
            if name == "requires":
                self.requires.extend(args)
            elif name == "ensures":
                self.ensures.extend(args)
            elif name == "decreases":
                self.decreases = args
            i += 1
        rest = body[i:]
        params = [a.arg for a in fn.args.args]
        self.entry_names = {p: ast.Name(f"__quod_in_{p}", ast.Load()) for p in params}
        self._collect_olds(self.ensures)
        for st in rest:
            for n in ast.walk(st):
                if _marker(n) == "invariant" and isinstance(n, ast.Expr) and isinstance(n.value, ast.Call):  # type: ignore[arg-type]
                    self._collect_olds(n.value.args)
        prologue: list[ast.stmt] = []
        for r in self.requires:
            prologue.append(_raise_unless(r, "precondition", r.lineno, ast.unparse(r)))
        for p in params:
            prologue.append(
                ast.Assign(targets=[ast.Name(f"__quod_in_{p}", ast.Store())], value=ast.Name(p, ast.Load()))
            )
        for name, e in self.old_exprs:
            prologue.append(ast.Assign(targets=[ast.Name(name, ast.Store())], value=_call("snapshot", e)))
        new_body = self._stmts(rest)
        end_line = rest[-1].end_lineno if rest else fn.lineno
        new_body.extend(self._return_checks(ast.Constant(None), end_line or fn.lineno))
        if self.decreases is not None and len(self.scc) >= 1 and self._recursive():
            measure = ast.Tuple(elts=list(self.decreases), ctx=ast.Load())
            enter = ast.Expr(
                _call(
                    "enter",
                    ast.Constant(fn.name),
                    _frozen(self.scc),
                    measure,
                    ast.Constant(self.decreases[0].lineno),
                )
            )
            guarded = ast.Try(body=new_body, handlers=[], orelse=[], finalbody=[ast.Expr(_call("leave"))])
            new_body = [enter, guarded]
        fn.body = prologue + new_body or [ast.Pass()]
        return fn

    def _recursive(self) -> bool:
        return any(
            isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in self.scc
            for n in ast.walk(self.fn)
        )

    def _collect_olds(self, exprs: Iterable[ast.expr]) -> None:
        for e in exprs:
            for n in ast.walk(e):
                if (
                    isinstance(n, ast.Call)
                    and isinstance(n.func, ast.Name)
                    and n.func.id == "old"
                    and len(n.args) == 1
                ):
                    key = ast.dump(n.args[0])
                    if key not in self.olds:
                        name = self.fresh("old")
                        self.olds[key] = name
                        self.old_exprs.append((name, n.args[0]))

    def _return_checks(self, value: ast.expr, line: int) -> list[ast.stmt]:
        res = self.fresh("result")
        out: list[ast.stmt] = [ast.Assign(targets=[ast.Name(res, ast.Store())], value=value)]
        names: dict[str, ast.expr] = {**self.entry_names, "result": ast.Name(res, ast.Load())}
        for e in self.ensures:
            cond = _Rename(names, self.olds).visit(copy.deepcopy(e))
            out.append(_raise_unless(cond, "postcondition", line, ast.unparse(e)))
        out.append(ast.Return(value=ast.Name(res, ast.Load())))
        return out

    def _stmts(self, body: list[ast.stmt]) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        for st in body:
            out.extend(self._stmt(st))
        return out

    def _stmt(self, st: ast.stmt) -> list[ast.stmt]:
        if isinstance(st, ast.Return):
            return self._return_checks(st.value or ast.Constant(None), st.lineno)
        if isinstance(st, ast.Expr) and _marker(st) == "assume":
            assert isinstance(st.value, ast.Call)
            return [
                _raise_unless(
                    _Rename({}, self.olds).visit(copy.deepcopy(a)), "assume", st.lineno, ast.unparse(a)
                )
                for a in st.value.args
            ]
        if isinstance(st, ast.Assert):
            st.test = _Rename({}, self.olds).visit(st.test)
            return [st]
        if isinstance(st, ast.While):
            return self._while(st)
        if isinstance(st, ast.For):
            return self._for(st)
        if isinstance(st, ast.If):
            st.body = self._stmts(st.body) or [ast.Pass()]
            st.orelse = self._stmts(st.orelse)
            return [st]
        return [st]

    def _loop_parts(
        self, body: list[ast.stmt]
    ) -> tuple[list[ast.expr], list[ast.expr] | None, list[ast.stmt]]:
        invs: list[ast.expr] = []
        dec: list[ast.expr] | None = None
        i = 0
        while i < len(body) and _marker(body[i]) in ("invariant", "decreases"):
            call = body[i].value  # type: ignore[attr-defined]
            if _marker(body[i]) == "invariant":
                invs.extend(call.args)
            else:
                dec = list(call.args)
            i += 1
        return invs, dec, body[i:]

    def _inv_checks(self, invs: list[ast.expr], it: str, names: dict[str, ast.expr]) -> list[ast.stmt]:
        kind = ast.IfExp(
            test=ast.Compare(ast.Name(it, ast.Load()), [ast.Eq()], [ast.Constant(0)]),
            body=ast.Constant("invariant-entry"),
            orelse=ast.Constant("invariant-preserved"),
        )
        return [
            _raise_unless(
                _Rename(names, self.olds).visit(copy.deepcopy(inv)), kind, inv.lineno, ast.unparse(inv)
            )
            for inv in invs
        ]

    def _while(self, st: ast.While) -> list[ast.stmt]:
        from quod.verify.measures import guess_loop_measure

        invs, dec, rest = self._loop_parts(st.body)
        if dec is None:
            dec = guess_loop_measure(copy.deepcopy(st.test))  # the verifier's default guess
        it, prev = self.fresh("it"), self.fresh("dec")
        loop_body: list[ast.stmt] = self._inv_checks(invs, it, {})
        loop_body.append(ast.If(test=ast.UnaryOp(ast.Not(), st.test), body=[ast.Break()], orelse=[]))
        if dec is not None:
            line = dec[0].lineno
            cur = self.fresh("dnow")
            loop_body.append(
                ast.Assign(targets=[ast.Name(cur, ast.Store())], value=ast.Tuple(elts=dec, ctx=ast.Load()))
            )
            ok = _call("lex_less", ast.Name(cur, ast.Load()), ast.Name(prev, ast.Load()))
            check = ast.If(
                test=ast.Compare(ast.Name(it, ast.Load()), [ast.Gt()], [ast.Constant(0)]),
                body=[_raise_unless(ok, "decreases", line, ", ".join(ast.unparse(d) for d in dec))],
                orelse=[],
            )
            loop_body += [
                check,
                ast.Assign(targets=[ast.Name(prev, ast.Store())], value=ast.Name(cur, ast.Load())),
            ]
        loop_body.append(ast.AugAssign(target=ast.Name(it, ast.Store()), op=ast.Add(), value=ast.Constant(1)))
        loop_body += self._stmts(rest)
        init = [ast.Assign(targets=[ast.Name(it, ast.Store())], value=ast.Constant(0))]
        return [*init, ast.While(test=ast.Constant(True), body=loop_body, orelse=[])]

    def _for(self, st: ast.For) -> list[ast.stmt]:
        invs, _, rest = self._loop_parts(st.body)
        it, seq, n = self.fresh("it"), self.fresh("seq"), self.fresh("n")
        iter_node = st.iter
        is_range = (
            isinstance(iter_node, ast.Call)
            and isinstance(iter_node.func, ast.Name)
            and iter_node.func.id == "range"
        )
        is_enum = (
            isinstance(iter_node, ast.Call)
            and isinstance(iter_node.func, ast.Name)
            and iter_node.func.id == "enumerate"
        )
        source = iter_node.args[0] if is_enum and isinstance(iter_node, ast.Call) else iter_node
        names: dict[str, ast.expr] = {}
        counter = ast.Name(it, ast.Load())
        if is_range and isinstance(st.target, ast.Name):
            # the invariant's loop variable is the counter's value: start + step * iterations
            start = ast.Attribute(value=ast.Name(seq, ast.Load()), attr="start", ctx=ast.Load())
            step = ast.Attribute(value=ast.Name(seq, ast.Load()), attr="step", ctx=ast.Load())
            names[st.target.id] = ast.BinOp(start, ast.Add(), ast.BinOp(step, ast.Mult(), counter))
        elif is_enum and isinstance(st.target, ast.Tuple) and isinstance(st.target.elts[0], ast.Name):
            names[st.target.elts[0].id] = counter
        item = ast.Subscript(value=ast.Name(seq, ast.Load()), slice=ast.Name(it, ast.Load()), ctx=ast.Load())
        bind_value: ast.expr = (
            ast.Tuple(elts=[ast.Name(it, ast.Load()), item], ctx=ast.Load()) if is_enum else item
        )
        loop_body: list[ast.stmt] = self._inv_checks(invs, it, names)
        loop_body.append(
            ast.If(
                test=ast.Compare(ast.Name(it, ast.Load()), [ast.GtE()], [ast.Name(n, ast.Load())]),
                body=[ast.Break()],
                orelse=[],
            )
        )
        loop_body.append(ast.Assign(targets=[st.target], value=bind_value))
        loop_body.append(ast.AugAssign(target=ast.Name(it, ast.Store()), op=ast.Add(), value=ast.Constant(1)))
        loop_body += self._stmts(rest)
        init: list[ast.stmt] = [
            ast.Assign(targets=[ast.Name(seq, ast.Store())], value=source),
            ast.Assign(
                targets=[ast.Name(n, ast.Store())],
                value=ast.Call(ast.Name("len", ast.Load()), [ast.Name(seq, ast.Load())], []),
            ),
            ast.Assign(targets=[ast.Name(it, ast.Store())], value=ast.Constant(0)),
        ]
        return [*init, ast.While(test=ast.Constant(True), body=loop_body, orelse=[])]


def _frozen(names: frozenset[str]) -> ast.expr:
    return ast.Call(
        ast.Name("frozenset", ast.Load()),
        [ast.Tuple([ast.Constant(n) for n in sorted(names)], ast.Load())],
        [],
    )


def _sccs(tree: ast.Module) -> dict[str, frozenset[str]]:
    from quod.verify.program import _sccs as sccs

    class _F:
        def __init__(self, calls: set[str]) -> None:
            self.calls = calls

    fns = {s.name: s for s in tree.body if isinstance(s, ast.FunctionDef)}
    calls = {
        name: _F(
            {
                n.func.id
                for n in ast.walk(f)
                if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in fns
            }
        )
        for name, f in fns.items()
    }
    return sccs(calls)  # type: ignore[arg-type]


def instrument_tree(tree: ast.Module) -> ast.Module:
    """Rewrite the top-level functions of a parsed module (in place) to check their contracts."""
    scc = _sccs(tree)
    for i, st in enumerate(tree.body):
        if isinstance(st, ast.FunctionDef) and not any(
            _decorator_name(d) == "lemma" for d in st.decorator_list
        ):
            tree.body[i] = _FunctionRewriter(st, scc.get(st.name, frozenset({st.name}))).run()
    # after the docstring and `from __future__` imports, which must stay first
    at = 0
    while at < len(tree.body) and (
        (isinstance(tree.body[at], ast.ImportFrom) and getattr(tree.body[at], "module", None) == "__future__")
        or (at == 0 and _is_docstring(tree.body[at]))
    ):
        at += 1
    tree.body.insert(at, ast.Import(names=[ast.alias(name="quod.verify.runtime", asname=_RT)]))
    return ast.fix_missing_locations(tree)


def _is_docstring(st: ast.stmt) -> bool:
    return isinstance(st, ast.Expr) and isinstance(st.value, ast.Constant) and isinstance(st.value.value, str)


def _decorator_name(d: ast.expr) -> str:
    if isinstance(d, ast.Name):
        return d.id
    if isinstance(d, ast.Attribute):
        return d.attr
    return ""


def instrument_source(source: str, filename: str) -> Any:
    """Compile `source` with contract checks (a code object for `exec`)."""
    tree = instrument_tree(ast.parse(source, filename=filename))
    return compile(tree, filename, "exec")


def run_file(path: str, argv: list[str]) -> int:
    """Run a program as __main__ with all its contracts checked (`quod verify --runtime`)."""
    import runpy  # noqa: F401 - documents the model: like `python path`, with checks

    with open(path, encoding="utf-8") as f:
        source = f.read()
    code = instrument_source(source, path)
    module_globals: dict[str, Any] = {"__name__": "__main__", "__file__": path, "__builtins__": __builtins__}
    old_argv = sys.argv
    sys.argv = [path, *argv]
    sys.path.insert(0, str(_dir(path)))
    try:
        exec(code, module_globals)
    finally:
        sys.argv = old_argv
        sys.path.pop(0)
    return 0


def _dir(path: str) -> str:
    import os

    return os.path.dirname(os.path.abspath(path))


def instrument_function(fn: Callable[..., Any]) -> Callable[..., Any]:
    """A contract-checking copy of one function (see `quod.spec.instrument`)."""
    source = textwrap.dedent(inspect.getsource(fn))
    tree = ast.parse(source)
    fdef = tree.body[0]
    if not isinstance(fdef, ast.FunctionDef):
        raise TypeError("instrument() needs a plain function")
    fdef.decorator_list = []
    scc = _sccs(tree).get(fdef.name, frozenset({fdef.name}))
    tree.body[0] = _FunctionRewriter(fdef, scc).run()
    tree.body.insert(0, ast.Import(names=[ast.alias(name="quod.verify.runtime", asname=_RT)]))
    ast.fix_missing_locations(tree)
    ast.increment_lineno(tree, fn.__code__.co_firstlineno - 1)
    code = compile(tree, inspect.getsourcefile(fn) or "<instrumented>", "exec")
    namespace: dict[str, Any] = dict(fn.__globals__)
    exec(code, namespace)
    new: Callable[..., Any] = namespace[fdef.name]
    return new
