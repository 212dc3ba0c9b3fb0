"""Cheap witnesses before any solver: requests built from the policies' own patterns.

Many `sat` questions have an obvious witness: an instance of some action or
resource pattern of the policies, with an empty context. Trying a few
hundred such requests with the concrete evaluator costs milliseconds and
answers those questions without a solver; a hit is a witness like any other
(the evaluator is the judge of every witness). A miss proves nothing and
the solvers run as usual.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from quod.core.errors import QuodError
from quod.policy.evaluate import Indeterminate
from quod.policy.model import Policy, Principal, Request
from quod.policy.patterns import Lit, One, Pattern, Star
from quod.policy.requests import normalize

FILLS = ("example", "")
MAX_TRIES = 400


def _instances(p: Pattern) -> list[str]:
    if p.variables:
        return []
    out = []
    for fill in FILLS:
        out.append("".join(x.text if isinstance(x, Lit) else fill if isinstance(x, Star) else "x" for x in p.pieces
                           if isinstance(x, (Lit, Star, One))))  # fmt: skip
    return list(dict.fromkeys(out))


def _principals(policies: list[Policy]) -> list[Principal]:
    out = [Principal("Anonymous"), Principal("AWS", "arn:aws:iam::999999999999:user/example")]
    for pol in policies:
        for st in pol.statements:
            for e in st.principals or ():
                if e.kind == "AWS" and e.arn is not None:
                    out.append(Principal("AWS", e.value))
                elif e.kind == "AWS" and e.account is not None:
                    out.append(Principal("AWS", f"arn:aws:iam::{e.account}:user/example"))
                elif e.kind not in ("*", "AWS"):
                    out.append(Principal(e.kind, e.value))
    return list(dict.fromkeys(out))


def candidates(policies: list[Policy]) -> Iterator[Request]:
    actions = ["s3:getobject"]
    resources = ["arn:aws:s3:::example-bucket/example-object"]
    for pol in policies:
        for st in pol.statements:
            for p in st.actions:
                actions += [
                    a for a in _instances(p) if a.count(":") == 1 and a.split(":")[0] and a.split(":")[1]
                ]
            for p in st.resources or ():
                resources += _instances(p)
    actions, resources = list(dict.fromkeys(actions)), list(dict.fromkeys(resources))
    principals = _principals(policies)
    # a diagonal walk: every action, principal and resource early, without the full product
    total = min(MAX_TRIES, len(principals) * len(actions) * len(resources))
    seen = set()
    for k in range(total):
        combo = (principals[k % len(principals)], actions[k % len(actions)],
                 resources[(k // len(actions)) % len(resources)])  # fmt: skip
        if combo in seen:
            continue
        seen.add(combo)
        try:
            yield normalize(Request(*combo))
        except QuodError:
            continue


def find_witness(policies: list[Policy], confirm: Callable[[Request], bool]) -> Request | None:
    for req in candidates(policies):
        try:
            if confirm(req):
                return req
        except (QuodError, Indeterminate):
            continue
    return None


__all__ = ["candidates", "find_witness"]
