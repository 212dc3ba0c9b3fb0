"""The concrete evaluator: does a policy allow a request? Plain Python, no solver.

This is the independent reference that every witness is re-checked against
before it is reported, and the ground truth for the tests of the encoding.
Semantics (IAM policy evaluation logic, one policy):

- a request is allowed iff some Allow statement matches and no Deny
  statement matches (explicit deny beats allow; the default is deny);
- a statement matches iff its principal, action, resource and every
  condition match (a missing Principal or Resource element matches all);
- condition operators: positive ones need the key present and one value
  to match; negated ones (StringNotEquals, NotIpAddress, ...) are true when
  the key is absent or no value matches; `...IfExists` is true when the key
  is absent; ForAnyValue/ForAllValues test some/every value of the request;
- a policy variable whose key is absent (and has no default) or has several
  values makes the value containing it match nothing.

A single-valued operator applied to a key with several values is not
specified by AWS: the evaluator raises `Indeterminate` instead of guessing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction

from quod.policy.chars import fold_str
from quod.policy.errors import PolicyError
from quod.policy.model import Condition, CondValue, Effect, Family, Policy, Principal, PrincipalEntry, Request
from quod.policy.patterns import Pattern, Reading, matches
from quod.policy.values import parse_bool, parse_date, parse_ip, parse_number


class Indeterminate(Exception):
    """The request's outcome depends on behaviour AWS does not specify."""


@dataclass
class Decision:
    allowed: bool
    allow: list[int] = field(default_factory=list)  # indices of matching Allow statements
    deny: list[int] = field(default_factory=list)  # indices of matching Deny statements

    def explain(self) -> str:
        if self.deny:
            return f"explicitly denied by Statement{self.deny}"
        if self.allow:
            return f"allowed by Statement{self.allow}"
        return "implicitly denied (no Allow statement matches)"


Env = dict[str, str | None]


def _env(req: Request) -> Env:
    return {k: (v[0] if len(v) == 1 else None) for k, v in req.context.items() if v}


def decide(policy: Policy, req: Request, reading: Reading = Reading.SEGMENT) -> Decision:
    """Evaluate `policy` on `req` (ARN wildcards under `reading`)."""
    env = _env(req)
    d = Decision(False)
    for st in policy.statements:
        if _statement(st, req, env, reading, policy.variables_enabled):
            (d.allow if st.effect is Effect.ALLOW else d.deny).append(st.index)
    d.allowed = bool(d.allow) and not d.deny
    return d


def allowed(policy: Policy, req: Request, reading: Reading = Reading.SEGMENT) -> bool:
    return decide(policy, req, reading).allowed


def _statement(st: object, req: Request, env: Env, reading: Reading, variables: bool) -> bool:
    from quod.policy.model import Statement

    assert isinstance(st, Statement)
    if st.principals is not None:
        hit = any(principal_matches(e, req.principal) for e in st.principals)
        if hit == st.not_principal:
            return False
    action = fold_str(req.action)
    hit = any(matches(p, action, {}, reading=None, ci=True) for p in st.actions)
    if hit == st.not_action:
        return False
    if st.resources is not None:
        hit = any(matches(p, req.resource, env, reading=reading, ci=False) for p in st.resources)
        if hit == st.not_resource:
            return False
    return all(condition_holds(c, req, env, reading) for c in st.conditions)


def principal_matches(e: PrincipalEntry, p: Principal) -> bool:
    if e.kind == "*":
        return True
    if e.kind != p.kind:
        return False
    if e.kind == "AWS":
        acct = e.account
        if acct is not None:
            return p.account == acct
        # a principal ARN matches itself; anything else (unique ids of deleted principals) nobody
        return e.arn is not None and e.value == p.id
    return e.value == p.id


def condition_holds(c: Condition, req: Request, env: Env, reading: Reading) -> bool:
    vals = req.value(c.key)
    if c.spec.family is Family.NULL:
        want_absent = {bool(v.payload) for v in c.values}
        return (vals is None) in want_absent
    one = _single(c, env, reading)
    if c.qualifier == "ForAllValues":
        return vals is None or all(one(v) for v in vals)
    if c.qualifier == "ForAnyValue":
        return (vals is None and c.if_exists) or (vals is not None and any(one(v) for v in vals))
    if vals is None:
        return c.if_exists or c.spec.negated
    if len(vals) > 1:
        raise Indeterminate(
            f"{c.path}: single-valued operator {c.operator} applied to {len(vals)} values of {c.key_text}"
        )
    return one(vals[0])


def _single(c: Condition, env: Env, reading: Reading) -> Callable[[str], bool]:
    """The operator applied to one request value (negation included)."""

    def test(v: str) -> bool:
        hit = any(_value_matches(c, cv, v, env, reading) for cv in c.values)
        return not hit if c.spec.negated else hit

    return test


def _typed(c: Condition, v: str, parse: Callable[[str], object], what: str) -> object:
    x = parse(v)
    if x is None:
        raise PolicyError(f"value {v!r} of {c.key_text} is not {what} (needed by {c.operator})",
                          f"$.context.{c.key_text}", code="Q0805")  # fmt: skip
    return x


def _compare(cmp: str, a: Fraction, b: Fraction) -> bool:
    return {"eq": a == b, "lt": a < b, "le": a <= b, "gt": a > b, "ge": a >= b}[cmp]


def _value_matches(c: Condition, cv: CondValue, v: str, env: Env, reading: Reading) -> bool:
    spec = c.spec
    fam = spec.family
    if fam is Family.STRING:
        assert isinstance(cv.payload, Pattern)
        return matches(cv.payload, v, env, reading=None, ci=spec.ci)
    if fam is Family.ARN:
        assert isinstance(cv.payload, Pattern)
        return matches(cv.payload, v, env, reading=reading, ci=False)
    if fam is Family.NUMERIC or fam is Family.DATE:
        parse = parse_number if fam is Family.NUMERIC else parse_date
        x = _typed(c, v, parse, "a number" if fam is Family.NUMERIC else "a date")
        assert isinstance(x, Fraction) and isinstance(cv.payload, Fraction)
        return _compare(spec.cmp, x, cv.payload)
    if fam is Family.BOOL:
        return _typed(c, v, parse_bool, "'true' or 'false'") == cv.payload
    if fam is Family.IP:
        ip = _typed(c, v, parse_ip, "an IP address")
        return ip in cv.payload  # type: ignore[operator]
    assert fam is Family.BINARY
    return v == cv.payload


__all__ = ["Decision", "Indeterminate", "allowed", "condition_holds", "decide", "principal_matches"]
