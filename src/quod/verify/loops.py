"""Loops: cut by their invariants.

    while c:                      assert I                  (on entry)
        invariant(I)              havoc <modified>
        decreases(D)              assume I                  (vacuity probe here)
        body                      goto Body, Exit
                          Body:   assume c; d := D; body; goto Latch
                          Latch:  assert I; assert D < d; assume false   (continue jumps here)
                          Exit:   assume not c; goto After               (break jumps to After)

`for x in range(lo, hi[, step])`, `for x in seq` and `for i, x in
enumerate(seq)` run on a hidden counter; in invariants the loop variable
(or the enumerate index) denotes the counter, i.e. the value the next
iteration would get, which ranges up to the end of the range. The range
facts that follow from the counter (lo <= i <= hi for step 1) are added as
invariants and checked like user invariants. Termination of `for` loops is
automatic.
"""

from __future__ import annotations

import ast

from quod.core.builder import And, Implies, IntVal, Not
from quod.core.ops import Op
from quod.core.sorts import INT
from quod.core.terms import TRUE, Term, make
from quod.verify import values as V
from quod.verify.cfg import CfgBuilder, LoopCtx
from quod.verify.errors import spec_error, unsupported
from quod.verify.exprs import Scope
from quod.verify.measures import guess_loop_measure
from quod.verify.ownership import MUTATORS
from quod.verify.program import LOOP_MARKERS, marker_name
from quod.verify.values import Val


class LoopLowering(CfgBuilder):
    """Loop statements (mixed into `lower.Lowering`)."""

    def _loop_markers(
        self, body: list[ast.stmt]
    ) -> tuple[list[ast.expr], list[ast.expr] | None, ast.AST | None, list[ast.stmt]]:
        invs: list[ast.expr] = []
        dec: list[ast.expr] | None = None
        dec_node: ast.AST | None = None
        i = 0
        while i < len(body) and marker_name(body[i]) in LOOP_MARKERS:
            stmt = body[i]
            assert isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)
            if not stmt.value.args:
                raise spec_error(stmt, self.file, f"{marker_name(stmt)}() needs an argument")
            if marker_name(stmt) == "invariant":
                invs.extend(stmt.value.args)
            else:
                if dec is not None:
                    raise spec_error(stmt, self.file, "a loop has at most one decreases clause")
                dec, dec_node = list(stmt.value.args), stmt
            i += 1
        return invs, dec, dec_node, body[i:]

    def _modified_in(self, body: list[ast.stmt], also: list[str] = ()) -> list[Term]:  # type: ignore[assignment]
        """IVL variables the loop body may change (syntactically), plus the loop targets `also`."""
        names: set[str] = set(also)
        for stmt in body:
            for n in ast.walk(stmt):
                if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
                    names.add(n.id)
                elif (
                    isinstance(n, ast.Subscript)
                    and isinstance(n.ctx, ast.Store)
                    and isinstance(n.value, ast.Name)
                ):
                    names.add(n.value.id)
                elif (
                    isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in MUTATORS
                ):
                    if isinstance(n.func.value, ast.Name):
                        names.add(n.func.value.id)
                elif (
                    isinstance(n, ast.Call)
                    and isinstance(n.func, ast.Name)
                    and n.func.id in self.prog.functions
                ):
                    callee = self.prog.functions[n.func.id]
                    for p, a in zip(callee.params, n.args, strict=False):
                        if p.name in callee.modifies and isinstance(a, ast.Name):
                            names.add(a.id)
        out: list[Term] = []
        for name in sorted(names):
            if name in self.vars:
                out.extend(self.vars[name].leaves())
            # a name bound before the loop stays bound: only unknown flags are havocked
            if name in self.def_vars and name not in self.assigned:
                out.append(self.def_vars[name])
        return out

    def _check_invariants(self, invs: list[ast.expr], code: str, message: str, extra: dict[str, Val]) -> None:
        scope = self._inv_scope(extra)
        for inv in invs:
            with self.in_scope(scope):
                c = self.bool_spec(inv, "invariant()")
            self.check(c, code, message, inv, [], keep=True)

    def _inv_scope(self, extra: dict[str, Val]) -> Scope:
        if not extra:
            return self.spec_scope()
        return Scope({**self.vars, **extra}, "spec", old=self.entry)

    def _loop(
        self,
        node: ast.While | ast.For,
        cond: ast.expr | Term,
        invs: list[ast.expr],
        free_invs: list[tuple[Term, ast.AST]],
        measure: list[ast.expr] | None,
        measure_node: ast.AST | None,
        body: list[ast.stmt],
        modified: list[Term],
        extra: dict[str, Val],
        on_iteration: list[tuple[str, Val]],
        latch_updates: list[tuple[Term, Term]],
    ) -> None:
        # on entry
        for t, where in free_invs:
            self.check(t, "Q0611", "internal loop-range invariant might not hold on entry", where, [])
        self._check_invariants(invs, "Q0611", "loop invariant might not hold on entry", extra)
        # arbitrary iteration
        self.havoc(modified)
        for t, _ in free_invs:
            self.assume(t)
        self._assume_invariants_checked(invs, extra)
        if invs and self.cur is not None:
            self.probe(
                "the loop invariant is unsatisfiable here: the loop and what follows hold vacuously", invs[0]
            )
        with self.in_scope(self.code_scope()):
            c = cond if isinstance(cond, Term) else self.cond(cond)
        body_b, latch_b, exit_b, after_b = (self.new_block(h) for h in ("body", "latch", "exit", "after"))
        self.goto(body_b, exit_b)
        self.start(body_b)
        self.assume(c)
        for name, value in on_iteration:
            self.set_var(name, value, node)
        start_measure = self._measure_start(node, cond, measure, measure_node, extra)
        self.loops.append(LoopCtx(latch_b, after_b))
        self.stmts(body)
        loop = self.loops.pop()
        self.goto(latch_b)
        self.start(latch_b)
        for v, t in latch_updates:
            self.assign(v, t)
        for t, where in free_invs:
            self.check(t, "Q0612", "internal loop-range invariant might not be preserved", where, [])
        self._check_invariants(invs, "Q0612", "loop invariant might not be preserved by the loop", extra)
        self._measure_end(start_measure, measure_node or node, extra)
        self.cur = None  # the back edge is cut
        self.start(exit_b)
        self.assume(Not(c))
        self.goto(after_b)
        del loop
        self.start(after_b)

    def _assume_invariants_checked(self, invs: list[ast.expr], extra: dict[str, Val]) -> None:
        """Assume the invariants at the loop head, checking they are well-defined there."""
        scope = self._inv_scope(extra)
        for inv in invs:
            with self.in_scope(scope):
                c = self.bool_spec(inv, "invariant()")
            self.assume(c)

    def _measure_start(
        self,
        node: ast.AST,
        cond: ast.expr | Term,
        measure: list[ast.expr] | None,
        measure_node: ast.AST | None,
        extra: dict[str, Val],
    ) -> tuple[list[Term], list[ast.expr]] | None:
        if isinstance(node, ast.For):
            return None  # for loops over a range or sequence always terminate
        exprs = measure
        if exprs is None:
            assert isinstance(cond, ast.expr)
            exprs = guess_loop_measure(cond)
            if exprs is None:
                raise spec_error(
                    node,
                    self.file,
                    "cannot guess a termination measure for this loop; add decreases(...) as the first statement of its body",
                )
        snaps = []
        with self.in_scope(self._inv_scope(extra)):
            for e in exprs:
                t = self.int_expr(e)
                s = self.fresh("dec", INT)
                self.assign(s, t)
                snaps.append(s)
        return snaps, exprs

    def _measure_end(
        self, started: tuple[list[Term], list[ast.expr]] | None, node: ast.AST, extra: dict[str, Val]
    ) -> None:
        if started is None:
            return
        start, exprs = started
        with self.in_scope(self._inv_scope(extra)):
            now = [self.int_expr(e) for e in exprs]
        what = ", ".join(ast.unparse(e) for e in exprs)
        if len(start) == 1:
            self.check(
                V.le(V.ZERO, start[0]), "Q0618", f"termination measure '{what}' might be negative", node, []
            )
            self.check(
                V.lt(now[0], start[0]), "Q0617", f"termination measure '{what}' might not decrease", node, []
            )
        else:
            from quod.verify.calls import lex_less

            self.check(
                lex_less(now, start),
                "Q0617",
                f"termination measure ({what}) might not decrease lexicographically (or be negative)",
                node,
                [],
            )

    # --- while ------------------------------------------------------------------------------
    def _s_While(self, s: ast.While) -> None:
        if s.orelse:
            raise unsupported(s, self.file, "while ... else")
        self._no_ghost(s.test)
        invs, dec, dec_node, body = self._loop_markers(s.body)
        modified = self._modified_in(body)
        self._loop(s, s.test, invs, [], dec, dec_node, body, modified, {}, [], [])

    # --- for ---------------------------------------------------------------------------------
    def _s_For(self, s: ast.For) -> None:
        if s.orelse:
            raise unsupported(s, self.file, "for ... else")
        invs, dec, dec_node, body = self._loop_markers(s.body)
        if dec is not None:
            raise spec_error(
                dec_node or s,
                self.file,
                "for loops over a range or a sequence terminate; decreases() is not needed",
            )
        self._no_ghost(s.iter)
        it = s.iter
        if (
            isinstance(it, ast.Call)
            and isinstance(it.func, ast.Name)
            and it.func.id == "range"
            and "range" not in self.prog.functions
        ):
            self._for_range(s, it, invs, body)
        elif (
            isinstance(it, ast.Call)
            and isinstance(it.func, ast.Name)
            and it.func.id == "enumerate"
            and "enumerate" not in self.prog.functions
        ):
            self._for_seq(s, it, invs, body, enumerate_=True)
        else:
            self._for_seq(s, it, invs, body, enumerate_=False)

    def _for_range(self, s: ast.For, it: ast.Call, invs: list[ast.expr], body: list[ast.stmt]) -> None:
        args = self._args(it, 1, 3)
        step = 1
        if len(args) == 3:
            k = _const_int(args[2])
            if k is None or k == 0:
                raise unsupported(args[2], self.file, "range() step that is not a non-zero integer literal")
            step = k
        lo_t = V.ZERO if len(args) == 1 else self.int_expr(args[0])
        hi_t = self.int_expr(args[-1] if len(args) == 1 else args[1])
        if not isinstance(s.target, ast.Name):
            raise unsupported(s.target, self.file, "this for-range target (use a name)")
        name = s.target.id
        lo, hi = self.fresh("lo", INT), self.fresh("hi", INT)
        self.assign(lo, lo_t)
        self.assign(hi, hi_t)
        c = self.fresh("i", INT)
        self.assign(c, lo)
        if step > 0 and V.is_nonneg(lo_t, self.nonneg):
            self.nonneg.add(c.id)  # the counter only grows from a non-negative start
        cond = V.lt(c, hi) if step > 0 else V.lt(hi, c)
        free = _range_invariant(c, lo, hi, step)
        modified = [*self._modified_in(body, [name]), c]
        extra = {name: V.int_val(c)}
        step_t = IntVal(step)
        iteration = [(name, V.int_val(c))]
        self._loop(
            s,
            cond,
            invs,
            [(free, s.target)],
            None,
            None,
            body,
            modified,
            extra,
            iteration,
            [(c, make(Op.ADD, [c, step_t]))],
        )

    def _for_seq(
        self, s: ast.For, it: ast.expr, invs: list[ast.expr], body: list[ast.stmt], enumerate_: bool
    ) -> None:
        seq_node = it
        if enumerate_:
            assert isinstance(it, ast.Call)
            (seq_node,) = self._args(it, 1)
        seq = self._iterable(seq_node)
        snap = self.fresh("seq", seq.t.sort)
        self.assign(snap, seq.t)
        c = self.fresh("k", INT)
        self.assign(c, V.ZERO)
        self.nonneg.add(c.id)
        n = V.length(snap)
        elem = Val(seq.type.elem, V.at(snap, c))
        targets = s.target
        extra: dict[str, Val] = {}
        iteration: list[tuple[str, Val]] = []
        if enumerate_:
            if not (
                isinstance(targets, ast.Tuple)
                and len(targets.elts) == 2
                and all(isinstance(e, ast.Name) for e in targets.elts)
            ):
                raise unsupported(targets, self.file, "enumerate() target other than 'i, x'")
            i_name, x_target = (e.id for e in targets.elts)  # type: ignore[attr-defined]
            extra[i_name] = V.int_val(c)
            iteration.append((i_name, V.int_val(c)))
        else:
            if not isinstance(targets, ast.Name):
                raise unsupported(
                    targets, self.file, "this for target (use a name, or 'i, x' with enumerate)"
                )
            x_target = targets.id
        iteration.append((x_target, elem))
        free = And(V.le(V.ZERO, c), V.le(c, n))
        modified = [*self._modified_in(body, [name for name, _ in iteration]), c]
        self._loop(
            s,
            V.lt(c, n),
            invs,
            [(free, s.target)],
            None,
            None,
            body,
            modified,
            extra,
            iteration,
            [(c, make(Op.ADD, [c, V.ONE]))],
        )


def _const_int(node: ast.expr) -> int | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _const_int(node.operand)
        return None if inner is None else -inner
    return None


def _range_invariant(c: Term, lo: Term, hi: Term, step: int) -> Term:
    """What the counter of `range(lo, hi, step)` satisfies at every loop head."""
    if step == 1:
        return And(V.le(lo, c), make(Op.OR, [V.le(c, hi), make(Op.EQ, [c, lo])]))
    if step == -1:
        return And(V.le(c, lo), make(Op.OR, [V.le(hi, c), make(Op.EQ, [c, lo])]))
    k = IntVal(abs(step))
    aligned = make(Op.EQ, [make(Op.MOD, [V.sub(c, lo), k]), V.ZERO])
    if step > 0:
        bound = make(Op.OR, [make(Op.LT, [c, V.add(hi, k)]), make(Op.EQ, [c, lo])])
        return And(V.le(lo, c), aligned, bound)
    bound = make(Op.OR, [make(Op.LT, [V.sub(hi, k), c]), make(Op.EQ, [c, lo])])
    return And(V.le(c, lo), aligned, bound)


__all__ = ["Implies", "LoopLowering", "TRUE"]
