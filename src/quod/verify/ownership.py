"""Which list variables a function may mutate, and the aliasing rules that make it sound.

The model gives lists value semantics. That is exact as long as no list
object that gets mutated is reachable through two names. So, per function:

- a list is *mutated* if it is the target of `a[i] = v`, `a += ...`, a
  mutating method (`append`, `extend`, `pop`), or is passed for a
  `modifies` parameter of a callee;
- a mutated parameter must be listed in `modifies(...)` and never rebound;
- a mutated local must only ever be bound to a fresh list (a literal,
  comprehension, concatenation, slice, `list(...)`, `.copy()` or `[x] * n`);
- a mutated name may not be stored anywhere as a bare name (assigned to
  another name, put into a list or tuple, appended, returned from a call
  that could hand it back), and a list may not be mutated while a `for`
  loop iterates over it.

Anything else is rejected with an error that says which rule it breaks.
"""

from __future__ import annotations

import ast

from quod.verify.errors import alias_error
from quod.verify.program import Function, Program

MUTATORS = ("append", "extend", "pop", "insert", "remove", "sort", "reverse", "clear")
SUPPORTED_MUTATORS = ("append", "extend", "pop")


def mutated_names(prog: Program, fn: Function) -> dict[str, ast.AST]:
    """Names the body mutates, each with the first node that mutates it."""
    out: dict[str, ast.AST] = {}
    for node in _walk_body(fn):
        name = _mutation_target(prog, node)
        if name is not None and name not in out:
            out[name] = node
    return out


def _walk_body(fn: Function) -> list[ast.AST]:
    nodes: list[ast.AST] = []
    for stmt in fn.body:
        nodes.extend(ast.walk(stmt))
    return nodes


def _mutation_target(prog: Program, node: ast.AST) -> str | None:
    if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for t in targets:
            for sub in ast.walk(t):
                if (
                    isinstance(sub, ast.Subscript)
                    and isinstance(sub.ctx, ast.Store)
                    and isinstance(sub.value, ast.Name)
                ):
                    return sub.value.id
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in MUTATORS:
        recv = node.func.value
        if isinstance(recv, ast.Name) and recv.id != "spec":
            return recv.id
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in prog.functions:
        callee = prog.functions[node.func.id]
        for i, p in enumerate(callee.params):
            if p.name in callee.modifies and i < len(node.args) and isinstance(node.args[i], ast.Name):
                return node.args[i].id  # type: ignore[attr-defined,no-any-return]
    return None


def list_augassign_targets(fn: Function, list_names: set[str]) -> dict[str, ast.AST]:
    """`a += b` on a list extends it in place: that is a mutation too."""
    out: dict[str, ast.AST] = {}
    for node in _walk_body(fn):
        if (
            isinstance(node, ast.AugAssign)
            and isinstance(node.target, ast.Name)
            and node.target.id in list_names
        ):
            out.setdefault(node.target.id, node)
    return out


def is_fresh(node: ast.expr) -> bool:
    """Whether evaluating `node` always yields a newly created list."""
    if isinstance(node, (ast.List, ast.ListComp)):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mult)):
        return True
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice):
        return True
    if isinstance(node, ast.Call):
        f = node.func
        if isinstance(f, ast.Name) and f.id == "list":
            return True
        if isinstance(f, ast.Attribute) and f.attr == "copy":
            return True
    if isinstance(node, ast.IfExp):
        return is_fresh(node.body) and is_fresh(node.orelse)
    return False


def check_ownership(prog: Program, fn: Function, mutated: dict[str, ast.AST], list_locals: set[str]) -> None:
    file = prog.file
    for name, where in mutated.items():
        p = fn.param(name)
        if p is not None:
            if name not in fn.modifies:
                raise alias_error(where, file, f"'{name}' is a parameter; mutating it needs modifies({name})")
            for node in _walk_body(fn):
                if _binds(node, name):
                    raise alias_error(node, file, f"'{name}' is modified in place, so it cannot be rebound")
        elif name in list_locals:
            for node in _walk_body(fn):
                value = _bound_value(node, name)
                if value is not None and not is_fresh(value):
                    raise alias_error(
                        node,
                        file,
                        f"'{name}' is mutated, so it must be bound to a new list (copy it with list(...))",
                    )
        _no_escape(prog, fn, name)
    _no_mutation_while_iterating(fn, set(mutated), file)


def _binds(node: ast.AST, name: str) -> bool:
    if isinstance(node, (ast.Assign, ast.AnnAssign, ast.For)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return any(
            isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Store)
            for t in targets
            for n in ast.walk(t)
        )
    return False


def _bound_value(node: ast.AST, name: str) -> ast.expr | None:
    """The expression bound to `name` by an assignment statement, if any."""
    if isinstance(node, ast.Assign):
        for t in node.targets:
            if isinstance(t, ast.Name) and t.id == name:
                return node.value
            if isinstance(t, ast.Tuple) and any(isinstance(e, ast.Name) and e.id == name for e in t.elts):
                if isinstance(node.value, ast.Tuple) and len(node.value.elts) == len(t.elts):
                    i = next(i for i, e in enumerate(t.elts) if isinstance(e, ast.Name) and e.id == name)
                    return node.value.elts[i]
                return node.value
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == name:
        return node.value
    if isinstance(node, ast.For) and any(
        isinstance(n, ast.Name) and n.id == name for n in ast.walk(node.target)
    ):
        return node.target  # a loop variable: never a fresh list
    return None


def _is_name(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load)


def _stored_exprs(node: ast.AST) -> list[ast.expr]:
    """Sub-expressions whose value may end up stored under another name or in a container."""
    out: list[ast.expr] = []
    if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
        out.extend(value_positions(node.value))
    if isinstance(node, ast.AugAssign):
        out.extend(value_positions(node.value))
    if isinstance(node, (ast.List, ast.Tuple)) and isinstance(node.ctx, ast.Load):
        out.extend(e for e in node.elts if not isinstance(e, ast.Starred))  # *a copies
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in MUTATORS:
        out.extend(node.args)
    if isinstance(node, (ast.ListComp, ast.GeneratorExp)):
        out.append(node.elt)
    return out


def value_positions(value: ast.expr) -> list[ast.expr]:
    """The expressions whose object an assignment may bind directly (not copies)."""
    if isinstance(value, ast.IfExp):
        return value_positions(value.body) + value_positions(value.orelse)
    if isinstance(value, ast.BoolOp):
        out: list[ast.expr] = []
        for v in value.values:
            out.extend(value_positions(v))
        return out
    if isinstance(value, (ast.Tuple, ast.List)):
        out = []
        for v in value.elts:
            out.extend(value_positions(v))
        return out
    return [value]


def _no_escape(prog: Program, fn: Function, name: str) -> None:
    file = prog.file
    for node in _walk_body(fn):
        for e in _stored_exprs(node):
            if _is_name(e, name):
                raise alias_error(
                    e,
                    file,
                    f"'{name}' is mutated, so it may not be stored or shared (aliasing); store a copy: list({name})",
                )
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in prog.functions:
            callee = prog.functions[node.func.id]
            if callee.ret.contains_list():
                for i, a in enumerate(node.args):
                    modified_here = i < len(callee.params) and callee.params[i].name in callee.modifies
                    if _is_name(a, name) and not modified_here:
                        raise alias_error(
                            a,
                            file,
                            f"'{name}' is mutated and {callee.name}() returns a list that might be '{name}' itself; pass a copy: list({name})",
                        )
                    if _is_name(a, name) and modified_here:
                        raise alias_error(
                            a,
                            file,
                            f"{callee.name}() modifies '{name}' and returns a list that might alias it",
                        )


def _no_mutation_while_iterating(fn: Function, mutated: set[str], file: str) -> None:
    for node in _walk_body(fn):
        if isinstance(node, ast.For) and isinstance(node.iter, ast.Name) and node.iter.id in mutated:
            target = node.iter.id
            for stmt in node.body:
                for sub in ast.walk(stmt):
                    hit = _mutation_in(sub, target)
                    if hit:
                        raise alias_error(
                            sub, file, f"'{target}' is mutated while a for loop iterates over it"
                        )


def _mutation_in(node: ast.AST, name: str) -> bool:
    if isinstance(node, (ast.Assign, ast.AugAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for t in targets:
            for sub in ast.walk(t):
                if isinstance(sub, ast.Subscript) and _is_name_any(sub.value, name):
                    return True
            if isinstance(node, ast.AugAssign) and _is_name_any(node.target, name):
                return True
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in MUTATORS:
        return _is_name_any(node.func.value, name)
    return False


def _is_name_any(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name
