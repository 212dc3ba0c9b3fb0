"""JSON encoding of models (values typed by their sorts) for the store."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from quod.core.model import ArrayValue, FuncInterp, Model
from quod.core.sorts import (
    ArraySort,
    BitVecSort,
    SeqSort,
    Sort,
    SortKind,
    UninterpretedSort,
)
from quod.core.terms import FuncDecl, UninterpretedValue, var

_SIMPLE = {
    k.value: Sort(k) for k in (SortKind.BOOL, SortKind.INT, SortKind.REAL, SortKind.STRING, SortKind.REGLAN)
}


def sort_to_json(s: Sort) -> Any:
    k = s.kind
    if k is SortKind.BITVEC:
        return {"bv": s.width}
    if k is SortKind.ARRAY:
        return {"array": [sort_to_json(s.params[0]), sort_to_json(s.params[1])]}
    if k is SortKind.SEQ:
        return {"seq": sort_to_json(s.params[0])}
    if k is SortKind.UNINTERPRETED:
        return {"sort": s.name, "params": [sort_to_json(p) for p in s.params]}
    return k.value


def sort_from_json(j: Any) -> Sort:
    if isinstance(j, str):
        return _SIMPLE[j]
    if "bv" in j:
        return BitVecSort(int(j["bv"]))
    if "array" in j:
        return ArraySort(sort_from_json(j["array"][0]), sort_from_json(j["array"][1]))
    if "seq" in j:
        return SeqSort(sort_from_json(j["seq"]))
    return UninterpretedSort(j["sort"], tuple(sort_from_json(p) for p in j.get("params", [])))


def value_to_json(v: Any, s: Sort) -> Any:
    k = s.kind
    if k is SortKind.REAL:
        f = Fraction(v)
        return f"{f.numerator}/{f.denominator}"
    if k is SortKind.ARRAY:
        assert isinstance(v, ArrayValue)
        return {
            "default": value_to_json(v.default, s.elem_sort),
            "entries": [
                [value_to_json(i, s.index_sort), value_to_json(e, s.elem_sort)] for i, e in v.entries
            ],
        }
    if k is SortKind.SEQ:
        return [value_to_json(x, s.elem_sort) for x in v]
    if k is SortKind.UNINTERPRETED:
        return v.index
    return v  # bool, int (Int and BitVec), str


def value_from_json(j: Any, s: Sort) -> Any:
    k = s.kind
    if k is SortKind.REAL:
        return Fraction(j)
    if k is SortKind.ARRAY:
        arr = ArrayValue(s, value_from_json(j["default"], s.elem_sort))
        for i, e in j["entries"]:
            arr = arr.set(value_from_json(i, s.index_sort), value_from_json(e, s.elem_sort))
        return arr
    if k is SortKind.SEQ:
        return tuple(value_from_json(x, s.elem_sort) for x in j)
    if k is SortKind.UNINTERPRETED:
        return UninterpretedValue(s.name, int(j))
    if k is SortKind.BOOL:
        if not isinstance(j, bool):
            raise ValueError(f"expected a Boolean, got {j!r}")
        return j
    if k in (SortKind.INT, SortKind.BITVEC):
        if not isinstance(j, int) or isinstance(j, bool):
            raise ValueError(f"expected an integer, got {j!r}")
        return j
    if k is SortKind.STRING:
        if not isinstance(j, str):
            raise ValueError(f"expected a string, got {j!r}")
        return j
    raise ValueError(f"no JSON decoding for sort {s}")


def model_to_json(m: Model) -> dict[str, Any]:
    consts = [[t.name, sort_to_json(t.sort), value_to_json(v, t.sort)] for t, v in m.consts.items()]
    funcs = []
    for d, fi in m.funcs.items():
        entries = []
        for args, val in fi.table():
            entries.append(
                [
                    [value_to_json(a, s) for a, s in zip(args, d.domain, strict=True)],
                    value_to_json(val, d.range),
                ]
            )
        default = None if fi.default is None else value_to_json(fi.default, d.range)
        funcs.append({"name": d.name, "domain": [sort_to_json(s) for s in d.domain], "range": sort_to_json(d.range),
                      "entries": entries, "default": default})  # fmt: skip
    return {"consts": consts, "funcs": funcs}


def model_from_json(j: dict[str, Any]) -> Model:
    m = Model()
    for name, sj, vj in j["consts"]:
        s = sort_from_json(sj)
        m.consts[var(name, s)] = value_from_json(vj, s)
    for f in j["funcs"]:
        d = FuncDecl(f["name"], tuple(sort_from_json(s) for s in f["domain"]), sort_from_json(f["range"]))
        fi = FuncInterp(d, default=None if f["default"] is None else value_from_json(f["default"], d.range))
        for args, val in f["entries"]:
            fi.add(
                tuple(value_from_json(a, s) for a, s in zip(args, d.domain, strict=True)),
                value_from_json(val, d.range),
            )
        m.funcs[d] = fi
    return m
