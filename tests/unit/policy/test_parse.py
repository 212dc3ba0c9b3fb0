"""Parser: every element and operator, and precise errors (JSON path + position + code)."""

from __future__ import annotations

import json

import pytest

from quod.core.errors import QuodError
from quod.policy.model import Effect, Family
from quod.policy.parse import OPERATORS, parse_policy
from quod.policy.patterns import ONE, STAR, Lit, Var


def pol(*statements: dict, version: str = "2012-10-17") -> str:
    return json.dumps({"Version": version, "Statement": list(statements)})


def err(text: str) -> QuodError:
    with pytest.raises(QuodError) as e:
        parse_policy(text, "p.json")
    return e.value


def test_single_statement_object_and_all_elements() -> None:
    p = parse_policy(
        json.dumps(
            {
                "Version": "2012-10-17",
                "Id": "x",
                "Statement": {
                    "Sid": "s1",
                    "Effect": "Deny",
                    "NotPrincipal": {"AWS": ["111122223333", "arn:aws:iam::111122223333:user/a"]},
                    "NotAction": "s3:Get*",
                    "NotResource": ["arn:aws:s3:::b/*"],
                    "Condition": {"ForAnyValue:StringLikeIfExists": {"aws:TagKeys": ["a*", "b?"]}},
                },
            }
        )
    )
    (st,) = p.statements
    assert st.effect is Effect.DENY and st.sid == "s1" and p.id == "x"
    assert st.not_principal and st.not_action and st.not_resource
    assert [e.account for e in st.principals or ()] == ["111122223333", None]
    assert st.principals is not None and st.principals[1].arn == ("aws", "iam", "111122223333", "user/a")
    (c,) = st.conditions
    assert c.qualifier == "ForAnyValue" and c.if_exists and c.key == "aws:tagkeys" and c.spec.like
    assert [v.payload.pieces for v in c.values] == [(Lit("a"), STAR), (Lit("b"), ONE)]  # type: ignore[union-attr]


@pytest.mark.parametrize("op", sorted(OPERATORS))
def test_every_operator_parses(op: str) -> None:
    value = {
        Family.NUMERIC: "10",
        Family.DATE: "2020-01-01T00:00:00Z",
        Family.BOOL: "true",
        Family.NULL: "false",
        Family.IP: "10.0.0.0/8",
    }.get(OPERATORS[op].family, "abc")
    ops = [op] if OPERATORS[op].family is Family.NULL else [op, op + "IfExists", "ForAllValues:" + op]
    for o in ops:
        p = parse_policy(
            pol({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {o: {"k:x": value}}})
        )
        assert p.statements[0].conditions[0].operator == o


def test_variables_only_in_2012_version() -> None:
    st = {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/${aws:username}/*"}
    p = parse_policy(pol(st))
    pieces = p.statements[0].resources[0].pieces  # type: ignore[index]
    assert pieces[1] == Var("aws:username", "aws:username")
    old = parse_policy(pol(st, version="2008-10-17"))
    assert old.statements[0].resources[0].is_fixed is False  # '*' is still a wildcard
    assert all(not isinstance(x, Var) for x in old.statements[0].resources[0].pieces)  # type: ignore[index]


def test_special_variables_and_defaults() -> None:
    st = {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/${*}${?}${$}/${aws:x, 'd''q'}"}
    pieces = parse_policy(pol(st)).statements[0].resources[0].pieces  # type: ignore[index]
    assert pieces == (Lit("arn:aws:s3:::b/*?$/"), Var("aws:x", "aws:x", "d'q"))


def test_trust_policy_without_resource() -> None:
    st = {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
    assert parse_policy(pol(st)).statements[0].resources is None


@pytest.mark.parametrize(
    ("doc", "path", "code", "words"),
    [
        ("{", "$", "Q0801", "end of input"),
        ('{"Statement": [], "Statement": []}', "$.Statement", "Q0801", "duplicate key"),
        (
            '{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*",}]}',
            "$.Statement[0]",
            "Q0801",
            "expected",
        ),
        ('{"Statment": []}', "$.Statment", "Q0802", "did you mean 'Statement'"),
        ('{"Version": "2012-10-18", "Statement": []}', "$.Version", "Q0803", "version"),
        (
            '{"Statement": [{"Effect": "allow", "Action": "*", "Resource": "*"}]}',
            "$.Statement[0].Effect",
            "Q0803",
            "Allow",
        ),
        ('{"Statement": [{"Effect": "Allow", "Resource": "*"}]}', "$.Statement[0]", "Q0802", "Action"),
        ('{"Statement": [{"Effect": "Allow", "Action": "*"}]}', "$.Statement[0]", "Q0802", "Resource"),
        (
            '{"Statement": [{"Effect": "Allow", "Action": "s3", "Resource": "*"}]}',
            "$.Statement[0].Action",
            "Q0803",
            "service:action",
        ),
        (
            '{"Statement": [{"Effect": "Allow", "Action": ["*", 3], "Resource": "*"}]}',
            "$.Statement[0].Action[1]",
            "Q0802",
            "strings",
        ),
        (
            '{"Statement": [{"Effect": "Allow", "Action": [], "Resource": "*"}]}',
            "$.Statement[0].Action",
            "Q0802",
            "empty",
        ),
        (
            '{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "bucket"}]}',
            "$.Statement[0].Resource",
            "Q0803",
            "ARN",
        ),
        (
            '{"Statement": [{"Effect": "Allow", "Action": "*", "NotAction": "*", "Resource": "*"}]}',
            "$.Statement[0]",
            "Q0802",
            "both",
        ),
        (
            '{"Statement": [{"Effect": "Allow", "Principal": ["*aine"], "Action": "*", "Resource": "*"}]}',
            "$.Statement[0].Principal",
            "Q0802",
            "object",
        ),
        (
            '{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:user/*"}, "Action": "*", "Resource": "*"}]}',
            "$.Statement[0].Principal.AWS",
            "Q0803",
            "wildcards",
        ),
        (
            '{"Statement": [{"Effect": "Allow", "Principal": {"Aws": "*"}, "Action": "*", "Resource": "*"}]}',
            "$.Statement[0].Principal.Aws",
            "Q0802",
            "did you mean 'AWS'",
        ),
        (
            '{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringLikes": {"k": "v"}}}]}',
            "$.Statement[0].Condition.StringLikes",
            "Q0803",
            "did you mean 'StringLike'",
        ),
        (
            '{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"ForSomeValue:StringLike": {"k": "v"}}}]}',
            '$.Statement[0].Condition["ForSomeValue:StringLike"]',
            "Q0803",
            "set operator",
        ),
        (
            '{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"NumericLessThan": {"k": "ten"}}}]}',
            "$.Statement[0].Condition.NumericLessThan.k",
            "Q0803",
            "number",
        ),
        (
            '{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"DateLessThan": {"k": "2020-13-01"}}}]}',
            "$.Statement[0].Condition.DateLessThan.k",
            "Q0803",
            "date",
        ),
        (
            '{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"IpAddress": {"k": "10.0.0.300/8"}}}]}',
            "$.Statement[0].Condition.IpAddress.k",
            "Q0803",
            "CIDR",
        ),
        (
            '{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Bool": {"k": "yes"}}}]}',
            "$.Statement[0].Condition.Bool.k",
            "Q0803",
            "true",
        ),
        (
            '{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"NullIfExists": {"k": "true"}}}]}',
            "$.Statement[0].Condition.NullIfExists",
            "Q0803",
            "Null",
        ),
        (
            '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "arn:${aws:x"}]}',
            "$.Statement[0].Resource",
            "Q0803",
            "unterminated",
        ),
        (
            '{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringLike": {"k": [{}]}}}]}',
            "$.Statement[0].Condition.StringLike.k[0]",
            "Q0802",
            "strings, numbers",
        ),
    ],
)
def test_errors_name_the_path_position_and_code(doc: str, path: str, code: str, words: str) -> None:
    e = err(doc)
    assert e.diagnostic.code == code
    assert e.message.startswith(path + ":"), e.message
    assert words.lower() in e.message.lower()
    assert e.span is not None and e.span.file == "p.json" and e.span.line >= 1
    assert "\n" not in e.diagnostic.render()


def test_error_position_is_the_offending_value() -> None:
    text = '{\n  "Statement": [\n    {"Effect": "Allow", "Action": "*",\n     "Resource": "nope"}]}'
    e = err(text)
    assert e.span is not None and (e.span.line, e.span.col) == (4, 18)
