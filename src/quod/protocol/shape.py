"""The shape of a state type, read from its annotations.

Shapes say where node ids occur (for symmetry reduction) and how a state is
laid out as variables (for the symbolic translation).
"""

from __future__ import annotations

import dataclasses
import itertools
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from quod.protocol.dsl import PER_NODE, Network, Node, Range, _order, canon
from quod.protocol.errors import model_error


@dataclass(frozen=True)
class Shape:
    kind: str  # bool | int | node | enum | tuple | set | net | record | opaque
    values: tuple[Any, ...] = ()  # enum values; int bounds (lo, hi) when known
    elem: Shape | None = None  # tuple / set element
    per_node: bool = False  # tuple indexed by node id
    fields: tuple[tuple[str, Shape], ...] = ()  # record fields
    cls: Any = None  # record class
    messages: tuple[Shape, ...] = ()  # net: one record shape per message class
    has_nodes: bool = False


def shape_of(tp: Any, where: str = "state") -> Shape:
    return _shape(tp, where, {})


def _shape(tp: Any, where: str, memo: dict[Any, Shape]) -> Shape:
    if tp is Node:
        return Shape("node", has_nodes=True)
    if tp is bool:
        return Shape("bool")
    if tp is int:
        return Shape("int")
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is Annotated:
        base = args[0]
        meta = tp.__metadata__
        rng = [m for m in meta if isinstance(m, Range)]
        if rng and base is int:
            return Shape("int", values=(rng[0].lo, rng[0].hi))
        inner = _shape(base, where, memo)
        if PER_NODE in meta:
            if inner.kind != "tuple":
                raise model_error(f"{where}: NodeMap must annotate a tuple")
            return dataclasses.replace(inner, per_node=True, has_nodes=True)
        return inner
    if origin is typing.Literal:
        return Shape("enum", values=tuple(args))
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            e = _shape(args[0], where, memo)
            return Shape("tuple", elem=e, has_nodes=e.has_nodes)
        # fixed heterogeneous tuples are treated as opaque values
        return Shape("opaque")
    if origin is frozenset:
        e = _shape(args[0], where, memo)
        return Shape("set", elem=e, has_nodes=e.has_nodes)
    if origin is Network or tp is Network:
        kinds = _union_members(args[0]) if args else []
        msgs = tuple(_shape(k, where, memo) for k in kinds)
        return Shape("net", messages=msgs, has_nodes=any(m.has_nodes for m in msgs) or not msgs)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        if tp in memo:
            return memo[tp]
        hints = typing.get_type_hints(tp, include_extras=True)
        fields = tuple(
            (f.name, _shape(hints[f.name], f"{tp.__name__}.{f.name}", memo)) for f in dataclasses.fields(tp)
        )
        sh = Shape("record", fields=fields, cls=tp, has_nodes=any(s.has_nodes for _, s in fields))
        memo[tp] = sh
        return sh
    return Shape("opaque")


def _union_members(tp: Any) -> list[Any]:
    if typing.get_origin(tp) in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        return list(typing.get_args(tp))
    return [tp]


# --- symmetry ---------------------------------------------------------------------


class Permuter:
    """Applies node-id permutations to states of one shape."""

    def __init__(self, shape: Shape, n: int) -> None:
        self.shape = shape
        self.perms = list(itertools.permutations(range(n)))
        self._msg_shapes: dict[type, Shape] = {}
        self._collect(shape)
        self.unary = _unary(shape)

    def _collect(self, sh: Shape) -> None:
        if sh.kind == "record":
            if sh.cls in self._msg_shapes:
                return
            self._msg_shapes[sh.cls] = sh
            for _, f in sh.fields:
                self._collect(f)
        for sub in (sh.elem, *sh.messages):
            if sub is not None:
                self._collect(sub)

    def apply(self, v: Any, sh: Shape, p: Sequence[int]) -> Any:
        if not sh.has_nodes:
            return v
        k = sh.kind
        if k == "node":
            return p[v]
        if k == "tuple":
            assert sh.elem is not None
            items = [self.apply(x, sh.elem, p) for x in v]
            if sh.per_node:
                out: list[Any] = [None] * len(items)
                for i, x in enumerate(items):
                    out[p[i]] = x
                return tuple(out)
            return tuple(items)
        if k == "set":
            assert sh.elem is not None
            return frozenset(self.apply(x, sh.elem, p) for x in v)
        if k == "net":
            counts: dict[Any, int] = {}
            for m, c in v._counts.items():
                pm = self.apply(m, self._message_shape(m), p)
                counts[pm] = counts.get(pm, 0) + c
            return Network._of(counts, v)
        if k == "record":
            return type(v)(**{name: self.apply(getattr(v, name), fs, p) for name, fs in sh.fields})
        return v

    def _message_shape(self, m: Any) -> Shape:
        sh = self._msg_shapes.get(type(m))
        if sh is None:
            sh = shape_of(type(m))
            self._msg_shapes[type(m)] = sh
        return sh

    def canonical(self, s: Any) -> Any:
        """The least encoding of `s` over the node permutations that sort nodes by signature.

        A node's signature (its entries in per-node fields that hold no node
        ids, and its membership in node sets) moves with the node under any
        permutation, so the set of sorting permutations is chosen the same way
        for every state of an orbit and the minimum is a canonical form.
        """
        best: Any = None
        for p in self._candidates(s):
            c = canon(self.apply(s, self.shape, p))
            if best is None or _less(c, best):
                best = c
        return best

    def _candidates(self, s: Any) -> list[tuple[int, ...]]:
        n = len(self.perms[0])
        extra = self._message_signatures(s, n)
        sigs = [(self._signature(s, i), extra[i]) for i in range(n)]
        order = sorted(range(n), key=lambda i: _order(sigs[i]))
        groups: list[list[int]] = []
        for i in order:
            if groups and sigs[groups[-1][0]] == sigs[i]:
                groups[-1].append(i)
            else:
                groups.append([i])
        out: list[tuple[int, ...]] = []
        if self.unary:
            # every node occurrence is recorded in the signature, so nodes with equal
            # signatures are interchangeable: one sorting permutation is enough
            groups = [[i] for g in groups for i in g]
        for choice in itertools.product(*(itertools.permutations(g) for g in groups)):
            p = [0] * n
            pos = 0
            for grp in choice:
                for node in grp:
                    p[node] = pos
                    pos += 1
            out.append(tuple(p))
        return out

    def _message_signatures(self, s: Any, n: int) -> list[tuple[Any, ...]]:
        """Per node: the in-flight messages that mention it, with the node-free fields."""
        out: list[list[Any]] = [[] for _ in range(n)]
        for name, fs in self.shape.fields:
            if fs.kind != "net":
                continue
            for m, c in getattr(s, name)._counts.items():
                sh = self._message_shape(m)
                free = tuple(canon(getattr(m, f)) for f, fsh in sh.fields if not fsh.has_nodes)
                for f, fsh in sh.fields:
                    if fsh.kind == "node":
                        out[getattr(m, f)].append((type(m).__name__, f, free, c))
        return [tuple(sorted(x)) for x in out]

    def _signature(self, s: Any, i: int) -> tuple[Any, ...]:
        sig: list[Any] = []
        for name, fs in self.shape.fields:
            v = getattr(s, name)
            if fs.kind == "tuple" and fs.per_node and fs.elem is not None:
                e = fs.elem
                if not e.has_nodes:
                    sig.append(canon(v[i]))
                elif e.kind == "set":
                    # sizes and self-membership move with the node
                    sig.append(
                        (len(v[i]), i in v[i]) if e.elem is not None and e.elem.kind == "node" else len(v[i])
                    )
                elif e.kind == "node":
                    sig.append(v[i] == i)
            elif fs.kind == "set" and fs.elem is not None and fs.elem.kind == "node":
                sig.append(i in v)
        return tuple(sig)


def _unary(sh: Shape) -> bool:
    """True when each node id occurs only as a per-node index, in a top-level node set,
    or as the only node field of a message (so per-node signatures capture the state)."""
    for _, fs in sh.fields:
        if not fs.has_nodes:
            continue
        if fs.kind == "tuple" and fs.per_node and fs.elem is not None and not fs.elem.has_nodes:
            continue
        if fs.kind == "set" and fs.elem is not None and fs.elem.kind == "node":
            continue
        if (
            fs.kind == "net"
            and fs.messages
            and all(
                sum(1 for _, f in m.fields if f.has_nodes) <= 1
                and all(f.kind == "node" or not f.has_nodes for _, f in m.fields)
                for m in fs.messages
            )
        ):
            continue
        return False
    return True


def _less(a: Any, b: Any) -> bool:
    try:
        return bool(a < b)
    except TypeError:
        return bool(_order(a) < _order(b))


__all__ = ["Permuter", "Shape", "shape_of"]
