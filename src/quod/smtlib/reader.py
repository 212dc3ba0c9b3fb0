"""From S-expressions to core sorts and terms.

`TermReader.term` walks a term with an explicit stack of frames (no
recursion on nesting depth). A frame is a small list
`[kind, node, next_index, end_index, args, extra]`; children that are atoms
are resolved in place, lists get their own frame. `let` binds names to
already-built terms, so shared subterms become DAG sharing for free.

Binders (`forall`, `exists`, `define-fun` parameters) first bind their
variables to internal variables whose names cannot occur in SMT-LIB text
(they contain `|`), so a bound name can never capture a free constant that
reaches the body through `let`, a definition or a `:named` term; the
internal variables are renamed back to the written names afterwards
(or to a fresh name when the written one would capture).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from quod.core.errors import SortError, Span
from quod.core.ops import Op
from quod.core.sorts import (
    BOOL,
    INT,
    REAL,
    REGLAN,
    STRING,
    ArraySort,
    BitVecSort,
    SeqSort,
    Sort,
    SortKind,
    UninterpretedSort,
)
from quod.core.terms import FuncDecl, Term, apply_decl, const, make, quantifier, var
from quod.core.walk import free_vars, post_order, rebuild, substitute
from quod.smtlib.errors import (
    BAD_ARGUMENT,
    BAD_LITERAL,
    REDECLARED,
    SORT,
    SYNTAX,
    UNKNOWN_SYMBOL,
    UNSUPPORTED,
    SmtlibError,
    error,
)
from quod.smtlib.lexer import Locator, SNode, is_symbol, symbol_key, token_key, unquote_symbol
from quod.smtlib.literals import HEX_DIGITS as _HEX
from quod.smtlib.literals import decode_string, parse_int
from quod.smtlib.scope import Macro, SortDecl, SymbolTable
from quod.smtlib.theory import (
    DECIMAL_RE,
    HEADS,
    INDEXED,
    NUMERAL_RE,
    Handler,
    indexed_handler,
    is_unsupported,
    to_real,
)

Node = list[Any]

_APP, _LET_BIND, _LET_BODY, _QUANT, _ANNOT = range(5)
_SPECIAL = frozenset({"let", "forall", "exists", "!", "_", "as", "match", "lambda", "par"})
_SORT_DEPTH_LIMIT = 200
_MAX_LITERAL_WIDTH = 1 << 24
_SORT_SIZE_LIMIT = 10_000
_BUILTIN_SORTS: dict[str, Sort] = {"Bool": BOOL, "Int": INT, "Real": REAL, "String": STRING, "RegLan": REGLAN}
_UNSUPPORTED_SORTS = frozenset(
    {"FloatingPoint", "RoundingMode", "Float16", "Float32", "Float64", "Float128", "Set"}
)


class TermReader:
    """Builds sorts and terms against a symbol table; errors carry spans from `loc`."""

    def __init__(self, sym: SymbolTable, loc: Locator) -> None:
        self.sym = sym
        self.loc = loc
        self.local: dict[str, list[Term]] = {}
        self.bound: set[Term] = set()
        self._counter = 0

    # errors -------------------------------------------------------------------
    def span(self, node: SNode, parent: Node | None = None, index: int = 0) -> Span:
        return self.loc.node_span(node, parent, index)

    def fail(
        self, code: str, msg: str, node: SNode, parent: Node | None = None, index: int = 0
    ) -> SmtlibError:
        return error(code, msg, self.span(node, parent, index))

    # sorts ----------------------------------------------------------------------
    def sort(self, node: SNode, parent: Node | None = None, index: int = 0, depth: int = 0) -> Sort:
        if depth > _SORT_DEPTH_LIMIT:
            raise self.fail(
                UNSUPPORTED, f"sort nested more than {_SORT_DEPTH_LIMIT} levels", node, parent, index
            )
        if node.__class__ is str:
            assert isinstance(node, str)
            return self._sort_atom(node, parent, index)
        assert isinstance(node, list)
        if len(node) < 2:
            raise self.fail(SYNTAX, "expected a sort, got '()'", node)
        head = node[1]
        if head == "_":
            return self._indexed_sort(node)
        if head.__class__ is not str:
            raise self.fail(SYNTAX, "expected a sort", node)
        name = token_key(head)
        args = [self.sort(node[i], node, i, depth + 1) for i in range(2, len(node))]
        if name == "Array" and len(args) == 2:
            return self._checked(ArraySort(args[0], args[1]), node)
        if name == "Seq" and len(args) == 1:
            return SeqSort(args[0])
        decl = self.sym.sorts.get(name)
        if decl is None:
            return self._unknown_sort(name, node[1], node, 1)
        if decl.arity != len(args):
            raise self.fail(SORT, f"sort '{name}' takes {decl.arity} parameter(s), got {len(args)}", node)
        return self._instantiate(decl, tuple(args), node)

    def _checked(self, s: Sort, node: SNode) -> Sort:
        if _sort_too_big(s):
            raise self.fail(UNSUPPORTED, f"sort expands to more than {_SORT_SIZE_LIMIT} parts", node)
        return s

    def _sort_atom(self, tok: str, parent: Node | None, index: int) -> Sort:
        name = token_key(tok)
        s = _BUILTIN_SORTS.get(name)
        if s is not None:
            return s
        decl = self.sym.sorts.get(name)
        if decl is None:
            return self._unknown_sort(name, tok, parent, index)
        if decl.arity != 0:
            raise self.fail(SORT, f"sort '{name}' needs {decl.arity} parameter(s)", tok, parent, index)
        return self._instantiate(decl, (), tok, parent, index)

    def _unknown_sort(self, name: str, node: SNode, parent: Node | None = None, index: int = 0) -> Sort:
        if name in ("Array", "Seq", "BitVec"):
            raise self.fail(SORT, f"wrong number of parameters for sort '{name}'", node, parent, index)
        if name in _UNSUPPORTED_SORTS:
            raise self.fail(UNSUPPORTED, f"sort '{name}' is not supported by quod", node, parent, index)
        raise self.fail(UNKNOWN_SYMBOL, f"unknown sort '{_clip(name)}'", node, parent, index)

    def _indexed_sort(self, node: Node) -> Sort:
        if len(node) == 4 and node[2] == "BitVec" and node[3].__class__ is str:
            width = self.numeral(node[3], node, 3)
            if width <= 0:
                raise self.fail(SORT, "bit-vector width must be positive", node, node, 3)
            return BitVecSort(width)
        name = node[2] if len(node) > 2 and node[2].__class__ is str else "?"
        if name in _UNSUPPORTED_SORTS:
            raise self.fail(UNSUPPORTED, f"sort '(_ {name} ...)' is not supported", node)
        raise self.fail(UNKNOWN_SYMBOL, f"unknown indexed sort '(_ {name} ...)'", node)

    def _instantiate(
        self, decl: SortDecl, args: tuple[Sort, ...], node: SNode, parent: Node | None = None, index: int = 0
    ) -> Sort:
        if decl.template is None:
            result = UninterpretedSort(decl.name, args)
        else:
            result = _subst_sort(decl.template, dict(zip(decl.placeholders, args)))
        if _sort_too_big(result):
            raise self.fail(
                UNSUPPORTED, f"sort expands to more than {_SORT_SIZE_LIMIT} parts", node, parent, index
            )
        return result

    def numeral(self, tok: Any, parent: Node, index: int) -> int:
        if tok.__class__ is not str or NUMERAL_RE.fullmatch(tok) is None:
            raise self.fail(BAD_ARGUMENT, f"expected a numeral, got {_show(tok)}", tok, parent, index)
        return parse_int(tok)

    def symbol(self, tok: Any, parent: Node, index: int, what: str = "a symbol") -> str:
        """The name denoted by a symbol token (without bars)."""
        if tok.__class__ is not str or not is_symbol(tok):
            raise self.fail(BAD_ARGUMENT, f"expected {what}, got {_show(tok)}", tok, parent, index)
        return unquote_symbol(tok)

    # atoms ----------------------------------------------------------------------
    def atom(self, tok: str, parent: Node | None, index: int) -> Term:
        if self.local:
            stack = self.local.get(tok if tok[0] != "|" else token_key(tok))
            if stack:
                return stack[-1]
        t = self.sym.atoms.get(tok)
        if t is not None:
            return t
        return self._atom_slow(tok, parent, index)

    def _atom_slow(self, tok: str, parent: Node | None, index: int) -> Term:
        c = tok[0]
        if c.isdigit():
            t = self._number(tok, parent, index)
        elif c == "#":
            t = self._bv_literal(tok, parent, index)
        elif c == '"':
            value = decode_string(tok[1:-1])
            if any(ord(ch) > 0x2FFFF for ch in value):
                raise self.fail(
                    BAD_LITERAL, "string literal has a character above U+2FFFF", tok, parent, index
                )
            t = const(value, STRING)
        elif c == "|":
            found = self.sym.atoms.get(token_key(tok)) if is_symbol(tok) else None
            if found is None:
                return self._unknown(token_key(tok), tok, parent, index)
            return found
        else:
            return self._unknown(tok, tok, parent, index)
        self.sym.atoms[tok] = t  # literal cache: never shadowed, never popped
        return t

    def _number(self, tok: str, parent: Node | None, index: int) -> Term:
        if NUMERAL_RE.fullmatch(tok):
            return const(parse_int(tok), INT)
        if DECIMAL_RE.fullmatch(tok):
            whole, frac = tok.split(".")
            return const(Fraction(parse_int(whole + frac), 10 ** len(frac)), REAL)
        raise self.fail(BAD_LITERAL, f"malformed numeral or decimal '{_clip(tok)}'", tok, parent, index)

    def _bv_literal(self, tok: str, parent: Node | None, index: int) -> Term:
        digits = tok[2:]
        if tok.startswith("#x") and digits and all(d in _HEX for d in digits):
            return const(int(digits, 16), BitVecSort(4 * len(digits)))
        if tok.startswith("#b") and digits and all(d in "01" for d in digits):
            return const(int(digits, 2), BitVecSort(len(digits)))
        raise self.fail(BAD_LITERAL, f"malformed bit-vector literal '{_clip(tok)}'", tok, parent, index)

    def _unknown(self, name: str, tok: str, parent: Node | None, index: int) -> Term:
        if tok[0] == ":":
            raise self.fail(SYNTAX, f"expected a term, got keyword '{_clip(tok)}'", tok, parent, index)
        if not is_symbol(tok):
            raise self.fail(BAD_LITERAL, f"invalid token '{_clip(tok)}'", tok, parent, index)
        if name in self.sym.funs or name in HEADS or name in INDEXED:
            raise self.fail(SORT, f"'{_clip(name)}' is a function and needs arguments", tok, parent, index)
        if is_unsupported(name):
            raise self.fail(UNSUPPORTED, f"'{_clip(name)}' is not supported by quod", tok, parent, index)
        raise self.fail(UNKNOWN_SYMBOL, f"unknown symbol '{_clip(name)}'", tok, parent, index)

    # terms ----------------------------------------------------------------------
    def term(self, node: SNode, parent: Node | None = None, index: int = 0) -> Term:
        if node.__class__ is str:
            assert isinstance(node, str)
            return self.atom(node, parent, index)
        assert isinstance(node, list)
        first = self._enter(node)
        if first.__class__ is not list:
            assert isinstance(first, Term)
            return first
        # The loop below is the parser's hot path: the common cases (applications
        # of built-in or declared functions to atoms) are handled inline.
        atoms_get = self.sym.atoms.get
        funs_get = self.sym.funs.get
        heads_get = HEADS.get
        local = self.local
        stack: list[list[Any]] = [first]  # type: ignore[list-item]
        while True:
            f = stack[-1]
            i = f[2]
            end = f[3]
            if i < end:
                if f[0] is _LET_BIND:
                    f[2] = i + 1
                    par = f[1][i]
                    child = par[2]
                    if child.__class__ is str:
                        f[4].append(self.atom(child, par, 2))
                        continue
                else:
                    par = f[1]
                    args = f[4]
                    while i < end:  # a run of atom arguments at once
                        child = par[i]
                        if child.__class__ is not str:
                            break
                        t = None if local else atoms_get(child)
                        args.append(t if t is not None else self.atom(child, par, i))
                        i += 1
                    if i == end:
                        f[2] = end
                        continue
                    f[2] = i + 1
                head = child[1] if len(child) > 2 else None
                if head.__class__ is str and head not in _SPECIAL:
                    h = heads_get(head) if funs_get(head) is None and not local else None
                    if h is None:
                        h = self._function(head, child)
                    stack.append([_APP, child, 2, len(child), [], h])
                    continue
                r = self._enter(child)
                if r.__class__ is list:
                    stack.append(r)  # type: ignore[arg-type]
                else:
                    f[4].append(r)
                continue
            result: Term | None
            if f[0] is _APP:
                try:
                    result = f[5](f[4], f[1])
                except SortError as e:
                    raise self.fail(SORT, e.message, f[1]) from None
            else:
                result = self._finish(f)
                if result is None:  # the frame continues (let body)
                    continue
            stack.pop()
            if not stack:
                return result
            stack[-1][4].append(result)

    def _enter(self, node: Node) -> list[Any] | Term:
        """A new frame for `node`, or its term when it needs no children."""
        if len(node) < 2:
            raise self.fail(SYNTAX, "expected a term, got '()'", node)
        head = node[1]
        if head.__class__ is str:
            if head in _SPECIAL:
                return self._enter_special(head, node)
            handler = self._function(head, node)
        else:
            handler = self._compound_head(head, node)
        if len(node) == 2:
            raise self.fail(SYNTAX, f"application of '{_show(head)}' has no arguments", node)
        return [_APP, node, 2, len(node), [], handler]

    def _finish(self, f: list[Any]) -> Term | None:
        kind = f[0]
        node = f[1]
        if kind is _APP:
            handler: Handler = f[5]
            try:
                return handler(f[4], node)
            except SortError as e:
                raise self.fail(SORT, e.message, node) from None
        if kind is _LET_BIND:
            self._let_body(f)
            return None
        if kind is _LET_BODY:
            for name in f[5]:
                self._unbind(name)
            t: Term = f[4][0]
            return t
        if kind is _QUANT:
            return self._close_quantifier(f)
        return self._annotate(f)

    # function heads ---------------------------------------------------------------
    def _function(self, head: str, node: Node) -> Handler:
        entry = self.sym.funs.get(head)
        if entry is None:
            h = HEADS.get(head)
            if h is not None and not (self.local and head in self.local):
                return h
        return self._function_slow(head, node)

    def _function_slow(self, head: str, node: Node) -> Handler:
        name = token_key(head)
        entry = self.sym.funs.get(name)
        if self.local and name in self.local:
            raise self.fail(SORT, f"'{_clip(name)}' is bound to a term and cannot be applied", node, node, 1)
        if entry is not None:
            return self._user_handler(entry)
        h = HEADS.get(name)
        if h is not None:
            return h
        if name in self.sym.atoms:
            raise self.fail(SORT, f"'{_clip(name)}' is a constant and cannot be applied", node, node, 1)
        if not is_symbol(head):
            raise self.fail(BAD_LITERAL, f"invalid function symbol '{_clip(head)}'", node, node, 1)
        if is_unsupported(name):
            raise self.fail(UNSUPPORTED, f"'{_clip(name)}' is not supported by quod", node, node, 1)
        raise self.fail(UNKNOWN_SYMBOL, f"unknown function symbol '{_clip(name)}'", node, node, 1)

    def _user_handler(self, entry: FuncDecl | Macro) -> Handler:
        if isinstance(entry, FuncDecl):
            decl = entry

            def apply(args: list[Term], node: Node) -> Term:
                return apply_decl(decl, _coerce(args, decl.domain, decl.name))

            return apply
        macro = entry

        def expand(args: list[Term], node: Node) -> Term:
            args = _coerce(args, tuple(p.sort for p in macro.params), macro.name)
            return substitute(macro.body, dict(zip(macro.params, args)))

        return expand

    def _compound_head(self, head: Any, node: Node) -> Handler:
        if len(head) >= 3 and head[1] == "_" and head[2].__class__ is str:
            name = head[2]
            indices = [self.numeral(head[i], head, i) for i in range(3, len(head))]
            try:
                h = indexed_handler(name, indices)
            except SortError as e:
                raise self.fail(SORT, e.message, head) from None
            if h is not None:
                return h
            if is_unsupported(name):
                raise self.fail(UNSUPPORTED, f"'(_ {_clip(name)} ...)' is not supported by quod", head)
            raise self.fail(UNKNOWN_SYMBOL, f"unknown indexed function '(_ {_clip(name)} ...)'", head)
        if len(head) == 4 and head[1] == "as":
            sort = self.sort(head[3], head, 3)
            if head[2] == "const":
                if not sort.is_array:
                    raise self.fail(SORT, f"'(as const S)' needs an array sort, got {sort}", head)
                return lambda args, node: make(
                    Op.CONST_ARRAY, _coerce(args, (sort.elem_sort,), "const"), sort
                )
            inner = self._function(head[2], head)

            def ascribed(args: list[Term], node: Node) -> Term:
                t = inner(args, node)
                if t.sort != sort:
                    raise SortError(f"'{head[2]}' has sort {t.sort}, not {sort}")
                return t

            return ascribed
        raise self.fail(SYNTAX, "malformed function head", head)

    # special forms --------------------------------------------------------------------
    def _enter_special(self, head: str, node: Node) -> list[Any] | Term:
        if head == "let":
            return self._enter_let(node)
        if head == "forall" or head == "exists":
            return self._enter_quantifier(node, Op.FORALL if head == "forall" else Op.EXISTS)
        if head == "!":
            if len(node) < 3:
                raise self.fail(SYNTAX, "'!' needs a term and attributes", node)
            return [_ANNOT, node, 2, 3, [], None]
        if head == "_":
            return self._indexed_constant(node)
        if head == "as":
            return self._ascription(node)
        raise self.fail(UNSUPPORTED, f"'{head}' terms are not supported by quod", node)

    def _enter_let(self, node: Node) -> list[Any]:
        if len(node) != 4 or node[2].__class__ is not list or len(node[2]) < 2:
            raise self.fail(SYNTAX, "expected (let ((name term) ...) body)", node)
        bindings = node[2]
        for j in range(1, len(bindings)):
            b = bindings[j]
            if b.__class__ is not list or len(b) != 3 or b[1].__class__ is not str:
                raise self.fail(SYNTAX, "expected a binding (name term)", b, bindings, j)
        return [_LET_BIND, bindings, 1, len(bindings), [], node]

    def _let_body(self, f: list[Any]) -> None:
        bindings = f[1]
        names: list[str] = []
        for j in range(1, len(bindings)):
            names.append(symbol_key(self.symbol(bindings[j][1], bindings[j], 1, "a variable name")))
        if len(set(names)) != len(names):
            raise self.fail(SYNTAX, "a let binds the same name twice", bindings)
        for name, t in zip(names, f[4]):
            self.local.setdefault(name, []).append(t)
        node = f[5]
        f[0], f[1], f[2], f[3], f[4], f[5] = _LET_BODY, node, 3, 4, [], names
        return None

    def _unbind(self, name: str) -> None:
        stack = self.local[name]
        stack.pop()
        if not stack:
            del self.local[name]

    def sorted_vars(
        self, node: Any, parent: Node, index: int, direct: bool = False
    ) -> list[tuple[str, Sort, Term]]:
        """`((x S) ...)` as (name, sort, variable), bound in the local scope.

        With `direct`, a name that is neither declared nor bound around us is
        bound to the variable with that very name: nothing in the body can
        mention that variable otherwise, so no renaming is needed later.
        Otherwise the variable is internal and `rename_bound` picks the name.
        """
        if node.__class__ is not list:
            raise self.fail(SYNTAX, "expected a list of (name sort) pairs", node, parent, index)
        out: list[tuple[str, Sort, Term]] = []
        for j in range(1, len(node)):
            p = node[j]
            if p.__class__ is not list or len(p) != 3:
                raise self.fail(SYNTAX, "expected (name sort)", p, node, j)
            name = self.symbol(p[1], p, 1, "a variable name")
            if any(name == n for n, _, _ in out):
                raise self.fail(SYNTAX, f"variable '{_clip(name)}' is bound twice", p, p, 1)
            sort = self.sort(p[2], p, 2)
            key = symbol_key(name)
            if direct and key not in self.sym.atoms and key not in self.local and key not in self.sym.funs:
                out.append((name, sort, var(name, sort)))
            else:
                self._counter += 1
                out.append((name, sort, var(f"{name}|{self._counter}|", sort)))
        for name, _, v in out:
            self.local.setdefault(symbol_key(name), []).append(v)
            self.bound.add(v)
        return out

    def release(self, bound: list[tuple[str, Sort, Term]]) -> None:
        for name, _, v in bound:
            self._unbind(symbol_key(name))
            self.bound.discard(v)

    def _enter_quantifier(self, node: Node, op: Op) -> list[Any]:
        if len(node) != 4 or node[2].__class__ is not list or len(node[2]) < 2:
            raise self.fail(SYNTAX, f"expected ({op.value} ((name sort) ...) body)", node)
        bound = self.sorted_vars(node[2], node, 2, direct=True)
        return [_QUANT, node, 3, 4, [], (op, bound)]

    def _close_quantifier(self, f: list[Any]) -> Term:
        op, bound = f[5]
        self.release(bound)
        body: Term = f[4][0]
        if not body.sort.is_bool:
            raise self.fail(SORT, f"quantifier body must be Bool, got {body.sort}", f[1])
        public, body = self.rename_bound(bound, body)
        return quantifier(op, public, body)

    def rename_bound(self, bound: list[tuple[str, Sort, Term]], body: Term) -> tuple[list[Term], Term]:
        """Variables with the written names for internal ones, renamed `name!k` only where needed.

        A written name is kept unless printing it would change the meaning: a
        symbol of that name is free in the body (it would be captured), or an
        occurrence of the variable sits under an inner binder of that name (it
        would be captured there). Otherwise `name!k` is used, for the smallest k
        not occurring in the body at all. The choice depends only on the body.
        """
        public: list[Term] = []
        mapping: dict[Term, Term] = {}
        for name, sort, v in bound:
            if v.payload == name:
                public.append(v)
                continue
            chosen = name
            if self._would_capture(name, v, body) or any(p.name == name for p in public):
                everywhere = {s.name for s in post_order([body]) if s.op is Op.VAR or s.op is Op.APPLY}
                everywhere.update(p.name for p in public)
                k = 1
                while f"{name}!{k}" in everywhere:
                    k += 1
                chosen = f"{name}!{k}"
            target = var(chosen, sort)
            public.append(target)
            mapping[v] = target
        return public, _replace_vars(body, mapping)

    @staticmethod
    def _would_capture(name: str, v: Term, body: Term) -> bool:
        if any(f.name == name for f in free_vars([body]) if f is not v):
            return True
        # one bottom-up pass: does a subterm contain v? (v is internal, so never bound inside)
        has_v: dict[int, bool] = {}
        for s in post_order([body], into_binders=False):
            if s.op is Op.APPLY and s.payload.name == name:
                return True
            inside = s is v or any(has_v[a.id] for a in s.args)
            binds = (s.op is Op.FORALL or s.op is Op.EXISTS) and any(b.name == name for b in s.payload)
            if binds and inside:
                return True
            has_v[s.id] = inside
        return False

    def _annotate(self, f: list[Any]) -> Term:
        node = f[1]
        t: Term = f[4][0]
        i = 3
        while i < len(node):
            key = node[i]
            if key.__class__ is not str or key[0] != ":":
                raise self.fail(SYNTAX, f"expected an attribute keyword, got {_show(key)}", key, node, i)
            has_value = i + 1 < len(node) and not (node[i + 1].__class__ is str and node[i + 1][0] == ":")
            if key == ":named":
                if not has_value:
                    raise self.fail(SYNTAX, "':named' needs a symbol", key, node, i)
                self._name_term(t, node, i + 1)
            i += 2 if has_value else 1
        return t

    def _name_term(self, t: Term, node: Node, index: int) -> None:
        name = self.symbol(node[index], node, index, "a name")
        if self.bound and free_vars([t]) & self.bound:
            raise self.fail(SORT, f"':named {name}' names a term with bound variables", node, node, index)
        key = self.check_fresh(name, node, index)
        self.sym.add_atom(key, t)

    def check_fresh(self, name: str, parent: Node, index: int) -> str:
        """The table key of `name`; raises if the name is taken."""
        key = symbol_key(name)
        if key in self.sym.atoms or key in self.sym.funs or key in HEADS or key in INDEXED:
            builtin = self.sym.is_builtin(key) or key in HEADS or key in INDEXED
            what = "a built-in symbol" if builtin else "already declared"
            raise self.fail(REDECLARED, f"'{_clip(name)}' is {what}", parent[index], parent, index)
        return key

    def _indexed_constant(self, node: Node) -> Term:
        if len(node) == 4 and node[2].__class__ is str:
            name = node[2]
            if name.startswith("bv") and NUMERAL_RE.fullmatch(name[2:]):
                width = self.numeral(node[3], node, 3)
                if width <= 0:
                    raise self.fail(BAD_LITERAL, "bit-vector width must be positive", node, node, 3)
                if width > _MAX_LITERAL_WIDTH:  # constants are checked against 2**width
                    raise self.fail(
                        UNSUPPORTED, f"bit-vector literal wider than {_MAX_LITERAL_WIDTH} bits", node
                    )
                value = parse_int(name[2:])
                if value.bit_length() > width:
                    value &= (1 << width) - 1
                return const(value, BitVecSort(width))
            if name == "char" and node[3].__class__ is str and node[3].startswith("#x"):
                digits = node[3][2:]
                if 1 <= len(digits) <= 5 and all(d in _HEX for d in digits) and int(digits, 16) <= 0x2FFFF:
                    return const(chr(int(digits, 16)), STRING)
                raise self.fail(
                    BAD_LITERAL, "'(_ char #x..)' needs a code point up to #x2FFFF", node, node, 3
                )
        raise self.fail(
            SYNTAX,
            "malformed indexed term; indexed functions must be applied, e.g. ((_ extract 3 0) x)",
            node,
        )

    def _ascription(self, node: Node) -> Term:
        if len(node) != 4:
            raise self.fail(SYNTAX, "expected (as name sort)", node)
        sort = self.sort(node[3], node, 3)
        name = node[2]
        if name == "seq.empty":
            if not sort.is_seq:
                raise self.fail(SORT, f"'seq.empty' needs a sequence sort, got {sort}", node)
            return make(Op.SEQ_EMPTY, [], sort)
        if name == "const":
            raise self.fail(SYNTAX, "'(as const S)' must be applied to a value", node)
        if name.__class__ is not str:
            raise self.fail(SYNTAX, "expected (as name sort)", node)
        t = self.atom(name, node, 2)
        if sort.is_real and t.sort.is_int:
            t = to_real(t)
        if t.sort != sort:
            raise self.fail(SORT, f"'{_clip(name)}' has sort {t.sort}, not {sort}", node)
        return t


def _coerce(args: list[Term], domain: tuple[Sort, ...], name: str) -> list[Term]:
    if len(args) != len(domain):
        raise SortError(f"'{name}' expects {len(domain)} argument(s), got {len(args)}")
    out = args
    for i, (a, s) in enumerate(zip(args, domain)):
        if a.sort is not s and a.sort.kind is SortKind.INT and s.kind is SortKind.REAL:
            if out is args:
                out = list(args)
            out[i] = to_real(a)
    return out


def _replace_vars(t: Term, mapping: dict[Term, Term]) -> Term:
    """Replace variables that no binder inside `t` binds (so nothing can be captured)."""
    if not mapping:
        return t
    memo: dict[int, Term] = {}
    for s in post_order([t], into_binders=False):
        hit = mapping.get(s) if s.op is Op.VAR else None
        if hit is not None:
            memo[s.id] = hit
        elif s.args:
            memo[s.id] = rebuild(s, [memo[a.id] for a in s.args])
        else:
            memo[s.id] = s
    return memo[t.id]


def _sort_too_big(s: Sort) -> bool:
    """Is the sort, written out, bigger than the limit?

    Sorts are compared and hashed structurally (recursively), so a sort built
    by repeated definitions, like S1 = (Array S0 S0), S2 = (Array S1 S1), ...,
    costs time exponential in the chain length; such sorts are refused. The
    count is memoised per object, so checking is linear in distinct parts.
    """
    size: dict[int, int] = {}
    stack: list[tuple[Sort, bool]] = [(s, False)]
    while stack:
        x, expanded = stack.pop()
        if id(x) in size:
            continue
        if expanded:
            n = 1 + sum(size[id(p)] for p in x.params)
            if n > _SORT_SIZE_LIMIT:
                return True
            size[id(x)] = n
        else:
            stack.append((x, True))
            stack.extend((p, False) for p in x.params if id(p) not in size)
    return False


def _subst_sort(s: Sort, mapping: dict[Sort, Sort]) -> Sort:
    hit = mapping.get(s)
    if hit is not None:
        return hit
    if not s.params:
        return s
    return Sort(s.kind, s.width, s.name, tuple(_subst_sort(p, mapping) for p in s.params))


def _clip(s: str) -> str:
    return s if len(s) <= 60 else s[:57] + "..."


def _show(x: Any) -> str:
    if x.__class__ is str:
        return f"'{_clip(x)}'"
    return "a list"


__all__ = ["TermReader"]
