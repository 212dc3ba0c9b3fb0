"""The cvc5 backend: core terms -> cvc5 terms through cvc5's base Python API.

Every SMT-LIB operator of the core maps to one cvc5 `Kind`. Models come back
through `getValue` on the free constants and on the ground applications of
uninterpreted functions that occur in the formula, and are checked by the
kernel against the original assertions.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from quod.backends.base import BackendUnavailable, Limits, Result, Sat, Unknown, Unsat
from quod.backends.common import AssertionStack, finish_sat
from quod.core.errors import UnsupportedError
from quod.core.model import ArrayValue, FuncInterp, Model
from quod.core.ops import INDEXED, Op
from quod.core.sorts import Sort, SortKind
from quod.core.terms import FuncDecl, Term, UninterpretedValue
from quod.core.walk import post_order


def _import_cvc5() -> Any:
    try:
        import cvc5
    except ImportError as e:
        raise BackendUnavailable("cvc5 is not installed: pip install cvc5") from e
    return cvc5


def cvc5_version() -> str:
    cvc5 = _import_cvc5()
    return str(getattr(cvc5, "__version__", "unknown"))


# core operator -> cvc5 Kind name
_KINDS: dict[Op, str] = {
    Op.NOT: "NOT", Op.AND: "AND", Op.OR: "OR", Op.XOR: "XOR", Op.IMPLIES: "IMPLIES",
    Op.ITE: "ITE", Op.EQ: "EQUAL", Op.DISTINCT: "DISTINCT",
    Op.ADD: "ADD", Op.SUB: "SUB", Op.NEG: "NEG", Op.MUL: "MULT", Op.IDIV: "INTS_DIVISION",
    Op.MOD: "INTS_MODULUS", Op.ABS: "ABS", Op.RDIV: "DIVISION", Op.LE: "LEQ", Op.LT: "LT",
    Op.GE: "GEQ", Op.GT: "GT", Op.TO_REAL: "TO_REAL", Op.TO_INT: "TO_INTEGER", Op.IS_INT: "IS_INTEGER",
    Op.BVNOT: "BITVECTOR_NOT", Op.BVNEG: "BITVECTOR_NEG", Op.BVAND: "BITVECTOR_AND",
    Op.BVOR: "BITVECTOR_OR", Op.BVXOR: "BITVECTOR_XOR", Op.BVNAND: "BITVECTOR_NAND",
    Op.BVNOR: "BITVECTOR_NOR", Op.BVXNOR: "BITVECTOR_XNOR", Op.BVADD: "BITVECTOR_ADD",
    Op.BVSUB: "BITVECTOR_SUB", Op.BVMUL: "BITVECTOR_MULT", Op.BVUDIV: "BITVECTOR_UDIV",
    Op.BVUREM: "BITVECTOR_UREM", Op.BVSDIV: "BITVECTOR_SDIV", Op.BVSREM: "BITVECTOR_SREM",
    Op.BVSMOD: "BITVECTOR_SMOD", Op.BVSHL: "BITVECTOR_SHL", Op.BVLSHR: "BITVECTOR_LSHR",
    Op.BVASHR: "BITVECTOR_ASHR", Op.BVULT: "BITVECTOR_ULT", Op.BVULE: "BITVECTOR_ULE",
    Op.BVUGT: "BITVECTOR_UGT", Op.BVUGE: "BITVECTOR_UGE", Op.BVSLT: "BITVECTOR_SLT",
    Op.BVSLE: "BITVECTOR_SLE", Op.BVSGT: "BITVECTOR_SGT", Op.BVSGE: "BITVECTOR_SGE",
    Op.BVCOMP: "BITVECTOR_COMP", Op.CONCAT: "BITVECTOR_CONCAT", Op.EXTRACT: "BITVECTOR_EXTRACT",
    Op.ZERO_EXTEND: "BITVECTOR_ZERO_EXTEND", Op.SIGN_EXTEND: "BITVECTOR_SIGN_EXTEND",
    Op.REPEAT: "BITVECTOR_REPEAT", Op.ROTATE_LEFT: "BITVECTOR_ROTATE_LEFT",
    Op.ROTATE_RIGHT: "BITVECTOR_ROTATE_RIGHT", Op.BV2NAT: "BITVECTOR_UBV_TO_INT",
    Op.INT2BV: "INT_TO_BITVECTOR",
    Op.SELECT: "SELECT", Op.STORE: "STORE",
    Op.STR_CONCAT: "STRING_CONCAT", Op.STR_LEN: "STRING_LENGTH", Op.STR_AT: "STRING_CHARAT",
    Op.STR_SUBSTR: "STRING_SUBSTR", Op.STR_PREFIXOF: "STRING_PREFIX", Op.STR_SUFFIXOF: "STRING_SUFFIX",
    Op.STR_CONTAINS: "STRING_CONTAINS", Op.STR_INDEXOF: "STRING_INDEXOF",
    Op.STR_REPLACE: "STRING_REPLACE", Op.STR_REPLACE_ALL: "STRING_REPLACE_ALL",
    Op.STR_TO_INT: "STRING_TO_INT", Op.STR_FROM_INT: "STRING_FROM_INT",
    Op.STR_TO_CODE: "STRING_TO_CODE", Op.STR_FROM_CODE: "STRING_FROM_CODE",
    Op.STR_IS_DIGIT: "STRING_IS_DIGIT", Op.STR_LT: "STRING_LT", Op.STR_LE: "STRING_LEQ",
    Op.STR_IN_RE: "STRING_IN_REGEXP", Op.STR_TO_RE: "STRING_TO_REGEXP",
    Op.RE_NONE: "REGEXP_NONE", Op.RE_ALL: "REGEXP_ALL", Op.RE_ALLCHAR: "REGEXP_ALLCHAR",
    Op.RE_CONCAT: "REGEXP_CONCAT", Op.RE_UNION: "REGEXP_UNION", Op.RE_INTER: "REGEXP_INTER",
    Op.RE_STAR: "REGEXP_STAR", Op.RE_PLUS: "REGEXP_PLUS", Op.RE_OPT: "REGEXP_OPT",
    Op.RE_RANGE: "REGEXP_RANGE", Op.RE_COMP: "REGEXP_COMPLEMENT", Op.RE_DIFF: "REGEXP_DIFF",
    Op.RE_LOOP: "REGEXP_LOOP", Op.RE_POWER: "REGEXP_REPEAT",
    Op.SEQ_UNIT: "SEQ_UNIT", Op.SEQ_CONCAT: "SEQ_CONCAT", Op.SEQ_LEN: "SEQ_LENGTH",
    Op.SEQ_NTH: "SEQ_NTH", Op.SEQ_EXTRACT: "SEQ_EXTRACT", Op.SEQ_UPDATE: "SEQ_UPDATE",
    Op.SEQ_CONTAINS: "SEQ_CONTAINS", Op.SEQ_PREFIXOF: "SEQ_PREFIX", Op.SEQ_SUFFIXOF: "SEQ_SUFFIX",
    Op.SEQ_INDEXOF: "SEQ_INDEXOF",
    Op.FORALL: "FORALL", Op.EXISTS: "EXISTS",
}  # fmt: skip
# cvc5 takes these with exactly two arguments; longer chains are folded or paired here
_PAIRWISE = frozenset({Op.LE, Op.LT, Op.GE, Op.GT, Op.EQ})
_LEFT_FOLD = frozenset({Op.IDIV, Op.RDIV, Op.SUB, Op.XOR, Op.BVSUB})


class Cvc5Solver:
    name = "cvc5"

    def __init__(self, logic: str | None = None, limits: Limits | None = None, **options: str) -> None:
        self.cvc5 = _import_cvc5()
        self.logic = logic
        self.options = options
        self.limits = limits or Limits()
        self._init_solver()

    def _init_solver(self) -> None:
        cvc5 = self.cvc5
        self.tm = cvc5.TermManager()
        self.slv = cvc5.Solver(self.tm)
        for k, v in {
            "produce-models": "true",
            "incremental": "true",
            "produce-unsat-assumptions": "true",
            # not "strings-exp": extended string functions work without it in cvc5 1.4, and with it
            # cvc5 answered unknown on a QF_IDL job-shop file it otherwise solves in seconds
            **self.options,
        }.items():
            self.slv.setOption(k, v)
        self.slv.setLogic(self.logic if self.logic else "ALL")
        self.stack = AssertionStack()
        self.tr = _Translator(cvc5, self.tm)
        self._stats: dict[str, Any] = {}

    def add(self, *terms: Term) -> None:
        for t in terms:
            self.stack.add(t)
            self.slv.assertFormula(self.tr.term(t))

    def push(self) -> None:
        self.stack.push()
        self.slv.push(1)

    def pop(self, n: int = 1) -> None:
        self.stack.pop(n)
        if n:
            self.slv.pop(n)

    def reset(self) -> None:
        self._init_solver()

    def assertions(self) -> list[Term]:
        return self.stack.all()

    def set_limits(self, limits: Limits) -> None:
        self.limits = limits

    def statistics(self) -> dict[str, Any]:
        return dict(self._stats)

    def check(self, assumptions: Sequence[Term] = ()) -> Result:
        lim = self.limits
        try:
            self.slv.setOption("tlimit-per", str(int(lim.timeout * 1000)) if lim.timeout else "0")
            if lim.rlimit is not None:
                self.slv.setOption("rlimit-per", str(int(lim.rlimit)))
        except RuntimeError:
            pass
        exprs = [self.tr.term(a) for a in assumptions]
        start = time.perf_counter()
        try:
            res = self.slv.checkSatAssuming(*exprs) if exprs else self.slv.checkSat()
        except RuntimeError as e:
            return Unknown(f"cvc5 error: {e}")
        self._stats = {"time": time.perf_counter() - start}
        if res.isSat():
            return self._sat(assumptions)
        if res.isUnsat():
            return Unsat(core=self._core(assumptions, exprs), stats=dict(self._stats))
        return Unknown(str(res.getUnknownExplanation()) or "unknown", stats=dict(self._stats))

    def _core(self, assumptions: Sequence[Term], exprs: list[Any]) -> list[Term] | None:
        if not assumptions:
            return []
        try:
            core = self.slv.getUnsatAssumptions()
        except RuntimeError:
            return None
        ids = {c.getId() for c in core}
        return [a for a, e in zip(assumptions, exprs, strict=True) if e.getId() in ids]

    def _sat(self, assumptions: Sequence[Term]) -> Result:
        asserted = self.stack.all()
        terms = asserted + list(assumptions)
        model = Model()
        conv = _ValueConverter(self.cvc5)
        try:
            for t in post_order(terms, into_binders=False):
                if t.op is Op.VAR and t not in self.tr.bound_vars:
                    model.consts[t] = conv.value(self.slv.getValue(self.tr.term(t)), t.sort)
                elif t.op is Op.APPLY and not _mentions(t, self.tr.bound_vars):
                    fi = model.funcs.setdefault(t.payload, FuncInterp(t.payload))
                    args = tuple(conv.value(self.slv.getValue(self.tr.term(a)), a.sort) for a in t.args)
                    fi.add(args, conv.value(self.slv.getValue(self.tr.term(t)), t.sort))
        except _NoValue as e:
            return Sat(
                model, model_checked=False, check_note=f"model not convertible: {e}", stats=dict(self._stats)
            )
        return finish_sat("cvc5", asserted, assumptions, model, dict(self._stats))


def _mentions(t: Term, vs: set[Term]) -> bool:
    return bool(vs) and any(s in vs for s in post_order([t]) if s.op is Op.VAR)


class _NoValue(Exception):
    pass


class _Translator:
    def __init__(self, cvc5: Any, tm: Any) -> None:
        self.cvc5 = cvc5
        self.tm = tm
        self.memo: dict[int, Any] = {}
        self.keep: list[Term] = []
        self.sorts: dict[Sort, Any] = {}
        self.funcs: dict[FuncDecl, Any] = {}
        self.consts: dict[Term, Any] = {}
        self.bound_vars: set[Term] = set()
        self.kinds = {op: getattr(cvc5.Kind, name) for op, name in _KINDS.items()}

    def sort(self, s: Sort) -> Any:
        got = self.sorts.get(s)
        if got is not None:
            return got
        tm = self.tm
        k = s.kind
        if k is SortKind.BOOL:
            r = tm.getBooleanSort()
        elif k is SortKind.INT:
            r = tm.getIntegerSort()
        elif k is SortKind.REAL:
            r = tm.getRealSort()
        elif k is SortKind.BITVEC:
            r = tm.mkBitVectorSort(s.width)
        elif k is SortKind.STRING:
            r = tm.getStringSort()
        elif k is SortKind.REGLAN:
            r = tm.getRegExpSort()
        elif k is SortKind.ARRAY:
            r = tm.mkArraySort(self.sort(s.params[0]), self.sort(s.params[1]))
        elif k is SortKind.SEQ:
            r = tm.mkSequenceSort(self.sort(s.params[0]))
        else:
            if s.params:
                raise UnsupportedError(f"cvc5 backend: parametric uninterpreted sort {s}")
            r = tm.mkUninterpretedSort(s.name)
        self.sorts[s] = r
        return r

    def term(self, root: Term) -> Any:
        got = self.memo.get(root.id)
        if got is not None:
            return got
        for t in post_order([root], into_bodies=False):
            if t.id in self.memo:
                continue
            self.memo[t.id] = self._node(t)
            self.keep.append(t)
        return self.memo[root.id]

    def _node(self, t: Term) -> Any:
        tm, op = self.tm, t.op
        if op is Op.CONST:
            return self._const(t)
        if op is Op.VAR:
            return tm.mkConst(self.sort(t.sort), t.payload)
        if op is Op.FORALL or op is Op.EXISTS:
            return self._quantifier(t)
        args = [self.memo[a.id] for a in t.args]
        if op is Op.APPLY:
            return tm.mkTerm(self.cvc5.Kind.APPLY_UF, self._func(t.payload), *args)
        if op is Op.CONST_ARRAY:
            return tm.mkConstArray(self.sort(t.sort), args[0])
        if op is Op.SEQ_EMPTY:
            return tm.mkEmptySequence(self.sort(t.sort.elem_sort))
        kind = self.kinds.get(op)
        if kind is None:
            raise UnsupportedError(f"cvc5 backend: operator '{op.value}' is not supported")
        if op in INDEXED:
            return tm.mkTerm(tm.mkOp(kind, *t.payload), *args)
        if op in _PAIRWISE and len(args) > 2:
            pairs = [tm.mkTerm(kind, args[i], args[i + 1]) for i in range(len(args) - 1)]
            return tm.mkTerm(self.cvc5.Kind.AND, *pairs)
        if op in _LEFT_FOLD and len(args) > 2:
            acc = args[0]
            for x in args[1:]:
                acc = tm.mkTerm(kind, acc, x)
            return acc
        if (op is Op.AND or op is Op.OR) and len(args) == 1:
            return args[0]
        return tm.mkTerm(kind, *args)

    def _quantifier(self, t: Term) -> Any:
        # cvc5 binds fresh variables (mkVar), not constants: translate the body with the
        # bound VAR terms mapped to them and every free constant shared with the outside
        tm = self.tm
        body = t.args[0]
        bound_ids = {v.id for v in t.payload}
        for s in post_order([body], into_binders=True):
            if s.op is Op.VAR and s.id not in bound_ids:
                self.term(s)
        bvars = [tm.mkVar(self.sort(v.sort), v.name) for v in t.payload]
        self.bound_vars.update(t.payload)
        inner = _Translator(self.cvc5, tm)
        inner.sorts, inner.funcs, inner.bound_vars = self.sorts, self.funcs, self.bound_vars
        inner.memo = dict(self.memo)
        for v, bv in zip(t.payload, bvars, strict=True):
            inner.memo[v.id] = bv
        inner.keep = self.keep
        return tm.mkTerm(self.kinds[t.op], tm.mkTerm(self.cvc5.Kind.VARIABLE_LIST, *bvars), inner.term(body))

    def _func(self, d: FuncDecl) -> Any:
        f = self.funcs.get(d)
        if f is None:
            fs = self.tm.mkFunctionSort([self.sort(s) for s in d.domain], self.sort(d.range))
            f = self.tm.mkConst(fs, d.name)
            self.funcs[d] = f
        return f

    def _const(self, t: Term) -> Any:
        tm = self.tm
        v = t.payload[0]
        k = t.sort.kind
        if k is SortKind.BOOL:
            return tm.mkBoolean(v)
        if k is SortKind.INT:
            return tm.mkInteger(str(v))
        if k is SortKind.REAL:
            return tm.mkReal(f"{v.numerator}/{v.denominator}")
        if k is SortKind.BITVEC:
            return tm.mkBitVector(t.sort.width, str(v), 10)
        if k is SortKind.STRING:
            return tm.mkString(v)
        raise UnsupportedError(f"cvc5 backend: constant of sort {t.sort}")


class _ValueConverter:
    def __init__(self, cvc5: Any) -> None:
        self.cvc5 = cvc5

    def value(self, e: Any, sort: Sort) -> Any:
        k = sort.kind
        if k is SortKind.BOOL and e.isBooleanValue():
            return bool(e.getBooleanValue())
        if k is SortKind.INT and e.isIntegerValue():
            return int(e.getIntegerValue())
        if k is SortKind.REAL and e.isRealValue():
            return Fraction(e.getRealValue())
        if k is SortKind.BITVEC and e.isBitVectorValue():
            return int(e.getBitVectorValue(10))
        if k is SortKind.STRING and e.isStringValue():
            return str(e.getStringValue())
        if k is SortKind.UNINTERPRETED and e.isUninterpretedSortValue():
            text = str(e.getUninterpretedSortValue())
            digits = "".join(ch for ch in text if ch.isdigit())
            return UninterpretedValue(sort.name, int(digits) if digits else 0)
        if k is SortKind.SEQ and e.isSequenceValue():
            return tuple(self.value(x, sort.elem_sort) for x in e.getSequenceValue())
        if k is SortKind.ARRAY:
            return self._array(e, sort)
        raise _NoValue(f"cvc5 value {e} of sort {sort}")

    def _array(self, e: Any, sort: Sort) -> ArrayValue:
        Kind = self.cvc5.Kind
        if e.isConstArray():
            return ArrayValue(sort, self.value(e.getConstArrayBase(), sort.elem_sort))
        if e.getKind() == Kind.STORE:
            base = self._array(e[0], sort)
            return base.set(self.value(e[1], sort.index_sort), self.value(e[2], sort.elem_sort))
        raise _NoValue(f"cvc5 array value {e}")
