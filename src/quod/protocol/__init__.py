"""`quod protocol`: model distributed protocols in Python, search their state
spaces, simulate them, prove invariants, and monitor logs of running systems.

The modelling language (`Protocol`, `action`, `invariant`, ...) is exported
here; engines live in `explore`, `simulate`, `liveness`, `prove`, `monitor`.
"""

from quod.protocol.dsl import (
    Disabled,
    Network,
    Node,
    NodeMap,
    NodeSet,
    Params,
    Protocol,
    Range,
    action,
    card,
    choose,
    constraint,
    count,
    eventually,
    exists,
    forall,
    hot,
    implies,
    invariant,
    ite,
    member,
    neg,
    require,
    update,
)

__all__ = [
    "Disabled",
    "Network",
    "Node",
    "NodeMap",
    "NodeSet",
    "Params",
    "Protocol",
    "Range",
    "action",
    "card",
    "choose",
    "constraint",
    "count",
    "eventually",
    "exists",
    "forall",
    "hot",
    "implies",
    "invariant",
    "ite",
    "member",
    "neg",
    "require",
    "update",
]
