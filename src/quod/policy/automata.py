"""`compare` by automata, for policies whose patterns are plain wildcards.

Applies when no statement has a Condition, a policy variable or a Principal
other than "*": then a policy is a Boolean combination of glob languages over
the action and the resource, and containment is decided by exploring the
product of the patterns' automata per field (`quod.kernel.automata.Field`).
A containment comes with a certificate that the kernel checks before the
verdict is reported; a non-containment comes with a witness request that the
concrete evaluator re-checks.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from quod.kernel.automata import FIELDS, FORMAT, Field, allowed_by, boxes, check_containment
from quod.policy.chars import fold_str
from quod.policy.errors import Inconsistency
from quod.policy.evaluate import allowed
from quod.policy.model import Policy, Principal, Request, Statement
from quod.policy.patterns import Lit, Pattern, Reading
from quod.policy.queries import Outcome, Result, combine_outcomes, compare_verdict, readings_for
from quod.policy.requests import normalize
from quod.policy.solve import SAT, UNSAT, Check, SolverRun, polish_locally

EXAMPLE_PRINCIPAL = Principal("AWS", "arn:aws:iam::123456789012:user/example")
State = tuple[int, frozenset[tuple[int, int]]]


class Unsupported(Exception):
    """The policies use something the automata engine does not model."""


def _plain(p: Pattern) -> list[str]:
    if p.variables:
        raise Unsupported(f"{p.path}: policy variable in {p.text!r}")
    if any(isinstance(x, Lit) and ("*" in x.text or "?" in x.text) for x in p.pieces):
        raise Unsupported(f"{p.path}: literal '*' or '?' in {p.text!r}")
    return [p.text]


def _box(st: Statement) -> dict[str, Any] | None:
    if st.conditions:
        raise Unsupported(f"{st.path}: Condition")
    if st.principals is not None:
        star = any(e.kind == "*" for e in st.principals)
        if st.not_principal and star:
            return None  # NotPrincipal "*" matches nobody
        if st.not_principal or not star:
            raise Unsupported(f'{st.path}: Principal other than "*"')
    box: dict[str, Any] = {
        "action": [st.not_action, [fold_str(t) for p in st.actions for t in _plain(p)]],
    }
    if st.resources is not None:
        box["resource"] = [st.not_resource, [t for p in st.resources for t in _plain(p)]]
    return box


def language(p: Policy) -> dict[str, list[dict[str, Any]]]:
    """The policy as the kernel's box language (raises Unsupported)."""
    lang: dict[str, list[dict[str, Any]]] = {"allow": [], "deny": []}
    for st in p.statements:
        b = _box(st)
        if b is not None:
            lang["allow" if st.effect.value == "Allow" else "deny"].append(b)
    return lang


def problem(lhs: Policy, rhs: Policy, reading: Reading) -> dict[str, Any]:
    return {"format": FORMAT, "reading": str(reading), "lhs": language(lhs), "rhs": language(rhs)}


@dataclass
class Explored:
    field: Field
    states: list[State]
    default: list[int]
    edges: list[dict[str, int]]
    words: list[str]  # a shortest word reaching each state

    def certificate(self) -> dict[str, Any]:
        enc = [[s[0], *[x for pair in sorted(s[1]) for x in pair]] for s in self.states]
        return {"states": enc, "default": self.default, "edges": self.edges}


def explore(f: Field) -> Explored:
    """All macro-states reachable from the initial one, with successors and witness words."""
    init = f.initial()
    index: dict[State, int] = {init: 0}
    states, words = [init], [""]
    default: list[int] = []
    edges: list[dict[str, int]] = []
    queue = deque([0])
    nice = _nice_other(f)

    def target(st: State, word: str) -> int:
        k = index.get(st)
        if k is None:
            k = index[st] = len(states)
            states.append(st)
            words.append(word)
            queue.append(k)
        return k

    while queue:
        k = queue.popleft()
        st, w = states[k], words[k]
        d = target(f.step(st, f.other), w + nice)
        exc: dict[str, int] = {}
        for c in sorted(f.relevant(st)):
            if f.shape and not (0x21 <= ord(c) <= 0x7E and not ("A" <= c <= "Z")):
                continue
            t = target(f.step(st, c), w + c)
            if t != d:
                exc[c] = t
        while len(default) <= k:
            default.append(0)
            edges.append({})
        default[k], edges[k] = d, exc
    return Explored(f, states, default, edges, words)


def _nice_other(f: Field) -> str:
    """A readable character of the 'other' class for witness words."""
    lits = {c for ps in f.pieces for c in ps}
    for c in "abcdefghijklmnopqrstuvwxyz0123456789":
        if c not in lits:
            return c
    return f.other


def _decide(lhs: Policy, rhs: Policy, reading: Reading) -> tuple[Check, float]:
    start = time.perf_counter()
    prob = problem(lhs, rhs, reading)
    pats: dict[str, list[str]] = {n: [] for n in FIELDS}
    for side in ("lhs", "rhs"):
        for kind in ("allow", "deny"):
            for b in prob[side][kind]:
                for n in FIELDS:
                    if n in b:
                        pats[n] += b[n][1]
    ex = {n: explore(Field(n, pats[n], reading is Reading.SEGMENT)) for n in FIELDS}
    boxes_l, boxes_r = boxes(prob["lhs"], "lhs"), boxes(prob["rhs"], "rhs")
    fields = {n: e.field for n, e in ex.items()}
    reps = {n: _representatives(e) for n, e in ex.items()}
    check = Check(f"containment[{reading}]", [])
    for va, wa in reps["action"].items():
        for vr, wr in reps["resource"].items():
            vecs = {"action": va, "resource": vr}
            if allowed_by(boxes_l, fields, vecs) and not allowed_by(boxes_r, fields, vecs):
                req = normalize(Request(EXAMPLE_PRINCIPAL, wa, wr))

                def confirm(r: Request) -> bool:
                    return allowed(lhs, r, reading) and not allowed(rhs, r, reading)

                if not confirm(req):
                    raise Inconsistency(f"automata witness {req.to_json()} is not confirmed by the evaluator")
                req = polish_locally(req, [lhs, rhs], confirm)
                check.status, check.witness = SAT, req
                check.runs.append(SolverRun("automata", SAT, time.perf_counter() - start))
                return check, time.perf_counter() - start
    cert = {"fields": {n: e.certificate() for n, e in ex.items()}}
    verdict = check_containment(prob, cert)
    if not verdict.ok:
        raise Inconsistency(f"the kernel rejects the automata certificate: {verdict.reason}")
    check.status, check.problem, check.certificate = UNSAT, prob, cert
    check.note = f"containment certified: {verdict.states} automaton states checked by the kernel"
    check.runs.append(SolverRun("automata", UNSAT, time.perf_counter() - start))
    return check, time.perf_counter() - start


def _representatives(e: Explored) -> dict[tuple[bool, ...], str]:
    """One shortest word per acceptance vector of accepting states."""
    out: dict[tuple[bool, ...], str] = {}
    for st, w in zip(e.states, e.words):
        if e.field.accepting(st):
            v = e.field.vector(st)
            if v not in out or len(w) < len(out[v]):
                out[v] = w
    return out


def compare_automata(a: Policy, b: Policy) -> Result:
    """`compare` through automata (raises Unsupported when a policy is out of scope)."""
    language(a), language(b)  # raise Unsupported early
    outcomes = []
    for reading in readings_for([a, b]):
        ab, _ = _decide(a, b, reading)
        ab.name = f"A-not-B[{reading}]"
        ba, _ = _decide(b, a, reading)
        ba.name = f"B-not-A[{reading}]"
        o = Outcome(reading, [ab, ba])
        o.verdict, o.reason = compare_verdict(ab.status, ba.status)
        outcomes.append(o)
    verdict, reason = combine_outcomes(outcomes)
    return Result("compare", verdict, reason, outcomes, [a, b], {"engine": "automata"})


__all__ = ["Unsupported", "compare_automata", "explore", "language", "problem"]
