"""Run an SMT-LIB script on a quod backend, answering like an SMT-LIB solver.

Responses go to `out` in SMT-LIB syntax (`sat`, models as `define-fun`s,
`(error "...")`), so existing tooling can drive `quod solve`. Named assertions
are checked as assumptions when unsat cores are requested, which is how the
core is computed.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

from quod.backends.base import Limits, Result, Sat, Solver, Unknown, Unsat
from quod.core.evaluate import Undetermined, evaluate
from quod.core.model import ArrayValue, Model
from quod.core.printer import quote_symbol, string_literal, to_smtlib, value_to_smtlib
from quod.core.sorts import Sort, SortKind, sort_to_smtlib
from quod.core.terms import Term, UninterpretedValue, var
from quod.smtlib import commands as c

SolverFactory = Callable[[str | None], Solver]


@dataclass
class RunOutcome:
    """What happened: the check-sat answers in order, and whether anything went wrong."""

    answers: list[Result] = field(default_factory=list)
    errors: int = 0
    internal_errors: int = 0


class ScriptRunner:
    def __init__(
        self,
        make_solver: SolverFactory,
        out: TextIO = sys.stdout,
        limits: Limits | None = None,
        print_models: bool = True,
        on_result: Callable[[Result, Solver], None] | None = None,
    ) -> None:
        self.make_solver = make_solver
        self.out = out
        self.limits = limits or Limits()
        self.print_models = print_models
        self.on_result = on_result
        self.logic: str | None = None
        self.solver: Solver | None = None
        self.options: dict[str, Any] = {
            "produce-models": True,
            "produce-unsat-cores": False,
            "print-success": False,
        }
        self.named: list[list[tuple[str, Term]]] = [[]]
        self.last: Result | None = None
        self.last_assumptions: list[Term] = []
        self.outcome = RunOutcome()

    # -- plumbing -------------------------------------------------------------
    def _solver(self) -> Solver:
        if self.solver is None:
            self.solver = self.make_solver(self.logic)
            self.solver.set_limits(self.limits)
        return self.solver

    def _say(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def _error(self, msg: str) -> None:
        self.outcome.errors += 1
        self._say(f"(error {string_literal(msg)})")

    def _success(self) -> None:
        if self.options.get("print-success"):
            self._say("success")

    # -- commands -------------------------------------------------------------
    def run(self, script: c.Script) -> RunOutcome:
        for cmd in script.commands:
            if isinstance(cmd, c.Exit):
                break
            self.execute(cmd)
        return self.outcome

    def execute(self, cmd: c.Command) -> None:
        handler = getattr(self, "_cmd_" + cmd.name.replace("-", "_"), None)
        if handler is None:
            self._error(f"unsupported command: {cmd.name}")
            return
        handler(cmd)

    def _cmd_set_logic(self, cmd: c.SetLogic) -> None:
        self.logic = cmd.logic
        self._success()

    def _cmd_set_info(self, cmd: c.SetInfo) -> None:
        self._success()

    def _cmd_set_option(self, cmd: c.SetOption) -> None:
        key = cmd.keyword.lstrip(":")
        val = cmd.value
        self.options[key] = val in ("true", None) if val in ("true", "false", None) else val
        if key == "random-seed" and isinstance(val, str) and val.isdigit():
            self.limits.seed = int(val)
        self._success()

    def _cmd_declare_sort(self, cmd: c.Command) -> None:
        self._success()

    _cmd_define_sort = _cmd_declare_fun = _cmd_declare_const = _cmd_define_fun = _cmd_declare_sort

    def _cmd_assert(self, cmd: c.Assert) -> None:
        if cmd.names and self.options.get("produce-unsat-cores"):
            for n in cmd.names:
                self.named[-1].append((n, cmd.term))
        else:
            self._solver().add(cmd.term)
        self._success()

    def _named_terms(self) -> list[Term]:
        return [t for scope in self.named for _, t in scope]

    def _check(self, extra: list[Term]) -> None:
        named = self._named_terms()
        assumptions = named + extra
        res = self._solver().check(assumptions)
        self.last, self.last_assumptions = res, assumptions
        self.outcome.answers.append(res)
        if isinstance(res, Unknown) and "internal error" in res.reason:
            self.outcome.internal_errors += 1
            print(f"quod: error[Q0102]: {res.reason}", file=sys.stderr)
        elif isinstance(res, Sat) and not res.model_checked:
            print(f"quod: warning: model not checked by the kernel: {res.check_note}", file=sys.stderr)
        self._say(str(res))
        if self.on_result is not None:
            self.on_result(res, self._solver())

    def _cmd_check_sat(self, cmd: c.CheckSat) -> None:
        self._check([])

    def _cmd_check_sat_assuming(self, cmd: c.CheckSatAssuming) -> None:
        self._check(list(cmd.assumptions))

    def _model(self) -> Model | None:
        if not isinstance(self.last, Sat):
            self._error("no model available: the last check-sat did not answer sat")
            return None
        return self.last.model

    def _cmd_get_model(self, cmd: c.GetModel) -> None:
        model = self._model()
        if model is None or not self.print_models:
            return
        self._say(format_model(model))

    def _cmd_get_value(self, cmd: c.GetValue) -> None:
        model = self._model()
        if model is None:
            return
        pairs = []
        for t in cmd.terms:
            try:
                v = evaluate(t, model, complete=True)
            except Undetermined as e:
                self._error(f"value of {to_smtlib(t)} is not determined by the model: {e}")
                return
            pairs.append(f"({to_smtlib(t)} {format_value(v, t.sort)})")
        self._say("(" + "\n ".join(pairs) + ")")

    def _cmd_get_assignment(self, cmd: c.GetAssignment) -> None:
        model = self._model()
        if model is None:
            return
        items = []
        for scope in self.named:
            for name, t in scope:
                if t.sort.is_bool:
                    items.append(f"({quote_symbol(name)} {format_value(evaluate(t, model), t.sort)})")
        self._say("(" + " ".join(items) + ")")

    def _cmd_get_unsat_core(self, cmd: c.GetUnsatCore) -> None:
        if not isinstance(self.last, Unsat):
            self._error("no unsat core available: the last check-sat did not answer unsat")
            return
        core = self.last.core
        if core is None:
            self._error("this backend does not produce unsat cores")
            return
        ids = {t.id for t in core}
        names = [n for scope in self.named for n, t in scope if t.id in ids]
        self._say("(" + " ".join(quote_symbol(n) for n in names) + ")")

    def _cmd_get_unsat_assumptions(self, cmd: c.GetUnsatAssumptions) -> None:
        if not isinstance(self.last, Unsat) or self.last.core is None:
            self._error("no unsat assumptions available")
            return
        named = {t.id for t in self._named_terms()}
        self._say("(" + " ".join(to_smtlib(t) for t in self.last.core if t.id not in named) + ")")

    def _cmd_get_proof(self, cmd: c.GetProof) -> None:
        self._error("proofs are written as certificate bundles: use quod solve --certify DIR")

    def _cmd_get_info(self, cmd: c.GetInfo) -> None:
        from quod import __version__

        key = cmd.keyword.lstrip(":")
        if key == "name":
            self._say('(:name "quod")')
        elif key == "version":
            self._say(f'(:version "{__version__}")')
        elif key == "authors":
            self._say('(:authors "the quod developers")')
        elif key == "reason-unknown":
            reason = self.last.reason if isinstance(self.last, Unknown) else "none"
            self._say(f"(:reason-unknown {string_literal(reason)})")
        elif key == "all-statistics":
            stats = self._solver().statistics()
            body = " ".join(f":{quote_symbol(str(k))} {_stat(v)}" for k, v in stats.items())
            self._say(f"({body})")
        else:
            self._error(f"unsupported info flag :{key}")

    def _cmd_get_option(self, cmd: c.GetOption) -> None:
        key = cmd.keyword.lstrip(":")
        val = self.options.get(key)
        self._say(
            "true" if val is True else "false" if val is False else str(val) if val is not None else "false"
        )

    def _cmd_get_assertions(self, cmd: c.GetAssertions) -> None:
        terms = self._solver().assertions() + self._named_terms()
        self._say("(" + "\n ".join(to_smtlib(t) for t in terms) + ")")

    def _cmd_push(self, cmd: c.Push) -> None:
        for _ in range(cmd.levels):
            self._solver().push()
            self.named.append([])
        self._success()

    def _cmd_pop(self, cmd: c.Pop) -> None:
        if cmd.levels > len(self.named) - 1:
            self._error(f"cannot pop {cmd.levels} level(s): only {len(self.named) - 1} open")
            return
        self._solver().pop(cmd.levels)
        if cmd.levels:
            del self.named[-cmd.levels :]
        self._success()

    def _cmd_reset(self, cmd: c.Reset) -> None:
        self.solver = None
        self.logic = None
        self.named = [[]]
        self.last = None
        self._success()

    def _cmd_reset_assertions(self, cmd: c.ResetAssertions) -> None:
        self._solver().reset()
        self.named = [[]]
        self.last = None
        self._success()

    def _cmd_echo(self, cmd: c.Echo) -> None:
        self._say(string_literal(cmd.text))


def _stat(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int) and v >= 0:
        return str(v)
    if isinstance(v, float):
        return f"{v:.6f}" if v >= 0 else f"(- {-v:.6f})"
    return string_literal(str(v))


def format_value(v: Any, sort: Sort) -> str:
    """A model value as SMT-LIB text of the given sort."""
    k = sort.kind
    if k is SortKind.ARRAY:
        assert isinstance(v, ArrayValue)
        text = f"((as const {sort_to_smtlib(sort)}) {format_value(v.default, sort.elem_sort)})"
        for i, e in v.entries:
            text = f"(store {text} {format_value(i, sort.index_sort)} {format_value(e, sort.elem_sort)})"
        return text
    if k is SortKind.SEQ:
        assert isinstance(v, tuple)
        if not v:
            return f"(as seq.empty {sort_to_smtlib(sort)})"
        units = [f"(seq.unit {format_value(x, sort.elem_sort)})" for x in v]
        return units[0] if len(units) == 1 else f"(seq.++ {' '.join(units)})"
    if k is SortKind.UNINTERPRETED:
        assert isinstance(v, UninterpretedValue)
        return f"(as {quote_symbol(f'@{v.sort_name}_{v.index}')} {sort_to_smtlib(sort)})"
    return value_to_smtlib(v, var("_", sort))


def format_model(model: Model) -> str:
    lines = ["("]
    for t in sorted(model.consts, key=lambda t: t.name):
        lines.append(
            f"  (define-fun {quote_symbol(t.name)} () {sort_to_smtlib(t.sort)} {format_value(model.consts[t], t.sort)})"
        )
    for decl in sorted(model.funcs, key=lambda d: d.name):
        fi = model.funcs[decl]
        params = [f"x!{i}" for i in range(len(decl.domain))]
        sig = " ".join(f"({p} {sort_to_smtlib(s)})" for p, s in zip(params, decl.domain, strict=True))
        default = fi.default
        body = format_value(default, decl.range) if default is not None else _some_value(decl.range)
        for args, val in reversed(fi.table()):
            conds = [
                f"(= {p} {format_value(a, s)})" for p, a, s in zip(params, args, decl.domain, strict=True)
            ]
            cond = conds[0] if len(conds) == 1 else f"(and {' '.join(conds)})"
            body = f"(ite {cond} {format_value(val, decl.range)} {body})"
        lines.append(f"  (define-fun {quote_symbol(decl.name)} ({sig}) {sort_to_smtlib(decl.range)} {body})")
    lines.append(")")
    return "\n".join(lines)


def _some_value(sort: Sort) -> str:
    from quod.core.model import default_value

    return format_value(default_value(sort), sort)
