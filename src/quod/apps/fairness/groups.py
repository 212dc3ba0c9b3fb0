"""Declarative, JSON-serializable group specifications.

A group is a predicate over one record plus provenance: how the attribute
behind it was obtained. Predicates are data, not code, so a group can be
stored in a report or a bounty ledger, re-applied to new data and audited:

    {"field": "accent", "equals": "en-gb"}
    {"field": "accent", "in": ["en-gb", "en-gb-scotland"]}
    {"field": "snr_db", "range": [null, 10]}        # min inclusive, max exclusive
    {"and": [p, q]}, {"or": [p, q]}, {"not": p}, {"all": true}

Provenance is one of self-reported, annotated, inferred, measured. Inferred
demographic attributes (e.g. gender guessed from a name or a voice) get a
warning: errors in the inference become errors in the disaggregation.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .errors import FairnessError, at

PROVENANCE = ("self-reported", "annotated", "inferred", "measured")
KINDS = ("demographic", "condition", "task")
_MISSING = object()


@dataclass(frozen=True)
class Predicate:
    """A validated predicate tree (kept as its JSON form, checked once)."""

    spec: Mapping[str, Any]

    def __call__(self, record: Mapping[str, Any]) -> bool:
        return _holds(self.spec, record)

    def fields(self) -> set[str]:
        return _fields(self.spec)

    def to_json(self) -> dict[str, Any]:
        return dict(self.spec)


@dataclass(frozen=True)
class GroupSpec:
    name: str
    where: Predicate
    provenance: str = "annotated"
    kind: str = "demographic"
    description: str = ""

    def contains(self, record: Mapping[str, Any]) -> bool:
        return self.where(record)

    def warning(self) -> str | None:
        if self.provenance != "inferred":
            return None
        if self.kind == "demographic":
            return (
                f"group '{self.name}' uses an inferred demographic attribute: inference errors "
                "misassign people and bias the per-group numbers; prefer self-reported attributes"
            )
        return f"group '{self.name}' is defined by an inferred attribute; check the inference's accuracy"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "where": self.where.to_json(),
            "provenance": self.provenance,
            "kind": self.kind,
        }
        if self.description:
            out["description"] = self.description
        return out


def predicate(spec: Any, where: str = "$") -> Predicate:
    """Validate a predicate's JSON form; errors name the JSON path."""
    _check(spec, where)
    return Predicate(spec)


def group_from_json(obj: Any, where: str = "$") -> GroupSpec:
    if not isinstance(obj, Mapping):
        raise FairnessError("Q1002", at(where, "a group must be a JSON object"))
    unknown = set(obj) - {"name", "where", "provenance", "kind", "description"}
    if unknown:
        raise FairnessError("Q1002", at(where, f"unknown key(s) {sorted(unknown)} in group"))
    name = obj.get("name")
    if not isinstance(name, str) or not name:
        raise FairnessError("Q1002", at(where + ".name", "a group needs a non-empty string name"))
    if "where" not in obj:
        raise FairnessError("Q1002", at(where, f"group '{name}' has no 'where' predicate"))
    prov = obj.get("provenance", "annotated")
    if prov not in PROVENANCE:
        raise FairnessError("Q1002", at(where + ".provenance", f"provenance must be one of {PROVENANCE}"))
    kind = obj.get("kind", "demographic")
    if kind not in KINDS:
        raise FairnessError("Q1002", at(where + ".kind", f"kind must be one of {KINDS}"))
    desc = obj.get("description", "")
    if not isinstance(desc, str):
        raise FairnessError("Q1002", at(where + ".description", "description must be a string"))
    return GroupSpec(name, predicate(obj["where"], where + ".where"), prov, kind, desc)


def groups_from_json(obj: Any, where: str = "$") -> list[GroupSpec]:
    """Parse `{"groups": [...]}` or a bare list; group names must be unique."""
    if isinstance(obj, Mapping):
        if "groups" not in obj:
            raise FairnessError("Q1002", at(where, "expected a list of groups or {'groups': [...]}"))
        obj, where = obj["groups"], where + ".groups"
    if not isinstance(obj, list) or not obj:
        raise FairnessError("Q1002", at(where, "expected a non-empty list of groups"))
    out = [group_from_json(g, f"{where}[{i}]") for i, g in enumerate(obj)]
    seen: set[str] = set()
    for i, g in enumerate(out):
        if g.name in seen:
            raise FairnessError("Q1002", at(f"{where}[{i}].name", f"duplicate group name '{g.name}'"))
        seen.add(g.name)
    return out


def groups_by_field(
    records: Sequence[Mapping[str, Any]],
    field: str,
    provenance: str = "annotated",
    kind: str = "demographic",
) -> list[GroupSpec]:
    """One `equals` group per distinct value of `field` (records without it are left out)."""
    if provenance not in PROVENANCE:
        raise FairnessError("Q1002", f"provenance must be one of {PROVENANCE}")
    if kind not in KINDS:
        raise FairnessError("Q1002", f"kind must be one of {KINDS}")
    values: dict[Any, None] = {}
    for r in records:
        v = r.get(field, _MISSING)
        if v is not _MISSING and v is not None:
            values.setdefault(_hashable(v, field), None)
    if not values:
        raise FairnessError("Q1003", f"no record has a value for the grouping field '{field}'")
    ordered = sorted(values, key=lambda v: (type(v).__name__, str(v)))
    return [
        GroupSpec(f"{field}={v}", Predicate({"field": field, "equals": v}), provenance, kind) for v in ordered
    ]


def _hashable(v: Any, field: str) -> Any:
    if isinstance(v, (str, int, float, bool)):
        return v
    raise FairnessError("Q1003", f"grouping field '{field}' has a non-scalar value {v!r}")


_LEAF_OPS = ("equals", "in", "range")


def _check(spec: Any, where: str) -> None:
    if not isinstance(spec, Mapping) or not spec:
        raise FairnessError("Q1002", at(where, "a predicate must be a non-empty JSON object"))
    keys = set(spec)
    if keys == {"all"}:
        if spec["all"] is not True:
            raise FairnessError("Q1002", at(where + ".all", "'all' must be true"))
        return
    if keys in ({"and"}, {"or"}):
        op = next(iter(keys))
        parts = spec[op]
        if not isinstance(parts, list) or not parts:
            raise FairnessError("Q1002", at(f"{where}.{op}", f"'{op}' needs a non-empty list"))
        for i, p in enumerate(parts):
            _check(p, f"{where}.{op}[{i}]")
        return
    if keys == {"not"}:
        _check(spec["not"], where + ".not")
        return
    _check_leaf(spec, where)


def _check_leaf(spec: Mapping[str, Any], where: str) -> None:
    ops = [k for k in spec if k in _LEAF_OPS]
    unknown = set(spec) - {"field", *_LEAF_OPS}
    if unknown:
        raise FairnessError("Q1002", at(where, f"unknown predicate key(s) {sorted(unknown)}"))
    if len(ops) != 1:
        raise FairnessError("Q1002", at(where, "a leaf predicate needs exactly one of equals/in/range"))
    if not isinstance(spec.get("field"), str) or not spec["field"]:
        raise FairnessError("Q1002", at(where + ".field", "a leaf predicate needs a string 'field'"))
    op = ops[0]
    val = spec[op]
    if op == "equals" and not _scalar(val):
        raise FairnessError("Q1002", at(f"{where}.equals", "'equals' takes a string, number or boolean"))
    if op == "in" and (not isinstance(val, list) or not val or not all(_scalar(v) for v in val)):
        raise FairnessError("Q1002", at(f"{where}.in", "'in' takes a non-empty list of scalars"))
    if op == "range":
        _check_range(val, f"{where}.range")


def _check_range(val: Any, where: str) -> None:
    ok = isinstance(val, list) and len(val) == 2
    ok = ok and all(v is None or _number(v) for v in val) and val != [None, None]
    if not ok:
        raise FairnessError("Q1002", at(where, "'range' takes [min, max] numbers (one may be null)"))
    lo, hi = val
    if lo is not None and hi is not None and lo >= hi:
        raise FairnessError("Q1002", at(where, f"empty range: min {lo} >= max {hi}"))


def _scalar(v: Any) -> bool:
    return isinstance(v, (str, bool)) or _number(v)


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _holds(spec: Mapping[str, Any], record: Mapping[str, Any]) -> bool:
    if "all" in spec:
        return True
    if "and" in spec:
        return all(_holds(p, record) for p in spec["and"])
    if "or" in spec:
        return any(_holds(p, record) for p in spec["or"])
    if "not" in spec:
        return not _holds(spec["not"], record)
    v = record.get(spec["field"], _MISSING)
    if v is _MISSING or v is None:
        return False
    if "equals" in spec:
        return _same(v, spec["equals"])
    if "in" in spec:
        return any(_same(v, c) for c in spec["in"])
    if not _number(v):
        return False
    lo, hi = spec["range"]
    return (lo is None or v >= lo) and (hi is None or v < hi)


def _same(a: Any, b: Any) -> bool:
    # True == 1 in Python; a boolean attribute must not match the number 1.
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    return bool(a == b)


def _fields(spec: Mapping[str, Any]) -> set[str]:
    if "all" in spec:
        return set()
    for op in ("and", "or"):
        if op in spec:
            return set().union(*(_fields(p) for p in spec[op]))
    if "not" in spec:
        return _fields(spec["not"])
    return {spec["field"]}
