"""SMT-LIB v2.6 scripts: from text to `Script` (a list of command objects).

The pipeline is: `tokenize` (one regex, `findall`) -> `read_sexprs`
(iterative, nested lists) -> one `_CommandParser` method per command, which
uses `TermReader` for sorts and terms. Declarations are scoped by push/pop
as SMT-LIB 2.6 specifies (unless `:global-declarations` is set).
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from quod.core.errors import QuodError, Span
from quod.core.sorts import Sort, UninterpretedSort
from quod.core.terms import FuncDecl, Term, var
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
    Exit,
    GetAssertions,
    GetAssignment,
    GetInfo,
    GetModel,
    GetOption,
    GetProof,
    GetUnsatAssumptions,
    GetUnsatCore,
    GetValue,
    Pop,
    Push,
    Reset,
    ResetAssertions,
    Script,
    SetInfo,
    SetLogic,
    SetOption,
    SExpr,
)
from quod.smtlib.errors import (
    BAD_ARGUMENT,
    SORT,
    SYNTAX,
    UNKNOWN_LOGIC,
    UNSUPPORTED,
    UNSUPPORTED_COMMAND,
    error,
)
from quod.smtlib.lexer import Locator, SNode, read_sexprs, symbol_key, tokenize
from quod.smtlib.logics import is_known_logic
from quod.smtlib.reader import TermReader
from quod.smtlib.scope import Macro, SortDecl, SymbolTable
from quod.smtlib.theory import BUILTIN_ATOMS, to_real

Node = list[Any]

_UNSUPPORTED_COMMANDS = {
    "define-fun-rec": "recursive definitions are not supported",
    "define-funs-rec": "recursive definitions are not supported",
    "declare-datatype": "datatypes are not supported",
    "declare-datatypes": "datatypes are not supported",
    "get-interpolant": "interpolants are not supported",
    "check-sat-using": "tactics are z3-specific",
    "simplify": "'simplify' is z3-specific",
}


def parse_script(text: str, filename: str = "<input>") -> Script:
    """Parse SMT-LIB v2.6 text; raises `QuodError` (code Q02xx) with file:line:col on bad input."""
    # Parsing allocates millions of acyclic objects; the cyclic collector would
    # rescan them again and again (about a third of the time) for nothing.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        loc = Locator(text, filename)
        nodes = read_sexprs(tokenize(text, loc), loc)
        parser = _CommandParser(loc)
        commands: list[Command] = []
        for node in nodes:
            assert isinstance(node, list)
            cmd = parser.command(node)
            commands.append(cmd)
            if isinstance(cmd, Exit):
                break
    finally:
        if was_enabled:
            gc.enable()
    return Script(commands, filename)


def parse_file(path: str | Path) -> Script:
    """Parse a file (UTF-8); a missing or unreadable file is `QuodError` Q0002."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")  # a byte-order mark is not part of the script
    except (OSError, UnicodeDecodeError) as e:
        reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        raise QuodError(f"cannot read {p}: {reason}", Span(str(p), 1, 1), "Q0002") from None
    return parse_script(text, str(p))


def parse_term(
    text: str,
    declarations: dict[str, Sort | FuncDecl | Term] | list[Term | FuncDecl] | None = None,
    filename: str = "<term>",
) -> Term:
    """Parse one term; `declarations` maps names to sorts (constants) or FuncDecls, or lists them."""
    loc = Locator(text, filename)
    nodes = read_sexprs(tokenize(text, loc), loc, allow_atoms=True)
    sym = SymbolTable(BUILTIN_ATOMS)
    items: list[tuple[str, Sort | FuncDecl | Term]] = []
    if isinstance(declarations, dict):
        items = list(declarations.items())
    elif declarations is not None:
        items = [(d.name, d) for d in declarations]
    for name, d in items:
        if isinstance(d, FuncDecl):
            sym.add_fun(symbol_key(name), d)
        elif isinstance(d, Term):
            sym.add_atom(symbol_key(name), d)
        else:
            sym.add_atom(symbol_key(name), var(name, d))
    if len(nodes) != 1:
        raise error(SYNTAX, f"expected exactly one term, got {len(nodes)}", Span(filename, 1, 1))
    return TermReader(sym, loc).term(nodes[0])


class _CommandParser:
    def __init__(self, loc: Locator) -> None:
        self.loc = loc
        self.sym = SymbolTable(BUILTIN_ATOMS)
        self.reader = TermReader(self.sym, loc)
        self.logic: str | None = None
        self._dispatch: dict[str, Callable[[Node, Span], Command]] = {
            "set-logic": self._set_logic,
            "set-info": self._set_info,
            "set-option": self._set_option,
            "declare-sort": self._declare_sort,
            "define-sort": self._define_sort,
            "declare-fun": self._declare_fun,
            "declare-const": self._declare_const,
            "define-fun": self._define_fun,
            "assert": self._assert,
            "check-sat-assuming": self._check_sat_assuming,
            "get-value": self._get_value,
            "get-info": self._get_info,
            "get-option": self._get_option,
            "push": self._push,
            "pop": self._pop,
            "reset": self._reset,
            "reset-assertions": self._reset_assertions,
            "echo": self._echo,
        }
        self._nullary: dict[str, type[Command]] = {
            "check-sat": CheckSat,
            "get-model": GetModel,
            "get-unsat-core": GetUnsatCore,
            "get-unsat-assumptions": GetUnsatAssumptions,
            "get-proof": GetProof,
            "get-assertions": GetAssertions,
            "get-assignment": GetAssignment,
            "exit": Exit,
        }

    def fail(self, code: str, msg: str, node: SNode, parent: Node | None = None, index: int = 0) -> QuodError:
        return self.reader.fail(code, msg, node, parent, index)

    def command(self, node: Node) -> Command:
        span = self.loc.paren_span(node[0])
        if len(node) < 2 or node[1].__class__ is not str:
            raise error(SYNTAX, "expected a command name after '('", span)
        name = node[1]
        handler = self._dispatch.get(name)
        if handler is not None:
            return handler(node, span)
        cls = self._nullary.get(name)
        if cls is not None:
            self._arity(node, 0)
            return cls(span=span)
        if name in _UNSUPPORTED_COMMANDS:
            raise error(UNSUPPORTED_COMMAND, f"'{name}': {_UNSUPPORTED_COMMANDS[name]}", span)
        raise error(UNSUPPORTED_COMMAND, f"unknown command '{_clip(name)}'", span)

    def _arity(self, node: Node, n: int, at_most: int | None = None) -> None:
        got = len(node) - 2
        hi = n if at_most is None else at_most
        if not n <= got <= hi:
            want = str(n) if hi == n else f"{n} to {hi}"
            raise self.fail(BAD_ARGUMENT, f"'{node[1]}' takes {want} argument(s), got {got}", node)

    # logic, info, options -------------------------------------------------------------
    def _set_logic(self, node: Node, span: Span) -> Command:
        self._arity(node, 1)
        name = self.reader.symbol(node[2], node, 2, "a logic name")
        if not is_known_logic(name):
            raise self.fail(UNKNOWN_LOGIC, f"unknown logic '{_clip(name)}'", node[2], node, 2)
        if self.logic is not None:
            raise self.fail(BAD_ARGUMENT, f"the logic is already set to {self.logic}", node)
        self.logic = name
        return SetLogic(name, span=span)

    def _keyword(self, node: Node, index: int) -> str:
        kw = node[index] if index < len(node) else None
        if kw.__class__ is not str or kw[0] != ":" or len(kw) < 2:
            raise self.fail(
                BAD_ARGUMENT, "expected a keyword such as :status", node if kw is None else kw, node, index
            )
        assert isinstance(kw, str)
        return kw

    def _attribute(self, node: Node) -> tuple[str, SExpr | None]:
        self._arity(node, 1, 2)
        kw = self._keyword(node, 2)
        return kw, (self._freeze(node[3]) if len(node) == 4 else None)

    def _freeze(self, node: SNode) -> SExpr:
        try:
            return freeze(node)
        except ValueError as e:
            raise self.fail(
                UNSUPPORTED, f"S-expression nested deeper than {SEXPR_DEPTH_LIMIT} levels", e.args[0]
            ) from None

    def _set_info(self, node: Node, span: Span) -> Command:
        kw, value = self._attribute(node)
        if kw == ":status" and value not in ("sat", "unsat", "unknown"):
            raise self.fail(BAD_ARGUMENT, ":status must be sat, unsat or unknown", node)
        return SetInfo(kw, value, span=span)

    def _set_option(self, node: Node, span: Span) -> Command:
        kw, value = self._attribute(node)
        if kw == ":global-declarations":
            if value not in ("true", "false"):
                raise self.fail(BAD_ARGUMENT, ":global-declarations must be true or false", node)
            self.sym.global_declarations = value == "true"
        return SetOption(kw, value, span=span)

    def _get_info(self, node: Node, span: Span) -> Command:
        self._arity(node, 1)
        return GetInfo(self._keyword(node, 2), span=span)

    def _get_option(self, node: Node, span: Span) -> Command:
        self._arity(node, 1)
        return GetOption(self._keyword(node, 2), span=span)

    # declarations and definitions ---------------------------------------------------------
    def _declare_sort(self, node: Node, span: Span) -> Command:
        self._arity(node, 1, 2)
        name = self.reader.symbol(node[2], node, 2, "a sort name")
        arity = self.reader.numeral(node[3], node, 3) if len(node) == 4 else 0
        key = self._fresh_sort(name, node)
        self.sym.add_sort(key, SortDecl(name, arity))
        return DeclareSort(name, arity, span=span)

    def _fresh_sort(self, name: str, node: Node) -> str:
        key = symbol_key(name)
        if key in self.sym.sorts or key in (
            "Bool",
            "Int",
            "Real",
            "String",
            "RegLan",
            "Array",
            "Seq",
            "BitVec",
        ):
            raise self.fail("Q0207", f"sort '{_clip(name)}' is already declared", node[2], node, 2)
        return key

    def _define_sort(self, node: Node, span: Span) -> Command:
        self._arity(node, 3)
        name = self.reader.symbol(node[2], node, 2, "a sort name")
        key = self._fresh_sort(name, node)
        plist = node[3]
        if plist.__class__ is not list:
            raise self.fail(SYNTAX, "expected a list of sort parameters", plist, node, 3)
        params = [self.reader.symbol(plist[j], plist, j, "a sort parameter") for j in range(1, len(plist))]
        holders = tuple(UninterpretedSort(f"{p}|{i}|") for i, p in enumerate(params))
        # parameters shadow sorts of the same name while the definition is read
        self.sym.push(1)
        for p, h in zip(params, holders):
            self.sym.add_sort(symbol_key(p), SortDecl(p, 0, h))
        try:
            template = self.reader.sort(node[4], node, 4)
        finally:
            self.sym.pop(1)
        self.sym.add_sort(key, SortDecl(name, len(params), template, holders))
        return DefineSort(name, tuple(params), self._freeze(node[4]), span=span)

    def _declare_fun(self, node: Node, span: Span) -> Command:
        self._arity(node, 3)
        name = self.reader.symbol(node[2], node, 2, "a function name")
        dom = node[3]
        if dom.__class__ is not list:
            raise self.fail(SYNTAX, "expected a list of argument sorts", dom, node, 3)
        domain = tuple(self.reader.sort(dom[j], dom, j) for j in range(1, len(dom)))
        rng = self.reader.sort(node[4], node, 4)
        key = self.reader.check_fresh(name, node, 2)
        if domain:
            self.sym.add_fun(key, FuncDecl(name, domain, rng))
        else:
            self.sym.add_atom(key, var(name, rng))
        return DeclareFun(name, domain, rng, span=span)

    def _declare_const(self, node: Node, span: Span) -> Command:
        self._arity(node, 2)
        name = self.reader.symbol(node[2], node, 2, "a constant name")
        sort = self.reader.sort(node[3], node, 3)
        key = self.reader.check_fresh(name, node, 2)
        self.sym.add_atom(key, var(name, sort))
        return DeclareConst(name, sort, span=span)

    def _define_fun(self, node: Node, span: Span) -> Command:
        self._arity(node, 4)
        r = self.reader
        name = r.symbol(node[2], node, 2, "a function name")
        r.check_fresh(name, node, 2)
        bound = r.sorted_vars(node[3], node, 3)
        try:
            rng = r.sort(node[4], node, 4)
            body = r.term(node[5], node, 5)
        finally:
            r.release(bound)
        if rng.is_real and body.sort.is_int:
            body = to_real(body)
        if body.sort != rng:
            raise self.fail(
                SORT, f"'{_clip(name)}' is declared {rng} but its body has sort {body.sort}", node
            )
        key = r.check_fresh(name, node, 2)  # the body may have :named this name
        params, clean = r.rename_bound(bound, body)
        if bound:
            self.sym.add_fun(key, Macro(name, tuple(v for _, _, v in bound), rng, body))
        else:
            self.sym.add_atom(key, body)
        return DefineFun(name, tuple(params), rng, clean, span=span)

    # assertions and checks -----------------------------------------------------------------
    def _bool_term(self, node: Node, index: int, what: str) -> Term:
        t = self.reader.term(node[index], node, index)
        if not t.sort.is_bool:
            raise self.fail(SORT, f"{what} must be Bool, got {t.sort}", node[index], node, index)
        return t

    def _assert(self, node: Node, span: Span) -> Command:
        self._arity(node, 1)
        t = self._bool_term(node, 2, "an assertion")
        return Assert(t, _top_names(node[2]), span=span)

    def _check_sat_assuming(self, node: Node, span: Span) -> Command:
        self._arity(node, 1)
        lits = node[2]
        if lits.__class__ is not list:
            raise self.fail(SYNTAX, "expected a list of assumptions", lits, node, 2)
        return CheckSatAssuming(
            tuple(self._bool_term(lits, j, "an assumption") for j in range(1, len(lits))), span=span
        )

    def _get_value(self, node: Node, span: Span) -> Command:
        self._arity(node, 1)
        ts = node[2]
        if ts.__class__ is not list or len(ts) < 2:
            raise self.fail(SYNTAX, "expected a non-empty list of terms", ts, node, 2)
        return GetValue(tuple(self.reader.term(ts[j], ts, j) for j in range(1, len(ts))), span=span)

    # assertion stack --------------------------------------------------------------------------
    def _levels(self, node: Node) -> int:
        self._arity(node, 0, 1)
        return self.reader.numeral(node[2], node, 2) if len(node) == 3 else 1

    def _push(self, node: Node, span: Span) -> Command:
        n = self._levels(node)
        self.sym.push(n)
        return Push(n, span=span)

    def _pop(self, node: Node, span: Span) -> Command:
        n = self._levels(node)
        if n > self.sym.levels:
            raise self.fail(BAD_ARGUMENT, f"cannot pop {n} level(s): only {self.sym.levels} pushed", node)
        self.sym.pop(n)
        return Pop(n, span=span)

    def _reset(self, node: Node, span: Span) -> Command:
        self._arity(node, 0)
        self.sym.reset()
        self.logic = None
        return Reset(span=span)

    def _reset_assertions(self, node: Node, span: Span) -> Command:
        self._arity(node, 0)
        self.sym.reset_assertions()
        return ResetAssertions(span=span)

    def _echo(self, node: Node, span: Span) -> Command:
        self._arity(node, 1)
        s = node[2]
        if s.__class__ is not str or s[0] != '"':
            raise self.fail(BAD_ARGUMENT, "echo takes a string literal", s, node, 2)
        return Echo(s[1:-1].replace('""', '"'), span=span)


def _top_names(node: SNode) -> tuple[str, ...]:
    """`:named` labels of the annotations wrapping an assertion (outermost first)."""
    names: list[str] = []
    while node.__class__ is list and len(node) >= 3 and node[1] == "!":  # type: ignore[index, arg-type]
        assert isinstance(node, list)
        for i in range(3, len(node) - 1):
            if node[i] == ":named" and node[i + 1].__class__ is str:
                tok = node[i + 1]
                assert isinstance(tok, str)
                names.append(tok[1:-1] if tok[0] == "|" else tok)
        node = node[2]  # type: ignore[assignment]
    return tuple(names)


# Attribute values are kept as nested tuples, which Python compares and hashes
# recursively, so their depth is bounded (terms have no such limit).
SEXPR_DEPTH_LIMIT = 100


def freeze(node: SNode) -> SExpr:
    """An S-expression as nested tuples of raw tokens (iterative).

    Raises `ValueError` with the offending list as its argument if the
    nesting is deeper than SEXPR_DEPTH_LIMIT.
    """
    if node.__class__ is str:
        assert isinstance(node, str)
        return node
    assert isinstance(node, list)
    done: dict[int, SExpr] = {}
    stack: list[tuple[list[Any], int, bool]] = [(node, 1, False)]
    while stack:
        n, depth, expanded = stack.pop()
        if expanded:
            done[id(n)] = tuple(c if c.__class__ is str else done[id(c)] for c in n[1:])
            continue
        if depth > SEXPR_DEPTH_LIMIT:
            raise ValueError(n)
        stack.append((n, depth, True))
        stack.extend((c, depth + 1, False) for c in n[1:] if c.__class__ is list)
    return done[id(node)]


def _clip(s: str) -> str:
    return s if len(s) <= 60 else s[:57] + "..."


__all__ = ["freeze", "parse_file", "parse_script", "parse_term"]
