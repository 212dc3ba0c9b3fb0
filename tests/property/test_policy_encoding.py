"""The solver encoding of policies means what the concrete evaluator means.

For random policies (every operator family, set operators, IfExists,
NotAction/NotResource/NotPrincipal, policy variables, ARN wildcards) and
random concrete requests, the encoding evaluated by quod's core evaluator
(no solver) under the request's assignment must give the evaluator's
decision, under both readings of ARN wildcards; the request must satisfy the
encoded request space (`domain`), otherwise the encoding would leave out real
requests and an `unsat` could be wrong; and the symbolic outsider predicate
must agree with the concrete one.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quod.core.evaluate import Undetermined, evaluate
from quod.policy.encode import Encoder, Vocabulary
from quod.policy.errors import UnsupportedFeature
from quod.policy.evaluate import Indeterminate, decide
from quod.policy.parse import parse_policy
from quod.policy.patterns import Reading
from quod.policy.queries import PUBLIC_EXTRA_KEYS, outsider_term
from quod.policy.requests import request_from_json
from quod.policy.schema import Schema
from quod.policy.trust import is_outsider, named_values
from quod.policy.witness import NotRepresentable, request_to_model

ACTION_PATTERNS = ["*", "s3:*", "s3:Get*", "s3:?etObject", "S3:PUT*", "iam:CreateUser", "iam:*User", "ec2:*"]
ACTIONS = ["s3:GetObject", "s3:getobject", "S3:PutObject", "s3:LetObject", "iam:CreateUser", "iam:deleteuser", "ec2:RunInstances", "sqs:SendMessage"]  # fmt: skip
RESOURCE_PATTERNS = [
    "*", "arn:aws:s3:::b/*", "arn:aws:s3:::b/a*b", "arn:aws:s3:::b/?", "arn:aws:s3:::${aws:username}/*",
    "arn:aws:logs:*:111122223333:log-group:*:x", "arn:aws:s3:::b", "arn:aws:s3:::${aws:username, 'dflt'}",
]  # fmt: skip
RESOURCES = [
    "arn:aws:s3:::b/k", "arn:aws:s3:::b/ab", "arn:aws:s3:::b/a:x:b", "arn:aws:s3:::b/c", "arn:aws:s3:::bob/f",
    "arn:aws:s3:::dflt", "arn:aws:logs:eu:111122223333:log-group:g:x", "arn:aws:logs:eu:111122223333:log-group:g:h:x",
    "arn:aws:s3:::b", "",
]  # fmt: skip
PRINCIPAL_VALUES: list[Any] = [
    "*", {"AWS": "*"}, {"AWS": "111122223333"}, {"AWS": "arn:aws:iam::111122223333:user/alice"},
    {"AWS": "arn:aws:iam::444455556666:root"}, {"Service": "lambda.amazonaws.com"}, {"AWS": "AIDAEXAMPLEID"},
    {"Federated": "cognito-identity.amazonaws.com"},
]  # fmt: skip
PRINCIPALS: list[Any] = [
    "anonymous", {"AWS": "arn:aws:iam::111122223333:user/alice"}, {"AWS": "arn:aws:iam::111122223333:user/bob"},
    {"AWS": "arn:aws:sts::444455556666:assumed-role/R/s"}, {"AWS": "999988887777"},
    {"Service": "lambda.amazonaws.com"}, {"Federated": "cognito-identity.amazonaws.com"},
]  # fmt: skip

STRING_OPS = ["StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
              "StringLike", "StringNotLike"]  # fmt: skip
CONDITIONS: dict[str, tuple[list[str], list[list[str]]]] = {
    # key: (operators, candidate value lists)
    "k:s": (STRING_OPS, [["a"], ["A", "b"], ["a*"], ["?"], ["${aws:username}"], ["x${aws:username}*"]]),
    "aws:username": (["StringEquals", "StringLike", "StringNotLike"], [["bob"], ["b*"]]),
    "k:n": (["NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals",
             "NumericGreaterThan", "NumericGreaterThanEquals"], [["1"], ["2.5", "3"]]),
    "k:d": (["DateEquals", "DateLessThan", "DateGreaterThanEquals", "DateNotEquals"],
            [["2020-01-01T00:00:00Z"], ["1577836800.5"]]),
    "k:b": (["Bool"], [["true"], ["false"]]),
    "aws:sourceip": (["IpAddress", "NotIpAddress"], [["10.0.0.0/8"], ["2001:db8::/32", "192.0.2.7"]]),
    "k:arn": (["ArnLike", "ArnEquals", "ArnNotLike"], [["arn:aws:sns:*:1:t*"], ["arn:aws:sns:r:*:t"]]),
    "aws:tagkeys": (["ForAnyValue:StringEquals", "ForAllValues:StringLike", "ForAnyValue:StringNotEquals",
                     "ForAllValues:StringEquals", "StringEquals"], [["a"], ["a", "b*"]]),
    "aws:principalaccount": (["StringEquals", "StringNotEquals"], [["111122223333"]]),
    "aws:principalorgid": (["StringEquals"], [["o-1"]]),
    "aws:resourceaccount": (["StringEquals"], [["${aws:PrincipalAccount}"]]),
    "k:mixed": (["Bool", "StringEquals"], [["true"]]),
}  # fmt: skip
CONTEXT_VALUES: dict[str, list[Any]] = {
    "k:s": ["a", "A", "b", "ax", "", "bob", "xbobz"],
    "aws:username": ["bob", "amy"],
    "k:n": ["1", "2.5", "3", "-1", "1.0"],
    "k:d": ["2020-01-01T00:00:00Z", "2019-12-31", "1577836800.5", "2021-06-01T12:00:00+02:00"],
    "k:b": ["true", "false", "True"],
    "aws:sourceip": ["10.1.2.3", "192.0.2.7", "2001:db8::1", "::1"],
    "k:arn": ["arn:aws:sns:r:1:topic", "arn:aws:sns:r:2:t", "arn:aws:sns:r:1:a:b"],
    "aws:tagkeys": [["a"], ["a", "bc"], ["c"], [], ["b", "c", "a"]],
    "aws:principalorgid": ["o-1", "o-2"],
    "aws:resourceaccount": ["111122223333", "444455556666"],
    "k:mixed": ["true", "false"],
}


@st.composite
def statements(draw: Any) -> dict[str, Any]:
    s: dict[str, Any] = {"Effect": draw(st.sampled_from(["Allow", "Allow", "Deny"]))}
    acts = draw(st.lists(st.sampled_from(ACTION_PATTERNS), min_size=1, max_size=3))
    s["NotAction" if draw(st.booleans()) and draw(st.booleans()) else "Action"] = acts
    if draw(st.integers(0, 4)):
        res = draw(st.lists(st.sampled_from(RESOURCE_PATTERNS), min_size=1, max_size=2))
        s["NotResource" if draw(st.integers(0, 4)) == 0 else "Resource"] = res
    if draw(st.booleans()):
        vals = draw(st.lists(st.sampled_from(PRINCIPAL_VALUES), min_size=1, max_size=2))
        merged: dict[str, list[str]] = {}
        star = False
        for v in vals:
            if v == "*":
                star = True
            else:
                for k, x in v.items():
                    merged.setdefault(k, []).append(x)
        s["NotPrincipal" if draw(st.integers(0, 4)) == 0 else "Principal"] = "*" if star else merged
    elif "Resource" not in s and "NotResource" not in s:
        s["Resource"] = "*"
    cond: dict[str, dict[str, list[str]]] = {}
    for key in draw(st.lists(st.sampled_from(sorted(CONDITIONS)), max_size=3, unique=True)):
        ops, values = CONDITIONS[key]
        op = draw(st.sampled_from(ops))
        if draw(st.integers(0, 3)) == 0 and not op.startswith("For"):
            op += "IfExists"
        cond.setdefault(op, {})[key] = draw(st.sampled_from(values))
    if draw(st.integers(0, 5)) == 0:
        cond["Null"] = {
            draw(st.sampled_from(sorted(CONTEXT_VALUES))): draw(st.sampled_from(["true", "false"]))
        }
    if cond:
        s["Condition"] = cond
    return s


@st.composite
def requests(draw: Any) -> dict[str, Any]:
    ctx = {}
    for key in draw(st.lists(st.sampled_from(sorted(CONTEXT_VALUES)), max_size=5, unique=True)):
        v = draw(st.sampled_from(CONTEXT_VALUES[key]))
        if v != []:
            ctx[key] = v
    return {
        "principal": draw(st.sampled_from(PRINCIPALS)),
        "action": draw(st.sampled_from(ACTIONS)),
        "resource": draw(st.sampled_from(RESOURCES)),
        "context": ctx,
    }


def _policy(stmts: list[dict[str, Any]]) -> Any:
    return parse_policy(json.dumps({"Version": "2012-10-17", "Statement": stmts}))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(statements(), min_size=1, max_size=3), st.lists(requests(), min_size=1, max_size=4))
def test_encoding_agrees_with_evaluator(stmts: list[dict[str, Any]], reqs: list[dict[str, Any]]) -> None:
    pol = _policy(stmts)
    vocab = Vocabulary(Schema.of([pol], PUBLIC_EXTRA_KEYS))
    named = named_values([pol])
    outsider = outsider_term(vocab, named)
    for reading in (Reading.SEGMENT, Reading.GLOB):
        enc = Encoder(vocab, reading)
        try:
            f = enc.allowed(pol)
        except UnsupportedFeature:
            return  # documented limitation: such queries answer unknown
        for raw in reqs:
            try:
                req = request_from_json(raw)
            except Exception:  # linked-key conflicts etc.: not a request of the model
                continue
            try:
                expected = decide(pol, req, reading).allowed
            except Indeterminate:
                continue
            try:
                model = request_to_model(vocab, req)
            except NotRepresentable:
                continue
            for d in vocab.domain():
                assert evaluate(d, model.copy(), complete=False) is True, (d, raw)
            try:
                got = evaluate(f, model.copy(), complete=False)
            except Undetermined:
                continue  # only the left-open case of a single-valued operator on several values
            assert got is expected, (json.dumps(stmts), raw, reading)
            assert evaluate(outsider, model.copy(), complete=False) is is_outsider(req, named), (stmts, raw)
