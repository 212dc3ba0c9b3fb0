"""The policy AST (what the parser produces) and the request model.

A request is what IAM decides on: a principal, an action, a resource and a
context (condition keys -> values). Keys are case-insensitive and stored
lower-cased; every key maps to a tuple of string values (single-valued keys
have one). Principals:

- Anonymous (no credentials),
- AWS: an IAM/STS principal ARN `arn:PARTITION:SERVICE::ACCOUNT:RESOURCE`
  with a 12-digit account (the account root is `...:root`),
- Service, Federated, CanonicalUser: a name.
"""

from __future__ import annotations

import enum
import ipaddress
import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Union

from quod.core.errors import Span
from quod.policy.patterns import Pattern


class Effect(enum.Enum):
    ALLOW = "Allow"
    DENY = "Deny"


PRINCIPAL_KINDS = ("Anonymous", "AWS", "Service", "Federated", "CanonicalUser")
ACCOUNT_RE = re.compile(r"^[0-9]{12}$")
PRINCIPAL_ARN_RE = re.compile(r"^arn:([^:]+):([^:]+)::([0-9]{12}):(.*)$", re.DOTALL)


@dataclass(frozen=True)
class PrincipalEntry:
    """One value of a Principal/NotPrincipal element."""

    kind: str  # "*", "AWS", "Service", "Federated", "CanonicalUser"
    value: str
    path: str = ""
    span: Span | None = None

    @property
    def account(self) -> str | None:
        """For an AWS account entry (12 digits or the account's root ARN): the account."""
        if self.kind != "AWS":
            return None
        if ACCOUNT_RE.match(self.value):
            return self.value
        m = PRINCIPAL_ARN_RE.match(self.value)
        if m and m.group(2) == "iam" and m.group(4) == "root":
            return m.group(3)
        return None

    @property
    def arn(self) -> tuple[str, str, str, str] | None:
        """For an AWS principal ARN that is not an account root: (partition, service, account, resource)."""
        if self.kind != "AWS" or self.account is not None:
            return None
        m = PRINCIPAL_ARN_RE.match(self.value)
        return (m.group(1), m.group(2), m.group(3), m.group(4)) if m else None

    @property
    def mentioned_account(self) -> str | None:
        a = self.account
        if a is not None:
            return a
        arn = self.arn
        return arn[2] if arn else None


class Family(enum.Enum):
    STRING = "String"
    NUMERIC = "Numeric"
    DATE = "Date"
    BOOL = "Bool"
    BINARY = "Binary"
    IP = "Ip"
    ARN = "Arn"
    NULL = "Null"


@dataclass(frozen=True)
class OpSpec:
    family: Family
    negated: bool = False
    like: bool = False  # wildcards allowed in values
    ci: bool = False  # ignore case
    cmp: str = "eq"  # numeric/date: eq, lt, le, gt, ge


IpNet = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]
CondPayload = Union[Pattern, Fraction, bool, IpNet, str]


@dataclass(frozen=True)
class CondValue:
    text: str
    payload: CondPayload
    path: str = ""
    span: Span | None = None


@dataclass(frozen=True)
class Condition:
    operator: str  # as written, e.g. "ForAnyValue:StringLikeIfExists"
    spec: OpSpec
    qualifier: str | None  # "ForAnyValue", "ForAllValues" or None
    if_exists: bool
    key: str  # lower-cased
    key_text: str
    values: tuple[CondValue, ...]
    path: str = ""
    span: Span | None = None


@dataclass(frozen=True)
class Statement:
    index: int
    sid: str | None
    effect: Effect
    principals: tuple[PrincipalEntry, ...] | None  # None: no Principal/NotPrincipal element
    not_principal: bool
    actions: tuple[Pattern, ...]
    not_action: bool
    resources: tuple[Pattern, ...] | None  # None: no Resource/NotResource (role trust policies)
    not_resource: bool
    conditions: tuple[Condition, ...]
    path: str = ""
    span: Span | None = None

    @property
    def label(self) -> str:
        return f"Statement[{self.index}]" + (f" ({self.sid})" if self.sid else "")


@dataclass(frozen=True)
class Policy:
    statements: tuple[Statement, ...]
    version: str | None = None
    id: str | None = None
    source: str = "<policy>"
    text: str = ""

    @property
    def variables_enabled(self) -> bool:
        return self.version == "2012-10-17"

    @property
    def is_identity_policy(self) -> bool:
        return all(s.principals is None for s in self.statements)


# -- requests -----------------------------------------------------------------


@dataclass(frozen=True)
class Principal:
    kind: str  # one of PRINCIPAL_KINDS
    id: str = ""  # AWS: principal ARN; Service/Federated/CanonicalUser: the name

    @property
    def account(self) -> str | None:
        if self.kind != "AWS":
            return None
        m = PRINCIPAL_ARN_RE.match(self.id)
        return m.group(3) if m else None

    def to_json(self) -> object:
        if self.kind == "Anonymous":
            return "anonymous"
        return {self.kind: self.id}


@dataclass(frozen=True)
class Request:
    principal: Principal
    action: str
    resource: str
    context: dict[str, tuple[str, ...]] = field(default_factory=dict)
    key_names: dict[str, str] = field(default_factory=dict)  # lower-cased key -> spelling to print

    def value(self, key: str) -> tuple[str, ...] | None:
        v = self.context.get(key.lower())
        return v if v else None

    def to_json(self) -> dict[str, object]:
        ctx: dict[str, object] = {}
        for k in sorted(self.context):
            vals = self.context[k]
            ctx[self.key_names.get(k, k)] = vals[0] if len(vals) == 1 else list(vals)
        return {
            "principal": self.principal.to_json(),
            "action": self.action,
            "resource": self.resource,
            "context": ctx,
        }


__all__ = [
    "ACCOUNT_RE",
    "PRINCIPAL_ARN_RE",
    "PRINCIPAL_KINDS",
    "CondPayload",
    "CondValue",
    "Condition",
    "Effect",
    "Family",
    "IpNet",
    "OpSpec",
    "Policy",
    "Principal",
    "PrincipalEntry",
    "Request",
    "Statement",
]
