"""Canonical, process-independent hashes of terms and queries.

The store is keyed by the *term graph*, not the text: the same problem written
with different whitespace, `let` structure, declaration order, assertion order
or duplicated top-level conjuncts gets the same key. Names of constants are
part of the key (a model is stated in terms of them).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from fractions import Fraction
from typing import Any

from quod.core.ops import Op
from quod.core.sorts import Sort, sort_to_smtlib
from quod.core.terms import Term, UninterpretedValue
from quod.core.walk import conjuncts, post_order

KEY_VERSION = "quod-query-v2"


def _payload(t: Term) -> str:
    p: Any = t.payload
    if t.op is Op.CONST:
        v = p[0]
        if isinstance(v, bool):
            return "b:" + ("1" if v else "0")
        if isinstance(v, int):
            return f"i:{v}"
        if isinstance(v, Fraction):
            return f"q:{v.numerator}/{v.denominator}"
        if isinstance(v, str):
            return "s:" + v.encode("utf-8", "surrogatepass").hex()
        if isinstance(v, UninterpretedValue):
            return f"u:{v.sort_name}:{v.index}"
        raise TypeError(f"no canonical form for constant {v!r}")
    if t.op is Op.VAR:
        return "v:" + str(p).encode().hex()
    if t.op is Op.APPLY:
        dom = ",".join(sort_to_smtlib(s) for s in p.domain)
        return f"f:{p.name.encode().hex()}:{dom}:{sort_to_smtlib(p.range)}"
    if t.op is Op.FORALL or t.op is Op.EXISTS:
        return ""  # bound variables are hashed as children
    if isinstance(p, Sort):
        return "S:" + sort_to_smtlib(p)
    if p is None:
        return ""
    return "x:" + ",".join(str(i) for i in p)


def digests(roots: Iterable[Term]) -> dict[int, bytes]:
    """sha256 digest of every subterm of `roots`, keyed by term id."""
    out: dict[int, bytes] = {}
    heads: dict[tuple[Op, Sort], bytes] = {}
    sha = hashlib.sha256
    for t in post_order(roots, into_binders=True):
        head = heads.get((t.op, t.sort))
        if head is None:
            head = t.op.value.encode() + b"\0" + sort_to_smtlib(t.sort).encode() + b"\0"
            heads[(t.op, t.sort)] = head
        kids = (*t.payload, *t.args) if t.op is Op.FORALL or t.op is Op.EXISTS else t.args
        # one hash call per node: the payload is length-prefixed so it cannot run into the children
        payload = _payload(t).encode()
        out[t.id] = sha(b"".join((head, b"%d:" % len(payload), payload, *[out[a.id] for a in kids]))).digest()
    return out


def term_hash(t: Term) -> str:
    return digests([t])[t.id].hex()


def query_key(assertions: Sequence[Term], context: str = "") -> str:
    """Key of the conjunction of `assertions` (order and duplicates do not matter).

    `context` distinguishes queries whose answer depends on more than the
    formula (e.g. an encoder option a certificate depends on); usually empty.
    """
    parts = conjuncts(assertions)
    d = digests(parts)
    items = sorted({d[t.id] for t in parts})
    h = hashlib.sha256(KEY_VERSION.encode() + b"\0" + context.encode() + b"\0")
    for item in items:
        h.update(item)
    return h.hexdigest()
