"""Small loop programs and their verification conditions, as core terms.

A program is `pre; init; while guard: body; post` over integer variables;
`init` and `body` are sequences of assignments `x = e`. Expressions use a
Python-like syntax (parsed with `ast`): integer literals, variables, + - *,
`//` and `%` by a positive constant (where Python's and SMT-LIB's integer
division agree), comparisons (chains allowed), `and`, `or`, `not` and
`implies(a, b)`.

A proposed invariant I is checked with the three classical conditions,
each as "the negation is unsat":
  initiation    pre            => wp(init, I)
  preservation  I and guard    => wp(body, I)
  exit          I and not guard => post
The checks go through a `Checker`; `SolverChecker` asks a quod backend. When
the program verifier (`quod.verify`) exposes loop-invariant checking, a second
checker can delegate to it without changing the environment.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from quod.core.builder import And, Implies, Int, IntVal, Not, Or
from quod.core.errors import QuodError
from quod.core.ops import Op
from quod.core.sorts import BOOL, INT
from quod.core.terms import Term, make
from quod.core.walk import substitute


class ExprError(Exception):
    """An expression outside the supported syntax; `col` is 1-based."""

    def __init__(self, message: str, col: int) -> None:
        super().__init__(message)
        self.col = col


@dataclass(frozen=True)
class LoopProgram:
    id: str
    vars: tuple[str, ...]
    pre: str
    init: tuple[tuple[str, str], ...]
    guard: str
    body: tuple[tuple[str, str], ...]
    post: str
    # plausible invariants (right and wrong) for constrained decoding
    candidates: tuple[str, ...] = ()

    def source(self) -> str:
        lines = [f"# requires {self.pre}"]
        lines += [f"{x} = {e}" for x, e in self.init]
        lines.append(f"while {self.guard}:")
        lines += [f"    {x} = {e}" for x, e in self.body]
        lines.append(f"# ensures {self.post}")
        return "\n".join(lines)

    @staticmethod
    def from_dict(d: dict[str, Any]) -> LoopProgram:
        return LoopProgram(
            id=str(d["id"]),
            vars=tuple(d["vars"]),
            pre=str(d.get("pre", "True")),
            init=tuple((str(x), str(e)) for x, e in d.get("init", [])),
            guard=str(d["guard"]),
            body=tuple((str(x), str(e)) for x, e in d["body"]),
            post=str(d["post"]),
            candidates=tuple(d.get("candidates", [])),
        )


def compile_expr(text: str, variables: Sequence[str], want_bool: bool = True) -> Term:
    """Parse a Python-like expression over integer `variables` into a core term."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as e:
        raise ExprError(f"syntax error: {e.msg}", e.offset or 1) from None
    env = {v: Int(v) for v in variables}
    term = _Compiler(env).expr(tree.body)
    if want_bool and term.sort is not BOOL:
        raise ExprError("expected a Boolean condition, got an integer expression", 1)
    return term


class _Compiler:
    def __init__(self, env: dict[str, Term]) -> None:
        self.env = env

    def expr(self, node: ast.expr) -> Term:
        method = getattr(self, f"_{type(node).__name__}", None)
        if method is None:
            raise ExprError(f"unsupported syntax: {type(node).__name__}", node.col_offset + 1)
        result: Term = method(node)
        return result

    def _int(self, node: ast.expr) -> Term:
        t = self.expr(node)
        if t.sort is not INT:
            raise ExprError("expected an integer expression", node.col_offset + 1)
        return t

    def _bool(self, node: ast.expr) -> Term:
        t = self.expr(node)
        if t.sort is not BOOL:
            raise ExprError("expected a Boolean condition", node.col_offset + 1)
        return t

    def _Constant(self, node: ast.Constant) -> Term:
        if isinstance(node.value, bool):
            return _bool_const(node.value)
        if isinstance(node.value, int):
            return IntVal(node.value)
        raise ExprError(f"unsupported constant {node.value!r}", node.col_offset + 1)

    def _Name(self, node: ast.Name) -> Term:
        if node.id in self.env:
            return self.env[node.id]
        raise ExprError(
            f"unknown variable {node.id!r} (variables: {', '.join(self.env)})", node.col_offset + 1
        )

    def _UnaryOp(self, node: ast.UnaryOp) -> Term:
        if isinstance(node.op, ast.Not):
            return Not(self._bool(node.operand))
        if isinstance(node.op, ast.USub):
            return -self._int(node.operand)
        if isinstance(node.op, ast.UAdd):
            return self._int(node.operand)
        raise ExprError("unsupported unary operator", node.col_offset + 1)

    def _BinOp(self, node: ast.BinOp) -> Term:
        a, b = self._int(node.left), self._int(node.right)
        if isinstance(node.op, ast.Add):
            return a + b
        if isinstance(node.op, ast.Sub):
            return a - b
        if isinstance(node.op, ast.Mult):
            return a * b
        if isinstance(node.op, (ast.FloorDiv, ast.Mod)):
            # Python and SMT-LIB integer division agree only for positive divisors
            if (
                not (isinstance(node.right, ast.Constant) and isinstance(node.right.value, int))
                or node.right.value <= 0
            ):
                raise ExprError(
                    "// and % need a positive integer constant divisor", node.right.col_offset + 1
                )
            return make(Op.IDIV if isinstance(node.op, ast.FloorDiv) else Op.MOD, [a, b])
        raise ExprError(f"unsupported operator {type(node.op).__name__}", node.col_offset + 1)

    def _BoolOp(self, node: ast.BoolOp) -> Term:
        parts = [self._bool(v) for v in node.values]
        return And(*parts) if isinstance(node.op, ast.And) else Or(*parts)

    def _Compare(self, node: ast.Compare) -> Term:
        ops = {ast.Lt: Op.LT, ast.LtE: Op.LE, ast.Gt: Op.GT, ast.GtE: Op.GE}
        parts: list[Term] = []
        left = self._int(node.left)
        for op, right_node in zip(node.ops, node.comparators):
            right = self._int(right_node)
            if isinstance(op, ast.Eq):
                parts.append(left == right)
            elif isinstance(op, ast.NotEq):
                parts.append(Not(left == right))
            elif type(op) in ops:
                parts.append(make(ops[type(op)], [left, right]))
            else:
                raise ExprError(f"unsupported comparison {type(op).__name__}", right_node.col_offset + 1)
            left = right
        return parts[0] if len(parts) == 1 else And(*parts)

    def _Call(self, node: ast.Call) -> Term:
        if (
            isinstance(node.func, ast.Name)
            and node.func.id == "implies"
            and len(node.args) == 2
            and not node.keywords
        ):
            return Implies(self._bool(node.args[0]), self._bool(node.args[1]))
        raise ExprError("the only function is implies(a, b)", node.col_offset + 1)


def _bool_const(b: bool) -> Term:
    from quod.core.terms import FALSE, TRUE

    return TRUE if b else FALSE


def wp(assignments: Sequence[tuple[str, str]], post: Term, variables: Sequence[str]) -> Term:
    """Weakest precondition of a sequence of assignments (by backward substitution)."""
    q = post
    for x, e in reversed(assignments):
        q = substitute(q, {Int(x): compile_expr(e, variables, want_bool=False)})
    return q


@dataclass(frozen=True)
class Obligation:
    name: str  # initiation | preservation | exit
    # hypothesis and goal: valid iff hyp and not goal is unsat
    hyp: Term
    goal: Term


def obligations(p: LoopProgram, invariant: Term) -> list[Obligation]:
    v = p.vars
    pre, guard, post = compile_expr(p.pre, v), compile_expr(p.guard, v), compile_expr(p.post, v)
    return [
        Obligation("initiation", pre, wp(p.init, invariant, v)),
        Obligation("preservation", And(invariant, guard), wp(p.body, invariant, v)),
        Obligation("exit", And(invariant, Not(guard)), post),
    ]


@dataclass(frozen=True)
class ObligationResult:
    name: str
    status: str  # holds | fails | unknown
    # counterexample (variable -> value) when it fails
    counterexample: dict[str, int] | None = None
    reason: str = ""

    def message(self) -> str:
        if self.status == "holds":
            return f"{self.name}: ok"
        if self.status == "fails":
            cex = ", ".join(f"{k}={v}" for k, v in sorted((self.counterexample or {}).items()))
            return f"{self.name}: FAILS, counterexample {cex}"
        return f"{self.name}: unknown ({self.reason})"


@dataclass(frozen=True)
class VCReport:
    results: tuple[ObligationResult, ...]

    @property
    def verified(self) -> bool:
        # unknown is not verified: a reward must never be given on a guess
        return all(r.status == "holds" for r in self.results)

    def message(self) -> str:
        head = "verified" if self.verified else "not verified"
        return head + ": " + "; ".join(r.message() for r in self.results)


class Checker(Protocol):
    # `source` is the proposal as the agent wrote it (after compile_expr admitted it as `invariant`)
    def check(self, program: LoopProgram, invariant: Term, source: str = "") -> VCReport: ...


class SolverChecker:
    """Discharges the obligations with a quod backend (fresh solver per obligation)."""

    def __init__(self, backend: str = "z3", timeout: float = 5.0) -> None:
        self.backend = backend
        self.timeout = timeout

    def check(self, program: LoopProgram, invariant: Term, source: str = "") -> VCReport:
        from quod.backends.base import Limits, Sat, Unsat
        from quod.backends.registry import get_solver

        out = []
        for ob in obligations(program, invariant):
            solver = get_solver(self.backend, limits=Limits(timeout=self.timeout))
            solver.add(ob.hyp, Not(ob.goal))
            res = solver.check()
            if isinstance(res, Unsat):
                out.append(ObligationResult(ob.name, "holds"))
            elif isinstance(res, Sat) and res.model_checked:
                values = res.model.by_name()
                cex = {x: int(values.get(x, 0)) for x in program.vars}
                out.append(ObligationResult(ob.name, "fails", cex))
            elif isinstance(res, Sat):
                out.append(
                    ObligationResult(ob.name, "unknown", reason=f"model not checked: {res.check_note}")
                )
            else:
                out.append(ObligationResult(ob.name, "unknown", reason=res.reason))
        return VCReport(tuple(out))


def check_program_text(p: LoopProgram) -> None:
    """Fail with a located error if the program's own expressions do not compile."""
    fields: list[tuple[str, str, bool]] = [
        ("pre", p.pre, True),
        ("guard", p.guard, True),
        ("post", p.post, True),
    ]
    fields += [(f"init[{i}]", e, False) for i, (_, e) in enumerate(p.init)]
    fields += [(f"body[{i}]", e, False) for i, (_, e) in enumerate(p.body)]
    for name, text, want_bool in fields:
        try:
            compile_expr(text, p.vars, want_bool)
        except ExprError as e:
            raise QuodError(f"program {p.id}: {name}: col {e.col}: {e}", code="Q0906") from None
    for x, _ in (*p.init, *p.body):
        if x not in p.vars:
            raise QuodError(f"program {p.id}: assignment to undeclared variable {x!r}", code="Q0906")
