"""Intervals and rectangles as frozen dataclasses: intersection, hull, and clamping a point."""

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
    """The common part of a and b (not valid when they do not overlap)."""
    ensures(all(inside(v, result) == (inside(v, a) and inside(v, b)) for v in range(a.lo, a.hi + 1)))
    ensures(valid(result) == (valid(a) and valid(b) and a.lo <= b.hi and b.lo <= a.hi))
    return Interval(max(a.lo, b.lo), min(a.hi, b.hi))


def hull(a: Interval, b: Interval) -> Interval:
    """The smallest interval containing both."""
    requires(valid(a) and valid(b))
    ensures(valid(result))
    ensures(result.lo <= a.lo and result.lo <= b.lo and a.hi <= result.hi and b.hi <= result.hi)
    ensures(result.lo == a.lo or result.lo == b.lo)
    ensures(result.hi == a.hi or result.hi == b.hi)
    return Interval(min(a.lo, b.lo), max(a.hi, b.hi))


def clamp(v: int, iv: Interval) -> int:
    requires(valid(iv))
    ensures(inside(result, iv))
    ensures(inside(v, iv) == (result == v))
    ensures(result == max(iv.lo, min(v, iv.hi)))
    if v < iv.lo:
        return iv.lo
    if v > iv.hi:
        return iv.hi
    return v


def clamp_point(p: Point, r: Rect) -> Point:
    """The nearest point of the rectangle; the point itself when it is inside."""
    requires(valid(r.xs) and valid(r.ys))
    ensures(inside(result.x, r.xs) and inside(result.y, r.ys))
    ensures((inside(p.x, r.xs) and inside(p.y, r.ys)) == (result == p))
    ensures(result == Point(max(r.xs.lo, min(p.x, r.xs.hi)), max(r.ys.lo, min(p.y, r.ys.hi))))
    return Point(clamp(p.x, r.xs), clamp(p.y, r.ys))


def unit_square_corner() -> Point:
    ensures(result == Point(x=1, y=0))
    square = Rect(Interval(0, 1), Interval(0, 1))
    return clamp_point(Point(5, -3), square)


if __name__ == "__main__":
    print(intersect(Interval(0, 10), Interval(5, 20)), hull(Interval(0, 1), Interval(5, 6)))
    print(unit_square_corner())
