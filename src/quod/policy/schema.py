"""Which condition keys a query involves, and how each is represented.

A key's representation follows how the analysed policies use it: String/Arn
operators and policy variables need a string, Numeric a number, Date a date,
Bool a Boolean, IpAddress an address. A key used both as Bool and as a string
is a Boolean whose string form is "true"/"false" (exact). Any other mixture
gets one independent variable per use ("mixed"): the encoding then allows
combinations no real request has, which keeps `unsat` sound but may produce
witnesses the concrete evaluator rejects; those are reported as unknown.

A key is multi-valued when some analysed policy applies ForAnyValue or
ForAllValues to it, or when AWS documents it as multi-valued. Its request
value is a set of values; `slots` bounds the set's size without losing
generality: a formula over the set is a Boolean combination of n atoms
"some member satisfies phi_i", and keeping one witness member per true atom
(plus two members, so a set that had two or more still has two) preserves
every atom.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from quod.policy.model import Family, Policy
from quod.policy.patterns import Pattern, Var

KNOWN_MULTI_KEYS = frozenset(
    {
        "aws:tagkeys",
        "aws:calledvia",
        "aws:principalorgpaths",
        "aws:principalservicenameslist",
        "aws:sourceorgpaths",
        "aws:resourceorgpaths",
    }
)
_FAMILY_KIND = {
    Family.STRING: "string",
    Family.ARN: "string",
    Family.BINARY: "string",
    Family.NUMERIC: "numeric",
    Family.DATE: "date",
    Family.BOOL: "bool",
    Family.IP: "ip",
}


@dataclass
class KeyInfo:
    key: str
    name: str
    uses: set[str] = field(default_factory=set)  # kinds the policies need
    set_conditions: int = 0
    plain_conditions: int = 0
    as_variable: bool = False
    known_multi: bool = False

    @property
    def multi(self) -> bool:
        return self.set_conditions > 0 or self.known_multi

    @property
    def slots(self) -> int:
        extra = 2 if self.plain_conditions else 0
        return max(1, self.set_conditions + extra)

    @property
    def kind(self) -> str:
        uses = self.uses or {"string"}
        if len(uses) == 1:
            return next(iter(uses))
        if uses == {"bool", "string"}:
            return "bool"
        return "mixed"

    @property
    def views(self) -> list[str]:
        """The representations that get their own variables."""
        if self.kind == "mixed":
            return sorted(self.uses)
        return [self.kind]


def _vars(p: Pattern) -> Iterable[Var]:
    return p.variables


class Schema:
    def __init__(self) -> None:
        self.keys: dict[str, KeyInfo] = {}

    def key(self, key: str, name: str) -> KeyInfo:
        info = self.keys.get(key)
        if info is None:
            info = self.keys[key] = KeyInfo(key, name, known_multi=key in KNOWN_MULTI_KEYS)
        return info

    def add_variable(self, v: Var) -> None:
        info = self.key(v.key, v.name)
        info.uses.add("string")
        info.as_variable = True

    @staticmethod
    def of(policies: Iterable[Policy], extra: Iterable[tuple[str, str, str]] = ()) -> Schema:
        """The keys of `policies` (plus `extra` (key, name, kind) triples, e.g. linked keys)."""
        s = Schema()
        for key, name, kind in extra:
            s.key(key, name).uses.add(kind)
        for pol in policies:
            for st in pol.statements:
                for r in st.resources or ():
                    for v in _vars(r):
                        s.add_variable(v)
                for c in st.conditions:
                    info = s.key(c.key, c.key_text)
                    if c.spec.family is not Family.NULL:
                        info.uses.add(_FAMILY_KIND[c.spec.family])
                    if c.qualifier:
                        info.set_conditions += 1
                    elif c.spec.family is not Family.NULL:
                        info.plain_conditions += 1
                    for cv in c.values:
                        if isinstance(cv.payload, Pattern):
                            for v in _vars(cv.payload):
                                s.add_variable(v)
        return s


__all__ = ["KNOWN_MULTI_KEYS", "KeyInfo", "Schema"]
