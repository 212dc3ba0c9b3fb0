"""Access-policy analysis: IAM JSON policies, their semantics, and checkable verdicts.

    from quod.policy import load_policy, public, compare, can, request_from_json
    result = public(load_policy("bucket.json"))
    print(result.verdict, result.reason)

See docs/policy.md for the semantics and the modelling choices.
"""

from quod.policy.errors import PolicyError, UnsupportedFeature
from quod.policy.evaluate import Decision, Indeterminate, allowed, decide
from quod.policy.model import Effect, Policy, Principal, Request, Statement
from quod.policy.parse import load_policy, parse_policy
from quod.policy.patterns import Reading
from quod.policy.queries import (
    EQUIVALENT,
    INCOMPARABLE,
    LESS,
    MORE,
    NOT_PUBLIC,
    PUBLIC,
    CanResult,
    Result,
    can,
    compare,
    public,
)
from quod.policy.requests import load_request, request_from_json
from quod.policy.solve import SolveOptions

__all__ = [
    "EQUIVALENT",
    "INCOMPARABLE",
    "LESS",
    "MORE",
    "NOT_PUBLIC",
    "PUBLIC",
    "CanResult",
    "Decision",
    "Effect",
    "Indeterminate",
    "Policy",
    "PolicyError",
    "Principal",
    "Reading",
    "Request",
    "Result",
    "SolveOptions",
    "Statement",
    "UnsupportedFeature",
    "allowed",
    "can",
    "compare",
    "decide",
    "load_policy",
    "load_request",
    "parse_policy",
    "public",
    "request_from_json",
]
