"""Intervals as frozen dataclasses (bugs: the intersection keeps the larger upper end, and
a clamp of a point swaps its coordinates)."""

from dataclasses import dataclass

from quod.spec import ensures, pure, requires, result


@dataclass(frozen=True)
class Interval:
    lo: int
    hi: int


@dataclass(frozen=True)
class Point:
    x: int
    y: int


@dataclass(frozen=True)
class Rect:
    xs: Interval
    ys: Interval


@pure
def valid(iv: Interval) -> bool:
    return iv.lo <= iv.hi


@pure
def inside(v: int, iv: Interval) -> bool:
    return iv.lo <= v <= iv.hi


def intersect(a: Interval, b: Interval) -> Interval:
    ensures(valid(result) == (valid(a) and valid(b) and a.lo <= b.hi and b.lo <= a.hi))
    return Interval(max(a.lo, b.lo), max(a.hi, b.hi))  # expect: Q0613


def clamp(v: int, iv: Interval) -> int:
    requires(valid(iv))
    ensures(inside(result, iv))
    ensures(inside(v, iv) == (result == v))
    if v < iv.lo:
        return iv.lo
    if v > iv.hi:
        return iv.hi
    return v


def clamp_point(p: Point, r: Rect) -> Point:
    requires(valid(r.xs) and valid(r.ys))
    ensures(inside(result.x, r.xs) and inside(result.y, r.ys))
    return Point(y=clamp(p.x, r.xs), x=clamp(p.y, r.ys))  # expect: Q0613
