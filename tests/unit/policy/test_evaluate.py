"""Concrete evaluator: IAM semantics on hand-checked cases."""

from __future__ import annotations

import json
from typing import Any

import pytest

from quod.core.errors import QuodError
from quod.policy.evaluate import Indeterminate, decide
from quod.policy.parse import parse_policy
from quod.policy.patterns import Reading
from quod.policy.requests import request_from_json

ALICE = {"AWS": "arn:aws:iam::111122223333:user/alice"}


def pol(*statements: dict[str, Any]) -> Any:
    return parse_policy(json.dumps({"Version": "2012-10-17", "Statement": list(statements)}))


def req(
    action: str = "s3:GetObject", resource: str = "arn:aws:s3:::b/k", principal: Any = "anonymous", **ctx: Any
) -> Any:
    return request_from_json({"principal": principal, "action": action, "resource": resource, "context": ctx})


def _st(effect: str, kw: dict[str, Any]) -> dict[str, Any]:
    st: dict[str, Any] = {"Effect": effect}
    if "NotAction" not in kw:
        st["Action"] = "*"
    if "NotResource" not in kw:
        st["Resource"] = "*"
    return {**st, **kw}


def allow(**kw: Any) -> dict[str, Any]:
    return _st("Allow", kw)


def deny(**kw: Any) -> dict[str, Any]:
    return _st("Deny", kw)


def test_default_deny_allow_and_explicit_deny_wins() -> None:
    assert not decide(pol(), req()).allowed
    assert decide(pol(allow()), req()).allowed
    d = decide(pol(allow(), deny(Action="s3:Get*")), req())
    assert not d.allowed and d.deny == [1] and "explicitly denied" in d.explain()


def test_actions_are_case_insensitive_with_wildcards() -> None:
    p = pol(allow(Action=["S3:get*", "ec2:Describe?nstances"]))
    assert decide(p, req("s3:GETOBJECT")).allowed
    assert decide(p, req("EC2:DescribeInstances")).allowed
    assert not decide(p, req("ec2:DescribeXXnstances")).allowed


def test_not_action_with_allow_allows_everything_else() -> None:
    p = pol({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})
    assert decide(p, req("s3:PutObject")).allowed
    assert not decide(p, req("IAM:CreateUser")).allowed


def test_overlapping_deny_with_not_resource() -> None:
    p = pol(allow(Action="s3:*"), deny(Action="s3:Delete*", NotResource="arn:aws:s3:::b/tmp/*"))
    assert decide(p, req("s3:DeleteObject", "arn:aws:s3:::b/tmp/x")).allowed
    assert not decide(p, req("s3:DeleteObject", "arn:aws:s3:::b/keep")).allowed


def test_resource_wildcard_in_the_middle_and_readings() -> None:
    p = pol(allow(Resource="arn:aws:logs:*:111122223333:log-group:*:log-stream:x"))
    r = req(resource="arn:aws:logs:us-east-1:111122223333:log-group:g:log-stream:x")
    assert decide(p, r, Reading.SEGMENT).allowed and decide(p, r, Reading.GLOB).allowed
    # a '*' inside a segment crosses ':' only under the glob reading
    odd = req(resource="arn:aws:logs:us-east-1:111122223333:log-group:a:b:log-stream:x")
    assert decide(p, odd, Reading.GLOB).allowed and not decide(p, odd, Reading.SEGMENT).allowed
    # a trailing '*' crosses ':' under both
    q = pol(allow(Resource="arn:aws:s3:::b/*"))
    assert decide(q, req(resource="arn:aws:s3:::b/a:b:c"), Reading.SEGMENT).allowed


def test_principals() -> None:
    p = pol(allow(Principal={"AWS": "111122223333"}))
    assert decide(p, req(principal=ALICE)).allowed
    assert not decide(p, req(principal={"AWS": "arn:aws:iam::444455556666:root"})).allowed
    assert not decide(p, req()).allowed
    star = pol(allow(Principal="*"))
    assert decide(star, req()).allowed
    svc = pol(allow(Principal={"Service": "lambda.amazonaws.com"}))
    assert decide(svc, req(principal={"Service": "lambda.amazonaws.com"})).allowed
    assert not decide(svc, req(principal=ALICE)).allowed
    notp = pol(allow(NotPrincipal={"AWS": "arn:aws:iam::111122223333:user/alice"}))
    assert not decide(notp, req(principal=ALICE)).allowed
    assert decide(notp, req()).allowed
    deleted = pol(allow(Principal={"AWS": "AIDAJQABLZS4A3QDU576Q"}))
    assert not decide(deleted, req(principal=ALICE)).allowed


@pytest.mark.parametrize(
    ("cond", "ctx", "expected"),
    [
        ({"StringEquals": {"aws:username": "bob"}}, {"aws:username": "bob"}, True),
        ({"StringEquals": {"aws:username": "bob"}}, {"aws:username": "Bob"}, False),
        ({"StringEquals": {"aws:username": "bob"}}, {}, False),
        ({"StringEqualsIfExists": {"aws:username": "bob"}}, {}, True),
        ({"StringNotEquals": {"aws:username": "bob"}}, {}, True),
        ({"StringNotEquals": {"aws:username": ["bob", "amy"]}}, {"aws:username": "amy"}, False),
        ({"StringEqualsIgnoreCase": {"aws:username": "BOB"}}, {"aws:username": "bOb"}, True),
        ({"StringLike": {"s3:prefix": "home/*"}}, {"s3:prefix": "home/x/y"}, True),
        ({"StringNotLike": {"s3:prefix": "home/?"}}, {"s3:prefix": "home/xy"}, True),
        ({"NumericLessThan": {"s3:max-keys": "10"}}, {"s3:max-keys": "9.5"}, True),
        ({"NumericGreaterThanEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "9.5"}, False),
        ({"NumericNotEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "10.0"}, False),
        (
            {"DateLessThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}},
            {"aws:CurrentTime": "2019-12-31T23:59:59Z"},
            True,
        ),
        ({"DateGreaterThan": {"aws:CurrentTime": "2020-01-01"}}, {"aws:CurrentTime": "1577836801"}, True),
        (
            {"DateEquals": {"aws:CurrentTime": "2020-01-01T01:00:00+01:00"}},
            {"aws:CurrentTime": "2020-01-01T00:00:00Z"},
            True,
        ),
        ({"Bool": {"aws:SecureTransport": "false"}}, {"aws:SecureTransport": "FALSE"}, True),
        ({"Bool": {"aws:SecureTransport": "false"}}, {}, False),
        ({"BinaryEquals": {"k:b": "QmluYXJ5"}}, {"k:b": "QmluYXJ5"}, True),
        ({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {"aws:SourceIp": "203.0.113.9"}, True),
        ({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {"aws:SourceIp": "2001:db8::1"}, False),
        ({"NotIpAddress": {"aws:SourceIp": "2001:db8::/32"}}, {"aws:SourceIp": "2001:db8::1"}, False),
        ({"NotIpAddress": {"aws:SourceIp": "2001:db8::/32"}}, {}, True),
        (
            {"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:111122223333:t*"}},
            {"aws:SourceArn": "arn:aws:sns:eu-west-1:111122223333:topic"},
            True,
        ),
        (
            {"ArnNotEquals": {"aws:SourceArn": "arn:aws:sns:*:*:t"}},
            {"aws:SourceArn": "arn:aws:sns:r:1:t"},
            False,
        ),
        ({"Null": {"aws:TokenIssueTime": "true"}}, {}, True),
        ({"Null": {"aws:TokenIssueTime": "false"}}, {}, False),
        ({"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"]}}, {}, True),
        ({"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"]}}, {"aws:TagKeys": ["a", "c"]}, False),
        ({"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"]}}, {"aws:TagKeys": ["b", "a"]}, True),
        ({"ForAnyValue:StringEquals": {"aws:TagKeys": ["a", "b"]}}, {"aws:TagKeys": ["x", "a"]}, True),
        ({"ForAnyValue:StringEquals": {"aws:TagKeys": ["a", "b"]}}, {}, False),
        ({"ForAnyValue:StringEqualsIfExists": {"aws:TagKeys": ["a"]}}, {}, True),
        ({"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["a"]}}, {"aws:TagKeys": ["a", "z"]}, True),
        (
            {"StringEquals": {"aws:ResourceAccount": "${aws:PrincipalAccount}"}},
            {"aws:ResourceAccount": "111122223333"},
            True,
        ),
        ({"StringLike": {"s3:prefix": "${aws:username}/*"}}, {"s3:prefix": "bob/x"}, False),
        ({"StringLike": {"s3:prefix": "${aws:username, 'anon'}/*"}}, {"s3:prefix": "anon/x"}, True),
    ],
)
def test_condition_operators(cond: dict[str, Any], ctx: dict[str, Any], expected: bool) -> None:
    assert decide(pol(allow(Condition=cond)), req(principal=ALICE, **ctx)).allowed is expected


def test_multiple_blocks_and_keys_are_conjunctive() -> None:
    p = pol(allow(Condition={"StringEquals": {"a:x": "1", "a:y": "2"}, "Bool": {"a:z": "true"}}))
    assert decide(p, req(**{"a:x": "1", "a:y": "2", "a:z": "true"})).allowed
    assert not decide(p, req(**{"a:x": "1", "a:y": "3", "a:z": "true"})).allowed


def test_single_valued_operator_on_several_values_is_indeterminate() -> None:
    p = pol(allow(Condition={"StringEquals": {"aws:TagKeys": "a"}}))
    with pytest.raises(Indeterminate):
        decide(p, req(**{"aws:TagKeys": ["a", "b"]}))


def test_policy_variable_in_resource() -> None:
    p = pol(allow(Resource="arn:aws:s3:::home/${aws:username}/*"))
    assert decide(
        p, req(resource="arn:aws:s3:::home/bob/f", principal=ALICE, **{"aws:username": "bob"})
    ).allowed
    assert not decide(
        p, req(resource="arn:aws:s3:::home/amy/f", principal=ALICE, **{"aws:username": "bob"})
    ).allowed
    assert not decide(p, req(resource="arn:aws:s3:::home/bob/f", principal=ALICE)).allowed


def test_typed_value_errors_are_clear() -> None:
    p = pol(allow(Condition={"NumericLessThan": {"s3:max-keys": "10"}}))
    with pytest.raises(QuodError) as e:
        decide(p, req(**{"s3:max-keys": "many"}))
    assert e.value.diagnostic.code == "Q0805" and "s3:max-keys" in e.value.message


@pytest.mark.parametrize(
    ("request_json", "words"),
    [
        ({"principal": "anonymous", "action": "s3 GetObject", "resource": "x"}, "action"),
        ({"principal": {"AWS": "bob"}, "action": "s3:x", "resource": "x"}, "12-digit"),
        (
            {
                "principal": "anonymous",
                "action": "s3:x",
                "resource": "x",
                "context": {"aws:PrincipalAccount": "1"},
            },
            "anonymous",
        ),
        (
            {
                "principal": ALICE,
                "action": "s3:x",
                "resource": "x",
                "context": {"aws:PrincipalAccount": "444455556666"},
            },
            "match",
        ),
        ({"principal": "anonymous", "action": "s3:x"}, "resource"),
        ({"principal": "anonymous", "action": "s3:x", "resource": "x", "extra": 1}, "unknown"),
    ],
)
def test_bad_requests(request_json: dict[str, Any], words: str) -> None:
    with pytest.raises(QuodError) as e:
        request_from_json(request_json)
    assert e.value.diagnostic.code == "Q0805" and words in e.value.message


def test_linked_keys_are_filled_in() -> None:
    r = req(principal={"AWS": "arn:aws:sts::111122223333:assumed-role/Admin/session"})
    assert r.value("aws:PrincipalAccount") == ("111122223333",)
    assert r.value("aws:PrincipalArn") == ("arn:aws:iam::111122223333:role/Admin",)
