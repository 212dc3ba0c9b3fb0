"""The z3 backend: core terms -> z3 expressions through z3's Python API.

Each solver owns a private `z3.Context`, so solvers in different threads (or
Ray workers) never share state. Models are converted back to quod values and
checked by the kernel against the original assertions before `Sat` is returned.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

from quod.backends.base import BackendUnavailable, Limits, Result, Sat, Unknown, Unsat
from quod.backends.common import AssertionStack, finish_sat
from quod.core.errors import UnsupportedError
from quod.core.model import ArrayValue, FuncInterp, Model
from quod.core.ops import Op
from quod.core.sorts import Sort, SortKind
from quod.core.terms import FuncDecl, Term, UninterpretedValue
from quod.core.walk import post_order


def _import_z3() -> Any:
    try:
        import z3
    except ImportError as e:  # pragma: no cover - z3 is a core dependency
        raise BackendUnavailable("z3 is not installed: pip install z3-solver") from e
    return z3


def z3_version() -> str:
    return str(_import_z3().get_version_string())


class Z3Solver:
    name = "z3"

    def __init__(self, logic: str | None = None, limits: Limits | None = None, **options: str) -> None:
        self.z3 = _import_z3()
        self.ctx = self.z3.Context()
        self.logic = logic
        self.options = options
        self.solver = self._new_solver()
        self.stack = AssertionStack()
        self.limits = limits or Limits()
        self.tr = _Translator(self.z3, self.ctx)
        self._stats: dict[str, Any] = {}

    def _new_solver(self) -> Any:
        solver = None
        if self.logic and self.logic not in ("ALL", "QF_ALL"):
            try:
                solver = self.z3.SolverFor(self.logic, ctx=self.ctx)
            except self.z3.Z3Exception:
                solver = None
        if solver is None:
            solver = self.z3.Solver(ctx=self.ctx)
        for key, value in self.options.items():
            try:
                solver.set(key, _z3_param(value))
            except self.z3.Z3Exception as e:
                raise UnsupportedError(f"z3 backend: bad option {key}={value}: {e}") from e
        return solver

    # -- Solver protocol -------------------------------------------------
    def add(self, *terms: Term) -> None:
        for t in terms:
            self.stack.add(t)
            self.solver.add(self.tr.expr(t))

    def push(self) -> None:
        self.stack.push()
        self.solver.push()

    def pop(self, n: int = 1) -> None:
        self.stack.pop(n)
        self.solver.pop(n)

    def reset(self) -> None:
        self.stack = AssertionStack()
        self.solver = self._new_solver()

    def assertions(self) -> list[Term]:
        return self.stack.all()

    def set_limits(self, limits: Limits) -> None:
        self.limits = limits

    def statistics(self) -> dict[str, Any]:
        return dict(self._stats)

    def check(self, assumptions: Sequence[Term] = ()) -> Result:
        self._apply_limits()
        proxies, exprs = self._assumption_literals(assumptions)
        try:
            return self._check(assumptions, exprs)
        finally:
            # the proxies' implications live in a scope of their own; the model and the
            # core are read before it is popped (popping invalidates them)
            if proxies:
                self.solver.pop()

    def _check(self, assumptions: Sequence[Term], exprs: list[Any]) -> Result:
        start = time.perf_counter()
        try:
            answer = self.solver.check(*exprs)
        except self.z3.Z3Exception as e:
            return Unknown(f"z3 error: {e}")
        elapsed = time.perf_counter() - start
        self._stats = {"time": elapsed, **_z3_stats(self.solver)}
        if answer == self.z3.sat:
            return self._sat(assumptions)
        if answer == self.z3.unsat:
            return Unsat(core=self._core(assumptions, exprs), stats=dict(self._stats))
        return Unknown(str(self.solver.reason_unknown()) or "unknown", stats=dict(self._stats))

    # -- helpers ------------------------------------------------------------
    def _apply_limits(self) -> None:
        lim = self.limits
        self.solver.set("timeout", int(lim.timeout * 1000) if lim.timeout else 4294967295)
        if lim.rlimit is not None:
            self.solver.set("rlimit", int(lim.rlimit))
        if lim.seed is not None:
            self.solver.set("random_seed", int(lim.seed))

    def _assumption_literals(self, assumptions: Sequence[Term]) -> tuple[bool, list[Any]]:
        """z3 tracks cores only for literals: wrap other assumptions in fresh proxies."""
        exprs = [self.tr.expr(a) for a in assumptions]
        if all(_is_literal(a) for a in assumptions):
            return False, exprs
        self.solver.push()
        lits = []
        for i, e in enumerate(exprs):
            p = self.z3.Bool(f"quod!assumption!{i}", self.ctx)
            self.solver.add(self.z3.Implies(p, e))
            lits.append(p)
        return True, lits

    def _core(self, assumptions: Sequence[Term], exprs: list[Any]) -> list[Term] | None:
        if not assumptions:
            return []
        try:
            core = self.solver.unsat_core()
        except self.z3.Z3Exception:
            return None
        ids = {c.get_id() for c in core}
        return [a for a, e in zip(assumptions, exprs, strict=True) if e.get_id() in ids]

    def _sat(self, assumptions: Sequence[Term]) -> Result:
        asserted = self.stack.all()
        try:
            model = self._extract_model(asserted + list(assumptions))
        except _NoValue as e:
            return Sat(
                Model(),
                model_checked=False,
                check_note=f"model not convertible: {e}",
                stats=dict(self._stats),
            )
        return finish_sat("z3", asserted, assumptions, model, dict(self._stats))

    def _extract_model(self, terms: list[Term]) -> Model:
        zm = self.solver.model()
        model = Model()
        conv = _ValueConverter(self.z3, zm)
        for t in post_order(terms, into_binders=False):
            if t.op is Op.VAR and t not in self.tr.bound_vars:
                model.consts[t] = conv.value(zm.eval(self.tr.expr(t), model_completion=True), t.sort)
        for decl, zdecl in self.tr.funcs.items():
            model.funcs[decl] = conv.func_interp(decl, zdecl)
        # entries for the ground applications in the formula, in case z3's else-value is symbolic
        for t in post_order(terms, into_binders=False):
            if t.op is Op.APPLY and not any(v in self.tr.bound_vars for v in _vars_of(t)):
                args = tuple(
                    conv.value(zm.eval(self.tr.expr(a), model_completion=True), a.sort) for a in t.args
                )
                val = conv.value(zm.eval(self.tr.expr(t), model_completion=True), t.sort)
                model.funcs[t.payload].add(args, val)
        return model


def _z3_param(value: str) -> bool | int | str:
    if value in ("true", "false"):
        return value == "true"
    if value.lstrip("-").isdigit():
        return int(value)
    return value


def _vars_of(t: Term) -> list[Term]:
    return [s for s in post_order([t]) if s.op is Op.VAR]


def _is_literal(t: Term) -> bool:
    if t.op is Op.NOT:
        t = t.args[0]
    return t.op is Op.VAR and t.sort.is_bool


def _z3_stats(solver: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    try:
        st = solver.statistics()
        for k in st:
            out[f"z3.{k}"] = st.get_key_value(k)
    except Exception:  # statistics are best effort
        pass
    return out


class _NoValue(Exception):
    pass


class _Translator:
    """Core terms -> z3 expressions, memoized per solver."""

    def __init__(self, z3: Any, ctx: Any) -> None:
        self.z3 = z3
        self.ctx = ctx
        self.memo: dict[int, Any] = {}
        self.keep: list[Term] = []  # keeps translated terms alive so ids stay unique
        self.sorts: dict[Sort, Any] = {}
        self.funcs: dict[FuncDecl, Any] = {}
        self.bound_vars: set[Term] = set()

    def sort(self, s: Sort) -> Any:
        got = self.sorts.get(s)
        if got is not None:
            return got
        z3, ctx = self.z3, self.ctx
        k = s.kind
        if k is SortKind.BOOL:
            r = z3.BoolSort(ctx)
        elif k is SortKind.INT:
            r = z3.IntSort(ctx)
        elif k is SortKind.REAL:
            r = z3.RealSort(ctx)
        elif k is SortKind.BITVEC:
            r = z3.BitVecSort(s.width, ctx)
        elif k is SortKind.STRING:
            r = z3.StringSort(ctx)
        elif k is SortKind.REGLAN:
            r = z3.ReSort(z3.StringSort(ctx))
        elif k is SortKind.ARRAY:
            r = z3.ArraySort(self.sort(s.params[0]), self.sort(s.params[1]))
        elif k is SortKind.SEQ:
            r = z3.SeqSort(self.sort(s.params[0]))
        else:
            if s.params:
                raise UnsupportedError(f"z3 backend: parametric uninterpreted sort {s}")
            r = z3.DeclareSort(s.name, ctx)
        self.sorts[s] = r
        return r

    def expr(self, root: Term) -> Any:
        got = self.memo.get(root.id)
        if got is not None:
            return got
        for t in post_order([root], into_bodies=False):
            if t.id in self.memo:
                continue
            if t.op is Op.FORALL or t.op is Op.EXISTS:
                e = self._quantifier(t)
            else:
                e = self._node(t, [self.memo[a.id] for a in t.args])
            self.memo[t.id] = e
            self.keep.append(t)
        return self.memo[root.id]

    def _quantifier(self, t: Term) -> Any:
        bound = [self.expr(v) for v in t.payload]
        self.bound_vars.update(t.payload)
        body = self.expr(t.args[0])
        mk = self.z3.ForAll if t.op is Op.FORALL else self.z3.Exists
        return mk(bound, body)

    def _node(self, t: Term, a: list[Any]) -> Any:
        z3 = self.z3
        op = t.op
        if op is Op.CONST:
            return self._const(t)
        if op is Op.VAR:
            return z3.Const(t.payload, self.sort(t.sort))
        if op is Op.APPLY:
            d: FuncDecl = t.payload
            f = self.funcs.get(d)
            if f is None:
                f = z3.Function(d.name, *[self.sort(s) for s in d.domain], self.sort(d.range))
                self.funcs[d] = f
            return f(*a)
        fn = _OPS.get(op)
        if fn is None:
            raise UnsupportedError(f"z3 backend: operator '{op.value}' is not supported")
        return fn(self, t, a)

    def _const(self, t: Term) -> Any:
        z3, ctx = self.z3, self.ctx
        v = t.payload[0]
        k = t.sort.kind
        if k is SortKind.BOOL:
            return z3.BoolVal(v, ctx)
        if k is SortKind.INT:
            return z3.IntVal(v, ctx)
        if k is SortKind.REAL:
            return z3.RealVal(f"{v.numerator}/{v.denominator}", ctx)
        if k is SortKind.BITVEC:
            return z3.BitVecVal(v, t.sort.width, ctx)
        if k is SortKind.STRING:
            return z3.StringVal(v, ctx)
        raise UnsupportedError(f"z3 backend: constant of sort {t.sort}")


def _pairwise(tr: _Translator, rel: Callable[[Any, Any], Any], a: list[Any]) -> Any:
    if len(a) == 2:
        return rel(a[0], a[1])
    return tr.z3.And([rel(a[i], a[i + 1]) for i in range(len(a) - 1)])


def _fold(fn: Callable[[Any, Any], Any]) -> Callable[[_Translator, Term, list[Any]], Any]:
    def f(tr: _Translator, t: Term, a: list[Any]) -> Any:
        acc = a[0]
        for x in a[1:]:
            acc = fn(acc, x)
        return acc

    return f


def _rel(fn: Callable[[Any, Any], Any]) -> Callable[[_Translator, Term, list[Any]], Any]:
    return lambda tr, t, a: _pairwise(tr, fn, a)


def _z(name: str) -> Callable[[_Translator, Term, list[Any]], Any]:
    """Call z3.<name>(*args)."""
    return lambda tr, t, a: getattr(tr.z3, name)(*a)


def _re_const(name: str) -> Callable[[_Translator, Term, list[Any]], Any]:
    return lambda tr, t, a: getattr(tr.z3, name)(tr.z3.ReSort(tr.z3.StringSort(tr.ctx)))


def _seq_empty(tr: _Translator, t: Term, a: list[Any]) -> Any:
    return tr.z3.Empty(tr.sort(t.sort))


def _const_array(tr: _Translator, t: Term, a: list[Any]) -> Any:
    return tr.z3.K(tr.sort(t.sort.index_sort), a[0])


def _bvcomp(tr: _Translator, t: Term, a: list[Any]) -> Any:
    z3 = tr.z3
    return z3.If(a[0] == a[1], z3.BitVecVal(1, 1, tr.ctx), z3.BitVecVal(0, 1, tr.ctx))


def _re_loop(tr: _Translator, t: Term, a: list[Any]) -> Any:
    lo, hi = t.payload
    return tr.z3.Loop(a[0], lo, hi)


def _re_power(tr: _Translator, t: Term, a: list[Any]) -> Any:
    (n,) = t.payload
    return tr.z3.Loop(a[0], n, n)


def _xor(tr: _Translator, t: Term, a: list[Any]) -> Any:
    acc = a[0]
    for x in a[1:]:
        acc = tr.z3.Xor(acc, x)
    return acc


def _abs(tr: _Translator, t: Term, a: list[Any]) -> Any:
    return tr.z3.If(a[0] >= 0, a[0], -a[0])


_OPS: dict[Op, Callable[[_Translator, Term, list[Any]], Any]] = {
    Op.NOT: lambda tr, t, a: tr.z3.Not(a[0]),
    Op.AND: lambda tr, t, a: tr.z3.And(a) if len(a) > 1 else a[0],
    Op.OR: lambda tr, t, a: tr.z3.Or(a) if len(a) > 1 else a[0],
    Op.XOR: _xor,
    Op.IMPLIES: lambda tr, t, a: tr.z3.Implies(a[0], a[1]),
    Op.ITE: lambda tr, t, a: tr.z3.If(a[0], a[1], a[2]),
    Op.EQ: _rel(lambda x, y: x == y),
    Op.DISTINCT: lambda tr, t, a: tr.z3.Distinct(*a),
    Op.ADD: lambda tr, t, a: tr.z3.Sum(a),
    Op.SUB: lambda tr, t, a: -a[0] if len(a) == 1 else _fold(lambda x, y: x - y)(tr, t, a),
    Op.NEG: lambda tr, t, a: -a[0],
    Op.MUL: lambda tr, t, a: tr.z3.Product(a),
    Op.IDIV: _fold(lambda x, y: x / y),
    Op.MOD: lambda tr, t, a: a[0] % a[1],
    Op.ABS: _abs,
    Op.RDIV: _fold(lambda x, y: x / y),
    Op.LE: _rel(lambda x, y: x <= y),
    Op.LT: _rel(lambda x, y: x < y),
    Op.GE: _rel(lambda x, y: x >= y),
    Op.GT: _rel(lambda x, y: x > y),
    Op.TO_REAL: _z("ToReal"),
    Op.TO_INT: _z("ToInt"),
    Op.IS_INT: _z("IsInt"),
    Op.BVNOT: lambda tr, t, a: ~a[0],
    Op.BVNEG: lambda tr, t, a: -a[0],
    Op.BVAND: _fold(lambda x, y: x & y),
    Op.BVOR: _fold(lambda x, y: x | y),
    Op.BVXOR: _fold(lambda x, y: x ^ y),
    Op.BVNAND: lambda tr, t, a: ~(a[0] & a[1]),
    Op.BVNOR: lambda tr, t, a: ~(a[0] | a[1]),
    Op.BVXNOR: lambda tr, t, a: ~(a[0] ^ a[1]),
    Op.BVADD: _fold(lambda x, y: x + y),
    Op.BVSUB: _fold(lambda x, y: x - y),
    Op.BVMUL: _fold(lambda x, y: x * y),
    Op.BVUDIV: _z("UDiv"),
    Op.BVUREM: _z("URem"),
    Op.BVSDIV: lambda tr, t, a: a[0] / a[1],
    Op.BVSREM: _z("SRem"),
    Op.BVSMOD: lambda tr, t, a: a[0] % a[1],
    Op.BVSHL: lambda tr, t, a: a[0] << a[1],
    Op.BVLSHR: _z("LShR"),
    Op.BVASHR: lambda tr, t, a: a[0] >> a[1],
    Op.BVULT: _z("ULT"),
    Op.BVULE: _z("ULE"),
    Op.BVUGT: _z("UGT"),
    Op.BVUGE: _z("UGE"),
    Op.BVSLT: lambda tr, t, a: a[0] < a[1],
    Op.BVSLE: lambda tr, t, a: a[0] <= a[1],
    Op.BVSGT: lambda tr, t, a: a[0] > a[1],
    Op.BVSGE: lambda tr, t, a: a[0] >= a[1],
    Op.BVCOMP: _bvcomp,
    Op.CONCAT: lambda tr, t, a: tr.z3.Concat(*a),
    Op.EXTRACT: lambda tr, t, a: tr.z3.Extract(t.payload[0], t.payload[1], a[0]),
    Op.ZERO_EXTEND: lambda tr, t, a: tr.z3.ZeroExt(t.payload[0], a[0]),
    Op.SIGN_EXTEND: lambda tr, t, a: tr.z3.SignExt(t.payload[0], a[0]),
    Op.REPEAT: lambda tr, t, a: tr.z3.RepeatBitVec(t.payload[0], a[0]),
    Op.ROTATE_LEFT: lambda tr, t, a: tr.z3.RotateLeft(a[0], t.payload[0]),
    Op.ROTATE_RIGHT: lambda tr, t, a: tr.z3.RotateRight(a[0], t.payload[0]),
    Op.BV2NAT: lambda tr, t, a: tr.z3.BV2Int(a[0], is_signed=False),
    Op.INT2BV: lambda tr, t, a: tr.z3.Int2BV(a[0], t.payload[0]),
    Op.SELECT: lambda tr, t, a: tr.z3.Select(a[0], a[1]),
    Op.STORE: lambda tr, t, a: tr.z3.Store(a[0], a[1], a[2]),
    Op.CONST_ARRAY: _const_array,
    Op.STR_CONCAT: lambda tr, t, a: tr.z3.Concat(*a),
    Op.STR_LEN: _z("Length"),
    Op.STR_AT: lambda tr, t, a: tr.z3.SubString(a[0], a[1], 1),
    Op.STR_SUBSTR: _z("SubString"),
    Op.STR_PREFIXOF: _z("PrefixOf"),
    Op.STR_SUFFIXOF: _z("SuffixOf"),
    Op.STR_CONTAINS: _z("Contains"),
    Op.STR_INDEXOF: _z("IndexOf"),
    Op.STR_REPLACE: _z("Replace"),
    Op.STR_REPLACE_ALL: _z("ReplaceAll"),
    Op.STR_TO_INT: _z("StrToInt"),
    Op.STR_FROM_INT: _z("IntToStr"),
    Op.STR_TO_CODE: _z("StrToCode"),
    Op.STR_FROM_CODE: _z("StrFromCode"),
    Op.STR_IS_DIGIT: lambda tr, t, a: tr.z3.InRe(a[0], tr.z3.Range("0", "9", ctx=tr.ctx)),
    Op.STR_LT: lambda tr, t, a: a[0] < a[1],
    Op.STR_LE: lambda tr, t, a: a[0] <= a[1],
    Op.STR_IN_RE: _z("InRe"),
    Op.STR_TO_RE: _z("Re"),
    Op.RE_NONE: _re_const("Empty"),
    Op.RE_ALL: _re_const("Full"),
    Op.RE_ALLCHAR: _re_const("AllChar"),
    Op.RE_CONCAT: lambda tr, t, a: tr.z3.Concat(*a),
    Op.RE_UNION: lambda tr, t, a: tr.z3.Union(*a),
    Op.RE_INTER: lambda tr, t, a: tr.z3.Intersect(*a),
    Op.RE_STAR: _z("Star"),
    Op.RE_PLUS: _z("Plus"),
    Op.RE_OPT: _z("Option"),
    Op.RE_RANGE: lambda tr, t, a: tr.z3.Range(a[0], a[1], ctx=tr.ctx),
    Op.RE_COMP: _z("Complement"),
    Op.RE_DIFF: _z("Diff"),
    Op.RE_LOOP: _re_loop,
    Op.RE_POWER: _re_power,
    Op.SEQ_EMPTY: _seq_empty,
    Op.SEQ_UNIT: _z("Unit"),
    Op.SEQ_CONCAT: lambda tr, t, a: tr.z3.Concat(*a),
    Op.SEQ_LEN: _z("Length"),
    Op.SEQ_NTH: lambda tr, t, a: a[0][a[1]],
    Op.SEQ_EXTRACT: _z("SubSeq"),
    Op.SEQ_UPDATE: lambda tr, t, a: tr.z3.SeqUpdate(a[0], a[2], a[1]),
    Op.SEQ_CONTAINS: _z("Contains"),
    Op.SEQ_PREFIXOF: _z("PrefixOf"),
    Op.SEQ_SUFFIXOF: _z("SuffixOf"),
    Op.SEQ_INDEXOF: _z("IndexOf"),
}


class _ValueConverter:
    """z3 model values -> quod values."""

    def __init__(self, z3: Any, model: Any) -> None:
        self.z3 = z3
        self.model = model

    def value(self, e: Any, sort: Sort, simplified: bool = False) -> Any:
        try:
            return self._value(e, sort)
        except _NoValue:
            if simplified:
                raise
        # z3's model evaluation occasionally leaves ground terms unreduced (e.g. str.<)
        return self.value(self.z3.simplify(e), sort, simplified=True)

    def _value(self, e: Any, sort: Sort) -> Any:
        z3 = self.z3
        k = sort.kind
        if k is SortKind.BOOL:
            if z3.is_true(e):
                return True
            if z3.is_false(e):
                return False
        elif k is SortKind.INT and z3.is_int_value(e):
            return e.as_long()
        elif k is SortKind.REAL and z3.is_rational_value(e):
            return Fraction(e.numerator_as_long(), e.denominator_as_long())
        elif k is SortKind.BITVEC and z3.is_bv_value(e):
            return e.as_long()
        elif k is SortKind.STRING and z3.is_string_value(e):
            return e.as_string()
        elif k is SortKind.UNINTERPRETED:
            return self._uninterpreted(e, sort)
        elif k is SortKind.ARRAY:
            return self._array(e, sort)
        elif k is SortKind.SEQ:
            return self._seq(e, sort)
        raise _NoValue(f"z3 value {e} of sort {sort}")

    def _uninterpreted(self, e: Any, sort: Sort) -> UninterpretedValue:
        text = str(e)
        if "!val!" in text:
            return UninterpretedValue(sort.name, int(text.rsplit("!val!", 1)[1]))
        raise _NoValue(f"z3 value {e} of sort {sort}")

    def _array(self, e: Any, sort: Sort) -> ArrayValue:
        z3 = self.z3
        if z3.is_const_array(e):
            return ArrayValue(sort, self.value(e.arg(0), sort.elem_sort))
        if z3.is_store(e):
            base = self._array(e.arg(0), sort)
            return base.set(self.value(e.arg(1), sort.index_sort), self.value(e.arg(2), sort.elem_sort))
        if z3.is_as_array(e):
            interp = self.model[z3.get_as_array_func(e)]
            arr = ArrayValue(sort, self.value(interp.else_value(), sort.elem_sort))
            for i in range(interp.num_entries()):
                ent = interp.entry(i)
                arr = arr.set(
                    self.value(ent.arg_value(0), sort.index_sort), self.value(ent.value(), sort.elem_sort)
                )
            return arr
        if z3.is_lambda(e):
            raise _NoValue("array given as a lambda")
        raise _NoValue(f"z3 array value {e}")

    def _seq(self, e: Any, sort: Sort) -> tuple[Any, ...]:
        z3 = self.z3
        kind = e.decl().kind()
        if kind == z3.Z3_OP_SEQ_EMPTY:
            return ()
        if kind == z3.Z3_OP_SEQ_UNIT:
            return (self.value(e.arg(0), sort.elem_sort),)
        if kind == z3.Z3_OP_SEQ_CONCAT:
            out: tuple[Any, ...] = ()
            for i in range(e.num_args()):
                out += self._seq(e.arg(i), sort)
            return out
        raise _NoValue(f"z3 sequence value {e}")

    def func_interp(self, decl: FuncDecl, zdecl: Any) -> FuncInterp:
        fi = FuncInterp(decl)
        interp = self.model[zdecl] if zdecl in self.model.decls() else None
        if interp is None:
            return fi
        for i in range(interp.num_entries()):
            ent = interp.entry(i)
            try:
                args = tuple(self.value(ent.arg_value(j), s) for j, s in enumerate(decl.domain))
                fi.add(args, self.value(ent.value(), decl.range))
            except _NoValue:
                continue
        try:
            fi.default = self.value(interp.else_value(), decl.range)
        except _NoValue:
            fi.default = None
        return fi
