"""Deliberately naive reference semantics for the kernel tests (ground truth).

Written independently of `quod.kernel` and as plainly as possible: unit
propagation by repeated full scans, RAT by enumerating candidates, an LRAT
step rule read straight from the format's definition, and satisfiability by
PySAT. Slow, so only for small formulas.
"""

from __future__ import annotations

from collections.abc import Sequence

from pysat.solvers import Solver


def satisfiable(clauses: Sequence[Sequence[int]]) -> bool:
    if any(len(c) == 0 for c in clauses):
        return False
    with Solver(name="minisat22", bootstrap_with=[list(c) for c in clauses]) as s:
        return bool(s.solve())


def up_conflict(clauses: Sequence[Sequence[int]], assumed: Sequence[int]) -> bool:
    """Does unit propagation from the literals `assumed` reach a falsified clause?"""
    val: dict[int, bool] = {}
    for lit in assumed:
        if val.get(abs(lit), lit > 0) != (lit > 0):
            return True
        val[abs(lit)] = lit > 0
    changed = True
    while changed:
        changed = False
        for c in clauses:
            open_lits = []
            satisfied = False
            for lit in c:
                v = val.get(abs(lit))
                if v is None:
                    open_lits.append(lit)
                elif v == (lit > 0):
                    satisfied = True
            if satisfied:
                continue
            if not open_lits:
                return True
            if len(set(open_lits)) == 1:
                val[abs(open_lits[0])] = open_lits[0] > 0
                changed = True
    return False


def is_rup(db: Sequence[Sequence[int]], lemma: Sequence[int]) -> bool:
    return up_conflict(db, [-x for x in lemma])


def is_rat(db: Sequence[Sequence[int]], lemma: Sequence[int]) -> bool:
    """RUP, or RAT on the first literal."""
    if is_rup(db, lemma):
        return True
    if not lemma:
        return False
    p = lemma[0]
    for c in db:
        if -p in c:
            resolvent = list(lemma) + [x for x in c if x != -p]
            if not any(-x in resolvent for x in resolvent) and not is_rup(db, resolvent):
                return False
    return True


def drat_forward_valid(clauses: Sequence[Sequence[int]], steps: Sequence[tuple[bool, Sequence[int]]]) -> bool:
    """Every added lemma is RUP/RAT w.r.t. the clauses before it, and the empty clause is added."""
    db = [list(c) for c in clauses]
    for is_del, lits in steps:
        if is_del:
            key = sorted(set(lits))
            for i, c in enumerate(db):
                if sorted(set(c)) == key:
                    del db[i]
                    break
            continue
        if not is_rat(db, lits):
            return False
        if not lits:
            return True
        db.append(list(lits))
    return False


def _unit_chain(db: dict[int, list[int]], hints: Sequence[int], true: set[int]) -> bool | None:
    """None if some hint is not unit/falsified; True at a conflict on the last hint; False otherwise."""
    for n, h in enumerate(hints):
        if h not in db:
            return None
        c = set(db[h])
        if any(x in true for x in c):
            return None
        open_lits = [x for x in c if -x not in true]
        if len(open_lits) > 1:
            return None
        if not open_lits:
            return True if n == len(hints) - 1 else None
        true.add(open_lits[0])
    return False


def lrat_valid(clauses: Sequence[Sequence[int]], steps: Sequence[tuple]) -> bool:
    """LRAT steps as tuples ('a', id, lits, hints) / ('d', ids)."""
    if any(len(c) == 0 for c in clauses):
        return True
    db = {i + 1: list(c) for i, c in enumerate(clauses)}
    last = len(clauses)
    for st in steps:
        if st[0] == "d":
            for cid in st[1]:
                if cid not in db:
                    return False
                del db[cid]
            continue
        _, cid, lits, hints = st
        if cid <= last or not _lrat_step(db, list(lits), list(hints)):
            return False
        if not lits:
            return True
        db[cid] = list(lits)
        last = cid
    return False


def _lrat_step(db: dict[int, list[int]], lits: list[int], hints: list[int]) -> bool:
    if any(-x in lits for x in lits):
        return True
    true = {-x for x in lits}
    k = 0
    while k < len(hints) and hints[k] > 0:
        k += 1
    outcome = _unit_chain(db, hints[:k], true)
    if outcome is None:
        return False
    if outcome:
        return k == len(hints)
    if not lits:
        return False
    p = lits[0]
    groups: dict[int, list[int]] = {}
    cur = None
    for h in hints[k:]:
        if h < 0:
            if -h in groups or -h not in db or -p not in db[-h]:
                return False
            cur = groups[-h] = []
        else:
            cur.append(h)  # type: ignore[union-attr]
    for cid in sorted(db):
        c = db[cid]
        if -p not in c:
            continue
        rest = [x for x in c if x != -p]
        if any(x in true for x in rest) or any(-x in rest for x in rest):
            continue
        if cid not in groups:
            return False
        local = set(true) | {-x for x in rest}
        if _unit_chain(db, groups[cid], local) is not True:
            return False
    return True


def parse_lrat_text(text: str) -> list[tuple]:
    out: list[tuple] = []
    for line in text.splitlines():
        t = line.split()
        if not t or t[0] == "c":
            continue
        if t[1] == "d":
            out.append(("d", [int(x) for x in t[2:-1]]))
            continue
        nums = [int(x) for x in t]
        z = nums.index(0, 1)
        out.append(("a", nums[0], nums[1:z], nums[z + 1 : -1]))
    return out


def lrat_text(steps: Sequence[tuple]) -> str:
    lines = []
    last = 0
    for st in steps:
        if st[0] == "d":
            lines.append(f"{last} d {' '.join(map(str, st[1]))} 0".replace("  ", " "))
        else:
            _, cid, lits, hints = st
            last = cid
            lines.append(" ".join(map(str, [cid, *lits, 0, *hints, 0])))
    return "\n".join(lines) + "\n"


def drat_text(steps: Sequence[tuple[bool, Sequence[int]]]) -> str:
    return "".join(("d " if d else "") + " ".join(map(str, [*lits, 0])) + "\n" for d, lits in steps)


def encode_varint(u: int) -> bytes:
    out = bytearray()
    while True:
        b = u & 0x7F
        u >>= 7
        if u:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def enc(x: int) -> bytes:
    return encode_varint(2 * x if x > 0 else -2 * x + 1)


def drat_binary(steps: Sequence[tuple[bool, Sequence[int]]]) -> bytes:
    return b"".join((b"d" if d else b"a") + b"".join(enc(x) for x in lits) + b"\x00" for d, lits in steps)


def lrat_binary(steps: Sequence[tuple]) -> bytes:
    out = bytearray()
    for st in steps:
        if st[0] == "d":
            out += b"d" + b"".join(enc(x) for x in st[1]) + b"\x00"
        else:
            _, cid, lits, hints = st
            out += b"a" + enc(cid) + b"".join(enc(x) for x in lits) + b"\x00"
            out += b"".join(enc(x) for x in hints) + b"\x00"
    return bytes(out)
