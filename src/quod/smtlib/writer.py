"""Writing scripts, commands, terms and sorts as SMT-LIB v2.6 text.

The printed text parses back to the same commands with the same (identical)
terms. Repeated compound subterms are bound with `let`, so printing a DAG is
linear in its size; quantifier bodies get lets of their own (their bound
variables are not in scope outside). Everything is iterative, so terms of
any depth print without recursion.

Values are written the way SMT-LIB writes them and the parser reads them
back as constants: `(- 5)`, `0.5`, `(/ 1.0 3.0)`, `#x0f`, `#b101`, strings
with `""` and `\\u{..}` escapes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction
from typing import Any

from quod.core.ops import INDEXED, Op
from quod.core.printer import bv_literal, quote_symbol
from quod.core.sorts import Sort, sort_to_smtlib
from quod.core.terms import FuncDecl, Term
from quod.core.walk import free_vars, post_order
from quod.smtlib.commands import (
    Assert,
    CheckSat,
    CheckSatAssuming,
    Command,
    DeclareConst,
    DeclareFun,
    DeclareSort,
    DefineFun,
    DefineSort,
    Echo,
    GetInfo,
    GetOption,
    GetValue,
    Pop,
    Push,
    Script,
    SetInfo,
    SetLogic,
    SetOption,
    SExpr,
)


def print_script(script: Script | Iterable[Command]) -> str:
    """The commands of `script`, one per line."""
    return "".join(print_command(c) + "\n" for c in script)


def print_sort(s: Sort) -> str:
    return sort_to_smtlib(s)


def int_literal(v: int) -> str:
    digits = _digits(-v if v < 0 else v)
    return f"(- {digits})" if v < 0 else digits


_CHUNK = 10**4000


def _digits(n: int) -> str:
    # str(int) refuses more than 4300 digits by default; split big values
    if n < _CHUNK:
        return str(n)
    parts: list[str] = []
    while n:
        n, r = divmod(n, _CHUNK)
        parts.append(str(r).rjust(4000, "0"))
    return "".join(reversed(parts)).lstrip("0") or "0"


def string_literal(value: str) -> str:
    """A string constant: `""` for quotes, `\\u{..}` for characters outside printable ASCII.

    A backslash is written as itself unless a `u` follows, where it would start
    an escape; then it is written as `\\u{5c}`.
    """
    out = ['"']
    n = len(value)
    for i, ch in enumerate(value):
        c = ord(ch)
        if ch == '"':
            out.append('""')
        elif ch == "\\" and i + 1 < n and value[i + 1] == "u":
            out.append("\\u{5c}")
        elif 32 <= c <= 126:
            out.append(ch)
        else:
            out.append(f"\\u{{{c:x}}}")
    out.append('"')
    return "".join(out)


def real_literal(v: Fraction) -> str:
    neg = v < 0
    a = -v if neg else v
    num, den = a.numerator, a.denominator
    if den == 1:
        text = f"{_digits(num)}.0"
    else:
        k = _decimal_places(den)
        if k is not None:
            scaled = _digits(num * 10**k // den).rjust(k + 1, "0")
            text = f"{scaled[:-k]}.{scaled[-k:]}"
        else:
            text = f"(/ {_digits(num)}.0 {_digits(den)}.0)"
    return f"(- {text})" if neg else text


def _decimal_places(den: int) -> int | None:
    """k such that den divides 10**k (den = 2^a 5^b), else None."""
    a = b = 0
    while den % 2 == 0:
        den //= 2
        a += 1
    while den % 5 == 0:
        den //= 5
        b += 1
    return max(a, b) if den == 1 else None


def _const(t: Term) -> str:
    v = t.payload[0]
    s = t.sort
    if s.is_bool:
        return "true" if v else "false"
    if s.is_int:
        return int_literal(v)
    if s.is_real:
        return real_literal(Fraction(v))
    if s.is_bv:
        return bv_literal(v, s.width)
    if s.is_string:
        return string_literal(v)
    raise ValueError(f"no SMT-LIB literal for a constant of sort {s}")


def _head(t: Term) -> str:
    op = t.op
    if op is Op.APPLY:
        return quote_symbol(t.payload.name)
    if op is Op.NEG:
        return "-"
    if op in INDEXED:
        return f"(_ {op.value} {' '.join(str(i) for i in t.payload)})"
    if op is Op.CONST_ARRAY:
        return f"(as const {sort_to_smtlib(t.sort)})"
    return str(op.value)


def _atom(t: Term) -> str | None:
    op = t.op
    if op is Op.CONST:
        return _const(t)
    if op is Op.VAR:
        return quote_symbol(t.payload)
    if op is Op.SEQ_EMPTY:
        return f"(as seq.empty {sort_to_smtlib(t.sort)})"
    if not t.args and op is not Op.APPLY:
        return str(op.value)
    return None


def _is_binder(t: Term) -> bool:
    return t.op is Op.FORALL or t.op is Op.EXISTS


class _TermPrinter:
    """Prints one term; `let` names are `?qN`, avoiding every symbol the term uses."""

    def __init__(self, root: Term, share: bool) -> None:
        self.share = share
        self.reserved = {s.name for s in post_order([root]) if s.op is Op.VAR or s.op is Op.APPLY}
        self.counter = 0

    def _fresh(self) -> str:
        while True:
            self.counter += 1
            name = f"?q{self.counter}"
            if name not in self.reserved:
                return name

    def _plan(self, root: Term) -> tuple[dict[int, str], list[list[Term]]]:
        """Names for repeated compound subterms of one unit, grouped in let levels."""
        if not self.share:
            return {}, []
        nodes = list(post_order([root], into_bodies=False))
        refs: dict[int, int] = {}
        for t in nodes:
            if not _is_binder(t):
                for a in t.args:
                    refs[a.id] = refs.get(a.id, 0) + 1
        shared: dict[int, str] = {}
        for t in nodes:
            if refs.get(t.id, 0) > 1 and t is not root and _atom(t) is None:
                shared[t.id] = self._fresh()
        if not shared:
            return shared, []
        levels: list[list[Term]] = []
        depth: dict[int, int] = {}
        for t in nodes:
            d = 0
            if not _is_binder(t):
                for a in t.args:
                    da = depth[a.id] + 1 if a.id in shared else depth[a.id]
                    d = max(d, da)
            if t.id in shared:
                while len(levels) <= d:
                    levels.append([])
                levels[d].append(t)
            depth[t.id] = d
        return shared, levels

    def run(self, root: Term) -> str:
        out: list[str] = []
        # items: ("unit", term) starts a let scope; ("def", term, names) prints a
        # term's own structure; ("term", term, names) may use a let name; str is literal.
        stack: list[Any] = [("unit", root)]
        while stack:
            item = stack.pop()
            if item.__class__ is str:
                out.append(item)
                continue
            kind = item[0]
            if kind == "unit":
                self._open_unit(item[1], stack)
                continue
            t: Term = item[1]
            names: dict[int, str] = item[2]
            if kind == "term" and t.id in names:
                out.append(names[t.id])
                continue
            atom = _atom(t)
            if atom is not None:
                out.append(atom)
            elif _is_binder(t):
                decls = " ".join(f"({quote_symbol(v.name)} {sort_to_smtlib(v.sort)})" for v in t.payload)
                out.append(f"({t.op.value} ({decls}) ")
                stack.append(")")
                stack.append(("unit", t.args[0]))
            else:
                out.append(f"({_head(t)}")
                stack.append(")")
                for a in reversed(t.args):
                    stack.append(("term", a, names))
                    stack.append(" ")
        return "".join(out)

    def _open_unit(self, root: Term, stack: list[Any]) -> None:
        names, levels = self._plan(root)
        # pushed in reverse: (let (bindings0) (let (bindings1) ... root))
        stack.append(")" * len(levels))
        stack.append(("def", root, names))
        for level in reversed(levels):
            stack.append(") ")
            for t in reversed(level):
                stack.append(")")
                stack.append(("def", t, names))
                stack.append(f"({names[t.id]} ")
            stack.append("(let (")


def print_term(t: Term, *, share: bool = True) -> str:
    """SMT-LIB text of a term; with `share`, repeated compound subterms are let-bound."""
    return _TermPrinter(t, share).run(t)


def print_sexpr(x: SExpr) -> str:
    """Raw S-expression (attribute values), iteratively."""
    out: list[str] = []
    stack: list[Any] = [x]
    while stack:
        item = stack.pop()
        if item.__class__ is str:
            out.append(item)
            continue
        if item is _CLOSE:
            out.append(")")
            continue
        out.append("(")
        stack.append(_CLOSE)
        for i in range(len(item) - 1, -1, -1):
            stack.append(item[i])
            if i:
                stack.append(" ")
    return "".join(out)


_CLOSE = object()


def _sorted_vars(params: Sequence[Term]) -> str:
    return "(" + " ".join(f"({quote_symbol(p.name)} {sort_to_smtlib(p.sort)})" for p in params) + ")"


def print_command(c: Command) -> str:
    if isinstance(c, SetLogic):
        return f"(set-logic {quote_symbol(c.logic)})"
    if isinstance(c, (SetInfo, SetOption)):
        value = "" if c.value is None else " " + print_sexpr(c.value)
        return f"({c.name} {c.keyword}{value})"
    if isinstance(c, (GetInfo, GetOption)):
        return f"({c.name} {c.keyword})"
    if isinstance(c, DeclareSort):
        return f"(declare-sort {quote_symbol(c.symbol)} {c.arity})"
    if isinstance(c, DefineSort):
        params = " ".join(quote_symbol(p) for p in c.params)
        return f"(define-sort {quote_symbol(c.symbol)} ({params}) {print_sexpr(c.definition)})"
    if isinstance(c, DeclareFun):
        dom = " ".join(sort_to_smtlib(s) for s in c.domain)
        return f"(declare-fun {quote_symbol(c.symbol)} ({dom}) {sort_to_smtlib(c.range)})"
    if isinstance(c, DeclareConst):
        return f"(declare-const {quote_symbol(c.symbol)} {sort_to_smtlib(c.sort)})"
    if isinstance(c, DefineFun):
        return (
            f"(define-fun {quote_symbol(c.symbol)} {_sorted_vars(c.params)} "
            f"{sort_to_smtlib(c.range)} {print_term(c.body)})"
        )
    if isinstance(c, Assert):
        body = print_term(c.term)
        if c.names:
            body = f"(! {body} {' '.join(':named ' + quote_symbol(n) for n in c.names)})"
        return f"(assert {body})"
    if isinstance(c, CheckSatAssuming):
        return f"(check-sat-assuming ({' '.join(print_term(t) for t in c.assumptions)}))"
    if isinstance(c, GetValue):
        return f"(get-value ({' '.join(print_term(t) for t in c.terms)}))"
    if isinstance(c, (Push, Pop)):
        return f"({c.name} {c.levels})"
    if isinstance(c, Echo):
        return f'(echo "{c.text.replace(chr(34), chr(34) * 2)}")'
    return f"({c.name})"


def print_assertions(
    assertions: Iterable[Term], *, logic: str | None = None, status: str | None = None, check_sat: bool = True
) -> str:
    """A complete script declaring every free symbol of `assertions` and asserting them."""
    terms = list(assertions)
    commands: list[Command] = []
    if logic is not None:
        commands.append(SetLogic(logic))
    if status is not None:
        commands.append(SetInfo(":status", status))
    sorts: dict[str, int] = {}
    for t in post_order(terms, into_binders=True):
        for s in (t.sort, *(_decl_sorts(t))):
            _collect_sorts(s, sorts)
    decls: dict[str, DeclareFun] = {}
    free = sorted(free_vars(terms), key=lambda v: v.id)
    apps = [t.payload for t in post_order(terms) if t.op is Op.APPLY]
    for sym in [*free, *apps]:
        d = (
            DeclareFun(sym.name, (), sym.sort)
            if isinstance(sym, Term)
            else DeclareFun(sym.name, sym.domain, sym.range)
        )
        old = decls.setdefault(d.symbol, d)
        if old != d:
            raise ValueError(
                f"symbol {d.symbol!r} is used with two different sorts; SMT-LIB cannot express that"
            )
    commands.extend(DeclareSort(name, arity) for name, arity in sorts.items())
    commands.extend(decls.values())
    commands.extend(Assert(t) for t in terms)
    if check_sat:
        commands.append(CheckSat())
    return print_script(commands)


def _decl_sorts(t: Term) -> tuple[Sort, ...]:
    if t.op is Op.APPLY:
        d: FuncDecl = t.payload
        return (*d.domain, d.range)
    return ()


def _collect_sorts(s: Sort, out: dict[str, int]) -> None:
    stack = [s]
    while stack:
        x = stack.pop()
        if x.is_uninterpreted and x.name not in out:
            out[x.name] = len(x.params)
        stack.extend(x.params)


__all__ = [
    "int_literal",
    "print_assertions",
    "print_command",
    "print_script",
    "print_sexpr",
    "print_sort",
    "print_term",
    "real_literal",
    "string_literal",
]
