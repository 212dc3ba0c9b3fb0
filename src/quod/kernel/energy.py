"""Energetic-overload certificates, checked directly on the original assertions.

The input's top-level conjuncts are numbered: every assertion, with top-level
`and`s flattened depth-first, in order. A certificate cites conjuncts only by
number; what a cited conjunct says is read from the conjunct itself by a
strict normalizer, never from the certificate. Two shapes are understood:

* a difference atom `(>= (- y x) k)` or `(<= (- x y) k')` over Int variables
  x, y and an Int constant: an edge x -> y of weight k (resp. -k'), meaning
  y - x >= weight;
* a disjunction `(or (not (= (- m m') 0)) A B)` (the `not` anywhere among the
  three) or `(or A B)`, A and B difference atoms.

A *chain* from X to Y is a list of conjunct numbers whose edges form the path
X = x0 -> x1 -> ... -> xk = Y; it proves Y - X >= (sum of weights). The empty
chain proves Y - X >= 0 and is only allowed when X is Y.

The certificate (a JSON object) names a reference variable r, a window
[L, U) with L < U, and operations i = (start s_i, duration d_i > 0, lower
chain r -> s_i, upper chain s_i -> r, machine variable m_i or none), all
start variables distinct. From the chains, lo_i <= s_i - r <= hi_i. Either
there are no machines (capacity 1) or a machine reference q, bounds
[mlo, mhi] and, for every operation, chains proving mlo <= m_i - q <= mhi
(capacity c = mhi - mlo + 1 >= 1). For every unordered pair {i, j} exactly
one piece of evidence that [s_i, s_i + d_i) and [s_j, s_j + d_j) are disjoint
whenever m_i = m_j:

* "before": a chain s_i -> s_j of weight >= d_i (s_i + d_i <= s_j), or
* "clause": a cited disjunction whose two atoms are edges s_i -> s_j of weight
  >= d_i and s_j -> s_i of weight >= d_j, and whose negated equality, if any,
  is over exactly the variables {m_i, m_j} (without one it needs no machines).

Each operation contributes e_i = min(o_i(lo_i), o_i(hi_i)) where
o_i(s) = max(0, min(s + d_i, U) - max(s, L)) is the overlap of [s, s + d_i)
with [L, U). Verified iff sum e_i > c * (U - L).

Soundness. Take any model and shift so that r = 0. Each s_i lies in
[lo_i, hi_i] (the chains are sums of asserted inequalities). o_i is
min(s + d_i, U) - max(s, L) (a concave function) clipped at 0, hence
quasi-concave, so its minimum over [lo_i, hi_i] is at an end: operation i
overlaps the window by at least e_i. (If lo_i > hi_i there is no model at
all.) Every m_i takes one of the c values q + mlo .. q + mhi (or all
operations share one "machine" when there are none, c = 1). Operations with
equal machine values are pairwise disjoint: "before" evidence says so
unconditionally; for a clause, m_i = m_j falsifies the negated equality, so
one of the two orderings holds. Disjoint intervals overlap a window of length
U - L by at most U - L in total, so the operations overlap it by at most
c * (U - L) in all. The sum of the e_i exceeding that contradicts the model:
the assertions are unsatisfiable. Operations of the resource that are left
out only weaken the bound, so a certificate may cite any subset.

The checker reads every conjunct it cites from the assertions, so an atom
that is not asserted cannot be cited at all. Anything not understood exactly
is a rejection with a reason, never a guess.
"""

from __future__ import annotations

from typing import Any

from quod.core.ops import Op
from quod.core.sorts import INT
from quod.core.terms import Term
from quod.core.walk import conjuncts
from quod.kernel.verdict import ProofVerdict

Edge = tuple[str, str, int]  # (x, y, k): y - x >= k


class Reject(Exception):
    """A precise reason the certificate does not hold."""


def _int_var(t: Term) -> str | None:
    return t.name if t.op is Op.VAR and t.sort == INT else None


def _int_const(t: Term) -> int | None:
    if t.op is Op.CONST and t.sort == INT and type(t.payload[0]) is int:
        return int(t.payload[0])
    return None


def _difference(t: Term) -> tuple[str, str] | None:
    """(a, b) for (- a b) over two Int variables."""
    if t.op is not Op.SUB or len(t.args) != 2:
        return None
    a, b = _int_var(t.args[0]), _int_var(t.args[1])
    if a is None or b is None:
        return None
    return a, b


def edge_of(t: Term) -> Edge | None:
    """The difference atom as an edge, or None if it has another shape."""
    if t.op not in (Op.GE, Op.LE) or len(t.args) != 2:
        return None
    diff, k = _difference(t.args[0]), _int_const(t.args[1])
    if diff is None or k is None:
        return None
    a, b = diff
    if t.op is Op.GE:  # a - b >= k
        return b, a, k
    return a, b, -k  # a - b <= k  <=>  b - a >= -k


def _neq_vars(t: Term) -> frozenset[str] | None:
    """{m, m'} for (not (= (- m m') 0))."""
    if t.op is not Op.NOT or t.args[0].op is not Op.EQ or len(t.args[0].args) != 2:
        return None
    eq = t.args[0]
    diff = _difference(eq.args[0])
    if diff is None or _int_const(eq.args[1]) != 0:
        return None
    return frozenset(diff)


def clause_of(t: Term) -> tuple[frozenset[str] | None, Edge, Edge] | None:
    """(machine variables or None, edge, edge) for the two disjunction shapes."""
    if t.op is not Op.OR or len(t.args) not in (2, 3):
        return None
    neq = [k for k, a in enumerate(t.args) if _neq_vars(a) is not None]
    if len(t.args) == 3 and len(neq) != 1:
        return None
    machines = _neq_vars(t.args[neq[0]]) if len(t.args) == 3 else None
    edges = [edge_of(a) for k, a in enumerate(t.args) if len(t.args) == 2 or k != neq[0]]
    e0, e1 = edges
    if e0 is None or e1 is None:
        return None
    return machines, e0, e1


class _Checker:
    def __init__(self, assertions: list[Term]) -> None:
        self.conj = conjuncts(assertions)

    def conjunct(self, idx: Any, where: str) -> Term:
        if type(idx) is not int or not 0 <= idx < len(self.conj):
            raise Reject(
                f"{where}: {idx!r} is not the number of a top-level conjunct (0..{len(self.conj) - 1})"
            )
        return self.conj[idx]

    def chain(self, cites: Any, src: str, dst: str, where: str) -> int:
        """The weight w of a chain from src to dst (dst - src >= w)."""
        if not isinstance(cites, list):
            raise Reject(f"{where}: expected a list of conjunct numbers")
        at, total = src, 0
        for k, idx in enumerate(cites):
            t = self.conjunct(idx, f"{where}[{k}]")
            e = edge_of(t)
            if e is None:
                raise Reject(f"{where}[{k}]: conjunct {idx} is not a difference atom: {t}")
            if e[0] != at:
                raise Reject(f"{where}[{k}]: conjunct {idx} ({t}) does not start at {at}")
            at, total = e[1], total + e[2]
        if at != dst:
            raise Reject(f"{where}: the chain ends at {at}, not at {dst}")
        return total


def _get(obj: Any, key: str, kind: type, where: str) -> Any:
    if not isinstance(obj, dict) or key not in obj:
        raise Reject(f"{where}.{key}: missing")
    v = obj[key]
    if type(v) is not kind:
        raise Reject(f"{where}.{key}: expected {kind.__name__}")
    return v


def _overlap(s: int, d: int, lo: int, hi: int) -> int:
    return max(0, min(s + d, hi) - max(s, lo))


def check_energy(assertions: list[Term], cert: Any) -> ProofVerdict:
    """Verified only if the certificate proves the assertions unsatisfiable (see the module doc)."""
    try:
        required, capacity, width = _check(_Checker(assertions), cert)
    except Reject as e:
        return ProofVerdict(False, str(e))
    stats = {"required": required, "capacity": capacity, "window": width}
    if required <= capacity * width:
        return ProofVerdict(
            False, f"no overload: the operations need {required} units, capacity gives {capacity * width}"
        )
    return ProofVerdict(True, stats=stats)


def _check(ck: _Checker, cert: Any) -> tuple[int, int, int]:
    ref = _get(cert, "ref", str, "$")
    window = _get(cert, "window", list, "$")
    if len(window) != 2 or type(window[0]) is not int or type(window[1]) is not int or window[0] >= window[1]:
        raise Reject("$.window: expected [L, U] with integers L < U")
    lo_w, hi_w = window
    ops = _get(cert, "ops", list, "$")
    machines = cert.get("machines")
    starts: list[str] = []
    durs: list[int] = []
    mvars: list[str | None] = []
    required = 0
    for i, op in enumerate(ops):
        w = f"$.ops[{i}]"
        s = _get(op, "start", str, w)
        d = _get(op, "duration", int, w)
        if d <= 0:
            raise Reject(f"{w}.duration: {d} is not positive")
        if s in starts:
            raise Reject(f"{w}.start: {s} is listed twice")
        lo = ck.chain(_get(op, "lower", list, w), ref, s, f"{w}.lower")
        hi = -ck.chain(_get(op, "upper", list, w), s, ref, f"{w}.upper")
        required += min(_overlap(lo, d, lo_w, hi_w), _overlap(hi, d, lo_w, hi_w))
        starts.append(s)
        durs.append(d)
        mvars.append(_get(op, "machine", str, w) if machines is not None else None)
    capacity = 1 if machines is None else _check_machines(ck, machines, mvars)
    _check_pairs(ck, _get(cert, "pairs", list, "$"), starts, durs, mvars)
    return required, capacity, hi_w - lo_w


def _check_machines(ck: _Checker, machines: Any, mvars: list[str | None]) -> int:
    q = _get(machines, "ref", str, "$.machines")
    mlo = _get(machines, "lo", int, "$.machines")
    mhi = _get(machines, "hi", int, "$.machines")
    if mhi < mlo:
        raise Reject("$.machines: hi < lo")
    bounds = _get(machines, "bounds", dict, "$.machines")
    for m in mvars:
        assert m is not None
        w = f"$.machines.bounds.{m}"
        b = bounds.get(m)
        if not isinstance(b, list) or len(b) != 2:
            raise Reject(f"{w}: expected [lower chain, upper chain]")
        if ck.chain(b[0], q, m, f"{w}[0]") < mlo:
            raise Reject(f"{w}[0]: proves a lower bound below {mlo}")
        if -ck.chain(b[1], m, q, f"{w}[1]") > mhi:
            raise Reject(f"{w}[1]: proves an upper bound above {mhi}")
    return int(mhi - mlo + 1)


def _check_pairs(
    ck: _Checker, pairs: list[Any], starts: list[str], durs: list[int], mvars: list[str | None]
) -> None:
    n = len(starts)
    seen: set[tuple[int, int]] = set()
    for k, entry in enumerate(pairs):
        w = f"$.pairs[{k}]"
        if not (
            isinstance(entry, list) and len(entry) == 3 and type(entry[0]) is int and type(entry[1]) is int
        ):
            raise Reject(f"{w}: expected [i, j, evidence]")
        i, j, ev = entry
        if not (0 <= i < n and 0 <= j < n and i != j):
            raise Reject(f"{w}: ({i}, {j}) is not a pair of distinct operations")
        key = (min(i, j), max(i, j))
        if key in seen:
            raise Reject(f"{w}: pair ({i}, {j}) is given twice")
        seen.add(key)
        si, sj = starts[i], starts[j]
        if isinstance(ev, dict) and "before" in ev:
            if ck.chain(ev["before"], si, sj, f"{w}.before") < durs[i]:
                raise Reject(f"{w}.before: proves less than {si}'s duration {durs[i]}")
            continue
        t = ck.conjunct(ev.get("clause") if isinstance(ev, dict) else None, f"{w}.clause")
        c = clause_of(t)
        if c is None:
            raise Reject(f"{w}.clause: not a disjunctive pair clause: {t}")
        mset, e0, e1 = c
        want = {(si, sj), (sj, si)}
        if {(e0[0], e0[1]), (e1[0], e1[1])} != want:
            raise Reject(f"{w}.clause: does not order {si} and {sj}: {t}")
        gap = {(e[0], e[1]): e[2] for e in (e0, e1)}
        if gap[(si, sj)] < durs[i] or gap[(sj, si)] < durs[j]:
            raise Reject(f"{w}.clause: a gap is shorter than the duration: {t}")
        if mset is not None and mset != {mvars[i], mvars[j]}:
            raise Reject(f"{w}.clause: its machine literal is not over {si}'s and {sj}'s machines: {t}")
    for i in range(n):
        for j in range(i + 1, n):
            if (i, j) not in seen:
                raise Reject(f"$.pairs: no evidence that operations {i} and {j} do not overlap")
