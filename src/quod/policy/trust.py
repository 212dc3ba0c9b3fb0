"""What `public` means: access by an outsider.

A policy is public iff it allows some request from an *outsider*:

- the principal is anonymous, or an AWS principal of an account that the
  policy never names (no 12-digit account id written anywhere in it) and that
  is not the resource's account (`aws:ResourceAccount`);
- every trust-boundary condition key the request carries has a value the
  policy does not name as a fixed (wildcard-free, variable-free) value for
  that key: organisation, account, VPC, VPC endpoint, source ARN/owner, user
  id, access point; the principal's organisation also differs from the
  resource's (`aws:ResourceOrgID`);
- a source IP lies outside every CIDR block the policy names for that key
  that is at least as narrow as /8 (IPv4) or /32 (IPv6): broader blocks are
  treated as the open internet.

This follows S3 Block Public Access ("grants access only to fixed values of
...") and IAM Access Analyzer's trust boundaries. Service, federated and
canonical-user principals are never outsiders: they are fixed identities.
Condition keys not listed here are *not* trust boundaries, so a policy that
is restricted only by, say, `aws:UserAgent` is reported public.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from quod.policy.chars import fold_str
from quod.policy.model import Family, IpNet, Policy, Request
from quod.policy.patterns import Pattern

TRUST_STRING_KEYS = frozenset(
    {
        "aws:principalaccount",
        "aws:principalarn",
        "aws:principalorgid",
        "aws:principalorgpaths",
        "aws:sourceaccount",
        "aws:sourceowner",
        "aws:sourcearn",
        "aws:sourcevpc",
        "aws:sourcevpce",
        "aws:sourceorgid",
        "aws:sourceorgpaths",
        "aws:userid",
        "kms:calleraccount",
        "s3:dataaccesspointaccount",
        "s3:dataaccesspointarn",
    }
)
TRUST_IP_KEYS = frozenset({"aws:sourceip", "aws:vpcsourceip"})
RESOURCE_ACCOUNT = "aws:resourceaccount"
RESOURCE_ORG = "aws:resourceorgid"
PRINCIPAL_ORG = "aws:principalorgid"
MIN_PREFIX = {4: 8, 6: 32}
_ACCOUNT_IN_TEXT = re.compile(r"(?<![0-9])[0-9]{12}(?![0-9])")


@dataclass
class Named:
    """The values a set of policies names: what an outsider must avoid."""

    accounts: set[str] = field(default_factory=set)
    fixed: dict[str, set[tuple[str, bool]]] = field(default_factory=dict)  # key -> {(literal, ignore_case)}
    cidrs: dict[str, list[IpNet]] = field(default_factory=dict)

    def fixed_for(self, key: str) -> set[tuple[str, bool]]:
        return self.fixed.get(key, set())


def _texts(policy: Policy) -> Iterable[str]:
    for st in policy.statements:
        for e in st.principals or ():
            yield e.value
        for p in (*st.actions, *(st.resources or ())):
            yield p.text
        for c in st.conditions:
            for v in c.values:
                yield v.text


def named_values(policies: Iterable[Policy], min_prefix: dict[int, int] | None = None) -> Named:
    limits = min_prefix or MIN_PREFIX
    n = Named()
    for pol in policies:
        for text in _texts(pol):
            n.accounts.update(_ACCOUNT_IN_TEXT.findall(text))
        for st in pol.statements:
            for c in st.conditions:
                if c.key in TRUST_STRING_KEYS and c.spec.family in (Family.STRING, Family.ARN):
                    for v in c.values:
                        assert isinstance(v.payload, Pattern)
                        if v.payload.is_fixed:
                            n.fixed.setdefault(c.key, set()).add((v.payload.literal, c.spec.ci))
                if c.key in TRUST_IP_KEYS and c.spec.family is Family.IP:
                    for v in c.values:
                        net = v.payload
                        assert isinstance(net, (ipaddress.IPv4Network, ipaddress.IPv6Network))
                        if net.prefixlen >= limits[net.version]:
                            n.cidrs.setdefault(c.key, []).append(net)
    return n


def _is_named(value: str, fixed: set[tuple[str, bool]]) -> bool:
    return any(value == lit or (ci and fold_str(value) == fold_str(lit)) for lit, ci in fixed)


def is_outsider(req: Request, named: Named) -> bool:
    """Concrete check of the outsider definition (used to re-check `public` witnesses)."""
    p = req.principal
    if p.kind not in ("Anonymous", "AWS"):
        return False
    if p.kind == "AWS":
        acct = p.account
        if acct is None or acct in named.accounts:
            return False
        if acct in (req.value(RESOURCE_ACCOUNT) or ()):
            return False
        orgs = set(req.value(PRINCIPAL_ORG) or ())
        if orgs & set(req.value(RESOURCE_ORG) or ()):
            return False
    for key, vals in req.context.items():
        if key in TRUST_STRING_KEYS and any(_is_named(v, named.fixed_for(key)) for v in vals):
            return False
        if key in TRUST_IP_KEYS:
            for v in vals:
                try:
                    ip = ipaddress.ip_address(v)
                except ValueError:
                    continue  # not an address: inside no CIDR block
                if any(ip in net for net in named.cidrs.get(key, [])):
                    return False
    return True


__all__ = [
    "MIN_PREFIX",
    "PRINCIPAL_ORG",
    "RESOURCE_ACCOUNT",
    "RESOURCE_ORG",
    "TRUST_IP_KEYS",
    "TRUST_STRING_KEYS",
    "Named",
    "is_outsider",
    "named_values",
]
