"""Concrete requests <-> assignments of the symbolic request.

`model_to_requests` turns a solver model into printable candidate requests
(several only when a "mixed" key has independent representations);
`request_to_model` goes the other way, so the encoding can be evaluated on a
concrete request without a solver (`quod policy can` does this to cross-check
the evaluator against the encoding). `printable` rewrites characters a
terminal cannot show into printable ones the policies never mention, so
witnesses are readable; the rewritten witness is re-checked like any other.
"""

from __future__ import annotations

import ipaddress
import itertools
from fractions import Fraction
from typing import Any

from quod.core.model import Model
from quod.core.terms import Term
from quod.policy.chars import PRINTABLE, fold
from quod.policy.encode import KIND_CODES, Vocabulary
from quod.policy.model import PRINCIPAL_ARN_RE, Policy, Principal, Request
from quod.policy.requests import canonical_action, normalize
from quod.policy.values import format_date, format_number, parse_bool, parse_date, parse_ip, parse_number

_KINDS = {v: k for k, v in KIND_CODES.items()}
MAX_CANDIDATES = 16


class NotRepresentable(Exception):
    """The concrete request lies outside the bounded symbolic request space."""


def _get(model: Model, t: Term, default: Any) -> Any:
    v = model.get(t)
    return default if v is None else v


def _render(kind: str, value: Any, v6: bool) -> str:
    if kind == "string":
        return str(value)
    if kind == "bool":
        return "true" if value else "false"
    if kind == "numeric":
        return format_number(Fraction(value))
    if kind == "date":
        return format_date(Fraction(value))
    assert kind == "ip"
    n = int(value)
    return str(ipaddress.IPv6Address(n) if v6 else ipaddress.IPv4Address(n & 0xFFFFFFFF))


def model_to_requests(vocab: Vocabulary, model: Model) -> list[Request]:
    """Candidate concrete requests for a model (first = preferred rendering)."""
    kind = _KINDS.get(int(_get(model, vocab.p_kind, 0)), "Anonymous")
    if kind == "AWS":
        pid = "arn:{}:{}::{}:{}".format(
            *(
                _get(model, t, "")
                for t in (vocab.p_partition, vocab.p_service, vocab.p_account, vocab.p_resource)
            )
        )
    else:
        pid = "" if kind == "Anonymous" else str(_get(model, vocab.p_name, ""))
    principal = Principal(kind, pid)
    action = str(_get(model, vocab.action, ""))
    resource = str(_get(model, vocab.resource, ""))
    per_key: list[list[tuple[str, tuple[str, ...]]]] = []
    names: dict[str, str] = {}
    for key, kv in vocab.keys.items():
        names[key] = kv.info.name
        options: list[tuple[str, ...]] = []
        for view in kv.info.views:
            vals: list[str] = []
            for s in kv.slots:
                if _get(model, s.present, False) is True:
                    v6 = bool(_get(model, s.v6, False)) if s.v6 is not None else False
                    vals.append(_render(view, _get(model, s.views[view], _default(view)), v6))
            present = _get(model, kv.present, False) is True
            options.append(tuple(vals) if present else ())
        per_key.append([(key, o) for o in dict.fromkeys(options)])
    out = []
    for combo in itertools.islice(itertools.product(*per_key), MAX_CANDIDATES):
        ctx = {k: v for k, v in combo if v}
        out.append(Request(principal, action, resource, ctx, dict(names)))
    return out


def _default(view: str) -> Any:
    return {"string": "", "bool": False, "numeric": 0, "date": 0, "ip": 0}[view]


def request_to_model(vocab: Vocabulary, req: Request) -> Model:
    """The assignment of the symbolic request that denotes `req` (raises NotRepresentable)."""
    m = Model()
    p = req.principal
    m.consts[vocab.p_kind] = KIND_CODES[p.kind]
    for t in (vocab.p_partition, vocab.p_service, vocab.p_account, vocab.p_resource, vocab.p_name):
        m.consts[t] = ""
    if p.kind == "AWS":
        match = PRINCIPAL_ARN_RE.match(p.id)
        assert match is not None
        part, svc, acct, res = match.groups()
        for t, val in ((vocab.p_partition, part), (vocab.p_service, svc), (vocab.p_account, acct), (vocab.p_resource, res)):  # fmt: skip
            m.consts[t] = val
    elif p.kind != "Anonymous":
        m.consts[vocab.p_name] = p.id
    m.consts[vocab.action] = canonical_action(req.action)
    m.consts[vocab.resource] = req.resource
    for key, kv in vocab.keys.items():
        vals = req.value(key) or ()
        if len(vals) > len(kv.slots):
            raise NotRepresentable(f"{len(vals)} values of {kv.info.name} (the encoding has {len(kv.slots)})")
        m.consts[kv.present] = bool(vals)
        for i, s in enumerate(kv.slots):
            here = i < len(vals)
            m.consts[s.present] = here
            text = vals[i] if here else None
            for view, t in s.views.items():
                if t.op.value != "var":
                    continue  # derived (the string form of a Boolean)
                m.consts[t] = _parse_view(view, text)
            if s.v6 is not None:
                ip = parse_ip(text) if text is not None else None
                m.consts[s.v6] = ip is not None and ip.version == 6
    return m


def _parse_view(view: str, text: str | None) -> Any:
    """A request value in one representation; unparseable values get a placeholder.

    A placeholder is safe for cross-checking only when the evaluator rejects
    the same value, which it does (typed operators raise on unparseable values).
    """
    if view == "string":
        return text or ""
    if text is None:
        return _default(view)
    if view == "bool":
        return bool(parse_bool(text))
    if view in ("numeric", "date"):
        v = (parse_number if view == "numeric" else parse_date)(text)
        return v if v is not None else Fraction(0)
    ip = parse_ip(text)
    return int(ip) if ip is not None else 0


def printable(req: Request, policies: list[Policy]) -> Request | None:
    """`req` with non-printable characters replaced by printable ones no policy mentions.

    The replacement is injective, so equalities between request strings are
    preserved; it returns None when there are not enough unused characters.
    """
    strings = [req.principal.id, req.action, req.resource] + [
        v for vals in req.context.values() for v in vals
    ]
    odd = sorted({c for s in strings for c in s if c not in PRINTABLE})
    if not odd:
        return req
    used = {fold(c) for pol in policies for c in pol.text} | {fold(c) for s in strings for c in s}
    pool = [c for c in PRINTABLE if (c.isdigit() or c.islower()) and fold(c) not in used]
    if len(pool) < len(odd):
        return None
    table = str.maketrans(dict(zip(odd, pool)))

    def tr(s: str) -> str:
        return s.translate(table)

    ctx = {k: tuple(tr(v) for v in vals) for k, vals in req.context.items()}
    return Request(Principal(req.principal.kind, tr(req.principal.id)), tr(req.action), tr(req.resource), ctx,
                   dict(req.key_names))  # fmt: skip


def finalize(req: Request) -> Request | None:
    """Apply the request model's invariants; None when the request violates them."""
    from quod.policy.errors import PolicyError

    try:
        return normalize(req)
    except PolicyError:
        return None


__all__ = ["NotRepresentable", "finalize", "model_to_requests", "printable", "request_to_model"]
