"""The control-flow-graph builder under the lowering: blocks, variables, scopes.

`CfgBuilder` is the `Emitter` the expression translator writes into: it
creates obligations (with their spans) and commands in the current block,
tracks which locals are definitely assigned (statically) and maps Python
variables to IVL variables (tuples are flattened into one variable per
component).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from quod.core.builder import And, Implies
from quod.core.ops import Op
from quod.core.sorts import BOOL, Sort
from quod.core.terms import FALSE, TRUE, Term, var
from quod.core.walk import substitute
from quod.verify import values as V
from quod.verify.calls import CallTranslator, PureTable, build_val
from quod.verify.errors import span_of, spec_error, type_error, unsupported
from quod.verify.exprs import Scope
from quod.verify.ivl import Assert, Assign, Assume, Block, Havoc, Obligation
from quod.verify.program import Function, Program
from quod.verify.types import PyType, assignable, flat_types, sort_of
from quod.verify.values import Val


@dataclass
class LoopCtx:
    continue_block: str
    break_block: str
    # statically assigned names on the edges that reach break_block
    breaks: list[frozenset[str]] = field(default_factory=list)


class CfgBuilder(CallTranslator):
    """Blocks, obligations and variables of the procedure being built."""

    def __init__(self, prog: Program, fn: Function, pure: PureTable, local_types: dict[str, PyType]) -> None:
        CallTranslator.__init__(self, prog, fn, self)
        self.pure = pure
        self.blocks: dict[str, Block] = {}
        self.cur: Block | None = None
        self.assigned: set[str] = set()
        self._incoming: dict[str, list[frozenset[str]]] = {}
        self.obligations: list[Obligation] = []
        self._fresh_counter = 0
        self.local_types = local_types
        self.vars: dict[str, Val] = {}
        self.entry: dict[str, Val] = {}
        self.def_vars: dict[str, Term] = {}
        self.loops: list[LoopCtx] = []
        self.ghosts: set[str] = set()
        self.mutated: set[str] = set()
        for p in fn.params:
            self.vars[p.name] = self._var_val(p.name, p.type)
        for name, t in local_types.items():
            self.vars[name] = self._var_val(name, t)
            self.def_vars[name] = var(f"{name}$def", BOOL)
        self.is_mutable_name = lambda n: n in self.mutated

    def stmts(self, body: list[ast.stmt]) -> None:
        raise NotImplementedError  # lower.Lowering

    # --- the Emitter protocol -------------------------------------------------------
    def check(
        self,
        cond: Term,
        code: str,
        message: str,
        node: ast.AST,
        related: list[tuple[ast.AST, str]],
        probe: bool = False,
        keep: bool = False,
    ) -> None:
        """Add an obligation; with `keep`, later code may assume `cond` once proved."""
        if self.cur is None:
            return  # unreachable code
        span = span_of(node, self.file)
        ob = Obligation(
            len(self.obligations),
            code,
            message,
            span,
            self.fn.name,
            [(span_of(n, self.file), m) for n, m in related],
            probe,
        )
        self.obligations.append(ob)
        self.cur.cmds.append(Assert(self._skolemize(cond), ob, cond if keep else None))

    def _skolemize(self, t: Term) -> Term:
        """Prove `forall x. P(x)` as `P(x0)` for a fresh x0 (at positive positions).

        Valid, and it turns the applications under the binder into ground
        terms, which the unfolding of recursive pure functions can see.
        """
        if t.op is Op.FORALL:
            fresh = {b: self.fresh(b.name.split("$")[0] + "$sk", b.sort) for b in t.payload}
            return self._skolemize(substitute(t.args[0], fresh))
        if t.op is Op.AND:
            return And(*[self._skolemize(a) for a in t.args])
        if t.op is Op.IMPLIES:
            return Implies(t.args[0], self._skolemize(t.args[1]))
        return t

    def assume(self, cond: Term) -> None:
        if self.cur is not None and cond is not TRUE:
            self.cur.cmds.append(Assume(cond))

    def havoc(self, vars: list[Term]) -> None:
        if self.cur is not None and vars:
            self.cur.cmds.append(Havoc(list(vars)))

    def assign(self, v: Term, value: Term) -> None:
        if self.cur is not None:
            self.cur.cmds.append(Assign(v, value))

    def fresh(self, hint: str, sort: Sort) -> Term:
        self._fresh_counter += 1
        return var(f"{hint}${self._fresh_counter}", sort)

    def probe(self, message: str, node: ast.AST) -> None:
        self.check(FALSE, "Q0630", message, node, [], probe=True)

    # --- blocks -------------------------------------------------------------------------
    def new_block(self, hint: str) -> str:
        name = f"{hint}{len(self.blocks)}"
        self.blocks[name] = Block(name)
        self._incoming[name] = []
        return name

    def goto(self, *targets: str) -> None:
        if self.cur is None:
            return
        for t in targets:
            self.cur.succs.append(t)
            self._incoming[t].append(frozenset(self.assigned))
        self.cur = None

    def start(self, name: str) -> None:
        inc = self._incoming[name]
        if not inc:
            self.cur = None
            return
        self.cur = self.blocks[name]
        common = set(inc[0])
        for s in inc[1:]:
            common &= s
        self.assigned = common

    # --- variables ----------------------------------------------------------------------
    def _var_val(self, name: str, t: PyType) -> Val:
        leaves = flat_types(t)
        if t.is_product:
            terms = [var(f"{name}.{i}", sort_of(lt)) for i, lt in enumerate(leaves)]
        else:
            terms = [var(name, sort_of(t))]
        return build_val(t, terms)

    def set_var(self, name: str, value: Val, node: ast.AST) -> None:
        target = self.vars.get(name)
        if target is None:
            raise unsupported(node, self.file, f"assignment to '{name}'")  # pragma: no cover - typed earlier
        if not assignable(target.type, value.type):
            raise type_error(
                node,
                self.file,
                f"'{name}' has type {target.type}; cannot assign a value of type {value.type}",
            )
        value = V.coerce(value, target.type)
        for v, t in zip(target.leaves(), value.leaves(), strict=True):
            self.assign(v, t)
        if name in self.def_vars:
            self.assign(self.def_vars[name], TRUE)
        self.assigned.add(name)

    def _e_Name(self, node: ast.Name) -> Val:
        name = node.id
        scope_var = self.scope.vars.get(name)
        if (
            name in self.def_vars
            and scope_var is not None
            and scope_var is self.vars.get(name)
            and name not in self.assigned
            and self.scope.mode != "contract"
        ):
            self.wd(self.def_vars[name], "Q0619", f"variable '{name}' might be unbound here", node)
        return super()._e_Name(node)

    # --- scopes -----------------------------------------------------------------------------
    def code_scope(self) -> Scope:
        return Scope(self.vars, "code", old=None)

    def spec_scope(self) -> Scope:
        return Scope(self.vars, "spec", old=self.entry)

    def ensures_scope(self, result: Val) -> Scope:
        vars = {
            p.name: (self.vars[p.name] if p.name in self.fn.modifies else self.entry[p.name])
            for p in self.fn.params
        }
        hidden = {
            n: f"ensures() may only mention parameters, result and old(...), not the local '{n}'"
            for n in self.local_types
        }
        return Scope(vars, "ensures", old=self.entry, result=result, hidden=hidden)

    # --- ghost discipline ---------------------------------------------------------------------
    def _mentions_ghost(self, node: ast.AST) -> bool:
        return any(isinstance(n, ast.Name) and n.id in self.ghosts for n in ast.walk(node))

    def _no_ghost(self, node: ast.AST) -> None:
        for n in ast.walk(node):
            if isinstance(n, ast.Name) and n.id in self.ghosts:
                raise spec_error(n, self.file, f"ghost variable '{n.id}' used in non-ghost code")

    def _no_ghost_args(self, call: ast.Call) -> None:
        callee = self.prog.functions.get(call.func.id) if isinstance(call.func, ast.Name) else None
        if callee is not None and callee.kind == "lemma":
            return
        for a in call.args:
            self._no_ghost(a)
