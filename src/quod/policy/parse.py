"""IAM JSON policy documents -> `Policy` ASTs, with errors that name the JSON path.

The grammar follows the IAM policy reference: Version, Id, Statement (one
object or a list); per statement Sid, Effect, Principal/NotPrincipal,
Action/NotAction, Resource/NotResource and Condition. Element names are
case-sensitive and unknown elements are errors (an analysis must never
silently ignore part of a policy).
"""

from __future__ import annotations

import difflib
from pathlib import Path

from quod.core.errors import Span
from quod.policy.errors import PolicyError
from quod.policy.jsonpos import JValue, child_path, parse_json
from quod.policy.model import (
    Condition,
    CondPayload,
    CondValue,
    Effect,
    Family,
    OpSpec,
    Policy,
    PrincipalEntry,
    Statement,
)
from quod.policy.patterns import Pattern, parse_pattern
from quod.policy.values import parse_bool, parse_date, parse_network, parse_number

VERSIONS = ("2012-10-17", "2008-10-17")
TOP_KEYS = ("Version", "Id", "Statement")
STATEMENT_KEYS = (
    "Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction",
    "Resource", "NotResource", "Condition",
)  # fmt: skip
PRINCIPAL_TYPES = ("AWS", "Service", "Federated", "CanonicalUser")


def _ops() -> dict[str, OpSpec]:
    S, N, D = Family.STRING, Family.NUMERIC, Family.DATE
    table = {
        "StringEquals": OpSpec(S),
        "StringNotEquals": OpSpec(S, negated=True),
        "StringEqualsIgnoreCase": OpSpec(S, ci=True),
        "StringNotEqualsIgnoreCase": OpSpec(S, negated=True, ci=True),
        "StringLike": OpSpec(S, like=True),
        "StringNotLike": OpSpec(S, negated=True, like=True),
        "Bool": OpSpec(Family.BOOL),
        "BinaryEquals": OpSpec(Family.BINARY),
        "IpAddress": OpSpec(Family.IP),
        "NotIpAddress": OpSpec(Family.IP, negated=True),
        # ArnEquals and ArnLike behave the same: both accept wildcards
        "ArnEquals": OpSpec(Family.ARN, like=True),
        "ArnLike": OpSpec(Family.ARN, like=True),
        "ArnNotEquals": OpSpec(Family.ARN, negated=True, like=True),
        "ArnNotLike": OpSpec(Family.ARN, negated=True, like=True),
        "Null": OpSpec(Family.NULL),
    }
    for fam, prefix in ((N, "Numeric"), (D, "Date")):
        table[f"{prefix}Equals"] = OpSpec(fam)
        table[f"{prefix}NotEquals"] = OpSpec(fam, negated=True)
        table[f"{prefix}LessThan"] = OpSpec(fam, cmp="lt")
        table[f"{prefix}LessThanEquals"] = OpSpec(fam, cmp="le")
        table[f"{prefix}GreaterThan"] = OpSpec(fam, cmp="gt")
        table[f"{prefix}GreaterThanEquals"] = OpSpec(fam, cmp="ge")
    return table


OPERATORS: dict[str, OpSpec] = _ops()
QUALIFIERS = ("ForAnyValue", "ForAllValues")


class _Ctx:
    def __init__(self, source: str, variables: bool) -> None:
        self.source = source
        self.variables = variables


def _err(msg: str, path: str, v: JValue | None, code: str = "Q0802", span: Span | None = None) -> PolicyError:
    return PolicyError(msg, path, span or (v.span if v is not None else None), code)


def _expect(v: JValue, kind: str, path: str, what: str) -> None:
    if v.kind != kind:
        raise _err(f"{what} must be a{'n' if kind[0] in 'aeiou' else ''} {kind}, got {v.kind}", path, v)


def _strings(v: JValue, path: str, what: str, allow_empty: bool = False) -> list[tuple[str, str, Span]]:
    """A string or a list of strings -> [(text, path, span)]."""
    if v.kind == "string":
        return [(v.value, path, v.span)]
    if v.kind != "array":
        raise _err(f"{what} must be a string or a list of strings, got {v.kind}", path, v)
    if not v.value and not allow_empty:
        raise _err(f"{what} must not be an empty list", path, v)
    out = []
    for i, item in enumerate(v.value):
        p = f"{path}[{i}]"
        if item.kind != "string":
            raise _err(f"{what} entries must be strings, got {item.kind}", p, item)
        out.append((item.value, p, item.span))
    return out


def _suggest(word: str, options: tuple[str, ...] | list[str]) -> str:
    same = [o for o in options if o.lower() == word.lower()]
    close = same or difflib.get_close_matches(word, list(options), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def parse_policy(text: str, source: str = "<policy>") -> Policy:
    """Parse and validate one policy document."""
    root = parse_json(text, source)
    return policy_from_json(root, source, text)


def load_policy(path: str | Path) -> Policy:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise PolicyError(f"cannot read policy file: {e}", code="Q0002") from e
    return parse_policy(text, str(p))


def policy_from_json(root: JValue, source: str, text: str = "") -> Policy:
    _expect(root, "object", "$", "a policy document")
    for k in root.value:
        if k not in TOP_KEYS:
            raise _err(f"unknown top-level element '{k}'{_suggest(k, TOP_KEYS)}", child_path("$", k), None,
                       span=root.key_spans[k])  # fmt: skip
    version = None
    if "Version" in root.value:
        vv = root.value["Version"]
        _expect(vv, "string", "$.Version", "Version")
        if vv.value not in VERSIONS:
            raise _err(f"unknown policy language version {vv.value!r} (expected one of {', '.join(VERSIONS)})",
                       "$.Version", vv, code="Q0803")  # fmt: skip
        version = vv.value
    pid = None
    if "Id" in root.value:
        _expect(root.value["Id"], "string", "$.Id", "Id")
        pid = root.value["Id"].value
    if "Statement" not in root.value:
        raise _err("missing required element 'Statement'", "$", root)
    ctx = _Ctx(source, version == "2012-10-17")
    sv = root.value["Statement"]
    if sv.kind == "object":
        statements = [_statement(sv, 0, "$.Statement", ctx)]
    elif sv.kind == "array":
        statements = []
        for i, item in enumerate(sv.value):
            statements.append(_statement(item, i, f"$.Statement[{i}]", ctx))
    else:
        raise _err(f"Statement must be an object or a list of objects, got {sv.kind}", "$.Statement", sv)
    return Policy(tuple(statements), version, pid, source, text)


def _statement(v: JValue, index: int, path: str, ctx: _Ctx) -> Statement:
    _expect(v, "object", path, "a statement")
    items = v.value
    for k in items:
        if k not in STATEMENT_KEYS:
            raise _err(f"unknown statement element '{k}'{_suggest(k, STATEMENT_KEYS)}", child_path(path, k), None,
                       span=v.key_spans[k])  # fmt: skip
    for a, b in (("Action", "NotAction"), ("Resource", "NotResource"), ("Principal", "NotPrincipal")):
        if a in items and b in items:
            raise _err(f"a statement cannot have both {a} and {b}", path, v)
    sid = None
    if "Sid" in items:
        _expect(items["Sid"], "string", f"{path}.Sid", "Sid")
        sid = items["Sid"].value
    if "Effect" not in items:
        raise _err("missing required element 'Effect'", path, v)
    ev = items["Effect"]
    _expect(ev, "string", f"{path}.Effect", "Effect")
    if ev.value not in ("Allow", "Deny"):
        raise _err(f"Effect must be 'Allow' or 'Deny', got {ev.value!r}", f"{path}.Effect", ev, code="Q0803")
    effect = Effect(ev.value)

    principals, not_principal = None, False
    for key in ("Principal", "NotPrincipal"):
        if key in items:
            principals, not_principal = _principal(items[key], f"{path}.{key}"), key == "NotPrincipal"

    act_key = "Action" if "Action" in items else "NotAction" if "NotAction" in items else None
    if act_key is None:
        raise _err("missing required element 'Action' or 'NotAction'", path, v)
    actions = tuple(_action(t, p, s) for t, p, s in _strings(items[act_key], f"{path}.{act_key}", act_key))

    res_key = "Resource" if "Resource" in items else "NotResource" if "NotResource" in items else None
    resources: tuple[Pattern, ...] | None = None
    if res_key is None:
        if principals is None:
            raise _err("missing required element 'Resource' or 'NotResource'", path, v)
    else:
        resources = tuple(
            _resource(t, p, s, ctx) for t, p, s in _strings(items[res_key], f"{path}.{res_key}", res_key)
        )
    conditions: tuple[Condition, ...] = ()
    if "Condition" in items:
        conditions = _conditions(items["Condition"], f"{path}.Condition", ctx)
    return Statement(
        index=index,
        sid=sid,
        effect=effect,
        principals=principals,
        not_principal=not_principal,
        actions=actions,
        not_action=act_key == "NotAction",
        resources=resources,
        not_resource=res_key == "NotResource",
        conditions=conditions,
        path=path,
        span=v.span,
    )


def _principal(v: JValue, path: str) -> tuple[PrincipalEntry, ...]:
    if v.kind == "string":
        if v.value != "*":
            raise _err(f"Principal must be \"*\" or an object like {{\"AWS\": ...}}, got {v.value!r}",
                       path, v, code="Q0803")  # fmt: skip
        return (PrincipalEntry("*", "*", path, v.span),)
    if v.kind != "object":
        raise _err(f'Principal must be "*" or an object like {{"AWS": ...}}, got {v.kind}', path, v)
    if not v.value:
        raise _err("Principal must not be empty", path, v)
    out: list[PrincipalEntry] = []
    for kind, val in v.value.items():
        kp = child_path(path, kind)
        if kind not in PRINCIPAL_TYPES:
            raise _err(f"unknown principal type '{kind}'{_suggest(kind, PRINCIPAL_TYPES)}", kp, None,
                       span=v.key_spans[kind])  # fmt: skip
        for text, p, span in _strings(val, kp, f"Principal {kind}"):
            if kind == "AWS" and text == "*":
                out.append(PrincipalEntry("*", "*", p, span))
                continue
            if "*" in text or "?" in text:
                raise _err(
                    f"wildcards are not allowed in principal names, got {text!r}", p, None, "Q0803", span
                )
            if not text:
                raise _err("empty principal", p, None, "Q0803", span)
            out.append(PrincipalEntry(kind, text, p, span))
    return tuple(out)


def _action(text: str, path: str, span: Span) -> Pattern:
    if text != "*":
        parts = text.split(":")
        if len(parts) != 2 or not parts[0] or not parts[1]:
            raise _err(f"an action must be '*' or 'service:action', got {text!r}", path, None, "Q0803", span)
    if "${" in text:
        raise _err(f"policy variables are not allowed in Action, got {text!r}", path, None, "Q0803", span)
    return parse_pattern(text, wildcards=True, variables=False, path=path, span=span)


def _resource(text: str, path: str, span: Span, ctx: _Ctx) -> Pattern:
    if text != "*" and not text.startswith("arn:"):
        raise _err(f"a resource must be '*' or an ARN ('arn:...'), got {text!r}", path, None, "Q0803", span)
    return parse_pattern(text, wildcards=True, variables=ctx.variables, path=path, span=span)


def split_operator(op: str) -> tuple[str | None, str, bool]:
    """'ForAnyValue:StringLikeIfExists' -> ('ForAnyValue', 'StringLike', True)."""
    qualifier = None
    if ":" in op:
        qualifier, op = op.split(":", 1)
    if_exists = op.endswith("IfExists") and op != "IfExists"
    base = op[: -len("IfExists")] if if_exists else op
    return qualifier, base, if_exists


def _conditions(v: JValue, path: str, ctx: _Ctx) -> tuple[Condition, ...]:
    _expect(v, "object", path, "Condition")
    out: list[Condition] = []
    for op_text, block in v.value.items():
        op_path = child_path(path, op_text)
        qualifier, base, if_exists = split_operator(op_text)
        spec = OPERATORS.get(base)
        if qualifier is not None and qualifier not in QUALIFIERS:
            raise _err(f"unknown set operator '{qualifier}'{_suggest(qualifier, QUALIFIERS)}", op_path, None,
                       "Q0803", v.key_spans[op_text])  # fmt: skip
        if spec is None:
            raise _err(f"unknown condition operator '{base}'{_suggest(base, list(OPERATORS))}", op_path, None,
                       "Q0803", v.key_spans[op_text])  # fmt: skip
        if spec.family is Family.NULL and (qualifier or if_exists):
            raise _err(f"'{op_text}' is not a valid operator (Null takes no qualifier)", op_path, None, "Q0803",
                       v.key_spans[op_text])  # fmt: skip
        _expect(block, "object", op_path, f"the '{op_text}' block")
        for key, vals in block.value.items():
            kpath = child_path(op_path, key)
            if not key:
                raise _err("empty condition key", kpath, None, "Q0803", block.key_spans[key])
            values = tuple(_cond_value(spec, t, p, s, ctx) for t, p, s in _cond_strings(vals, kpath))
            out.append(Condition(op_text, spec, qualifier, if_exists, key.lower(), key, values, kpath,
                                 block.key_spans[key]))  # fmt: skip
    return tuple(out)


def _cond_strings(v: JValue, path: str) -> list[tuple[str, str, Span]]:
    """Condition values: strings, numbers or booleans, alone or in a list."""
    items = v.value if v.kind == "array" else [v]
    out = []
    for i, item in enumerate(items):
        p = f"{path}[{i}]" if v.kind == "array" else path
        if item.kind == "string" or item.kind == "number":
            out.append((str(item.value), p, item.span))
        elif item.kind == "bool":
            out.append(("true" if item.value else "false", p, item.span))
        else:
            raise _err(f"condition values must be strings, numbers or booleans, got {item.kind}", p, item)
    return out


def _cond_value(spec: OpSpec, text: str, path: str, span: Span, ctx: _Ctx) -> CondValue:
    fam = spec.family
    payload: CondPayload | None
    if fam is Family.STRING or fam is Family.ARN:
        payload = parse_pattern(text, wildcards=spec.like, variables=ctx.variables, path=path, span=span)
    elif fam is Family.NUMERIC:
        payload = parse_number(text)
    elif fam is Family.DATE:
        payload = parse_date(text)
    elif fam is Family.BOOL or fam is Family.NULL:
        payload = parse_bool(text)
    elif fam is Family.IP:
        payload = parse_network(text)
    else:
        payload = text
    if payload is None:
        what = {
            Family.NUMERIC: "a number",
            Family.DATE: "a date (ISO 8601 or epoch seconds)",
            Family.BOOL: "'true' or 'false'",
            Family.NULL: "'true' or 'false'",
            Family.IP: "an IP address or CIDR block",
        }[fam]
        raise _err(f"expected {what}, got {text!r}", path, None, "Q0803", span)
    return CondValue(text, payload, path, span)


__all__ = ["OPERATORS", "load_policy", "parse_policy", "policy_from_json", "split_operator"]
