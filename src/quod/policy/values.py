"""Typed condition values: numbers, dates, booleans and IP addresses.

Numbers and dates are exact rationals (dates in seconds since the Unix epoch,
UTC), so the evaluator and the encoding (SMT Reals) agree to the last digit.
"""

from __future__ import annotations

import calendar
import datetime
import ipaddress
import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from quod.policy.model import IpNet

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_RATIO = re.compile(r"^[+-]?\d+/\d+$")
_EPOCH = re.compile(r"^-?\d+(\.\d+)?$")
_DATE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?"
    r"(Z|z|[+-]\d{2}:?\d{2})?$"
)


def parse_number(text: str) -> Fraction | None:
    """A decimal number (also `n/d`, which quod prints for non-decimal witness values)."""
    t = text.strip()
    if _RATIO.match(t):
        num, den = t.split("/")
        return Fraction(int(num), int(den)) if int(den) else None
    if not _NUMBER.match(t):
        return None
    try:
        return Fraction(Decimal(t))
    except (InvalidOperation, ValueError):
        return None


def parse_date(text: str) -> Fraction | None:
    """ISO 8601 date/date-time (UTC unless an offset is given) or epoch seconds (also `n/d`)."""
    t = text.strip()
    if _EPOCH.match(t):
        return Fraction(Decimal(t))
    if _RATIO.match(t):  # epoch seconds as n/d: how quod prints non-decimal witness values
        return parse_number(t)
    m = _DATE.match(t)
    if not m:
        return None
    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    hh, mm, ss = int(m.group(4) or 0), int(m.group(5) or 0), int(m.group(6) or 0)
    if not (1 <= mo <= 12 and 1 <= d <= calendar.monthrange(y, mo)[1] and hh < 24 and mm < 60 and ss < 60):
        return None
    seconds = Fraction(calendar.timegm((y, mo, d, hh, mm, ss, 0, 0, 0)))
    if m.group(7):
        seconds += Fraction(Decimal(m.group(7)))
    tz = m.group(8)
    if tz and tz not in ("Z", "z"):
        sign = -1 if tz[0] == "-" else 1
        digits = tz[1:].replace(":", "")
        seconds -= sign * (int(digits[:2]) * 3600 + int(digits[2:]) * 60)
    return seconds


def parse_bool(text: str) -> bool | None:
    low = text.strip().lower()
    return True if low == "true" else False if low == "false" else None


def parse_network(text: str) -> IpNet | None:
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None


def parse_ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _decimal_text(v: Fraction) -> str | None:
    """Exact decimal text of `v`, or None when it has no finite decimal expansion."""
    den = v.denominator
    twos = fives = 0
    while den % 2 == 0:
        den //= 2
        twos += 1
    while den % 5 == 0:
        den //= 5
        fives += 1
    if den != 1:
        return None
    digits = max(twos, fives)
    scaled = abs(v) * 10**digits
    assert scaled.denominator == 1
    s = str(scaled.numerator).rjust(digits + 1, "0")
    whole, frac = (s[:-digits], s[-digits:]) if digits else (s, "")
    sign = "-" if v < 0 else ""
    return f"{sign}{whole}.{frac}" if frac else f"{sign}{whole}"


def format_number(v: Fraction) -> str:
    return _decimal_text(v) or f"{v.numerator}/{v.denominator}"


def format_date(v: Fraction) -> str:
    """ISO 8601 UTC when the year is 1..9999 and the value is a finite decimal, else epoch seconds."""
    whole = v.numerator // v.denominator
    frac = v - whole
    frac_text = _decimal_text(frac)
    lo = calendar.timegm((1, 1, 1, 0, 0, 0, 0, 0, 0))
    hi = calendar.timegm((9999, 12, 31, 23, 59, 59, 0, 0, 0))
    if frac_text is None or not lo <= whole <= hi:
        return format_number(v)
    dt = datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=whole)
    text = f"{dt.year:04d}-{dt.month:02d}-{dt.day:02d}T{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d}"
    if frac:
        text += frac_text[1:]  # ".xyz" from "0.xyz"
    return text + "Z"


__all__ = [
    "format_date",
    "format_number",
    "parse_bool",
    "parse_date",
    "parse_ip",
    "parse_network",
    "parse_number",
]
