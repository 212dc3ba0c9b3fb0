"""Checking proposed loop invariants with quod's program verifier.

The loop program is rendered as a Python function with contracts
(`requires`, `invariant`, a final `assert` for the postcondition) and handed
to `quod.verify`, so the agent is rewarded by the same verifier users run:
Python semantics (floor division, unbounded ints), termination with the
verifier's default measure, and every obligation must be proved.
Verifier failures map back to the environment's three obligations by their
codes; anything else (termination, well-definedness) is reported under its
own name and also blocks the reward.
"""

from __future__ import annotations

import ast

from quod.apps.agents.envs.loops import ExprError, LoopProgram, ObligationResult, VCReport, compile_expr
from quod.core.terms import Term

# verifier error code -> the environment's obligation name
_NAMES = {"Q0611": "initiation", "Q0612": "preservation", "Q0610": "exit"}
_ORDER = ("initiation", "preservation", "exit")


class _Implies(ast.NodeTransformer):
    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        a, b = node.args  # compile_expr admits no other call than implies(a, b)
        return ast.BoolOp(ast.Or(), [ast.UnaryOp(ast.Not(), a), b])


def python_expr(text: str, variables: tuple[str, ...]) -> str:
    """One Python expression, re-printed from its syntax tree.

    The text is first admitted by the environment's own expression compiler
    (names, numbers, arithmetic, comparisons, and/or/not, implies) and then
    printed from the tree, so a proposal can never add statements (say an
    `assume(False)` on a new line) to the program it is checked in.
    """
    compile_expr(text, variables, want_bool=False)
    tree = _Implies().visit(ast.parse(text.strip(), mode="eval"))
    return ast.unparse(ast.fix_missing_locations(tree).body)


def render(program: LoopProgram, invariant: str) -> str:
    """The program as a function whose inputs are the variables the initialisation does not set."""

    def e(text: str) -> str:
        return python_expr(text, program.vars)

    assigned = {x for x, _ in program.init}
    params = ", ".join(f"{v}: int" for v in program.vars if v not in assigned)
    lines = [
        "from quod.spec import invariant, requires",
        "",
        "",
        f"def loop({params}) -> None:",
        f"    requires({e(program.pre)})",
        *(f"    {x} = {e(rhs)}" for x, rhs in program.init),
        f"    while {e(program.guard)}:",
        f"        invariant({e(invariant)})",
        *(f"        {x} = {e(rhs)}" for x, rhs in program.body),
        f"    assert {e(program.post)}",
    ]
    return "\n".join(lines) + "\n"


class VerifierChecker:
    """A Checker that runs `quod.verify` on the rendered program (it reads the proposal's text)."""

    def __init__(self, backend: str = "z3", rlimit: int | None = None) -> None:
        self.backend = backend
        self.rlimit = rlimit

    def check(self, program: LoopProgram, invariant: Term, source: str = "") -> VCReport:
        # the verifier checks the text the agent wrote; `invariant` (its compiled term) is not needed
        return self.check_source(program, source)

    def check_source(self, program: LoopProgram, invariant: str) -> VCReport:
        from quod.core.errors import QuodError
        from quod.verify.verifier import DEFAULT_RLIMIT, Options, verify_source

        opts = Options(
            backend=self.backend,
            rlimit=self.rlimit or DEFAULT_RLIMIT,
            vacuity=False,
            execute=False,
            cache_path=None,
        )
        try:
            res = verify_source(render(program, invariant), f"<{program.id}>", opts)
        except (QuodError, ExprError) as e:
            # the proposal is outside the verified subset: not verified, say why
            return VCReport((ObligationResult("invariant", "unknown", reason=_why(e)),))
        found: dict[str, ObligationResult] = {}
        for fn in res.functions:
            for r in fn.failed:
                name = _NAMES.get(r.ob.code, f"{r.ob.code} {r.ob.message}")
                if name in found:
                    continue
                if r.status == "failed":
                    cex = {k: int(v) for k, v in (r.counterexample or {}).items() if isinstance(v, int)}
                    found[name] = ObligationResult(name, "fails", cex)
                else:
                    found[name] = ObligationResult(name, "unknown", reason=r.reason or r.status)
        results = [found.pop(n, ObligationResult(n, "holds")) for n in _ORDER]
        results += list(found.values())
        if not res.functions:
            results.append(ObligationResult("function", "unknown", reason="the verifier found no function"))
        return VCReport(tuple(results))


def _why(e: Exception) -> str:
    diagnostic = getattr(e, "diagnostic", None)
    return diagnostic.message if diagnostic is not None else str(e)
