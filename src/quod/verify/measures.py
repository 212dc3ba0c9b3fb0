"""Default termination measures ("decreases" guesses) for loops and recursion."""

from __future__ import annotations

import ast

from quod.core.terms import Term
from quod.verify import values as V
from quod.verify.errors import spec_error
from quod.verify.program import Function, Program
from quod.verify.values import Val


def _located(node: ast.expr, like: ast.AST) -> ast.expr:
    ast.copy_location(node, like)
    return ast.fix_missing_locations(node)


def _minus(a: ast.expr, b: ast.expr, like: ast.AST, plus_one: bool = False) -> ast.expr:
    e: ast.expr = ast.BinOp(left=a, op=ast.Sub(), right=b)
    if plus_one:
        e = ast.BinOp(left=e, op=ast.Add(), right=ast.Constant(1))
    return _located(e, like)


def guess_loop_measure(cond: ast.expr) -> list[ast.expr] | None:
    """A measure for `while cond`: b - a for `a < b`, b - a + 1 for `a <= b`, x for `x > 0`..."""
    if isinstance(cond, ast.BoolOp) and isinstance(cond.op, ast.And):
        for v in cond.values:
            g = guess_loop_measure(v)
            if g is not None:
                return g
        return None
    if isinstance(cond, ast.Compare) and len(cond.ops) == 1:
        a, op, b = cond.left, cond.ops[0], cond.comparators[0]
        if isinstance(op, ast.Lt):
            return [_minus(b, a, cond)]
        if isinstance(op, ast.LtE):
            return [_minus(b, a, cond, plus_one=True)]
        if isinstance(op, ast.Gt):
            return [_minus(a, b, cond)]
        if isinstance(op, ast.GtE):
            return [_minus(a, b, cond, plus_one=True)]
        return None
    if isinstance(cond, ast.Name):
        return [cond]
    return None


def _shrinks(arg: ast.expr, param: str) -> bool:
    """Whether a recursive call's argument looks smaller than the parameter it is passed for."""
    if isinstance(arg, ast.BinOp) and isinstance(arg.left, ast.Name) and arg.left.id == param:
        r = arg.right
        const = r.value if isinstance(r, ast.Constant) and isinstance(r.value, int) else None
        if isinstance(arg.op, ast.Sub):
            return const is None or const > 0
        if isinstance(arg.op, (ast.FloorDiv, ast.RShift)):
            return True
        if isinstance(arg.op, ast.Mod):
            return False
    if isinstance(arg, ast.Subscript) and isinstance(arg.slice, ast.Slice):
        return isinstance(arg.value, ast.Name) and arg.value.id == param
    return False


def _recursive_calls(fn: Function) -> list[ast.Call]:
    out = []
    for stmt in fn.body:
        for n in ast.walk(stmt):
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == fn.name:
                out.append(n)
    return out


def default_function_measure(prog: Program, fn: Function, params: dict[str, Val], file: str) -> list[Term]:
    """Dafny-style default: parameters that shrink in the recursive calls, in order.

    ints count as themselves, sequences and strings by their length. With
    no such parameter, all int and sequence parameters in order.
    """
    if len(prog.scc[fn.name]) > 1:
        raise spec_error(
            fn.node, file, f"mutually recursive function '{fn.name}' needs an explicit decreases(...)"
        )
    calls = _recursive_calls(fn)
    chosen = []
    for i, p in enumerate(fn.params):
        if any(i < len(c.args) and _shrinks(c.args[i], p.name) for c in calls):
            chosen.append(p)
    if not chosen:
        chosen = [p for p in fn.params if p.type.kind == "int" or p.type.is_sequence_like]
    out = []
    for p in chosen:
        v = params[p.name]
        if p.type.kind == "int":
            out.append(v.t)
        elif p.type.is_sequence_like:
            out.append(V.length(v.t))
    if not out:
        raise spec_error(
            fn.node, file, f"cannot guess a termination measure for recursive '{fn.name}'; add decreases(...)"
        )
    return out
