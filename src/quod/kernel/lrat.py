"""The trusted LRAT checker: linear-time checking of clausal refutations.

Each added clause carries hints (ids of earlier clauses). Checking a lemma C:
assign the negation of C, then every hint must be unit under the current
assignment (its one open literal is then assigned) until a hint is falsified:
that conflict shows C follows from its hints by unit propagation (RUP).

If the positive hints reach no conflict, the step is a RAT step on the pivot
p = first literal of C: for every active clause D containing -p the hints
`-D h1 h2 ...` must refute C + (D - {-p}) in the same way, starting from the
assignment the positive hints produced. A candidate whose resolvent is
already satisfied needs no hints. RAT steps preserve satisfiability, RUP
steps preserve models; deletions only drop clauses. So deriving the empty
clause proves the formula unsatisfiable.

The checker is strict: every hint must be active and unit (or the final
conflict), ids of added clauses strictly increase, deletions name active
clauses. Nothing here trusts the proof producer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from quod.kernel.formats import LratStep, check_clauses, location, read_lrat
from quod.kernel.verdict import ProofVerdict


class _Reject(Exception):
    """A proof step does not hold; the message says why."""


def _dedupe(lits: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(dict.fromkeys(lits))


class _Clauses(dict[int, tuple[int, ...]]):
    """The active clauses by id. Formula clauses are read (deduplicated and validated) on first
    use, so the clauses of a big formula that a proof never touches cost nothing."""

    def __init__(self, formula: Sequence[Sequence[int]]) -> None:
        super().__init__()
        self.formula = formula
        self.gone: set[int] = set()  # deleted formula clauses

    def __missing__(self, cid: int) -> tuple[int, ...]:
        if not 0 < cid <= len(self.formula) or cid in self.gone:
            raise KeyError(cid)
        clause = _dedupe(tuple(self.formula[cid - 1]))
        check_clauses({cid: clause})
        self[cid] = clause
        return clause

    def remove(self, cid: int) -> tuple[int, ...] | None:
        try:
            clause = self[cid]
        except KeyError:
            return None
        del self[cid]
        self.gone.add(cid)
        return clause

    def load_all(self) -> None:
        for cid in range(1, len(self.formula) + 1):
            if cid not in self.gone:
                self[cid]  # reading it loads it


class LratChecker:
    """Clause database plus the step rule; feed it steps with `add` / `delete`."""

    def __init__(self, clauses: Sequence[Sequence[int]]) -> None:
        self.db = _Clauses(clauses)
        self.last_id = len(clauses)
        # literal -> ids of active clauses containing it; built at the first RAT step
        self.occ: dict[int, set[int]] | None = None
        self.stats = {"lemmas": 0, "rat": 0, "deleted": 0, "hints": 0}

    def delete(self, ids: tuple[int, ...]) -> None:
        for cid in ids:
            clause = self.db.remove(cid)
            if clause is None:
                raise _Reject(f"deletes clause {cid}, which is not active")
            if self.occ is not None:
                for lit in clause:
                    self.occ[lit].discard(cid)
        self.stats["deleted"] += len(ids)

    def add(self, cid: int, lits: tuple[int, ...], hints: tuple[int, ...]) -> None:
        if cid <= self.last_id:
            raise _Reject(f"clause id {cid} is not larger than the previous id {self.last_id}")
        self._check(lits, hints)
        clause = _dedupe(lits)
        self.db[cid] = clause
        self.last_id = cid
        if self.occ is not None:
            for lit in clause:
                self.occ.setdefault(lit, set()).add(cid)
        self.stats["lemmas"] += 1
        self.stats["hints"] += len(hints)

    def _chain(self, hints: Iterable[int], true: set[int]) -> bool:
        """Unit-propagate along `hints`; True iff the last hint is falsified."""
        db, assign = self.db, true.add  # bound once: this loop is the checker's hot spot
        conflict = 0
        for h in hints:
            if conflict:
                raise _Reject(f"hint {h} follows the conflict at hint {conflict}")
            try:
                clause = db[h]
            except KeyError:
                raise _Reject(f"hint {h} is not an active clause") from None
            unit = 0
            for lit in clause:
                if lit in true:
                    raise _Reject(f"hint {h} is satisfied, not unit")
                if -lit not in true:
                    if unit:
                        raise _Reject(f"hint {h} is not unit (literals {unit} and {lit} are open)")
                    unit = lit
            if unit:
                assign(unit)
            else:
                conflict = h
        return conflict != 0

    def _check(self, lits: tuple[int, ...], hints: tuple[int, ...]) -> None:
        true: set[int] = set()
        for lit in lits:
            if lit in true:
                return  # contains a literal and its negation: a tautology holds anyway
            true.add(-lit)
        split = len(hints) if not hints or min(hints) > 0 else next(k for k, h in enumerate(hints) if h < 0)
        if self._chain(hints[:split], true):
            if split < len(hints):
                raise _Reject("RAT hints follow a RUP conflict")
            return
        if not lits:
            raise _Reject("the hints of the empty clause reach no conflict")
        self._check_rat(lits[0], self._groups(hints[split:]), true)

    def _groups(self, hints: tuple[int, ...]) -> dict[int, list[int]]:
        groups: dict[int, list[int]] = {}
        current: list[int] = []
        for h in hints:
            if h < 0:
                if -h in groups:
                    raise _Reject(f"RAT candidate {-h} has two hint groups")
                current = groups[-h] = []
            else:
                current.append(h)
        return groups

    def _candidates(self, lit: int) -> list[int]:
        if self.occ is None:
            self.occ = {}
            self.db.load_all()
            for cid, clause in self.db.items():
                for x in clause:
                    self.occ.setdefault(x, set()).add(cid)
        return sorted(self.occ.get(lit, ()))

    def _check_rat(self, pivot: int, groups: dict[int, list[int]], true: set[int]) -> None:
        self.stats["rat"] += 1
        candidates = self._candidates(-pivot)
        stray = set(groups) - set(candidates)
        if stray:
            raise _Reject(
                f"RAT hint group for clause {min(stray)}, which is not an active clause with {-pivot}"
            )
        for cid in candidates:
            rest = [x for x in self.db[cid] if x != -pivot]
            if any(x in true or -x in rest for x in rest):
                continue  # the resolvent is satisfied or a tautology: nothing to refute
            group = groups.get(cid)
            if group is None:
                raise _Reject(f"RAT on {pivot}: no hints for candidate clause {cid}")
            local = set(true)
            local.update(-x for x in rest)
            if not self._chain(group, local):
                raise _Reject(f"RAT on {pivot}: hints for candidate {cid} reach no conflict")


def check_lrat(
    clauses: Sequence[Sequence[int]], proof: bytes | str | Iterable[str], name: str = "<lrat>"
) -> ProofVerdict:
    """Check an LRAT refutation of the CNF `clauses` (ids 1..n in order); verified iff it derives
    the empty clause. Raises `ProofFormatError` if the proof is not LRAT syntax.
    """
    checker = LratChecker(clauses)
    if min(map(len, clauses), default=1) == 0:
        return ProofVerdict(True, stats={"lemmas": 0})
    steps, binary = read_lrat(proof, name)
    n = 0
    step: LratStep
    for n, step in enumerate(steps, 1):
        cid, lits, hints, loc = step
        try:
            if cid == 0:
                checker.delete(hints)
                continue
            checker.add(cid, lits, hints)
        except _Reject as e:
            what = "deletion" if cid == 0 else f"lemma {cid}"
            return ProofVerdict(False, f"{location(name, binary, loc)}: {what}: {e}", n, checker.stats)
        if not lits:
            return ProofVerdict(True, stats=checker.stats)
    return ProofVerdict(False, "the proof ends without deriving the empty clause", 0, checker.stats)
