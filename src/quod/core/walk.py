"""Iterative, memoized traversals of term DAGs.

Nothing here recurses on term depth, so terms nested 100,000 levels deep are
fine. Each distinct subterm is visited once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TypeVar

from quod.core.ops import Op
from quod.core.terms import Term, apply_decl, make, quantifier, var

R = TypeVar("R")


def _children(t: Term, into_binders: bool, into_bodies: bool) -> tuple[Term, ...]:
    if t.op is Op.FORALL or t.op is Op.EXISTS:
        if not into_bodies:
            return ()
        if into_binders:
            return (*t.payload, *t.args)
    return t.args


def post_order(
    roots: Iterable[Term], *, into_binders: bool = True, into_bodies: bool = True
) -> Iterator[Term]:
    """Each distinct subterm once, children before parents.

    With `into_binders`, bound variables of quantifiers are yielded as
    children of their quantifier too. Without `into_bodies`, quantifiers are
    treated as leaves (for passes that handle binding scopes themselves).
    """
    seen: set[int] = set()
    for root in roots:
        if root.id in seen:
            continue
        stack = [root]
        while stack:
            t = stack[-1]
            if t.id in seen:
                stack.pop()
                continue
            pushed = False
            for a in _children(t, into_binders, into_bodies):
                if a.id not in seen:
                    stack.append(a)
                    pushed = True
            if not pushed:
                seen.add(t.id)
                stack.pop()
                yield t


def fold(roots: Iterable[Term], fn: Callable[[Term, list[R]], R]) -> dict[int, R]:
    """Bottom-up memoized fold: `fn(term, results_of_args)`, keyed by term id.

    Quantifier bodies are folded like ordinary arguments; callers that care
    about binding must handle FORALL/EXISTS themselves.
    """
    memo: dict[int, R] = {}
    for t in post_order(roots, into_binders=False):
        memo[t.id] = fn(t, [memo[a.id] for a in t.args])
    return memo


def conjuncts(assertions: Iterable[Term]) -> list[Term]:
    """The top-level conjuncts: `and`s at the top flattened depth-first, in order."""
    out: list[Term] = []
    stack = list(reversed(list(assertions)))
    while stack:
        t = stack.pop()
        if t.op is Op.AND:
            stack.extend(reversed(t.args))
        else:
            out.append(t)
    return out


def size(t: Term) -> int:
    """Number of distinct subterms (DAG size)."""
    return sum(1 for _ in post_order([t]))


def free_vars(roots: Iterable[Term]) -> set[Term]:
    """Free VAR terms (bound variables of enclosing quantifiers excluded)."""
    roots = list(roots)
    out: set[Term] = set()
    has_binder = False
    for t in post_order(roots, into_binders=False):
        if t.op is Op.VAR:
            out.add(t)
        elif t.op is Op.FORALL or t.op is Op.EXISTS:
            has_binder = True
    return _free_vars_scoped(roots) if has_binder else out


def _free_vars_scoped(roots: list[Term]) -> set[Term]:
    result: set[Term] = set()
    memo: dict[int, frozenset[Term]] = {}
    for t in post_order(roots, into_binders=False):
        if t.op is Op.VAR:
            memo[t.id] = frozenset((t,))
            continue
        acc: frozenset[Term] = frozenset().union(*(memo[a.id] for a in t.args)) if t.args else frozenset()
        if t.op is Op.FORALL or t.op is Op.EXISTS:
            acc = acc - frozenset(t.payload)
        memo[t.id] = acc
    for r in roots:
        result |= memo[r.id]
    return result


def uninterpreted_functions(roots: Iterable[Term]) -> set[Term]:
    """APPLY terms (applications of uninterpreted functions)."""
    return {t for t in post_order(roots) if t.op is Op.APPLY}


def rebuild(t: Term, args: list[Term]) -> Term:
    """`t` with its arguments replaced (identity when nothing changed)."""
    if all(a is b for a, b in zip(args, t.args, strict=True)):
        return t
    if t.op is Op.APPLY:
        return apply_decl(t.payload, args)
    if t.op is Op.FORALL or t.op is Op.EXISTS:
        return quantifier(t.op, t.payload, args[0])
    return make(t.op, args, t.payload)


def substitute(t: Term, mapping: Mapping[Term, Term]) -> Term:
    """Replace subterms by `mapping` (simultaneously), respecting binders.

    Variables bound by a quantifier are not replaced inside it; a bound
    variable that would capture a free variable of a replacement is renamed.
    """
    if not mapping:
        return t
    for k, v in mapping.items():
        if k.sort != v.sort:
            from quod.core.errors import SortError

            raise SortError(f"cannot substitute {v!r} of sort {v.sort} for {k!r} of sort {k.sort}")
    memo: dict[int, Term] = {}
    for s in post_order([t], into_binders=False):
        if s in mapping:
            memo[s.id] = mapping[s]
        elif s.op is Op.FORALL or s.op is Op.EXISTS:
            memo[s.id] = _subst_binder(s, mapping)
        else:
            memo[s.id] = rebuild(s, [memo[a.id] for a in s.args])
    return memo[t.id]


def _subst_binder(q: Term, mapping: Mapping[Term, Term]) -> Term:
    bound: tuple[Term, ...] = q.payload
    # compare by id: `in` on a tuple would call Term.__eq__, which builds an equation
    # (and raises a sort error for variables of different sorts)
    bound_ids = {b.id for b in bound}
    inner = {k: v for k, v in mapping.items() if k.id not in bound_ids}
    if not inner:
        return q
    body = q.args[0]
    incoming = {v.id for v in free_vars(inner.values())}
    captured = [b for b in bound if b.id in incoming]
    body_free = {v.id for v in free_vars([body])}
    if captured and any(k.id in body_free for k in inner):
        # rename only when a replacement really lands under a binder that would capture it;
        # names are chosen deterministically (smallest unused suffix)
        taken = {v.name for v in post_order([body, *inner.values()]) if v.op is Op.VAR}
        renamed = {}
        for b in captured:
            name = fresh_name(b.name, taken)
            taken.add(name)
            renamed[b] = var(name, b.sort)
        body = substitute(body, renamed)
        bound = tuple(renamed.get(b, b) for b in bound)
    return quantifier(q.op, bound, substitute(body, inner))


def fresh_name(base: str, taken: set[str]) -> str:
    """`base!k` for the smallest k >= 1 not in `taken`."""
    k = 1
    while f"{base}!{k}" in taken:
        k += 1
    return f"{base}!{k}"


def map_leaves(t: Term, fn: Callable[[Term], Term | None]) -> Term:
    """Rebuild `t` with each leaf (CONST/VAR) replaced by fn(leaf) when not None."""
    memo: dict[int, Term] = {}
    for s in post_order([t], into_binders=False):
        if s.op is Op.CONST or s.op is Op.VAR:
            r = fn(s)
            memo[s.id] = s if r is None else r
        else:
            memo[s.id] = rebuild(s, [memo[a.id] for a in s.args])
    return memo[t.id]


__all__ = [
    "fold",
    "free_vars",
    "fresh_name",
    "map_leaves",
    "post_order",
    "rebuild",
    "size",
    "substitute",
    "uninterpreted_functions",
]
