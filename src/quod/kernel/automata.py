"""Checker for glob-containment certificates (trusted; stdlib and core only).

Claim: every (action, resource) allowed by language LHS is allowed by RHS. A language is allow and
deny boxes; a box has, per field, glob patterns (`*`, `?`) and a negation flag; a request is in it iff
some allow box and no deny box matches. Actions are `service:name` over printable ASCII without upper
case (patterns come folded); under the "segment" reading a resource `*` that is not last, and every
`?`, match no ':'. The certificate lists per field the macro-states of all the field's pattern
automata run side by side, with a default successor and per-character exceptions. The checker
rebuilds the automata, checks state 0 is initial and every listed successor is the one it computes
(so the list covers all reachable states), then evaluates both languages on every pair of per-field
acceptance vectors: linear in the certificate, no search.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from quod.core.errors import QuodError, register_codes

register_codes({"Q0809": "invalid automata certificate"})

FORMAT = "quod-glob-containment/1"
FIELDS = ("action", "resource")
# the action-shape automaton: start, service, ':', name, dead
_SHAPE_ACCEPT = 3


class CertificateError(QuodError):
    code = "Q0809"


@dataclass(frozen=True)
class ContainmentCheck:
    ok: bool
    reason: str = ""
    states: int = 0


def _action_char(c: str) -> bool:
    return 0x21 <= ord(c) <= 0x7E and not ("A" <= c <= "Z")


_SHAPE = {(0, False): 1, (1, False): 1, (1, True): 2, (2, False): 3, (3, False): 3}  # else 4 (dead)


def _shape_step(s: int, c: str) -> int:
    return _SHAPE.get((s, c == ":"), 4)


class Field:
    """The automata of one field's patterns (the checker builds them from the problem)."""

    def __init__(self, name: str, patterns: Sequence[str], segment: bool) -> None:
        self.name = name
        self.patterns = sorted(set(patterns))
        self.index = {p: i for i, p in enumerate(self.patterns)}
        self.pieces = [_pieces(p) for p in self.patterns]
        self.segment = segment and name == "resource"
        self.shape = name == "action"
        # '*' is never a literal (it is always a wildcard), so it stands for every character
        # that no pattern of the field mentions
        self.other = "*"

    def _close(self, pos: set[tuple[int, int]]) -> frozenset[tuple[int, int]]:
        out = set(pos)
        todo = list(pos)
        while todo:
            pid, i = todo.pop()
            ps = self.pieces[pid]
            if i < len(ps) and ps[i] == "*" and (pid, i + 1) not in out:
                out.add((pid, i + 1))
                todo.append((pid, i + 1))
        return frozenset(out)

    def initial(self) -> tuple[int, frozenset[tuple[int, int]]]:
        return 0, self._close({(pid, 0) for pid in range(len(self.patterns))})

    def step(
        self, state: tuple[int, frozenset[tuple[int, int]]], c: str
    ) -> tuple[int, frozenset[tuple[int, int]]]:
        shape, pos = state
        nxt: set[tuple[int, int]] = set()
        for pid, i in pos:
            ps = self.pieces[pid]
            if i >= len(ps):
                continue
            x = ps[i]
            if x == "*":
                if c != ":" or not self.segment or i == len(ps) - 1:
                    nxt.add((pid, i))
            elif x == "?":
                if c != ":" or not self.segment:
                    nxt.add((pid, i + 1))
            elif x == c:
                nxt.add((pid, i + 1))
        return (_shape_step(shape, c) if self.shape else 0), self._close(nxt)

    def vector(self, state: tuple[int, frozenset[tuple[int, int]]]) -> tuple[bool, ...]:
        _, pos = state
        return tuple((pid, len(self.pieces[pid])) in pos for pid in range(len(self.patterns)))

    def accepting(self, state: tuple[int, frozenset[tuple[int, int]]]) -> bool:
        return not self.shape or state[0] == _SHAPE_ACCEPT

    def relevant(self, state: tuple[int, frozenset[tuple[int, int]]]) -> set[str]:
        """Characters that may behave differently from `other` in this state."""
        out = {":"}
        for pid, i in state[1]:
            ps = self.pieces[pid]
            if i < len(ps) and ps[i] not in ("*", "?"):
                out.add(ps[i])
        return out


def _pieces(p: str) -> list[str]:
    out: list[str] = []
    for c in p:
        if c == "*" and out and out[-1] == "*":
            continue
        out.append(c)
    return out


def boxes(lang: Any, what: str) -> list[dict[str, Any]]:
    if not isinstance(lang, dict) or set(lang) != {"allow", "deny"}:
        raise CertificateError(f"{what}: expected an object with 'allow' and 'deny'")
    out = []
    for kind in ("allow", "deny"):
        for b in lang[kind]:
            if not isinstance(b, dict) or not set(b) <= set(FIELDS):
                raise CertificateError(f"{what}.{kind}: malformed box {b!r}")
            out.append({"kind": kind, **b})
    return out


def _state(raw: Any, f: Field, where: str) -> tuple[int, frozenset[tuple[int, int]]]:
    if not isinstance(raw, list) or not raw or not all(isinstance(x, int) for x in raw) or len(raw) % 2 != 1:
        raise CertificateError(f"{where}: a state is [shape, pattern, position, ...]")
    pos = frozenset((raw[i], raw[i + 1]) for i in range(1, len(raw), 2))
    for pid, i in pos:
        if not (0 <= pid < len(f.patterns) and 0 <= i <= len(f.pieces[pid])):
            raise CertificateError(f"{where}: no position {i} in pattern {pid}")
    return raw[0], pos


def _check_field(f: Field, cert: Any) -> tuple[set[tuple[bool, ...]], int] | str:
    """The acceptance vectors of the field's certified states, or why the certificate fails."""
    if not isinstance(cert, dict) or not {"states", "default", "edges"} <= set(cert):
        raise CertificateError(f"{f.name}: expected 'states', 'default' and 'edges'")
    states = [_state(s, f, f"{f.name}.states[{k}]") for k, s in enumerate(cert["states"])]
    default, edges = cert["default"], cert["edges"]
    if not states or len(default) != len(states) or len(edges) != len(states):
        return f"{f.name}: states, default and edges must have the same non-zero length"
    if states[0] != f.initial():
        return f"{f.name}: state 0 is not the initial state"
    n = len(states)
    for k, st in enumerate(states):
        exc, d = edges[k], default[k]
        valid = [d, *exc.values()] if isinstance(exc, dict) else [None]
        if not all(isinstance(v, int) and 0 <= v < n for v in valid):
            return f"{f.name}: malformed successors of state {k}"
        if f.step(st, f.other) != states[d]:
            return f"{f.name}: wrong default successor of state {k}"
        for c in f.relevant(st) | set(exc):
            if not isinstance(c, str) or len(c) != 1:
                return f"{f.name}: edge label {c!r} of state {k} is not one character"
            if f.shape and not _action_char(c):
                continue  # not an action character: no transition to check
            if f.step(st, c) != states[exc.get(c, d)]:
                return f"{f.name}: wrong successor of state {k} on {c!r}"
    return {f.vector(s) for s in states if f.accepting(s)}, n


def _box_holds(box: dict[str, Any], fields: dict[str, Field], vecs: dict[str, tuple[bool, ...]]) -> bool:
    for name in FIELDS:
        spec = box.get(name)
        if spec is None:
            continue
        negated, pats = spec
        f = fields[name]
        hit = any(vecs[name][f.index[p]] for p in pats)
        if hit == bool(negated):
            return False
    return True


def allowed_by(
    boxes: list[dict[str, Any]], fields: dict[str, Field], vecs: dict[str, tuple[bool, ...]]
) -> bool:
    allow = any(_box_holds(b, fields, vecs) for b in boxes if b["kind"] == "allow")
    return allow and not any(_box_holds(b, fields, vecs) for b in boxes if b["kind"] == "deny")


def check_containment(problem: Any, certificate: Any) -> ContainmentCheck:
    """Does `certificate` prove L(problem.lhs) is contained in L(problem.rhs)?"""
    if not isinstance(problem, dict) or problem.get("format") != FORMAT:
        raise CertificateError(f"not a {FORMAT} problem")
    segment = problem.get("reading") == "segment"
    lhs, rhs = boxes(problem.get("lhs"), "lhs"), boxes(problem.get("rhs"), "rhs")
    pats: dict[str, list[str]] = {name: [] for name in FIELDS}
    for b in lhs + rhs:
        for name in FIELDS:
            spec = b.get(name)
            if spec is not None:
                if not (
                    isinstance(spec, list) and len(spec) == 2 and all(isinstance(p, str) for p in spec[1])
                ):
                    raise CertificateError(f"malformed {name} in box {b!r}")
                pats[name] += spec[1]
    fields = {name: Field(name, pats[name], segment) for name in FIELDS}
    if not isinstance(certificate, dict) or not isinstance(certificate.get("fields"), dict):
        raise CertificateError("certificate: expected 'fields'")
    vectors: dict[str, set[tuple[bool, ...]]] = {}
    total = 0
    for name, f in fields.items():
        res = _check_field(f, certificate["fields"].get(name))
        if isinstance(res, str):
            return ContainmentCheck(False, res)
        vectors[name], n = res
        total += n
    for va in vectors["action"]:
        for vr in vectors["resource"]:
            vecs = {"action": va, "resource": vr}
            if allowed_by(lhs, fields, vecs) and not allowed_by(rhs, fields, vecs):
                return ContainmentCheck(False, "some request is allowed by the left side only", total)
    return ContainmentCheck(True, "", total)


__all__ = [
    "FORMAT",
    "CertificateError",
    "ContainmentCheck",
    "Field",
    "allowed_by",
    "boxes",
    "check_containment",
]
