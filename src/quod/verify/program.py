"""The program model: functions, their contracts and the call graph.

The module is parsed with `ast`. Top-level functions are collected with
their parameter types, return type, contract clauses (the leading
`requires/ensures/modifies/decreases` statements of the body) and kind
(ordinary, `@pure` or `@lemma`). Module-level constants (a name assigned
once to a literal) may be read by functions. Statement and expression
bodies stay `ast` nodes; `lower.py` and `exprs.py` check them against the
subset as they translate.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from quod.core.errors import Span
from quod.verify.errors import VerifyError, span_of, spec_error, type_error, unsupported
from quod.verify.types import NONE_T, PyType, parse_annotation

CONTRACT_MARKERS = ("requires", "ensures", "modifies", "decreases")
LOOP_MARKERS = ("invariant", "decreases")
SPEC_NAMES = frozenset(
    {
        "requires", "ensures", "invariant", "decreases", "modifies", "old", "result",
        "forall", "exists", "assume", "ghost", "pure", "lemma",
    }
)  # fmt: skip


@dataclass
class Param:
    name: str
    type: PyType
    node: ast.arg


@dataclass
class Function:
    name: str
    node: ast.FunctionDef
    params: list[Param]
    ret: PyType
    kind: str  # "normal", "pure" or "lemma"
    requires: list[ast.expr] = field(default_factory=list)
    ensures: list[ast.expr] = field(default_factory=list)
    modifies: list[str] = field(default_factory=list)
    decreases: list[ast.expr] | None = None
    decreases_node: ast.AST | None = None
    body: list[ast.stmt] = field(default_factory=list)
    calls: set[str] = field(default_factory=set)

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    @property
    def has_contract(self) -> bool:
        return bool(self.requires or self.ensures)


@dataclass
class Program:
    file: str
    source: str
    tree: ast.Module
    functions: dict[str, Function]
    constants: dict[str, tuple[PyType, object]]
    # simple dataclasses by name (kind "dc"), with their field defaults (literal values)
    classes: dict[str, PyType] = field(default_factory=dict)
    defaults: dict[str, dict[str, tuple[PyType, object]]] = field(default_factory=dict)
    frozen: set[str] = field(default_factory=set)
    # function name -> the set of functions in its strongly connected component
    # of the call graph (recursive or mutually recursive functions)
    scc: dict[str, frozenset[str]] = field(default_factory=dict)

    def span(self, node: ast.AST) -> Span:
        return span_of(node, self.file)

    def recursive(self, name: str) -> bool:
        fn = self.functions[name]
        return len(self.scc[name]) > 1 or name in fn.calls


def parse_program(source: str, file: str) -> Program:
    try:
        tree = ast.parse(source, filename=file)
    except SyntaxError as e:
        span = Span(file, e.lineno or 0, e.offset or 0)
        raise VerifyError(f"syntax error: {e.msg}", span, "Q0601") from None
    functions: dict[str, Function] = {}
    constants: dict[str, tuple[PyType, object]] = {}
    rebound, where = _module_level_stores(tree)
    classes, defaults, frozen = _dataclasses(tree, file, rebound)
    for stmt in tree.body:
        if isinstance(stmt, ast.FunctionDef):
            if stmt.name in functions:
                raise type_error(stmt, file, f"function '{stmt.name}' is defined twice")
            if stmt.name in classes:
                raise unsupported(stmt, file, f"rebinding '{stmt.name}' at module level")
            functions[stmt.name] = _function(stmt, file, classes)
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            _constant(stmt, file, constants, rebound)
    for name in list(functions) + list(constants):
        if rebound.get(name, 0) > (1 if name in constants else 0):
            raise unsupported(where.get(name, tree), file, f"rebinding '{name}' at module level")
    prog = Program(
        file, source, tree, functions, constants, classes=classes, defaults=defaults, frozen=frozen
    )
    for fn in functions.values():
        fn.calls = _called(fn, functions)
    prog.scc = _sccs(functions)
    return prog


# keyword arguments of dataclass() that keep the class simple, with the values allowed
# (None: either bool); eq=False would make == identity, init=False or kw_only=True
# would change the constructor
_DATACLASS_OPTIONS: dict[str, bool | None] = {
    "frozen": None, "eq": True, "order": None, "repr": None, "unsafe_hash": None,
    "slots": None, "match_args": None, "init": True, "kw_only": False, "weakref_slot": None,
}  # fmt: skip


def _dataclass_decorators(tree: ast.Module, rebound: dict[str, int]) -> tuple[set[str], set[str]]:
    """Names bound to `dataclasses.dataclass` and to the module `dataclasses`
    (by a top-level import and never rebound)."""
    direct: set[str] = set()
    modules: set[str] = set()
    for stmt in tree.body:
        if isinstance(stmt, ast.ImportFrom) and stmt.module == "dataclasses" and stmt.level == 0:
            for a in stmt.names:
                if a.name == "dataclass" and rebound.get(a.asname or a.name, 0) == 1:
                    direct.add(a.asname or a.name)
        elif isinstance(stmt, ast.Import):
            for a in stmt.names:
                if a.name == "dataclasses" and rebound.get(a.asname or a.name, 0) == 1:
                    modules.add(a.asname or a.name)
    return direct, modules


def _dataclasses(
    tree: ast.Module, file: str, rebound: dict[str, int]
) -> tuple[dict[str, PyType], dict[str, dict[str, tuple[PyType, object]]], set[str]]:
    """The module's simple dataclasses, in order (a field may use earlier classes only).

    Any other top-level class is rejected: only a dataclass without methods,
    bases or non-literal defaults has the plain value semantics the
    verifier gives it.
    """
    import builtins

    from quod.verify.types import dataclass_of

    direct, modules = _dataclass_decorators(tree, rebound)
    classes: dict[str, PyType] = {}
    defaults: dict[str, dict[str, tuple[PyType, object]]] = {}
    frozen: set[str] = set()
    for stmt in tree.body:
        if not isinstance(stmt, ast.ClassDef):
            continue
        name = stmt.name
        if stmt.bases or stmt.keywords:
            raise unsupported(stmt, file, f"class '{name}' with base classes or a metaclass (inheritance)")
        if not stmt.decorator_list and any(
            isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)) for s in stmt.body
        ):
            raise unsupported(stmt, file, f"class '{name}' with methods (methods are not verified)")
        if len(stmt.decorator_list) != 1:
            raise unsupported(
                stmt, file, f"class '{name}' (only classes decorated with @dataclass are supported)"
            )
        is_frozen = _dataclass_options(stmt.decorator_list[0], direct, modules, name, file)
        if name in SPEC_NAMES or hasattr(builtins, name) or name in classes:
            raise unsupported(stmt, file, f"a class named '{name}'")
        if rebound.get(name, 0) != 1:
            raise unsupported(stmt, file, f"rebinding '{name}' at module level")
        fields: list[tuple[str, PyType]] = []
        defs: dict[str, tuple[PyType, object]] = {}
        for i, item in enumerate(stmt.body):
            if (_is_docstring(item) and i == 0) or isinstance(item, ast.Pass):
                continue
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                raise unsupported(
                    item, file, f"method '{item.name}' of class '{name}' (methods are not verified)"
                )
            if not isinstance(item, ast.AnnAssign) or not isinstance(item.target, ast.Name):
                raise unsupported(
                    item, file, f"this statement in class '{name}' (only annotated fields like 'x: int')"
                )
            fname = item.target.id
            if any(f == fname for f, _ in fields):
                raise type_error(item, file, f"field '{fname}' of class '{name}' is declared twice")
            ft = parse_annotation(item.annotation, file, classes)
            if ft.kind == "none":
                raise unsupported(item, file, f"field '{fname}' of type None")
            if ft.contains_list():
                raise unsupported(
                    item,
                    file,
                    f"field '{fname}' of type {ft}: a list inside a dataclass (it would be shared, "
                    "not copied, between instances)",
                )
            if item.value is not None:
                lit = _literal(item.value)
                if lit is None:
                    raise unsupported(item.value, file, f"default of field '{fname}' that is not a literal")
                if isinstance(lit[1], str) and any(ord(c) > 0x2FFFF for c in lit[1]):
                    raise unsupported(item.value, file, "a string character above U+2FFFF")
                if lit[0] != ft:
                    raise type_error(item.value, file, f"field '{fname}' has type {ft}, default is {lit[0]}")
                defs[fname] = lit
            elif defs:
                raise type_error(
                    item, file, f"field '{fname}' without a default follows a field with a default"
                )
            fields.append((fname, ft))
        classes[name] = dataclass_of(name, fields)
        defaults[name] = defs
        if is_frozen:
            frozen.add(name)
    return classes, defaults, frozen


def _dataclass_options(d: ast.expr, direct: set[str], modules: set[str], cls: str, file: str) -> bool:
    """Checks the decorator is dataclasses.dataclass with simple options; whether frozen."""
    call = d if isinstance(d, ast.Call) else None
    f = call.func if call is not None else d
    ok = (isinstance(f, ast.Name) and f.id in direct) or (
        isinstance(f, ast.Attribute)
        and f.attr == "dataclass"
        and isinstance(f.value, ast.Name)
        and f.value.id in modules
    )
    if not ok:
        raise unsupported(
            d,
            file,
            f"decorator '{ast.unparse(d)}' of class '{cls}' (only @dataclass from the dataclasses module)",
        )
    if call is None:
        return False
    if call.args:
        raise unsupported(call, file, "positional arguments to dataclass()")
    frozen = False
    for kw in call.keywords:
        if kw.arg is None or kw.arg not in _DATACLASS_OPTIONS:
            raise unsupported(kw, file, f"dataclass option '{ast.unparse(kw)}'")
        if not (isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, bool)):
            raise unsupported(kw, file, f"dataclass option '{kw.arg}' that is not True or False")
        want = _DATACLASS_OPTIONS[kw.arg]
        if want is not None and kw.value.value is not want:
            raise unsupported(kw, file, f"dataclass option '{ast.unparse(kw)}'")
        if kw.arg == "frozen":
            frozen = kw.value.value
    return frozen


def _module_level_stores(tree: ast.Module) -> tuple[dict[str, int], dict[str, ast.AST]]:
    """How often each name is bound by module-level code (outside function bodies),
    and a node that rebinds it (for the error span).

    A `def` directly in the module body is the function's definition and does
    not count; a `def` nested in module-level control flow (`if`, `try`) does.
    """
    counts: dict[str, int] = {}
    where: dict[str, ast.AST] = {}
    top = {id(s) for s in tree.body}

    def bind(name: str, node: ast.AST, n: int = 1) -> None:
        counts[name] = counts.get(name, 0) + n
        if n:
            where[name] = node

    stack: list[ast.AST] = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            if not isinstance(node, ast.Lambda):
                plain_def = isinstance(node, ast.FunctionDef) and id(node) in top
                bind(node.name, node, 0 if plain_def else 1)
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            bind(node.id, node)
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                bind(alias.asname or alias.name.split(".")[0], node)
        if isinstance(node, ast.Global):
            for n in node.names:
                bind(n, node, 99)
        stack.extend(ast.iter_child_nodes(node))
    return counts, where


def _constant(
    stmt: ast.Assign | ast.AnnAssign,
    file: str,
    constants: dict[str, tuple[PyType, object]],
    rebound: dict[str, int],
) -> None:
    targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
    if len(targets) != 1 or not isinstance(targets[0], ast.Name) or stmt.value is None:
        return
    name = targets[0].id
    value = stmt.value
    if rebound.get(name, 0) != 1:
        return  # assigned several times: not a constant; functions may not read it
    lit = _literal(value)
    if lit is not None:
        constants[name] = lit


def _literal(node: ast.expr) -> tuple[PyType, object] | None:
    from quod.verify.types import BOOL_T, BYTES_T, INT_T, STR_T

    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _literal(node.operand)
        if inner is not None and inner[0] == INT_T:
            v = inner[1]
            assert isinstance(v, int)
            return INT_T, -v
        return None
    if not isinstance(node, ast.Constant):
        return None
    v = node.value
    if isinstance(v, bool):
        return BOOL_T, v
    if isinstance(v, int):
        return INT_T, v
    if isinstance(v, str):
        return STR_T, v
    if isinstance(v, bytes):
        return BYTES_T, v
    return None


def _decorator_kind(fn: ast.FunctionDef, file: str) -> str:
    kind = "normal"
    for d in fn.decorator_list:
        name = d.id if isinstance(d, ast.Name) else d.attr if isinstance(d, ast.Attribute) else None
        if name in ("pure", "lemma"):
            if kind != "normal":
                raise spec_error(d, file, "a function cannot be both @pure and @lemma")
            kind = name
        else:
            raise unsupported(d, file, f"decorator '{ast.unparse(d)}'")
    return kind


def _function(node: ast.FunctionDef, file: str, classes: dict[str, PyType]) -> Function:
    kind = _decorator_kind(node, file)
    a = node.args
    if a.vararg or a.kwarg or a.kwonlyargs or a.posonlyargs:
        raise unsupported(node, file, "*args, **kwargs, keyword-only or positional-only parameters")
    if a.defaults or a.kw_defaults:
        raise unsupported(a.defaults[0] if a.defaults else node, file, "default parameter values")
    params = []
    for arg in a.args:
        if arg.annotation is None:
            raise type_error(arg, file, f"parameter '{arg.arg}' needs a type annotation")
        t = parse_annotation(arg.annotation, file, classes)
        if t.kind == "none":
            raise type_error(arg, file, f"parameter '{arg.arg}' cannot have type None")
        if arg.arg in SPEC_NAMES:
            raise spec_error(arg, file, f"'{arg.arg}' is reserved for specifications")
        if arg.arg in classes:
            raise unsupported(arg, file, f"a parameter named like the class '{arg.arg}'")
        params.append(Param(arg.arg, t, arg))
    if node.returns is None:
        ret = NONE_T
        if kind == "pure":
            raise type_error(node, file, f"pure function '{node.name}' needs a return type annotation")
    else:
        ret = parse_annotation(node.returns, file, classes)
    if kind == "lemma" and ret != NONE_T:
        raise spec_error(node, file, f"lemma '{node.name}' must return None")
    fn = Function(node.name, node, params, ret, kind)
    _split_contract(fn, file)
    return fn


def marker_name(stmt: ast.stmt) -> str | None:
    """`requires` for a statement `requires(...)` (also `spec.requires(...)`), else None."""
    if not isinstance(stmt, ast.Expr) or not isinstance(stmt.value, ast.Call):
        return None
    f = stmt.value.func
    if isinstance(f, ast.Name):
        return f.id
    if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == "spec":
        return f.attr
    return None


def _is_docstring(stmt: ast.stmt) -> bool:
    return (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Constant)
        and isinstance(stmt.value.value, str)
    )


def _split_contract(fn: Function, file: str) -> None:
    body = list(fn.node.body)
    i = 0
    while i < len(body):
        stmt = body[i]
        if _is_docstring(stmt):
            i += 1
            continue
        name = marker_name(stmt)
        if name not in CONTRACT_MARKERS:
            break
        assert isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)
        call = stmt.value
        if call.keywords:
            raise spec_error(call, file, f"{name}() takes no keyword arguments")
        if not call.args:
            raise spec_error(call, file, f"{name}() needs at least one argument")
        if name == "requires":
            fn.requires.extend(call.args)
        elif name == "ensures":
            fn.ensures.extend(call.args)
        elif name == "modifies":
            _modifies(fn, call, file)
        else:
            if fn.decreases is not None:
                raise spec_error(call, file, "a function has at most one decreases clause")
            fn.decreases = list(call.args)
            fn.decreases_node = call
        i += 1
    fn.body = body[i:]
    _misplaced_markers(fn, file)


def _misplaced_markers(fn: Function, file: str) -> None:
    """Contract markers after the first ordinary statement are errors (they would be ignored)."""
    for stmt in fn.body:
        for sub in ast.walk(stmt):
            if not isinstance(sub, ast.stmt):
                continue
            name = marker_name(sub)
            if name in ("requires", "ensures", "modifies"):
                raise spec_error(sub, file, f"{name}() must come before the first statement of the body")


def _modifies(fn: Function, call: ast.Call, file: str) -> None:
    for a in call.args:
        if not isinstance(a, ast.Name):
            raise spec_error(a, file, "modifies() takes parameter names")
        p = fn.param(a.id)
        if p is None:
            raise spec_error(a, file, f"modifies(): '{a.id}' is not a parameter")
        if not p.type.mutable:
            raise spec_error(a, file, f"modifies(): '{a.id}' has immutable type {p.type}")
        if fn.kind != "normal":
            raise spec_error(a, file, f"a {fn.kind} function cannot modify its arguments")
        fn.modifies.append(a.id)


def _called(fn: Function, functions: dict[str, Function]) -> set[str]:
    out = set()
    for node in ast.walk(fn.node):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in functions:
            out.add(node.func.id)
    return out


def _sccs(functions: dict[str, Function]) -> dict[str, frozenset[str]]:
    """Strongly connected components of the call graph (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: dict[str, frozenset[str]] = {}
    counter = 0
    for root in functions:
        if root in index:
            continue
        work: list[tuple[str, list[str]]] = [(root, sorted(functions[root].calls))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            v, todo = work[-1]
            if todo:
                w = todo.pop()
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, sorted(functions[w].calls)))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = set()
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.add(w)
                    if w == v:
                        break
                frozen = frozenset(comp)
                for w in comp:
                    out[w] = frozen
    return out
