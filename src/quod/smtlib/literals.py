"""Values of SMT-LIB numerals and string literals."""

from __future__ import annotations


def parse_int(tok: str) -> int:
    """A numeral of any length (Python limits int(str) to 4300 digits)."""
    if len(tok) <= 4000:
        return int(tok)
    value = 0
    for i in range(0, len(tok), 4000):
        chunk = tok[i : i + 4000]
        value = value * 10 ** len(chunk) + int(chunk)
    return value


def decode_string(body: str) -> str:
    """The value of a string literal's contents: `""` is `"`, `\\u{..}`/`\\udddd` are code points."""
    body = body.replace('""', '"')
    if "\\u" not in body:
        return body
    out: list[str] = []
    i = 0
    n = len(body)
    while i < n:
        c = body[i]
        if c == "\\" and i + 1 < n and body[i + 1] == "u":
            code, width = _escape(body, i + 2)
            if width:
                out.append(chr(code))
                i += 2 + width
                continue
        out.append(c)
        i += 1
    return "".join(out)


HEX_DIGITS = frozenset("0123456789abcdefABCDEF")


def _escape(body: str, j: int) -> tuple[int, int]:
    """(code point, characters consumed after `\\u`) or (0, 0) when not an escape."""
    if j < len(body) and body[j] == "{":
        k = body.find("}", j + 1)
        digits = body[j + 1 : k] if k > 0 else ""
        if 1 <= len(digits) <= 5 and all(d in HEX_DIGITS for d in digits):
            code = int(digits, 16)
            if code <= 0x2FFFF:
                return code, len(digits) + 2
        return 0, 0
    digits = body[j : j + 4]
    if len(digits) == 4 and all(d in HEX_DIGITS for d in digits):
        return int(digits, 16), 4
    return 0, 0


__all__ = ["HEX_DIGITS", "decode_string", "parse_int"]
