"""Requests as JSON (what `quod policy can` reads and witnesses print), and their invariants.

    {"principal": {"AWS": "arn:aws:iam::111122223333:user/alice"} | "anonymous" | {"Service": "..."},
     "action": "s3:GetObject", "resource": "arn:aws:s3:::bucket/key",
     "context": {"aws:SourceIp": "203.0.113.9", "aws:TagKeys": ["a", "b"]}}

Invariants of the request model (the encoding assumes them, so every request
that quod evaluates is checked against them):

- an AWS principal is an ARN `arn:P:S::ACCOUNT:R` with a 12-digit account
  (a bare account id means that account's root);
- for an AWS principal, `aws:PrincipalAccount` is its account and
  `aws:PrincipalArn` is an ARN in that account (both filled in when absent);
- anonymous requests carry neither key;
- an action is `service:name` in printable ASCII; its case does not matter.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from quod.policy.chars import fold_str
from quod.policy.errors import PolicyError
from quod.policy.model import ACCOUNT_RE, PRINCIPAL_ARN_RE, PRINCIPAL_KINDS, Principal, Request

ACTION_RE = re.compile(r"^[!-9;-~]+:[!-9;-~]+$")
LINKED_ACCOUNT = "aws:principalaccount"
LINKED_ARN = "aws:principalarn"
PRINCIPAL_ARN_OF_ACCOUNT = re.compile(r"^arn:[^:]*:[^:]*:[^:]*:([0-9]{12}):", re.DOTALL)


def _bad(msg: str, path: str) -> PolicyError:
    return PolicyError(msg, path, code="Q0805")


def principal_from_json(v: Any, path: str = "$.principal") -> Principal:
    if isinstance(v, str):
        if v.lower() in ("anonymous", "*"):
            return Principal("Anonymous")
        raise _bad(f'principal must be "anonymous" or an object like {{"AWS": "arn:..."}}, got {v!r}', path)
    if not isinstance(v, dict) or len(v) != 1:
        raise _bad("principal must be \"anonymous\" or an object with exactly one of AWS, Service, "
                   "Federated, CanonicalUser", path)  # fmt: skip
    ((kind, ident),) = v.items()
    if kind not in PRINCIPAL_KINDS or kind == "Anonymous":
        raise _bad(f"unknown principal type {kind!r}", path)
    if not isinstance(ident, str) or not ident:
        raise _bad(f"the {kind} principal must be a non-empty string", f"{path}.{kind}")
    if kind == "AWS":
        if ACCOUNT_RE.match(ident):
            ident = f"arn:aws:iam::{ident}:root"
        if not PRINCIPAL_ARN_RE.match(ident):
            raise _bad(f"an AWS principal must be a 12-digit account or an ARN "
                       f"'arn:PARTITION:SERVICE::ACCOUNT:NAME', got {ident!r}", f"{path}.AWS")  # fmt: skip
    return Principal(kind, ident)


def default_principal_arn(p: Principal) -> str:
    """aws:PrincipalArn for an AWS principal: the role for an assumed-role session, else the ARN itself."""
    m = PRINCIPAL_ARN_RE.match(p.id)
    assert m is not None
    part, svc, acct, res = m.groups()
    if svc == "sts" and res.startswith("assumed-role/"):
        role = res[len("assumed-role/") :].split("/")[0]
        return f"arn:{part}:iam::{acct}:role/{role}"
    return p.id


def normalize(req: Request, path: str = "$") -> Request:
    """Check the invariants of the request model; fill in the linked keys."""
    if not ACTION_RE.match(req.action):
        raise _bad(
            f"an action must be 'service:name' in printable ASCII, got {req.action!r}", f"{path}.action"
        )
    ctx = {k.lower(): tuple(v) for k, v in req.context.items() if v}
    names = dict(req.key_names)
    p = req.principal
    if p.kind not in PRINCIPAL_KINDS:
        raise _bad(f"unknown principal type {p.kind!r}", f"{path}.principal")
    if p.kind == "AWS" and not PRINCIPAL_ARN_RE.match(p.id):
        raise _bad(f"an AWS principal must be an ARN 'arn:PARTITION:SERVICE::ACCOUNT:NAME', got {p.id!r}",
                   f"{path}.principal")  # fmt: skip
    if p.kind not in ("AWS", "Anonymous") and not p.id:
        raise _bad(f"the {p.kind} principal must be a non-empty string", f"{path}.principal")
    if p.kind == "AWS":
        acct = p.account
        assert acct is not None
        have = ctx.get(LINKED_ACCOUNT)
        if have is not None and have != (acct,):
            raise _bad(f"aws:PrincipalAccount {list(have)} does not match the principal's account {acct}",
                       f"{path}.context")  # fmt: skip
        ctx[LINKED_ACCOUNT] = (acct,)
        names.setdefault(LINKED_ACCOUNT, "aws:PrincipalAccount")
        arn = ctx.get(LINKED_ARN)
        if arn is None:
            ctx[LINKED_ARN] = (default_principal_arn(p),)
            names.setdefault(LINKED_ARN, "aws:PrincipalArn")
        else:
            m = PRINCIPAL_ARN_OF_ACCOUNT.match(arn[0]) if len(arn) == 1 else None
            if m is None or m.group(1) != acct:
                raise _bad(f"aws:PrincipalArn must be one ARN in the principal's account {acct}",
                           f"{path}.context")  # fmt: skip
    elif p.kind == "Anonymous":
        for k in (LINKED_ACCOUNT, LINKED_ARN):
            if k in ctx:
                raise _bad(f"an anonymous request has no {names.get(k, k)}", f"{path}.context")
    return Request(p, req.action, req.resource, ctx, names)


def request_from_json(data: Any, path: str = "$") -> Request:
    if not isinstance(data, dict):
        raise _bad("a request must be a JSON object", path)
    unknown = set(data) - {"principal", "action", "resource", "context"}
    if unknown:
        raise _bad(f"unknown request field(s): {', '.join(sorted(unknown))}", path)
    for f in ("principal", "action", "resource"):
        if f not in data:
            raise _bad(f"missing request field '{f}'", path)
    principal = principal_from_json(data["principal"], f"{path}.principal")
    action, resource = data["action"], data["resource"]
    if not isinstance(action, str):
        raise _bad("action must be a string", f"{path}.action")
    if not isinstance(resource, str):
        raise _bad("resource must be a string", f"{path}.resource")
    raw = data.get("context", {})
    if not isinstance(raw, dict):
        raise _bad("context must be an object of key -> value(s)", f"{path}.context")
    ctx: dict[str, tuple[str, ...]] = {}
    names: dict[str, str] = {}
    for k, v in raw.items():
        kp = f"{path}.context[{json.dumps(k)}]"
        vals = v if isinstance(v, list) else [v]
        out = []
        for x in vals:
            if isinstance(x, bool):
                out.append("true" if x else "false")
            elif isinstance(x, (str, int, float)):
                out.append(str(x))
            else:
                raise _bad("context values must be strings, numbers, booleans or lists of them", kp)
        if k.lower() in ctx:
            raise _bad(f"context key {k!r} given twice (keys are case-insensitive)", kp)
        ctx[k.lower()] = tuple(out)
        names[k.lower()] = k
    return normalize(Request(principal, action, resource, ctx, names), path)


def load_request(path: str | Path) -> Request:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        raise PolicyError(f"cannot read request file: {e}", code="Q0002") from e
    except json.JSONDecodeError as e:
        raise PolicyError(
            f"malformed JSON at line {e.lineno} column {e.colno}: {e.msg}", "$", code="Q0801"
        ) from e
    return request_from_json(data)


def canonical_action(action: str) -> str:
    return fold_str(action)


__all__ = [
    "LINKED_ACCOUNT",
    "LINKED_ARN",
    "canonical_action",
    "default_principal_arn",
    "load_request",
    "normalize",
    "principal_from_json",
    "request_from_json",
]
