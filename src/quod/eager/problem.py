"""Core terms -> the eager engine's internal problem.

The problem is a Boolean skeleton (a hash-consed DAG of AND/OR/XOR/ITE/IFF
nodes, negation by the sign of a node reference) whose leaves are Boolean
variables and linear integer atoms `sum(a_i * x_i) <= b` or `= b`.

Translation handles +, -, unary minus, multiplication by constants, ite over
integers (a fresh variable defined by side constraints), div/mod/abs by
constants, distinct, chained comparisons, and uninterpreted functions by
Ackermann reduction (a fresh variable per application plus congruence
constraints). Anything else (reals, non-linear terms, quantifiers, other
theories) raises `UnsupportedError`, which the backend reports as unknown.

Indices (variables, atoms, nodes) follow a deterministic traversal of the
assertions, never Python hashes of terms, so the same input gives the same
problem and hence byte-identical CNF.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from quod.core.errors import UnsupportedError
from quod.core.ops import Op
from quod.core.terms import FuncDecl, Term

# node kinds of the Boolean skeleton
TRUE_NODE, BVAR, ATOM, AND, OR, XOR, ITE, IFF = range(8)
# atom kinds
LE, EQ = 0, 1
TRUE_REF = 1
FALSE_REF = -1

LinExpr = tuple[dict[int, int], int]  # (var -> coefficient, constant)
_COMPARISONS = frozenset({Op.LE, Op.LT, Op.GE, Op.GT, Op.EQ})
_BINDERS = frozenset({Op.FORALL, Op.EXISTS})


@dataclass(frozen=True, slots=True)
class Atom:
    """`sum(coefs[i] * x[vars[i]]) <= bound` (kind LE) or `== bound` (kind EQ); vars sorted."""

    kind: int
    vars: tuple[int, ...]
    coefs: tuple[int, ...]
    bound: int

    @property
    def is_difference(self) -> bool:
        """At most two variables with unit coefficients of opposite sign (or one +-1)."""
        if len(self.vars) == 1:
            return abs(self.coefs[0]) == 1
        return len(self.vars) == 2 and sorted(self.coefs) == [-1, 1]


@dataclass
class UfApp:
    """One application of an uninterpreted function after Ackermann reduction."""

    decl: FuncDecl
    args: tuple[int | LinExpr, ...]  # Bool args: node refs; Int args: linear expressions
    result: int  # int var index or bool var index (by the decl's range sort)


@dataclass
class Problem:
    int_names: list[str] = field(default_factory=list)
    int_terms: list[Term | None] = field(default_factory=list)  # None for auxiliary variables
    bool_names: list[str] = field(default_factory=list)
    bool_terms: list[Term | None] = field(default_factory=list)
    atoms: list[Atom] = field(default_factory=list)
    atom_index: dict[tuple[int, tuple[int, ...], tuple[int, ...], int], int] = field(default_factory=dict)
    # node id -> (kind, payload); node 0 unused, node 1 is TRUE
    kinds: list[int] = field(default_factory=lambda: [-1, TRUE_NODE])
    args: list[tuple[int, ...]] = field(default_factory=lambda: [(), ()])
    node_index: dict[tuple[int, tuple[int, ...]], int] = field(default_factory=dict)
    roots: list[int] = field(default_factory=list)
    uf_apps: list[UfApp] = field(default_factory=list)

    # -- variables ------------------------------------------------------------
    def int_var(self, name: str, term: Term | None) -> int:
        self.int_names.append(name)
        self.int_terms.append(term)
        return len(self.int_names) - 1

    def bool_var(self, name: str, term: Term | None) -> int:
        self.bool_names.append(name)
        self.bool_terms.append(term)
        return self._node(BVAR, (len(self.bool_names) - 1,))

    # -- nodes ----------------------------------------------------------------
    def _node(self, kind: int, payload: tuple[int, ...]) -> int:
        key = (kind, payload)
        n = self.node_index.get(key)
        if n is None:
            n = len(self.kinds)
            self.kinds.append(kind)
            self.args.append(payload)
            self.node_index[key] = n
        return n

    def atom(self, expr: LinExpr, kind: int) -> int:
        """Node ref of `expr <= 0` (LE) or `expr == 0` (EQ), normalized."""
        coefs_map, k = expr
        items = sorted((v, c) for v, c in coefs_map.items() if c != 0)
        if not items:
            holds = (k <= 0) if kind == LE else (k == 0)
            return TRUE_REF if holds else FALSE_REF
        bound = -k
        g = 0
        for _, c in items:
            g = math.gcd(g, c)
        if kind == EQ and bound % g != 0:
            return FALSE_REF
        bound = bound // g  # floor division: sum <= b  <=>  sum/g <= floor(b/g)
        vs = tuple(v for v, _ in items)
        cs = tuple(c // g for _, c in items)
        sign = 1
        if cs[0] < 0:
            # share one literal between an inequality and its complement
            cs = tuple(-c for c in cs)
            if kind == LE:
                bound = -bound - 1
                sign = -1
            else:
                bound = -bound
        key = (kind, vs, cs, bound)
        idx = self.atom_index.get(key)
        if idx is None:
            idx = len(self.atoms)
            self.atoms.append(Atom(kind, vs, cs, bound))
            self.atom_index[key] = idx
        return sign * self._node(ATOM, (idx,))

    def and_(self, refs: Sequence[int]) -> int:
        out: list[int] = []
        seen: set[int] = set()
        for r in refs:
            if r == TRUE_REF or r in seen:
                continue
            if r == FALSE_REF or -r in seen:
                return FALSE_REF
            seen.add(r)
            out.append(r)
        if not out:
            return TRUE_REF
        if len(out) == 1:
            return out[0]
        return self._node(AND, tuple(out))

    def or_(self, refs: Sequence[int]) -> int:
        return -self.and_([-r for r in refs])

    def xor(self, a: int, b: int) -> int:
        if a in (TRUE_REF, FALSE_REF):
            return -b if a == TRUE_REF else b
        if b in (TRUE_REF, FALSE_REF):
            return -a if b == TRUE_REF else a
        if a == b:
            return FALSE_REF
        if a == -b:
            return TRUE_REF
        # canonical: positive arguments, sign pulled out
        sign = 1
        if a < 0:
            a, sign = -a, -sign
        if b < 0:
            b, sign = -b, -sign
        if a > b:
            a, b = b, a
        return sign * self._node(XOR, (a, b))

    def iff(self, a: int, b: int) -> int:
        return -self.xor(a, b)

    def ite(self, c: int, a: int, b: int) -> int:
        if c == TRUE_REF:
            return a
        if c == FALSE_REF:
            return b
        if a == b:
            return a
        if a == TRUE_REF and b == FALSE_REF:
            return c
        if a == FALSE_REF and b == TRUE_REF:
            return -c
        if c < 0:
            c, a, b = -c, b, a
        return self._node(ITE, (c, a, b))

    @property
    def num_nodes(self) -> int:
        return len(self.kinds)


def lin_add(a: LinExpr, b: LinExpr, scale: int = 1) -> LinExpr:
    d = dict(a[0])
    for v, c in b[0].items():
        d[v] = d.get(v, 0) + scale * c
    return d, a[1] + scale * b[1]


def lin_scale(a: LinExpr, k: int) -> LinExpr:
    return {v: k * c for v, c in a[0].items()}, k * a[1]


def lin_var(v: int) -> LinExpr:
    return {v: 1}, 0


class Translator:
    """Translates Boolean core terms into a `Problem` (memoized per term)."""

    def __init__(self, problem: Problem | None = None) -> None:
        self.p = problem or Problem()
        self.memo: dict[int, int | LinExpr] = {}
        self.var_of: dict[int, int] = {}  # term id -> int variable
        self.side: list[int] = []  # definitions of auxiliary variables, asserted at top level
        self.apps_by_decl: dict[FuncDecl, list[UfApp]] = {}

    def assert_term(self, t: Term) -> int:
        """Translate `t` and add it (and pending side constraints) to the roots."""
        ref = self.bool_ref(t)
        self.p.roots.append(ref)
        self.flush_side()
        return ref

    def flush_side(self) -> None:
        self.p.roots.extend(self.side)
        self.side.clear()

    def bool_ref(self, t: Term) -> int:
        if not t.sort.is_bool:
            raise UnsupportedError(f"eager: expected a Boolean term, got sort {t.sort}")
        self._translate(t)
        r = self.memo[t.id]
        assert isinstance(r, int)
        return r

    def _translate(self, root: Term) -> None:
        """Post-order over the term DAG; comparisons of simple linear terms take a fast path.

        Scheduling files are mostly `(<= (- x y) c)`: building those atoms
        directly (no memo entries and no dicts for the `(- x y)` and `c`
        subterms) halves the translation time.
        """
        memo = self.memo
        if root.id in memo:
            return
        stack = [root]
        while stack:
            t = stack[-1]
            if t.id in memo:
                stack.pop()
                continue
            op = t.op
            if op in _BINDERS:
                raise UnsupportedError(f"eager: operator '{op.value}' is not supported")
            if op in _COMPARISONS and len(t.args) == 2:
                ref = self._fast_comparison(t)
                if ref is not None:
                    memo[t.id] = ref
                    stack.pop()
                    continue
            pending = [a for a in t.args if a.id not in memo]
            if pending:
                stack.extend(pending)
                continue
            stack.pop()
            memo[t.id] = self._one(t)

    def _simple(self, t: Term) -> LinExpr | None:
        """Linear form of a variable, constant, or +/- of those (None for anything else)."""
        op = t.op
        if op is Op.VAR:
            return {self._int_var(t): 1}, 0
        if op is Op.CONST:
            v = t.payload[0]
            return ({}, v) if type(v) is int else None
        if op is Op.SUB or op is Op.ADD:
            coefs: dict[int, int] = {}
            k = 0
            sign = 1
            for i, a in enumerate(t.args):
                if op is Op.SUB and i == 1:
                    sign = -1
                if a.op is Op.VAR:
                    v = self._int_var(a)
                    coefs[v] = coefs.get(v, 0) + sign
                elif a.op is Op.CONST and type(a.payload[0]) is int:
                    k += sign * a.payload[0]
                else:
                    return None
            if op is Op.SUB and len(t.args) == 1:
                return {v: -c for v, c in coefs.items()}, -k
            return coefs, k
        return None

    def _fast_comparison(self, t: Term) -> int | None:
        a, b = t.args
        if not a.sort.is_int:
            return None
        ea = self._simple(a)
        if ea is None:
            return None
        eb = self._simple(b)
        if eb is None:
            return None
        op = t.op
        if op is Op.LE:  # a - b <= 0
            return self.p.atom(lin_add(ea, eb, -1), LE)
        if op is Op.GE:
            return self.p.atom(lin_add(eb, ea, -1), LE)
        if op is Op.LT:  # a - b + 1 <= 0
            e = lin_add(ea, eb, -1)
            return self.p.atom((e[0], e[1] + 1), LE)
        if op is Op.GT:
            e = lin_add(eb, ea, -1)
            return self.p.atom((e[0], e[1] + 1), LE)
        return self.p.atom(lin_add(ea, eb, -1), EQ)  # Op.EQ

    def _int_var(self, t: Term) -> int:
        idx = self.var_of.get(t.id)
        if idx is None:
            if not t.sort.is_int:
                raise UnsupportedError(f"eager: sort {t.sort} is not supported (integers and Booleans only)")
            idx = self.p.int_var(t.name, t)
            self.var_of[t.id] = idx
        return idx

    def _one(self, t: Term) -> int | LinExpr:
        s = t.sort
        if s.is_bool:
            return self._bool(t)
        if s.is_int:
            return self._int(t)
        raise UnsupportedError(f"eager: sort {s} is not supported (integers and Booleans only)")

    def _b(self, t: Term) -> int:
        r = self.memo[t.id]
        assert isinstance(r, int)
        return r

    def _i(self, t: Term) -> LinExpr:
        r = self.memo[t.id]
        assert isinstance(r, tuple)
        return r

    # -- Boolean terms -----------------------------------------------------------
    def _bool(self, t: Term) -> int:
        op, p = t.op, self.p
        if op is Op.CONST:
            return TRUE_REF if t.value else FALSE_REF
        if op is Op.VAR:
            return p.bool_var(t.name, t)
        if op is Op.NOT:
            return -self._b(t.args[0])
        if op is Op.AND:
            return p.and_([self._b(a) for a in t.args])
        if op is Op.OR:
            return p.or_([self._b(a) for a in t.args])
        if op is Op.IMPLIES:
            return p.or_([-self._b(t.args[0]), self._b(t.args[1])])
        if op is Op.XOR:
            acc = self._b(t.args[0])
            for a in t.args[1:]:
                acc = p.xor(acc, self._b(a))
            return acc
        if op is Op.ITE:
            return p.ite(self._b(t.args[0]), self._b(t.args[1]), self._b(t.args[2]))
        if op is Op.EQ or op is Op.DISTINCT:
            return self._equality(t)
        if op in (Op.LE, Op.LT, Op.GE, Op.GT):
            return self._comparison(t)
        if op is Op.APPLY:
            return self._apply(t)
        raise UnsupportedError(f"eager: operator '{op.value}' is not supported")

    def _equality(self, t: Term) -> int:
        p = self.p
        args = t.args
        if args[0].sort.is_bool:
            refs = [self._b(a) for a in args]
            if t.op is Op.EQ:
                return p.and_([p.iff(refs[i], refs[i + 1]) for i in range(len(refs) - 1)])
            return p.and_(
                [-p.iff(refs[i], refs[j]) for i in range(len(refs)) for j in range(i + 1, len(refs))]
            )
        if not args[0].sort.is_int:
            raise UnsupportedError(f"eager: equality over sort {args[0].sort} is not supported")
        es = [self._i(a) for a in args]
        if t.op is Op.EQ:
            return p.and_([p.atom(lin_add(es[i], es[i + 1], -1), EQ) for i in range(len(es) - 1)])
        return p.and_(
            [-p.atom(lin_add(es[i], es[j], -1), EQ) for i in range(len(es)) for j in range(i + 1, len(es))]
        )

    def _comparison(self, t: Term) -> int:
        if not t.args[0].sort.is_int:
            raise UnsupportedError(f"eager: comparison over sort {t.args[0].sort} is not supported")
        es = [self._i(a) for a in t.args]
        parts = []
        for a, b in itertools.pairwise(es):
            if t.op is Op.LE:
                parts.append(self.p.atom(lin_add(a, b, -1), LE))
            elif t.op is Op.LT:
                parts.append(self.p.atom(lin_add(lin_add(a, b, -1), ({}, 1)), LE))
            elif t.op is Op.GE:
                parts.append(self.p.atom(lin_add(b, a, -1), LE))
            else:
                parts.append(self.p.atom(lin_add(lin_add(b, a, -1), ({}, 1)), LE))
        return self.p.and_(parts)

    # -- integer terms ------------------------------------------------------------
    def _int(self, t: Term) -> LinExpr:
        op = t.op
        if op is Op.CONST:
            v = t.value
            assert isinstance(v, int)
            return {}, v
        if op is Op.VAR:
            return lin_var(self._int_var(t))
        if op is Op.ADD:
            acc: LinExpr = ({}, 0)
            for a in t.args:
                acc = lin_add(acc, self._i(a))
            return acc
        if op is Op.SUB:
            if len(t.args) == 1:
                return lin_scale(self._i(t.args[0]), -1)
            acc = self._i(t.args[0])
            for a in t.args[1:]:
                acc = lin_add(acc, self._i(a), -1)
            return acc
        if op is Op.NEG:
            return lin_scale(self._i(t.args[0]), -1)
        if op is Op.MUL:
            return self._mul(t)
        if op is Op.ITE:
            return self._int_ite(t)
        if op is Op.APPLY:
            return lin_var(self._apply(t))
        if op is Op.IDIV or op is Op.MOD:
            return self._divmod(t)
        if op is Op.ABS:
            return self._abs(t)
        raise UnsupportedError(f"eager: integer operator '{op.value}' is not supported")

    def _mul(self, t: Term) -> LinExpr:
        k = 1
        symbolic: LinExpr | None = None
        for a in t.args:
            e = self._i(a)
            if not e[0]:
                k *= e[1]
            elif symbolic is None:
                symbolic = e
            else:
                raise UnsupportedError("eager: non-linear multiplication is not supported")
        if symbolic is None:
            return {}, k
        return lin_scale(symbolic, k)

    def _fresh(self, base: str) -> int:
        return self.p.int_var(f"{base}!{len(self.p.int_names)}", None)

    def _int_ite(self, t: Term) -> LinExpr:
        c = self._b(t.args[0])
        a, b = self._i(t.args[1]), self._i(t.args[2])
        if c == TRUE_REF:
            return a
        if c == FALSE_REF:
            return b
        v = lin_var(self._fresh("ite"))
        p = self.p
        self.side.append(p.or_([-c, p.atom(lin_add(v, a, -1), EQ)]))
        self.side.append(p.or_([c, p.atom(lin_add(v, b, -1), EQ)]))
        return v

    def _divmod(self, t: Term) -> LinExpr:
        if len(t.args) != 2:
            raise UnsupportedError("eager: div with more than two arguments is not supported")
        x, d = self._i(t.args[0]), self._i(t.args[1])
        if d[0] or d[1] == 0:
            raise UnsupportedError("eager: div/mod only by a non-zero constant")
        k = d[1]
        q, r = lin_var(self._fresh("div")), lin_var(self._fresh("mod"))
        p = self.p
        # SMT-LIB: x = k*q + r with 0 <= r < |k|
        self.side.append(p.atom(lin_add(x, lin_add(lin_scale(q, k), r), -1), EQ))
        self.side.append(p.atom(lin_scale(r, -1), LE))
        self.side.append(p.atom(lin_add(r, ({}, -(abs(k) - 1))), LE))
        return q if t.op is Op.IDIV else r

    def _abs(self, t: Term) -> LinExpr:
        x = self._i(t.args[0])
        a = lin_var(self._fresh("abs"))
        p = self.p
        nonneg = p.atom(lin_scale(x, -1), LE)  # x >= 0
        self.side.append(p.or_([-nonneg, p.atom(lin_add(a, x, -1), EQ)]))
        self.side.append(p.or_([nonneg, p.atom(lin_add(a, x), EQ)]))
        return a

    # -- uninterpreted functions (Ackermann) ------------------------------------
    def _apply(self, t: Term) -> int:
        decl: FuncDecl = t.payload
        for s in (*decl.domain, decl.range):
            if not (s.is_int or s.is_bool):
                raise UnsupportedError(f"eager: function '{decl.name}' over sort {s} is not supported")
        args: tuple[int | LinExpr, ...] = tuple(self._b(a) if a.sort.is_bool else self._i(a) for a in t.args)
        p = self.p
        if decl.range.is_bool:
            result = p.bool_var(f"{decl.name}!{len(p.bool_names)}", None)
        else:
            result = self._fresh(decl.name)
        app = UfApp(decl, args, result)
        others = self.apps_by_decl.setdefault(decl, [])
        for o in others:
            self.side.append(self._congruence(o, app))
        others.append(app)
        p.uf_apps.append(app)
        return result

    def _congruence(self, a: UfApp, b: UfApp) -> int:
        p = self.p
        same: list[int] = []
        for x, y in zip(a.args, b.args):
            if isinstance(x, int):
                assert isinstance(y, int)
                same.append(p.iff(x, y))
            else:
                assert isinstance(y, tuple)
                same.append(p.atom(lin_add(x, y, -1), EQ))
        if a.decl.range.is_bool:
            concl = p.iff(a.result, b.result)
        else:
            concl = p.atom(lin_add(lin_var(a.result), lin_var(b.result), -1), EQ)
        return p.or_([*(-s for s in same), concl])


def translate(assertions: Sequence[Term]) -> tuple[Problem, Translator]:
    tr = Translator()
    for a in assertions:
        tr.assert_term(a)
    return tr.p, tr
