"""Policies -> core terms over a symbolic request.

The symbolic request (`Vocabulary`) has:

- principal: `p.kind` (Int: 0 Anonymous, 1 AWS, 2 Service, 3 Federated,
  4 CanonicalUser), the AWS principal ARN's parts `p.partition`,
  `p.service`, `p.account` (12 digits), `p.resource`, and `p.name` for the
  other kinds;
- `action` (canonical: printable ASCII, letters folded, `service:name`) and
  `resource` (any string);
- per condition key: presence and a value per representation (String, Real
  for numbers and dates in seconds, Bool, and a 128-bit vector plus an IPv6
  flag for addresses), or a bounded set of such values (see `schema`).

Wildcards become regular expressions (`str.in_re`), policy variables become
`str.to_re` of the referenced key's value. `domain()` constrains the request
space to what the request model allows (`requests.normalize` enforces the
same invariants on concrete requests); `allowed(policy)` is the decision.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from quod.core import builder as B
from quod.core.ops import Op
from quod.core.sorts import BOOL, INT, REAL, STRING, BitVecSort
from quod.core.terms import FALSE, TRUE, Term, make, var
from quod.policy.chars import MAX_CHAR, fold, fold_class, fold_str
from quod.policy.errors import UnsupportedFeature
from quod.policy.model import Condition, CondValue, Effect, Family, IpNet, Policy, PrincipalEntry, Statement
from quod.policy.patterns import Lit, One, Pattern, Reading, Star, Var
from quod.policy.requests import LINKED_ACCOUNT, LINKED_ARN
from quod.policy.schema import KeyInfo, Schema

KIND_CODES = {"Anonymous": 0, "AWS": 1, "Service": 2, "Federated": 3, "CanonicalUser": 4}
IP_BITS = 128
_IPS = BitVecSort(IP_BITS)
# keys whose value the request model ties to the principal
LINKED_KEYS = ((LINKED_ACCOUNT, "aws:PrincipalAccount", "string"), (LINKED_ARN, "aws:PrincipalArn", "string"))


def _re_lit(s: str) -> Term:
    return make(Op.STR_TO_RE, [B.StringVal(s)])


def _re_range(lo: str, hi: str) -> Term:
    return make(Op.RE_RANGE, [B.StringVal(lo), B.StringVal(hi)])


def _re_union(items: Sequence[Term]) -> Term:
    items = list(dict.fromkeys(items))
    if not items:
        return make(Op.RE_NONE, [])
    return items[0] if len(items) == 1 else make(Op.RE_UNION, items)


def _re_concat(items: Sequence[Term]) -> Term:
    if not items:
        return _re_lit("")
    return items[0] if len(items) == 1 else make(Op.RE_CONCAT, list(items))


ALLCHAR = make(Op.RE_ALLCHAR, [])
ANY = make(Op.RE_STAR, [ALLCHAR])
NOT_COLON = _re_union([_re_range("\x00", "9"), _re_range(";", chr(MAX_CHAR))])
# canonical action names: printable ASCII without ':' and without upper-case letters
_ACTION_CHAR = _re_union([_re_range("!", "9"), _re_range(";", "@"), _re_range("[", "~")])
ACTION_DOMAIN = _re_concat([make(Op.RE_PLUS, [_ACTION_CHAR]), _re_lit(":"), make(Op.RE_PLUS, [_ACTION_CHAR])])
DIGIT12 = make(Op.RE_LOOP, [_re_range("0", "9")], (12, 12))
NO_COLON_NONEMPTY = make(Op.RE_PLUS, [NOT_COLON])


_DIGIT = _re_range("0", "9")
_OCTET = _re_union(
    [
        _re_concat([_re_lit("25"), _re_range("0", "5")]),
        _re_concat([_re_lit("2"), _re_range("0", "4"), _DIGIT]),
        _re_concat([_re_lit("1"), _DIGIT, _DIGIT]),
        _re_concat([_re_range("1", "9"), _DIGIT]),
        _DIGIT,
    ]
)
_HEXISH = make(
    Op.RE_STAR, [_re_union([_DIGIT, _re_range("a", "f"), _re_range("A", "F"), _re_lit(":"), _re_lit(".")])]
)
# the text of an IP address: exact for IPv4, a superset for IPv6 (some hex digits, colons and dots)
IP_TEXT = _re_union(
    [
        _re_concat([_OCTET, _re_lit("."), _OCTET, _re_lit("."), _OCTET, _re_lit("."), _OCTET]),
        _re_concat([_HEXISH, _re_lit(":"), _HEXISH]),
    ]
)
# condition keys whose values AWS always fills with IP addresses
IP_VALUED_KEYS = frozenset({"aws:sourceip", "aws:vpcsourceip"})


def _ands(items: Sequence[Term]) -> Term:
    items = [t for t in items if t is not TRUE]
    if any(t is FALSE for t in items):
        return FALSE
    return TRUE if not items else items[0] if len(items) == 1 else B.And(items)


def _ors(items: Sequence[Term]) -> Term:
    items = [t for t in items if t is not FALSE]
    if any(t is TRUE for t in items):
        return TRUE
    return FALSE if not items else items[0] if len(items) == 1 else B.Or(items)


def negate(t: Term) -> Term:
    return FALSE if t is TRUE else TRUE if t is FALSE else B.Not(t)


def _sym(key: str) -> str:
    """A variable-name fragment for a condition key (printable in SMT-LIB)."""
    return "".join(c if c.isalnum() or c in ":/_.-@+=" else f"%{ord(c):x}" for c in key)


@dataclass
class Slot:
    """One value of a key: its presence and its value in each representation."""

    present: Term
    views: dict[str, Term]
    v6: Term | None = None  # for the "ip" view: is the address IPv6?


@dataclass
class KeyVars:
    info: KeyInfo
    present: Term
    slots: list[Slot]

    @property
    def multi(self) -> bool:
        return self.info.multi


class Vocabulary:
    """The variables of a symbolic request for a given schema."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.p_kind = var("p.kind", INT)
        self.p_partition = var("p.partition", STRING)
        self.p_service = var("p.service", STRING)
        self.p_account = var("p.account", STRING)
        self.p_resource = var("p.resource", STRING)
        self.p_name = var("p.name", STRING)
        self.action = var("action", STRING)
        self.resource = var("resource", STRING)
        self.keys: dict[str, KeyVars] = {k: self._key(info) for k, info in sorted(schema.keys.items())}
        self.approximations = [
            f"{info.name} is used as {', '.join(sorted(info.uses))}: one independent variable per use"
            for info in schema.keys.values()
            if info.kind == "mixed"
        ]

    def _slot(self, base: str, info: KeyInfo) -> Slot:
        views: dict[str, Term] = {}
        v6 = None
        for kind in info.views:
            if kind == "string":
                views[kind] = var(f"{base}", STRING)
            elif kind in ("numeric", "date"):
                views[kind] = var(f"{base}!{kind}", REAL)
            elif kind == "bool":
                views[kind] = var(f"{base}!bool", BOOL)
            else:
                views[kind] = var(f"{base}!ip", _IPS)
                v6 = var(f"{base}!v6", BOOL)
        if info.kind == "bool":  # the string form of a Boolean key is "true"/"false"
            views["string"] = B.Ite(views["bool"], B.StringVal("true"), B.StringVal("false"))
        return Slot(var(f"{base}!present", BOOL), views, v6)

    def _key(self, info: KeyInfo) -> KeyVars:
        base = f"ctx.{_sym(info.key)}"
        if not info.multi:
            s = self._slot(base, info)
            return KeyVars(info, s.present, [s])
        slots = [self._slot(f"{base}#{i}", info) for i in range(info.slots)]
        return KeyVars(info, var(f"{base}!present", BOOL), slots)

    def kind_is(self, kind: str) -> Term:
        return B.Eq(self.p_kind, B.IntVal(KIND_CODES[kind]))

    def domain(self) -> list[Term]:
        """The request space: every request of the model, nothing else."""
        out = [
            B.And(B.IntVal(0) <= self.p_kind, self.p_kind <= B.IntVal(4)),
            B.InRe(self.action, ACTION_DOMAIN),
            B.Implies(B.IntVal(2) <= self.p_kind, B.IntVal(1) <= B.Length(self.p_name)),
            B.Implies(
                self.kind_is("AWS"),
                B.And(
                    B.InRe(self.p_account, DIGIT12),
                    B.InRe(self.p_partition, NO_COLON_NONEMPTY),
                    B.InRe(self.p_service, NO_COLON_NONEMPTY),
                ),
            ),
        ]
        for kv in self.keys.values():
            for s in kv.slots:
                if s.v6 is not None:  # IPv4 addresses live in the low 32 bits
                    ip = s.views["ip"]
                    out.append(B.Implies(negate(s.v6), B.ULT(ip, B.BitVecVal(1 << 32, IP_BITS))))
            if kv.multi:
                out.append(B.Eq(kv.present, _ors([s.present for s in kv.slots])))
            if kv.info.key in IP_VALUED_KEYS:
                for s in kv.slots:
                    t = s.views.get("string")
                    if t is not None and t.op is Op.VAR:
                        out.append(B.Implies(s.present, B.InRe(t, IP_TEXT)))
        out.extend(self._links())
        return out

    def nice(self) -> list[Term]:
        """Optional constraints for readable witnesses (printable strings, ARN-shaped names)."""
        printable = make(Op.RE_STAR, [_re_range(" ", "~")])
        word = make(Op.RE_PLUS, [_re_union([_re_range("a", "z"), _re_range("0", "9")])])
        out = [
            B.InRe(self.action, _re_concat([make(Op.RE_PLUS, [_re_union([_re_range("a", "z"), _re_range("0", "9"),
                                                                        _re_lit("-")])]), _re_lit(":"), _re_range("a", "z"), make(Op.RE_STAR, [_re_range("a", "z")])])),
            B.InRe(self.resource, _re_concat([_re_lit("arn:"), printable])),
            B.Implies(self.kind_is("AWS"), B.And(B.Eq(self.p_partition, B.StringVal("aws")),
                                                 B.InRe(self.p_service, word), B.InRe(self.p_resource, printable))),
            B.InRe(self.p_name, printable),
        ]  # fmt: skip
        for kv in self.keys.values():
            for s in kv.slots:
                t = s.views.get("string")
                if t is not None and t.op is Op.VAR:
                    out.append(B.InRe(t, printable))
        return out

    def _links(self) -> list[Term]:
        out = []
        aws, anon = self.kind_is("AWS"), self.kind_is("Anonymous")
        acct = self.keys.get(LINKED_ACCOUNT)
        if acct is not None and not acct.multi and acct.info.kind == "string":
            s = acct.slots[0]
            out.append(B.Implies(aws, B.And(s.present, B.Eq(s.views["string"], self.p_account))))
            out.append(B.Implies(anon, negate(s.present)))
        arn = self.keys.get(LINKED_ARN)
        if arn is not None and not arn.multi and arn.info.kind == "string":
            s = arn.slots[0]
            field_ = make(Op.RE_STAR, [NOT_COLON])
            shape = _re_concat(
                [_re_lit("arn:"), field_, _re_lit(":"), field_, _re_lit(":"), field_, _re_lit(":"),
                 make(Op.STR_TO_RE, [self.p_account]), _re_lit(":"), ANY]
            )  # fmt: skip
            out.append(B.Implies(aws, B.And(s.present, B.InRe(s.views["string"], shape))))
            out.append(B.Implies(anon, negate(s.present)))
        return out


class Encoder:
    """Builds `allowed(policy)` over a vocabulary, for one reading of ARN wildcards."""

    def __init__(self, vocab: Vocabulary, reading: Reading) -> None:
        self.v = vocab
        self.reading = reading
        self.approximations: list[str] = []
        self._amb = 0

    # -- policy and statements -------------------------------------------
    def allowed(self, policy: Policy) -> Term:
        allows = [self.statement(s, policy) for s in policy.statements if s.effect is Effect.ALLOW]
        denies = [self.statement(s, policy) for s in policy.statements if s.effect is Effect.DENY]
        return _ands([_ors(allows), negate(_ors(denies))])

    def statement(self, st: Statement, policy: Policy) -> Term:
        parts = []
        if st.principals is not None:
            hit = _ors([self.principal(e) for e in st.principals])
            parts.append(negate(hit) if st.not_principal else hit)
        hit = self.patterns(self.v.action, st.actions, arn=False, action=True)
        parts.append(negate(hit) if st.not_action else hit)
        if st.resources is not None:
            hit = self.patterns(self.v.resource, st.resources, arn=True)
            parts.append(negate(hit) if st.not_resource else hit)
        parts.extend(self.condition(c) for c in st.conditions)
        return _ands(parts)

    def principal(self, e: PrincipalEntry) -> Term:
        v = self.v
        if e.kind == "*":
            return TRUE
        if e.kind == "AWS":
            if e.account is not None:
                return B.And(v.kind_is("AWS"), B.Eq(v.p_account, B.StringVal(e.account)))
            if e.arn is None:
                return FALSE  # unique ids of deleted principals match nobody
            part, svc, acct, res = e.arn
            return B.And(
                v.kind_is("AWS"),
                B.Eq(v.p_partition, B.StringVal(part)),
                B.Eq(v.p_service, B.StringVal(svc)),
                B.Eq(v.p_account, B.StringVal(acct)),
                B.Eq(v.p_resource, B.StringVal(res)),
            )
        return B.And(v.kind_is(e.kind), B.Eq(v.p_name, B.StringVal(e.value)))

    # -- patterns ----------------------------------------------------------
    def patterns(self, value: Term, pats: Sequence[Pattern], *, arn: bool, action: bool = False) -> Term:
        """`value` matches one of `pats` (one regex for all variable-free patterns)."""
        reading = self.reading if arn else None
        ground: list[Term] = []
        other: list[Term] = []
        for p in pats:
            if p.is_star:
                return TRUE
            if p.variables:
                other.append(self.pattern(value, p, reading=reading, ci=False))
            elif p.is_fixed:  # solvers handle equalities far better than big regex unions
                lit = fold_str(p.literal) if action else p.literal
                other.append(B.Eq(value, B.StringVal(lit)))
            else:
                ground.append(self.regex(p, reading=reading, fold_literals=action))
        if ground:
            other.append(B.InRe(value, _re_union(ground)))
        return _ors(other)

    def pattern(self, value: Term, p: Pattern, *, reading: Reading | None, ci: bool) -> Term:
        """`value` matches `p`, with variables (matches nothing when one cannot be substituted)."""
        if p.is_fixed and not ci:
            return B.Eq(value, B.StringVal(p.literal))
        guards: list[Term] = []
        rx = self.regex(p, reading=reading, ci=ci, guards=guards)
        return _ands([*guards, B.InRe(value, rx)])

    def regex(
        self,
        p: Pattern,
        *,
        reading: Reading | None,
        ci: bool = False,
        fold_literals: bool = False,
        guards: list[Term] | None = None,
    ) -> Term:
        parts: list[Term] = []
        last = len(p.pieces) - 1
        for i, x in enumerate(p.pieces):
            if isinstance(x, Lit):
                text = fold_str(x.text) if fold_literals else x.text
                parts.append(ci_regex(text) if ci else _re_lit(text))
            elif isinstance(x, (Star, One)):
                segment = reading is Reading.SEGMENT and not (isinstance(x, Star) and i == last)
                ch = NOT_COLON if segment else ALLCHAR
                parts.append(make(Op.RE_STAR, [ch]) if isinstance(x, Star) else ch)
            else:
                parts.append(self._variable(x, ci, guards))
        return _re_concat(parts)

    def _variable(self, x: Var, ci: bool, guards: list[Term] | None) -> Term:
        if ci:
            raise UnsupportedFeature(f"policy variable ${{{x.name}}} under a case-insensitive operator")
        kv = self.v.keys[x.key]
        if kv.multi:
            raise UnsupportedFeature(f"multi-valued key {x.name} used as a policy variable")
        s = kv.slots[0]
        value = s.views["string"]
        if x.default is not None:
            value = B.Ite(s.present, value, B.StringVal(x.default))
        elif guards is not None:
            guards.append(s.present)
        else:  # pragma: no cover - callers that allow variables pass guards
            raise UnsupportedFeature(f"policy variable ${{{x.name}}} here")
        return make(Op.STR_TO_RE, [value])

    # -- conditions --------------------------------------------------------
    def condition(self, c: Condition) -> Term:
        kv = self.v.keys[c.key]
        if c.spec.family is Family.NULL:
            want = {bool(v.payload) for v in c.values}
            return _ors([negate(kv.present) if absent else kv.present for absent in want])
        if c.qualifier == "ForAllValues":
            return _ands([B.Implies(s.present, self._single(c, s)) for s in kv.slots])
        if c.qualifier == "ForAnyValue":
            some = _ors([_ands([s.present, self._single(c, s)]) for s in kv.slots])
            return _ors([some, negate(kv.present)]) if c.if_exists else some
        absent = TRUE if (c.if_exists or c.spec.negated) else FALSE
        if not kv.multi:
            s = kv.slots[0]
            return B.Ite(s.present, self._single(c, s), absent)
        # a single-valued operator on a set: defined for one value, unspecified for more
        only = [_ands([s.present, *[negate(o.present) for o in kv.slots if o is not s]]) for s in kv.slots]
        one_value = _ors([_ands([o, self._single(c, s)]) for o, s in zip(only, kv.slots)])
        self._amb += 1
        unspecified = var(f"amb.{self._amb}.{_sym(c.key)}", BOOL)
        self.approximations.append(f"{c.path}: {c.operator} on several values of {c.key_text} is left open")
        return B.Ite(negate(kv.present), absent, B.Ite(_ors(only), one_value, unspecified))

    def _single(self, c: Condition, s: Slot) -> Term:
        hit = _ors([self._value(c, cv, s) for cv in c.values])
        return negate(hit) if c.spec.negated else hit

    def _view(self, c: Condition, s: Slot, kind: str) -> Term:
        if kind in s.views:
            return s.views[kind]
        raise UnsupportedFeature(f"{c.path}: no {kind} view of {c.key_text}")  # pragma: no cover

    def _value(self, c: Condition, cv: CondValue, s: Slot) -> Term:
        fam, spec, pay = c.spec.family, c.spec, cv.payload
        if fam is Family.STRING or fam is Family.ARN:
            assert isinstance(pay, Pattern)
            reading = self.reading if fam is Family.ARN else None
            return self.pattern(self._view(c, s, "string"), pay, reading=reading, ci=spec.ci)
        if fam is Family.NUMERIC or fam is Family.DATE:
            assert isinstance(pay, Fraction)
            x = self._view(c, s, "numeric" if fam is Family.NUMERIC else "date")
            k = B.RealVal(pay)
            return B.Eq(x, k) if spec.cmp == "eq" else make(_CMP[spec.cmp], [x, k])
        if fam is Family.BOOL:
            b = self._view(c, s, "bool")
            return b if pay is True else negate(b)
        if fam is Family.IP:
            assert s.v6 is not None
            return in_network(self._view(c, s, "ip"), s.v6, pay)  # type: ignore[arg-type]
        assert fam is Family.BINARY and isinstance(pay, str)
        return B.Eq(self._view(c, s, "string"), B.StringVal(pay))


_CMP = {"lt": Op.LT, "le": Op.LE, "gt": Op.GT, "ge": Op.GE}


def in_network(ip: Term, v6: Term, net: IpNet) -> Term:
    width = 32 if net.version == 4 else 128
    host_bits = width - net.prefixlen
    mask = ((1 << IP_BITS) - 1) ^ ((1 << host_bits) - 1)
    base = int(net.network_address)
    masked = make(Op.BVAND, [ip, B.BitVecVal(mask, IP_BITS)])
    same = B.Eq(masked, B.BitVecVal(base, IP_BITS))
    return B.And(negate(v6), same) if net.version == 4 else B.And(v6, same)


def ci_regex(text: str) -> Term:
    """Regex of strings equal to `text` ignoring case (per character, see chars.fold)."""
    parts: list[Term] = []
    run: list[str] = []
    for c in text:
        cls = fold_class(c)
        if len(cls) == 1:
            run.append(c)
            continue
        if run:
            parts.append(_re_lit("".join(run)))
            run = []
        parts.append(_re_union([_re_lit(x) for x in cls]))
    if run:
        parts.append(_re_lit("".join(run)))
    return _re_concat(parts)


def canonical_action_value(action: str) -> str:
    return "".join(fold(c) for c in action)


__all__ = [
    "ACTION_DOMAIN",
    "KIND_CODES",
    "LINKED_KEYS",
    "Encoder",
    "KeyVars",
    "Slot",
    "Vocabulary",
]
