"""Ground truth by enumeration: concrete requests built from a policy's own literals.

For small policies, `sample_requests` draws requests whose principal,
action, resource and context values are instances of the patterns and
values the policies mention (wildcards filled with short strings, numbers
and dates nudged across their boundaries, addresses at the edges of the
CIDR blocks, fresh values the policies never name). The concrete evaluator
decides each; an `unsat` answer from the solvers must never be contradicted.
"""

from __future__ import annotations

import ipaddress
import random
import re
from fractions import Fraction
from typing import Any

from quod.policy.model import Family, Policy
from quod.policy.patterns import Lit, One, Pattern, Star, Var
from quod.policy.values import format_date, format_number

FILLS = ["", "x", "a:b", "example"]
LINKED = ("aws:principalaccount", "aws:principalarn")


def _instances(p: Pattern, rng: random.Random, names: list[str]) -> list[str]:
    outs = []
    for _ in range(4):
        s = []
        for x in p.pieces:
            if isinstance(x, Lit):
                s.append(x.text)
            elif isinstance(x, Star):
                s.append(rng.choice(FILLS))
            elif isinstance(x, One):
                s.append(rng.choice(["x", ":", "Z"]))
            elif isinstance(x, Var):
                s.append(rng.choice(names))
        outs.append("".join(s))
    return outs


def _key_values(policies: list[Policy], rng: random.Random) -> dict[str, list[Any]]:
    vals: dict[str, list[Any]] = {}
    names = ["bob", "alice"]
    for pol in policies:
        for st in pol.statements:
            for c in st.conditions:
                out = vals.setdefault(c.key, [])
                for v in c.values:
                    pay = v.payload
                    if isinstance(pay, Pattern):
                        out += _instances(pay, rng, names) + [v.text.upper(), "fresh-value"]
                    elif c.spec.family is Family.NUMERIC and isinstance(pay, Fraction):
                        out += [format_number(pay + d) for d in (Fraction(-1, 2), 0, Fraction(1, 2))]
                    elif c.spec.family is Family.DATE and isinstance(pay, Fraction):
                        out += [format_date(pay + d) for d in (Fraction(-1, 2), 0, Fraction(1, 2))]
                    elif c.spec.family is Family.BOOL or c.spec.family is Family.NULL:
                        out += ["true", "false"]
                    elif c.spec.family is Family.IP and isinstance(
                        pay, (ipaddress.IPv4Network, ipaddress.IPv6Network)
                    ):
                        lo, hi = int(pay.network_address), int(pay.broadcast_address)
                        cls = ipaddress.IPv4Address if pay.version == 4 else ipaddress.IPv6Address
                        top = (1 << (32 if pay.version == 4 else 128)) - 1
                        out += [str(cls(max(0, min(top, x)))) for x in (lo - 1, lo, hi, hi + 1)]
                    else:
                        out.append(v.text)
    vals.setdefault("aws:username", []).extend(names)
    return vals


def sample_requests(policies: list[Policy], n: int = 400, seed: int = 0) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    accounts = {"999988887777"} | {a for p in policies for a in re.findall(r"[0-9]{12}", p.text)}
    principals: list[Any] = ["anonymous"]
    for pol in policies:
        for st in pol.statements:
            for e in st.principals or ():
                if e.kind == "AWS":
                    acct = e.mentioned_account
                    if acct:
                        accounts.add(acct)
                    if e.arn is not None:
                        principals.append({"AWS": e.value})
                elif e.kind != "*":
                    principals.append({e.kind: e.value})
    for a in sorted(accounts):
        principals += [{"AWS": f"arn:aws:iam::{a}:user/u"}, {"AWS": f"arn:aws:sts::{a}:assumed-role/R/s"}]
    actions, resources = ["s3:GetObject", "iam:CreateUser"], ["arn:aws:s3:::other/x"]
    for pol in policies:
        for st in pol.statements:
            for p in st.actions:
                actions += [
                    a for a in _instances(p, rng, ["x"]) if a.count(":") == 1 and not a.startswith(":")
                ]
            for p in st.resources or ():
                resources += _instances(p, rng, ["bob", "alice"])
    actions = [a for a in actions if a.split(":")[1]]
    keys = _key_values(policies, rng)
    for pol in policies:  # keys referenced by policy variables
        for st in pol.statements:
            pats = [*(st.resources or ()), *(v.payload for c in st.conditions for v in c.values)]
            for p in pats:
                if isinstance(p, Pattern):
                    for var in p.variables:
                        keys.setdefault(var.key, []).extend(["bob", *sorted(accounts)])
    out = []
    for _ in range(n):
        ctx: dict[str, Any] = {}
        for k, vs in keys.items():
            if k in LINKED:
                continue  # the request model derives them from the principal
            if vs and rng.random() < 0.6:
                if k in ("aws:tagkeys", "aws:principalorgpaths"):
                    ctx[k] = rng.sample(vs, min(len(vs), rng.randint(1, 3)))
                else:
                    ctx[k] = rng.choice(vs)
        out.append({
            "principal": rng.choice(principals),
            "action": rng.choice(actions),
            "resource": rng.choice(resources),
            "context": ctx,
        })  # fmt: skip
    return out


__all__ = ["sample_requests"]
